"""cli — grade-class's command line, its output folder, and the order of the work.

Bad usage is one line on stderr and exit status 2, before anything is
written. Once the class is being graded, the exit status is 0 whatever the
scores. The output folder is new, empty, or holds an earlier grade-class
result (marked by the file .grade-class), which is then replaced; nothing is
written outside it, and its work folder .work is removed at the end, even on
an interrupt.
"""
import argparse
import os
import shutil
import sys

from . import grading, kit, report, submissions

MARKER = ".grade-class"
WORK = ".work"
OUTPUTS = {MARKER, WORK, "grades.csv", "summary.txt", "summary.json", "students"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        fail(f"{message} (see grade-class --help)")


def fail(message):
    print(f"grade-class: {message}", file=sys.stderr)
    sys.exit(2)


def parse(argv):
    parser = _Parser(prog="grade-class", description=(
        "Grade a whole class: SUBMISSIONS holds one folder or .tar.gz/.tgz/.zip archive per "
        "student, each laid out like labs/ (possibly inside one more folder)."))
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="run N tests at a time (default: the number of CPUs)")
    parser.add_argument("--lab", type=int, action="append", default=[], metavar="N",
                        dest="labs", help="grade only lab N (repeat for more labs)")
    parser.add_argument("--out", default="class-grades", metavar="DIR",
                        help="write the grades here (default: ./class-grades)")
    parser.add_argument("--timeout", type=int, metavar="SEC",
                        help="wall-clock limit of every test (default: each test's own)")
    parser.add_argument("--sandbox", action="store_true",
                        help="run every test inside bubblewrap, as grader/grade --sandbox")
    parser.add_argument("submissions", metavar="SUBMISSIONS")
    options = parser.parse_args(argv)
    if not os.path.isdir(options.submissions):
        fail(f"{options.submissions} is not a folder of submissions")
    return options


def check_ranges(options):
    """Exit 2 for a --jobs or --timeout out of the runner's range (kit.config())."""
    limits = kit.config()
    for name, value, key in (("--jobs", options.jobs, "jobs"),
                             ("--timeout", options.timeout, "timeout_seconds")):
        low, high = limits[key]["min"], limits[key]["max"]
        if value is not None and not low <= value <= high:
            fail(f"{name} must be a number from {low} to {high}, not {value}")


def selected_labs(options, labs):
    """The labs to grade (every lab without --lab); exit 2 for a lab the kit has not."""
    numbers = [lab.number for lab in labs]
    for number in options.labs:
        if number not in numbers:
            fail(f"there is no lab {number} (the kit has labs {' '.join(map(str, numbers))})")
    return [lab for lab in labs if not options.labs or lab.number in options.labs]


def prepare_out(path):
    """Make `path` ready for a new result, or exit 2 with the reason."""
    if os.path.lexists(path) and not os.path.isdir(path):
        fail(f"--out {path} exists and is not a folder")
    try:
        _empty_out(path)
    except OSError as error:
        fail(f"cannot use --out {path}: {error.strerror}")


def _empty_out(path):
    """Make `path`, or empty it of an earlier result, and lay out the new one."""
    if os.path.isdir(path):
        found = set(os.listdir(path))
        if found and (MARKER not in found or not found <= OUTPUTS):
            fail(f"--out {path} is not empty and holds no earlier grade-class result "
                 "alone: choose a new or empty folder")
        for name in found:
            target = os.path.join(path, name)
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            else:
                os.unlink(target)
    else:
        os.mkdir(path, 0o755)
    with open(os.path.join(path, MARKER), "w", encoding="utf-8") as marker:
        marker.write("A grade-class result: the next grade-class --out here replaces it.\n")
    os.mkdir(os.path.join(path, WORK), 0o700)
    os.mkdir(os.path.join(path, "students"), 0o755)


def main(argv):
    options = parse(argv)
    kit.prepare()
    check_ranges(options)
    labs = kit.load_labs()
    graded = selected_labs(options, labs)
    out = os.path.abspath(options.out)
    try:
        class_submissions, problems = submissions.discover(options.submissions,
                                                           os.path.realpath(out))
    except OSError as error:
        fail(f"cannot read {options.submissions}: {error.strerror}")
    if not class_submissions:
        fail(f"{options.submissions} holds no submission (expected one folder or .tar.gz, "
             ".tgz or .zip archive per student)")
    prepare_out(out)
    work = os.path.join(out, WORK)
    try:
        grading.grade_all(class_submissions, options, labs, graded, out, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = report.write_all(out, class_submissions, problems, graded, options.submissions)
    print(f"grade-class: {summary['students']} students ({summary['graded']} graded), "
          f"{len(summary['problems'])} problems: see {options.out}/summary.txt and "
          f"{options.out}/grades.csv", file=sys.stderr)
    return 0
