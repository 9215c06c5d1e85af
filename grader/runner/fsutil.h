/*
 * fsutil.h — the few file-system chores the runner needs.
 *
 * Removing a tree that untrusted code wrote (it may hold symbolic links to
 * files elsewhere, or directories it made unreadable), copying a file, and
 * reading a small file whole.
 */
#ifndef FSUTIL_H
#define FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Remove path and everything below it, never following symbolic links. 0 or -1. */
int remove_tree(const char *path);

/* Copy what is left to read from descriptor `in` to dst with the given mode. 0 or -1. */
int copy_from_descriptor(int in, const char *dst, mode_t mode);

/* Copy a regular file (not a link) to dst with the given mode. 0 or -1 with errno. */
int copy_file(const char *src, const char *dst, mode_t mode);

/*
 * A copy of a regular file in memory (memfd) that nobody can change any more:
 * its write, grow and shrink seals are set, and the seals themselves sealed.
 * Programs run from it cannot be swapped by anything that can write the
 * original. A descriptor (close-on-exec), or -1 with errno.
 */
int sealed_copy(const char *src, const char *name);

/* Read at most max bytes of a file into a NUL-terminated malloc'ed string, or NULL. */
char *read_small_file(const char *path, size_t max);

/* out = "directory/name"; -1 (ENAMETOOLONG) if it does not fit. */
int path_join(char *out, size_t size, const char *directory, const char *name);

/* mkdir with exactly this mode (umask ignored) and owner. 0 or -1 with errno. */
int make_directory(const char *path, mode_t mode, uid_t owner, gid_t group);

#endif /* FSUTIL_H */
