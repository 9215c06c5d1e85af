"""csv_scores.py GRADES_CSV STUDENT: print STUDENT's row of grade-class's CSV as "lab1 lab2 total".

Used by make check (class.sh) to compare each student's scores with those expected.
"""
import csv
import sys


def main(argv):
    path, student = argv
    for row in csv.DictReader(open(path, newline="")):
        if row["student"] == student:
            print(row["lab1"], row["lab2"], row["total"])


if __name__ == "__main__":
    main(sys.argv[1:])
