"""fair_beside_hog.py GRADES_CSV FULL: a fair student keeps full marks beside a hog.

Used by make check (class.sh). In grade-class's CSV, the correct student b-fair
must total FULL and the hostile a-hog less, stopped by the grader's limits.
"""
import csv
import sys


def main(argv):
    path, full = argv
    rows = {row["student"]: row for row in csv.DictReader(open(path, newline=""))}
    fair, hog = rows.get("b-fair"), rows.get("a-hog")
    if fair is None or fair["total"] != full:
        sys.exit(f"the correct student scored {fair and fair['total']} of {full}: {fair}")
    if hog is None or int(hog["total"]) >= int(full):
        sys.exit(f"the hog was not stopped by any limit: {hog}")


if __name__ == "__main__":
    main(sys.argv[1:])
