"""bombs_stop_at_cap.py GRADER_DIR CLASS_DIR: archive bombs stop at the cap.

Used by make check (class.sh). Unpacks CLASS_DIR/subs/zipbomb.zip and
gzbomb.tar.gz with grade-class's own code (GRADER_DIR/classlib): each must be
refused as an archive bomb after writing at most the size a student file may
have.
"""
import os
import sys


def main(argv):
    grader, class_dir = argv
    sys.path.insert(0, grader)
    from classlib import kit, layout, unpack
    labs = kit.load_labs()
    for name in ("zipbomb.zip", "gzbomb.tar.gz"):
        dest = os.path.join(class_dir, "unpacked-" + name)
        try:
            unpack.unpack(os.path.join(class_dir, "subs", name), dest,
                          lambda path: layout.could_be_student_file(path, labs))
            sys.exit(f"{name}: unpacked without a complaint")
        except unpack.ArchiveRefused as refused:
            if "archive bomb" not in str(refused):
                sys.exit(f"{name}: expected 'archive bomb', observed {refused}")
        written = sum(os.path.getsize(os.path.join(folder, file))
                      for folder, _, files in os.walk(dest) for file in files)
        if written > kit.student_file_max():
            sys.exit(f"{name}: expected at most {kit.student_file_max()} bytes written, observed {written}")


if __name__ == "__main__":
    main(sys.argv[1:])
