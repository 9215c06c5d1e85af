"""unpack — list a student's archive and extract its student files, safely.

.tar.gz/.tgz and .zip archives are read by this module's own code, member by
member. Every member is listed (for the layout notes) but only regular files
whose path could be a student file are written, each with mode 0644 into
folders made here with 0755, so nothing an archive says about owners, modes or
links reaches the disk. Absolute paths, '..', links, devices and fifos are
skipped with a note. An archive over 16 MiB is not read at all. Sizes in
headers are never trusted: bytes are counted as they are decompressed, and an
archive stops being read — and is not graded — when a file, the whole archive
or its member count passes a cap, so a zip or gzip bomb costs at most a few
MiB of work.
"""
import gzip
import os
import stat
import tarfile
import zipfile
import zlib
from pathlib import PurePosixPath

from .kit import student_file_max
from .layout import Entry

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip")
MAX_ARCHIVE = 16 << 20  # bytes on disk: a zip's whole member list is read at once
MAX_MEMBERS = 10000
MAX_WRITTEN = 16 << 20  # bytes written to disk for one archive
MAX_UNPACKED = 64 << 20  # bytes decompressed from a .tar.gz, skipped members included
CHUNK = 64 << 10


class ArchiveRefused(Exception):
    """An archive that is not graded at all; the message is the problem line."""


def archive_stem(name):
    """The student's name of an archive file name, or None if it is no archive."""
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return None


def safe_parts(name):
    """The path components of a member name (() for the archive's own "./"), or None if
    it escapes or is absolute."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [part for part in name.split("/") if part not in ("", ".")]
    return None if ".." in parts else tuple(parts)


class _CappedReader:
    """A file object that fails once more than `cap` bytes have been read from it."""

    def __init__(self, inner, cap, what):
        self.inner, self.cap, self.what, self.count = inner, cap, what, 0

    def read(self, size=-1):
        data = self.inner.read(CHUNK if size is None or size < 0 else size)
        self.count += len(data)
        if self.count > self.cap:
            raise ArchiveRefused(f"archive bomb: {self.what} {self.cap >> 20} MiB "
                                 "(unpacking stopped at the cap); not graded")
        return data


class _Extractor:
    """Writes the wanted members under `dest`, counting every byte it writes."""

    def __init__(self, dest, wanted):
        self.dest, self.wanted, self.members, self.written = dest, wanted, 0, 0
        self.entries, self.notes = [], []

    def add(self, raw_name, kind, open_member=None, link_target=""):
        self.members += 1  # every member, skipped ones included
        if self.members > MAX_MEMBERS:
            raise ArchiveRefused(f"archive bomb: more than {MAX_MEMBERS} members; not graded")
        parts = safe_parts(raw_name)
        if parts is None:
            self.notes.append(f"path escape: member '{raw_name}' would be written outside "
                              "the submission; skipped")
            return
        if not parts:
            return  # "./", the top of the archive itself
        path = PurePosixPath(*parts)
        self.entries.append(Entry(path, kind, link_target))
        if kind == "file" and self.wanted(path):
            self._write(path, open_member)

    def _write(self, path, open_member):
        target = os.path.join(self.dest, *path.parts)
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except FileExistsError:
            self.notes.append(f"{path} appears twice in the archive: the first copy is graded")
            return
        with os.fdopen(fd, "wb") as out, open_member() as member:
            size = 0
            while chunk := member.read(CHUNK):
                size += len(chunk)
                self.written += len(chunk)
                if size > student_file_max():
                    raise ArchiveRefused(
                        f"archive bomb: {path} unpacks to more than "
                        f"{student_file_max() >> 20} MiB (a student file is at most "
                        f"{student_file_max() >> 20} MiB; unpacking stopped at the cap); not graded")
                if self.written > MAX_WRITTEN:
                    raise ArchiveRefused(
                        f"archive bomb: its student files unpack to more than "
                        f"{MAX_WRITTEN >> 20} MiB (unpacking stopped at the cap); not graded")
                out.write(chunk)


def _tar_kind(member):
    if member.isreg():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym() or member.islnk():
        return "link"
    return "other"


def _read_tar(path, extractor, display):
    with open(path, "rb") as raw:
        unpacked = _CappedReader(gzip.GzipFile(fileobj=raw), MAX_UNPACKED,
                                 f"{display} unpacks to more than")
        # Stream mode: members are read in order, once, never by a seek to a header's offset.
        with tarfile.open(fileobj=unpacked, mode="r|") as tar:
            for member in tar:
                extractor.add(member.name, _tar_kind(member),
                              lambda member=member: tar.extractfile(member),
                              member.linkname)


def _zip_kind(info):
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool stored no type
    if info.is_dir():
        return "dir"
    if kind == stat.S_IFLNK:
        return "link"
    return "file" if kind in (0, stat.S_IFREG) else "other"


def _read_zip(path, extractor):
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ArchiveRefused(f"archive bomb: more than {MAX_MEMBERS} members; not graded")
        for info in members:
            if info.flag_bits & 0x1:
                extractor.notes.append(f"{info.filename} is encrypted; skipped")
                continue
            extractor.add(info.filename, _zip_kind(info),
                          lambda info=info: archive.open(info))


def unpack(path, dest, wanted):
    """Unpack the archive at `path` into the folder `dest`, writing only members whose
    path satisfies `wanted`. Returns (entries, notes); raises ArchiveRefused."""
    extractor = _Extractor(dest, wanted)
    display = os.path.basename(path)
    os.makedirs(dest, mode=0o755)
    if os.path.getsize(path) > MAX_ARCHIVE:
        raise ArchiveRefused(f"oversized archive: {display} is larger than "
                             f"{MAX_ARCHIVE >> 20} MiB; not graded")
    try:
        if path.lower().endswith(".zip"):
            _read_zip(path, extractor)
        else:
            _read_tar(path, extractor, display)
    except ArchiveRefused:
        raise
    except (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
            RuntimeError, ValueError, NotImplementedError) as error:
        reason = str(error) or type(error).__name__
        raise ArchiveRefused(f"corrupt archive: {display} cannot be read ({reason}); "
                             "not graded") from error
    return extractor.entries, extractor.notes
