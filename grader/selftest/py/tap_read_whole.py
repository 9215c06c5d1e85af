"""tap_read_whole.py REPORT WHOLE: how tap.py reads a TAP report's failed tests.

Used by make check (lib.sh). Prints two numbers: the failed tests in REPORT,
and those of them whose YAML message ends with WHOLE, the last line the code
under test printed (read whole, the numbers are equal).
"""
import sys

from tap.parser import Parser


def main(argv):
    report, whole = argv
    failed = [line for line in Parser().parse_file(report)
              if line.category == 'test' and not line.ok]
    read_whole = [line for line in failed
                  if (line.yaml_block or {}).get('message', '').endswith(whole)]
    print(len(failed), len(read_whole))


if __name__ == '__main__':
    main(sys.argv[1:])
