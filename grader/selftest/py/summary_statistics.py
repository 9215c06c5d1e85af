"""summary_statistics.py OUT: grade-class's statistics are those of its CSV's columns.

Used by make check (class.sh). In grade-class's output folder OUT, summary.json
must hold the mean, median, standard deviation, minimum and maximum of the
columns lab1, lab2 and total of grades.csv, and summary.txt must show them.
"""
import csv
import json
import statistics
import sys


def check_column(column, rows, summary, text):
    values = [float(row[column]) for row in rows]
    want = {"mean": round(statistics.fmean(values), 2), "median": statistics.median(values),
            "stdev": round(statistics.pstdev(values), 2), "min": min(values), "max": max(values)}
    got = summary["statistics"][column]
    for key, value in want.items():
        if abs(got[key] - value) > 0.01:
            sys.exit(f"{column} {key}: expected {value}, observed {got[key]}")
    line = next((line for line in text.splitlines() if line.split()[:1] == [column]), None)
    shown = [f"{got[key]}" for key in ("mean", "median", "stdev", "min", "max")]
    if line is None or line.split()[1:6] != shown:
        sys.exit(f"summary.txt: expected a line '{column} {' '.join(shown)} ...', observed {line!r}")


def main(argv):
    out = argv[0]
    rows = list(csv.DictReader(open(f"{out}/grades.csv", newline="")))
    summary = json.load(open(f"{out}/summary.json"))
    text = open(f"{out}/summary.txt").read()
    for column in ("lab1", "lab2", "total"):
        check_column(column, rows, summary, text)


if __name__ == "__main__":
    main(sys.argv[1:])
