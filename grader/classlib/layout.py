"""layout — how one submission is laid out, and what is wrong with it.

A submission is graded like grader/grade FOLDER: FOLDER holds one folder per
lab (01-traditional-io/tio.c, ...). Students often hand in that folder inside
one more folder (archives usually are), so the root is the submission itself
when it has a lab folder, or else its single top-level folder. Everything
else found is explained in one line each: a student file with the wrong
case (Tio.c), in the wrong place (at the top level, in another lab's folder),
a folder named unlike the kit's, links, devices, and extra files.
"""
import os
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_LISTED = 10000
MAX_EXTRAS_SHOWN = 5


@dataclass(frozen=True)
class Entry:
    path: PurePosixPath  # relative to the submission
    kind: str  # "file", "dir", "link" or "other"
    link_target: str = ""


def ignorable(part):
    """Names no one grades or worries about: hidden files, macOS archive debris."""
    return part.startswith(".") or part == "__MACOSX"


def list_folder(top):
    """The entries under the folder `top`, links not followed; (entries, notes)."""
    entries, notes = [], []
    for folder, dirs, files in os.walk(top):  # os.walk enters no link to a folder
        dirs[:] = sorted(name for name in dirs if not ignorable(name))
        for name in dirs + sorted(files):
            full = os.path.join(folder, name)
            relative = PurePosixPath(os.path.relpath(full, top))
            if os.path.islink(full):
                entries.append(Entry(relative, "link", os.readlink(full)))
            elif os.path.isdir(full):
                entries.append(Entry(relative, "dir"))
            elif os.path.isfile(full):
                entries.append(Entry(relative, "file"))
            else:
                entries.append(Entry(relative, "other"))
            if len(entries) >= MAX_LISTED:
                notes.append(f"more than {MAX_LISTED} files: only the first were examined")
                return entries, notes
    return entries, notes


def find_root(entries, labs):
    """The submission's root as a tuple of path parts, or None when it has no lab folder."""
    lab_folders = {lab.folder for lab in labs}
    top = {entry.path.parts[0] for entry in entries
           if (len(entry.path.parts) > 1 or entry.kind == "dir")
           and not ignorable(entry.path.parts[0])}
    if top & lab_folders:
        return ()
    if len(top) == 1:
        (only,) = top
        if any(entry.kind == "dir" and entry.path.parts[:1] == (only,)
               and len(entry.path.parts) == 2 and entry.path.parts[1] in lab_folders
               for entry in entries):
            return (only,)
    return None


def could_be_student_file(path, labs):
    """Whether an archive member's path may be graded (at most one folder above the lab)."""
    parts = path.parts
    return 2 <= len(parts) <= 3 and any(
        parts[-2:] == (lab.folder, lab.student_file) for lab in labs)


def _lab_named_like(name, labs):
    """The lab a folder name seems meant for (01-Traditional-IO, lab1, 1-tio), or None."""
    for lab in labs:
        if name.casefold() == lab.folder.casefold():
            return lab
    number = re.match(r"^(?:lab[ _-]?)?0*(\d+)(?:\D|$)", name, re.IGNORECASE)
    return next((lab for lab in labs if number and int(number.group(1)) == lab.number), None)


def _describe_file(relative, shown, prefix, labs, present):
    """The note for a file under the root: None for a student file or one of the kit's
    own files (the grader takes those from the kit: no problem), "" for an extra file."""
    parts = relative.parts
    if len(parts) == 2:
        if parts[0] == "common":
            return None
        lab = next((lab for lab in labs if lab.folder == parts[0]), None)
        if lab and (parts[1] == lab.student_file or parts[1] in lab.kit_files):
            return None
    for lab in labs:
        if parts[-1].casefold() == lab.student_file.casefold():
            expected = f"{lab.folder}/{lab.student_file}"
            if expected in present:
                return f"{shown} is not graded ({prefix}{expected} is)"
            return f"found {shown}, expected {prefix}{expected}: {shown} is not graded"
    return ""  # an extra file


def examine(entries, root, labs):
    """One note per problem of a submission whose root is `root` (see find_root)."""
    notes, extras = [], []
    prefix = "/".join(root) + "/" if root else ""
    present = {str(PurePosixPath(*entry.path.parts[len(root):])) for entry in entries
               if entry.kind == "file" and entry.path.parts[:len(root)] == root}
    for entry in entries:
        if any(ignorable(part) for part in entry.path.parts):
            continue
        shown = str(entry.path)
        if entry.kind == "link":
            notes.append(f"link {shown} -> {entry.link_target} is not followed")
        elif entry.kind == "other":
            notes.append(f"{shown} is a device, fifo or socket, not a file; skipped")
        elif entry.path.parts[:len(root)] != root:
            if entry.kind == "file":
                extras.append(shown)  # beside the one folder that holds the labs
        elif entry.kind == "dir" and len(entry.path.parts) == len(root) + 1:
            name = entry.path.parts[-1]
            lab = _lab_named_like(name, labs)
            if lab and name != lab.folder:
                notes.append(f"folder {shown}/ is not graded: expected {prefix}{lab.folder}/")
        elif entry.kind == "file":
            relative = PurePosixPath(*entry.path.parts[len(root):])
            note = _describe_file(relative, shown, prefix, labs, present)
            if note:
                notes.append(note)
            elif note == "":
                extras.append(shown)
    if extras:
        extras.sort()
        more = len(extras) - MAX_EXTRAS_SHOWN
        notes.append("extra files, not graded: " + ", ".join(extras[:MAX_EXTRAS_SHOWN]) +
                     (f" (and {more} more)" if more > 0 else ""))
    return notes


def with_parent_folders(entries):
    """The entries plus the folders their paths imply (archives may not list them)."""
    listed = {entry.path for entry in entries}
    implied = []
    for entry in entries:
        for parent in reversed(entry.path.parents[:-1]):  # parents, without "."
            if parent not in listed:
                listed.add(parent)
                implied.append(Entry(parent, "dir"))
    return implied + list(entries)


def graded_lab_present(entries, root, graded):
    """Whether the root holds a real folder (not a link) of at least one graded lab."""
    if root is None:
        return False
    for entry in entries:
        parts = entry.path.parts
        for lab in graded:
            if parts[:len(root) + 1] == root + (lab.folder,) and \
                    (entry.kind == "dir" or (len(parts) > len(root) + 1 and entry.kind != "link")):
                return True
    return False
