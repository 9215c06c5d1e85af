"""submissions — the students of a class, and each one's folder to grade.

Every folder and every .tar.gz/.tgz/.zip archive in the submissions folder is
one student, named after it (without the extension). Two submissions with the
same name are both graded, the second under a name with a number added, and
the problem list says so. prepare() turns one submission into the folder the
runner grades — the student's own folder, or the student files unpacked from
the archive into the run's work folder — and the notes on its layout.
"""
import os
import re
from dataclasses import dataclass, field

from . import layout, unpack


@dataclass
class Submission:
    name: str  # the student's name in the grades, unique in the class
    source: str  # the folder or archive handed in
    is_archive: bool
    notes: list = field(default_factory=list)
    graded_dir: str = None  # what the runner grades; None: not graded
    results: dict = None  # the runner's JSON report
    lab_notes: list = field(default_factory=list)  # the runner's per-lab problems

    @property
    def label(self):
        return os.path.basename(self.source) + ("" if self.is_archive else "/")


def _display_name(raw):
    """A name that fits on one line of a report (control characters replaced)."""
    return re.sub(r"[\x00-\x1f\x7f]", "_", raw)


def discover(folder, skip):
    """(submissions, problems) of the folder `folder`; the path `skip` (--out) is ignored."""
    submissions, problems, taken = [], [], {}
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if layout.ignorable(entry) or os.path.realpath(path) == skip:
            continue
        stem = unpack.archive_stem(entry)
        if os.path.isdir(path) and not os.path.islink(path):
            raw, is_archive = entry, False
        elif stem is not None and os.path.isfile(path) and not os.path.islink(path):
            raw, is_archive = stem, True
        else:
            problems.append(f"{entry}: not a folder or a .tar.gz, .tgz or .zip archive "
                            "(or a link to one); skipped")
            continue
        name = _display_name(raw)
        submission = Submission(name, path, is_archive)
        if name in taken:
            submission.name = _unused_name(name, taken)
            first = taken[name]
            problems.append(f"two submissions are named {name}: {first.label} is graded as "
                            f"{first.name}, {submission.label} as {submission.name}")
        elif name != raw:
            submission.notes.append(f"the name {raw!r} holds control characters: graded "
                                    f"as {name}")
        taken[submission.name] = submission
        submissions.append(submission)
    return submissions, problems


def _unused_name(name, taken):
    number = 2
    while f"{name}-{number}" in taken:
        number += 1
    return f"{name}-{number}"


def prepare(submission, labs, graded, work_dir):
    """Find what to grade for `submission` (unpacking an archive into `work_dir`)."""
    if submission.is_archive:
        wanted = lambda path: layout.could_be_student_file(path, labs)  # noqa: E731
        try:
            entries, notes = unpack.unpack(submission.source, work_dir, wanted)
        except unpack.ArchiveRefused as refused:
            submission.notes.append(str(refused))
            return
        entries = layout.with_parent_folders(entries)
        base = work_dir
    else:
        entries, notes = layout.list_folder(submission.source)
        base = submission.source
    submission.notes.extend(notes)
    root = layout.find_root(entries, labs)
    submission.notes.extend(layout.examine(entries, root or (), labs))
    if not layout.graded_lab_present(entries, root, graded):
        submission.notes.append(
            "no lab at all: expected folders like " +
            ", ".join(f"{lab.folder}/ holding {lab.student_file}" for lab in graded[:2]) +
            (" …" if len(graded) > 2 else "") + "; not graded")
        return
    submission.graded_dir = os.path.join(base, *root)
