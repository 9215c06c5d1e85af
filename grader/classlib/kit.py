"""kit — the kit this command belongs to: its labs, its runner, its build.

Everything grade-class knows about the labs (folder, student file, tests and
points) comes from the lab.json files the build writes, so it never repeats
what the suites say. prepare() installs and builds what the runner needs,
exactly as grader/grade does.
"""
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

KIT = Path(__file__).resolve().parents[2]
GRADER_BUILD = KIT / "build" / "grader"
RUNNER = GRADER_BUILD / "runner"
# The packages grader/grade asks for: the runner needs nothing more here.
PACKAGES = ["gcc", "make", "libc6-dev", "pkg-config", "libcmocka-dev", "libjansson-dev"]
# The runner refuses a student file larger than this (labs.c, STUDENT_FILE_MAX).
STUDENT_FILE_MAX = 1 << 20


@dataclass(frozen=True)
class Test:
    number: str  # "LAB.TEST", as in the runner's JSON
    name: str
    points: int


@dataclass(frozen=True)
class Lab:
    number: int
    folder: str
    student_file: str
    title: str
    tests: tuple
    kit_files: frozenset  # names of the files the kit ships in labs/FOLDER/

    @property
    def column(self):
        return f"lab{self.number}"

    @property
    def max_score(self):
        return sum(test.points for test in self.tests)


def prepare():
    """Install missing packages and build the grader quietly; exit 1 if it cannot be."""
    if subprocess.run([str(KIT / "grader" / "require-packages"), *PACKAGES]).returncode != 0:
        sys.exit(1)
    build = subprocess.run(["make", "-C", str(KIT), "--no-print-directory", "grader"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if build.returncode != 0:
        sys.stderr.write(build.stdout)
        print("grade-class: the grader could not be built (see above)", file=sys.stderr)
        sys.exit(1)


def load_labs():
    """Every lab of the kit, in lab order."""
    labs = []
    for path in sorted(GRADER_BUILD.glob("lab[0-9][0-9]/lab.json")):
        with open(path, encoding="utf-8") as file:
            info = json.load(file)
        number = info["number"]
        tests = tuple(Test(f"{number}.{index}", test["name"], test["points"])
                      for index, test in enumerate(info["tests"], start=1))
        shipped = KIT / "labs" / info["folder"]
        kit_files = frozenset(path.name for path in shipped.iterdir()) if shipped.is_dir() \
            else frozenset()
        labs.append(Lab(number, info["folder"], info["student_file"], info["title"], tests,
                        kit_files))
    return labs
