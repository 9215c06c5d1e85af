"""make_archive.py FORM DEST SOURCE [EXTRA]: archive the folder SOURCE's contents as DEST.

Used by make check (class.sh) to build the class grade-class is tested on.
FORM is tar.gz or zip; the archive is written by Python so that no archiver has
to be installed. EXTRA adds hostile members: escape (../escape), links (a
symlink to /etc and a hard link to /etc/passwd), zipbomb or gzipbomb (a 256 MiB
tio.c of zeros).
"""
import io
import os
import sys
import tarfile
import zipfile

BOMB_SIZE = 256 << 20


class Zeros(io.RawIOBase):
    """A stream of LEFT zero bytes, never held in memory at once."""

    def __init__(self, left):
        self.left = left

    def readable(self):
        return True

    def readinto(self, buffer):
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def write_zip(dest, source, files, extra):
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            archive.write(os.path.join(source, name), name)
        if extra == "zipbomb":
            with archive.open("01-traditional-io/tio.c", "w", force_zip64=True) as member:
                for _ in range(BOMB_SIZE >> 20):
                    member.write(bytes(1 << 20))


def write_tar(dest, source, files, extra):
    with tarfile.open(dest, "w:gz") as archive:
        for name in files:
            archive.add(os.path.join(source, name), name)

        def special(name, kind, target="", data=b""):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size = kind, target, len(data)
            archive.addfile(info, io.BytesIO(data))
        if extra == "escape":
            special("../escape", tarfile.REGTYPE, data=b"escaped\n")
        if extra == "links":
            special("01-traditional-io/include", tarfile.SYMTYPE, "/etc")
            special("02-shared-edit/shared_edit.c", tarfile.LNKTYPE, "/etc/passwd")
        if extra == "gzipbomb":
            info = tarfile.TarInfo("01-traditional-io/tio.c")
            info.size = BOMB_SIZE
            archive.addfile(info, io.BufferedReader(Zeros(BOMB_SIZE)))


def main(argv):
    form, dest, source = argv[0:3]
    extra = argv[3] if len(argv) > 3 else ""
    files = sorted(os.path.relpath(os.path.join(folder, name), source)
                   for folder, _, names in os.walk(source) for name in names)
    if form == "zip":
        write_zip(dest, source, files, extra)
    else:
        write_tar(dest, source, files, extra)


if __name__ == "__main__":
    main(sys.argv[1:])
