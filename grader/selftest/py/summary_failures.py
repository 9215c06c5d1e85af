"""summary_failures.py OUT: grade-class's summary counts every test's failures, worst first.

Used by make check (class.sh). In grade-class's output folder OUT, summary.json
must list each test with the students who failed it, as the students'
results.json files say, sorted by the fraction that failed, and summary.txt
must show each test's line; dave's single read() must count against test 1.2.
"""
import glob
import json
import sys


def main(argv):
    out = argv[0]
    reports = [json.load(open(path)) for path in glob.glob(f"{out}/students/*/results.json")]
    tests = json.load(open(f"{out}/summary.json"))["tests"]
    text = open(f"{out}/summary.txt").read()
    if len(tests) != len(reports[0]["tests"]):
        sys.exit(f"expected {len(reports[0]['tests'])} tests, observed {len(tests)}")
    fractions = [test["fraction"] for test in tests]
    if fractions != sorted(fractions, reverse=True):
        sys.exit(f"not worst first: {fractions}")
    for test in tests:
        failed = sum(t["status"] != "passed" for r in reports for t in r["tests"]
                     if t["number"] == test["number"])
        if (test["failed"], test["graded"]) != (failed, len(reports)):
            sys.exit(f"{test['number']}: expected {failed}/{len(reports)} failed, "
                     f"observed {test['failed']}/{test['graded']}")
        line = f"{test['number']:<6} {test['name']:<44} {failed}/{len(reports)} failed"
        if line not in text:
            sys.exit(f"summary.txt has no line with '{line}'")
    if not any(t["number"] == "1.2" and t["failed"] >= 1 for t in tests):
        sys.exit("1.2 read_full_retries_short_reads: dave's single read() was not counted")


if __name__ == "__main__":
    main(sys.argv[1:])
