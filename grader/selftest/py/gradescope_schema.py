"""gradescope_schema.py SCHEMA REPORT: REPORT follows Gradescope's results.json specification.

Used by make check (lib.sh), with python3-jsonschema: SCHEMA is
grader/selftest/schemas/gradescope-results.json. Prints the first five
violations, one a line, and fails if there is any.
"""
import json
import sys

import jsonschema


def main(argv):
    schema, report = (json.load(open(path)) for path in argv)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(report))
    for error in errors[:5]:
        print('results.json:', '/'.join(map(str, error.absolute_path)) or '(top)', error.message[:200])
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
