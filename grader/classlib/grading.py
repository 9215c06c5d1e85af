"""grading — grade every submission with the kit's runner, one after the other.

Each submission is graded by one run of build/grader/runner, exactly as
grader/grade FOLDER would (same options, --format json), writing the
student's results.json; the runner runs --jobs tests at a time. Runs side by
side would be safe (each runner gives its tests uids of a block of its own)
but were no faster on two CPUs (README). A submission that cannot be graded
costs that student only. Progress goes to stderr: one line kept up to date
on a terminal, one line per student otherwise.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys

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
    command = [str(kit.RUNNER), "--format", "json", "--out", out_path]
    for number in options.labs:
        command += ["--lab", str(number)]
    if options.jobs:
        command += ["--jobs", str(options.jobs)]
    if options.timeout:
        command += ["--timeout", str(options.timeout)]
    if options.sandbox:
        command.append("--sandbox")
    return command + [graded_dir]


def run_runner(command):
    """(exit status, stderr) of one run of the runner. On an interrupt the runner is
    interrupted too, and waited for: it ends its running tests and removes its work
    folder before grade-class goes on to remove its own."""
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, errors="replace",
                          env=dict(os.environ, MMAP_LABS_HOME=str(kit.KIT))) as runner:
        try:
            _, errors = runner.communicate()
        except KeyboardInterrupt:
            runner.send_signal(signal.SIGINT)
            runner.wait()
            raise
    return runner.returncode, errors


def _read_results(path):
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


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
        return
    student_dir = os.path.join(out_dir, "students", submission.name)
    os.makedirs(student_dir, exist_ok=True)
    results_path = os.path.join(student_dir, "results.json")
    status, errors = run_runner(runner_command(options, submission.graded_dir, results_path))
    submission.results = _read_results(results_path) if status == 0 else None
    if submission.results is None:
        shutil.rmtree(student_dir)  # no results.json, not even the runner's empty one
        reason = (errors.strip().splitlines() or [f"exit status {status}"])[-1]
        submission.notes.append(f"the grader could not grade this submission ({reason})")
    else:
        submission.lab_notes = _lab_problems(submission.results)


def grade_all(class_submissions, options, labs, graded, out_dir, work_dir):
    """Grade every submission in turn, unpacking archives under `work_dir`."""
    max_score = sum(lab.max_score for lab in graded)
    progress = Progress(len(class_submissions))
    for index, submission in enumerate(class_submissions, start=1):
        grade_one(submission, options, labs, graded, out_dir,
                  os.path.join(work_dir, f"student-{index}"))
        progress.report(submission, max_score)
