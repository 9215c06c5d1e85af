"""junit_counts.py JUNIT_XML: the JUnit report of lab 1 on unprintable code parses, with the right counts.

Used by make check (lib.sh). The file must be well-formed XML with 15 visible
test cases (hidden ones end their name with "(hidden)"), 5 of them failures.
"""
import sys
import xml.etree.ElementTree as tree


def main(argv):
    root = tree.parse(argv[0]).getroot()
    # The visible tests only: hidden ones end their name with "(hidden)".
    cases = [case for case in root.findall('.//testcase')
             if not case.get('name').endswith('(hidden)')]
    failures = [case for case in cases if case.find('failure') is not None]
    if len(cases) != 15 or len(failures) != 5:
        sys.exit(f'{len(cases)} visible test cases and {len(failures)} failures, '
                 'not 15 and 5')


if __name__ == '__main__':
    main(sys.argv[1:])
