"""kit — the kit this command belongs to: its labs, its runner, its build.

Everything grade-class knows about the labs (folder, student file, title and
points) comes from the lab.json files the build writes, so it never repeats
what the suites say. prepare() has grader/grade install and build what the
runner needs, so the two commands can never disagree on it.
"""
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

KIT = Path(__file__).resolve().parents[2]
GRADER_BUILD = KIT / "build" / "grader"
RUNNER = GRADER_BUILD / "runner"
# The runner refuses a student file larger than this (labs.c, STUDENT_FILE_MAX).
STUDENT_FILE_MAX = 1 << 20


@dataclass(frozen=True)
class Lab:
    number: int
    folder: str
    student_file: str
    title: str
    max_score: int  # the points of all its tests, hidden ones included
    kit_files: frozenset  # names of the files the kit ships in labs/FOLDER/

    @property
    def column(self):
        return f"lab{self.number}"


def prepare():
    """Install missing packages and build the grader quietly, as grader/grade does before
    every run (here before its --help); exit 1 if it cannot, grader/grade having said why."""
    ready = subprocess.run([str(KIT / "grader" / "grade"), "--help"], stdout=subprocess.DEVNULL)
    if ready.returncode != 0:
        sys.exit(1)


def load_labs():
    """Every lab of the kit, in lab order."""
    labs = []
    for path in sorted(GRADER_BUILD.glob("lab[0-9][0-9]/lab.json")):
        with open(path, encoding="utf-8") as file:
            info = json.load(file)
        shipped = KIT / "labs" / info["folder"]
        kit_files = frozenset(file.name for file in shipped.iterdir()) if shipped.is_dir() \
            else frozenset()
        labs.append(Lab(info["number"], info["folder"], info["student_file"], info["title"],
                        sum(test["points"] for test in info["tests"]), kit_files))
    return labs
