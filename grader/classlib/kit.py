"""kit — the kit this command belongs to: its labs, its runner, its build.

Everything grade-class knows about the labs (folder, student file, title and
points) comes from the lab.json files the build writes, so it never repeats
what the suites say; the runner's limits (the largest student file, the
ranges of --jobs and --timeout) come from `runner --print-config`. prepare() has grader/grade install and build what the
runner needs, so the two commands can never disagree on it.
"""
import functools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

KIT = Path(__file__).resolve().parents[2]
GRADER_BUILD = KIT / "build" / "grader"
RUNNER = GRADER_BUILD / "runner"


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


@functools.lru_cache(maxsize=None)
def config():
    """The runner's limits (runner --print-config, after prepare()): student_file_max_bytes,
    jobs and timeout_seconds ({"min", "max"}), test_uids."""
    printed = subprocess.run([str(RUNNER), "--print-config"], stdout=subprocess.PIPE, check=True)
    return json.loads(printed.stdout)


def student_file_max():
    """The size in bytes of the largest student file the runner accepts."""
    return config()["student_file_max_bytes"]


def load_labs(kit=KIT):
    """Every lab of the kit (this one unless given: a Path), in lab order."""
    labs = []
    for path in sorted((kit / "build" / "grader").glob("lab[0-9][0-9]/lab.json")):
        with open(path, encoding="utf-8") as file:
            info = json.load(file)
        shipped = kit / "labs" / info["folder"]
        kit_files = frozenset(file.name for file in shipped.iterdir()) if shipped.is_dir() \
            else frozenset()
        labs.append(Lab(info["number"], info["folder"], info["student_file"], info["title"],
                        sum(test["points"] for test in info["tests"]), kit_files))
    return labs
