"""release_leaks.py RELEASE SOLUTIONS: no solution text appears in any file of the release.

Used by make check (release.sh). Looks, in every file of the unpacked student
release RELEASE, for every function body of the reference solutions in
SOLUTIONS (three statements or more) and every paragraph of their answers
(ANSWERS.md, 120 characters or more), with white space squeezed out. Names
the first ten leaks and fails if there is any; otherwise says how much it
looked for.
"""
import pathlib
import re
import sys


def squeeze(text):
    return re.sub(r'\s+', '', text)


def bodies(source):
    """The outermost { ... } blocks that follow a ')': function bodies."""
    depth, start = 0, None
    for at, char in enumerate(source):
        if char == '{':
            if depth == 0 and source[:at].rstrip().endswith(')'):
                start = at
            depth += 1
        elif char == '}':
            depth -= 1
            if depth == 0 and start is not None:
                yield source[start:at + 1]
                start = None


def secrets_of(solutions):
    """(file, squeezed text) of every body and answer that must not leak."""
    secrets = []
    for path in sorted(solutions.glob('*/*.c')):
        for body in bodies(path.read_text()):
            # Short bodies ("{ return labkit_page_size(); }") are common ground.
            if body.count(';') >= 3:
                secrets.append((path, squeeze(body)))
    for path in sorted(solutions.glob('*/ANSWERS.md')):
        for paragraph in path.read_text().split('\n\n'):
            if len(paragraph) >= 120:
                secrets.append((path, squeeze(paragraph)))
    return secrets


def texts_of(release):
    """Every text file of the release, squeezed, by path."""
    texts = {}
    for path in release.rglob('*'):
        if path.is_file():
            try:
                texts[path] = squeeze(path.read_text())
            except UnicodeDecodeError:
                pass
    return texts


def main(argv):
    release, solutions = map(pathlib.Path, argv)
    secrets = secrets_of(solutions)
    if not secrets:
        sys.exit('found no solution text to look for')
    texts = texts_of(release)
    leaks = [f'{secret_path}: text found in {path.relative_to(release)}'
             for secret_path, secret in secrets
             for path, text in texts.items() if secret in text]
    if leaks:
        sys.exit('\n'.join(leaks[:10]))
    print(f'{len(secrets)} bodies and answers looked for in {len(texts)} files')


if __name__ == '__main__':
    main(sys.argv[1:])
