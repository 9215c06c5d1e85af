"""grading — grade every submission with the kit's runner, a few at a time.

Each submission is graded by one run of build/grader/runner, exactly as
grader/grade FOLDER would (same options, --format json), writing the
student's results.json. Runners may run side by side (students_at_once):
each gives its tests the uids of a block of its own, derived from its
process id (the runner's scheduler.c), so none can signal another's tests.
A submission that cannot be graded costs that student only. Progress goes to stderr: one
line kept up to date on a terminal, one line per student otherwise.
"""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed

from . import kit, submissions as submissions_module


class Progress:
    """Counts finished students and tells the instructor on stderr."""

    def __init__(self, total, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.live = stream.isatty()

    def report(self, submission, max_score):
        self.done += 1
        if submission.results is not None:
            outcome = f"{submission.results.get('score', 0):g}/{max_score}"
        else:
            outcome = "not graded"
        line = f"[{self.done}/{self.total}] {submission.name}: {outcome}"
        if self.live:  # one line, rewritten in place
            self.stream.write("\r\033[K" + line + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def runner_command(options, graded_dir, out_path):
    command = [str(kit.RUNNER), "--format", "json", "--out", out_path,
               "--jobs", str(options.runner_jobs)]
    for number in options.labs:
        command += ["--lab", str(number)]
    if options.timeout:
        command += ["--timeout", str(options.timeout)]
    if options.sandbox:
        command.append("--sandbox")
    return command + [graded_dir]


def _lab_problems(results):
    """The runner's one-line problems per lab ("Lab 2: missing shared_edit.c")."""
    return [line for line in results.get("output", "").splitlines()
            if re.match(r"^Lab \d+: ", line)]


def grade_one(submission, options, labs, graded, out_dir, unpack_dir):
    """Unpack (if needed) and grade one submission; never raises for the student's sake."""
    try:
        submissions_module.prepare(submission, labs, graded, unpack_dir)
    except OSError as error:  # e.g. a folder the grader may not read
        submission.notes.append(f"{submission.label} cannot be read ({error}); not graded")
        submission.graded_dir = None
    if submission.graded_dir is None:
        return submission
    student_dir = os.path.join(out_dir, "students", submission.name)
    os.makedirs(student_dir, exist_ok=True)
    results_path = os.path.join(student_dir, "results.json")
    run = subprocess.run(runner_command(options, submission.graded_dir, results_path),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, errors="replace",
                         env=dict(os.environ, MMAP_LABS_HOME=str(kit.KIT)))
    try:
        with open(results_path, encoding="utf-8") as file:
            submission.results = json.load(file) if run.returncode == 0 else None
    except (OSError, ValueError):
        submission.results = None
    if submission.results is None:
        reason = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
        submission.notes.append(f"the grader could not grade this submission ({reason})")
    else:
        submission.lab_notes = _lab_problems(submission.results)
    return submission


def grade_all(class_submissions, options, labs, graded, out_dir, work_dir):
    """Grade every submission, `options.students_at_once` at a time."""
    max_score = sum(lab.max_score for lab in graded)
    progress = Progress(len(class_submissions))
    pool = ThreadPoolExecutor(max_workers=options.students_at_once)
    try:
        futures = [pool.submit(grade_one, submission, options, labs, graded, out_dir,
                               os.path.join(work_dir, f"student-{index}"))
                   for index, submission in enumerate(class_submissions, start=1)]
        for future in as_completed(futures):
            progress.report(future.result(), max_score)
    finally:  # on an interrupt, start no further runner
        pool.shutdown(wait=True, cancel_futures=True)
