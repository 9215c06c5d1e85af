"""layout — how one submission is laid out, and what is wrong with it.

A submission is graded like grader/grade FOLDER: FOLDER holds one folder per
lab (01-traditional-io/tio.c, ...). Students often hand in that folder inside
one more folder (archives usually are), so the root is the submission itself
when it has a lab folder, or else its single top-level folder. Everything
else found is explained in one line each: a student file with the wrong
case (Tio.c) or a name like it (tio (1).c when there is no tio.c), in the
wrong place (at the top level, in another lab's folder), a folder named
unlike the kit's, links, devices, and extra files.

Gradescope's uploads are freer (gather_upload, which grader/gradescope/gather
runs): the student files may lie anywhere in the upload; each lab takes the
best placed file named exactly like its student file, and every other file is
listed as ignored, a misnamed student file with the same rule as above.
"""
import os
import re
import shutil
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


# What may follow a student file's stem in a copy's name: tio (1).c, tio_final.c, tio-2.c.
COPY_SEPARATORS = " _.(-"


def misnamed_as(name, labs):
    """The lab whose student file the .c file `name` seems meant to be, or None: the
    same name in another case (Tio.c), or the stem, a separator and more (tio (1).c,
    tio_final.c) ending in .c."""
    lower = name.casefold()
    for lab in labs:
        stem = lab.student_file.casefold()[:-len(".c")]
        if lower == lab.student_file.casefold():
            return lab
        rest = lower[len(stem):]
        if lower.startswith(stem) and rest[:1] and rest[0] in COPY_SEPARATORS and \
                rest[1:].endswith(".c"):
            return lab
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
    lab = misnamed_as(parts[-1], labs)
    if lab:
        expected = f"{lab.folder}/{lab.student_file}"
        if expected not in present:
            return f"found {shown}, expected {prefix}{expected}: {shown} is not graded"
        if parts[-1].casefold() == lab.student_file.casefold():
            return f"{shown} is not graded ({prefix}{expected} is)"
    return ""  # an extra file (tio_old.c beside tio.c is one)


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


# ---- Gradescope: gathering the student files of an upload ----

MAX_IGNORED_SHOWN = 20  # the ignored files listed by name; the rest are counted


def _upload_files(upload):
    """Every path under `upload` that is not a folder, sorted, hidden ones skipped:
    (relative path, whether it is a regular file and not a link)."""
    found = []
    for folder, dirs, files in os.walk(upload):  # os.walk enters no link to a folder
        links = [name for name in dirs if os.path.islink(os.path.join(folder, name))]
        dirs[:] = [name for name in dirs if not ignorable(name) and name not in links]
        for name in files + links:
            if ignorable(name):
                continue
            full = os.path.join(folder, name)
            regular = os.path.isfile(full) and not os.path.islink(full)
            found.append((os.path.relpath(full, upload), regular))
    return sorted(found)


def _rank(path, lab):
    """A sort key: inside the lab's folder first, then fewer levels, then by name."""
    parent = os.path.basename(os.path.dirname(path))
    return (0 if parent == lab.folder else 1, path.count("/"), path)


def choose_student_files(files, labs):
    """For each lab's student file, the best placed path among `files` (see _upload_files):
    (chosen {student file: path}, ignored [(path, why or "")] in the order met)."""
    by_name = {lab.student_file: lab for lab in labs}
    chosen, ignored = {}, []
    for path, regular in files:
        name = os.path.basename(path)
        lab = by_name.get(name)
        if lab is None:
            ignored.append((path, ""))
        elif not regular:
            ignored.append((path, "not a regular file: links are not followed"))
        elif name not in chosen:
            chosen[name] = path
        elif _rank(path, lab) < _rank(chosen[name], lab):
            ignored.append((chosen[name], f"another {name} was taken: {path}"))
            chosen[name] = path
        else:
            ignored.append((path, f"another {name} was taken: {chosen[name]}"))
    return chosen, ignored


def gathered_report(labs, chosen, ignored):
    """What the student reads: what was taken from where, and what was ignored."""
    lines = [f"Files taken from your upload: {len(chosen)} of {len(labs)} student files."]
    for lab in labs:
        if lab.student_file in chosen:
            lines.append(f"  Lab {lab.number}: {chosen[lab.student_file]}")
        else:
            lines.append(f"  Lab {lab.number}: no file named {lab.student_file} (the lab scores 0)")
    if not ignored:
        return lines
    lines.append(f"Ignored (the grader takes only the files above): {len(ignored)} "
                 f"file{'' if len(ignored) == 1 else 's'}.")
    missing = [lab for lab in labs if lab.student_file not in chosen]
    explained, plain = [], []
    for path, why in ignored:
        lab = misnamed_as(os.path.basename(path), missing) if not why else None
        if lab:
            why = (f"only a file named exactly {lab.student_file} is graded for lab "
                   f"{lab.number}: rename it")
        (explained if why else plain).append(f"{path} ({why})" if why else path)
    # The files with something to say about them first, as they may need action.
    listed = explained + plain
    lines.extend(f"  {entry}" for entry in listed[:MAX_IGNORED_SHOWN])
    if len(listed) > MAX_IGNORED_SHOWN:
        lines.append(f"  … and {len(listed) - MAX_IGNORED_SHOWN} more")
    return lines


def gather_upload(upload, staged, labs):
    """Copy each lab's chosen student file from `upload` to staged/FOLDER/FILE (every
    lab's folder is made, empty when its file was not found); return the report lines."""
    chosen, ignored = choose_student_files(_upload_files(upload), labs)
    for lab in labs:
        os.makedirs(os.path.join(staged, lab.folder), exist_ok=True)
        if lab.student_file in chosen:
            shutil.copyfile(os.path.join(upload, chosen[lab.student_file]),
                            os.path.join(staged, lab.folder, lab.student_file))
    return gathered_report(labs, chosen, ignored)
