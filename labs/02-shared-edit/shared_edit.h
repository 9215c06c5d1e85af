/**
 * @file shared_edit.h
 * @brief Lab 2 — editing a file through a shared mapping.
 *
 * A MAP_SHARED mapping of a file is a window onto the file's pages in the
 * page cache: a store into the mapping is a store into the file, seen at once
 * by every process that reads or maps it, and written to the disk by the
 * kernel later, or now with msync(MS_SYNC). A mapping covers whole pages and
 * cannot make the file longer: to grow a file, ftruncate() it first.
 *
 * Every function opens the file O_RDWR (a shared writable mapping needs a
 * descriptor open for reading and writing), returns -1 and sets errno on
 * failure, never prints and never exits, leaves the file byte-identical after
 * any error, and leaves no descriptor or mapping behind on any path. Every
 * change is flushed with msync(MS_SYNC) over the changed bytes before munmap().
 * (The one error that can come after the change is made is a failing msync()
 * or munmap(): the change is then in the page cache, perhaps not on the disk,
 * and only se_append can undo it, by shrinking the file back.)
 */
#ifndef SHARED_EDIT_H
#define SHARED_EDIT_H

#include <stddef.h>
#include <sys/types.h>

/**
 * @brief Set one byte of a file through a shared mapping.
 *
 * Maps the whole file PROT_READ|PROT_WRITE, MAP_SHARED, closes the descriptor
 * right after mapping (the mapping stays valid without it), stores @p value at
 * @p offset, flushes with msync(MS_SYNC) and unmaps.
 *
 * @param path    the file to edit; a regular file.
 * @param offset  which byte, counted from 0.
 * @param value   the byte to store there.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p offset is
 *         negative or not below the file's size (a mapping cannot make a file
 *         longer), if the file is empty, or if it is not a regular file; or the
 *         errno of the open(), fstat(), mmap(), msync() or munmap() that
 *         failed (for example ENOENT, or EACCES for a file the caller may not
 *         write). Whether a failing close() of the descriptor fails the call
 *         is left to you: no test makes close() fail.
 */
int se_set_byte(const char *path, off_t offset, unsigned char value);

/**
 * @brief Replace every occurrence of a string in a file by one of the same length.
 *
 * Scans the file through a shared writable mapping from left to right and
 * replaces each non-overlapping occurrence of @p needle by @p replacement:
 * after a match, the search goes on after the replaced bytes ("aaaa" holds two
 * occurrences of "aa", not three). Both strings must have the same non-zero
 * length, because a mapping cannot change the size of the file.
 *
 * @param path         the file to edit; a regular file.
 * @param needle       the text to find (NUL-terminated; the NUL is not part of it).
 * @param replacement  the text to put in its place, as long as @p needle.
 * @return the number of occurrences replaced (0 for an empty file, which is
 *         not mapped); -1 on error with errno set: EINVAL if the lengths
 *         differ or are 0, or if the file is not a regular file; or the errno
 *         of the call that failed (for example ENOENT or EACCES).
 */
long se_replace_all(const char *path, const char *needle, const char *replacement);

/**
 * @brief Overwrite bytes in the middle of a file, mapping only the pages they are on.
 *
 * Maps only the pages that hold bytes @p offset to @p offset + @p len - 1: the
 * mapping starts at @p offset rounded down to a multiple of the page size
 * (mmap() requires a page-aligned file offset) and ends with the page of the
 * last byte. Editing a few bytes of a huge file this way touches a page or
 * two, not the whole file.
 *
 * @param path    the file to edit; a regular file.
 * @param offset  where the bytes go, counted from 0; not negative.
 * @param data    the bytes to write.
 * @param len     how many; 0 does nothing (and maps nothing).
 * @return 0 on success; -1 on error with errno set: EINVAL if the range does
 *         not lie inside the file (a mapping cannot make a file longer) or the
 *         file is not a regular file; or the errno of the call that failed.
 */
int se_write_at(const char *path, off_t offset, const void *data, size_t len);

/**
 * @brief Append bytes to a file: grow it with ftruncate(), then write through a mapping.
 *
 * A store past the end of a file through a mapping is lost or kills the
 * process with SIGBUS, so the file is made @p len bytes longer with
 * ftruncate() first; then only the pages of the new tail are mapped (from the
 * old size rounded down to the page size) and the data is copied in.
 *
 * @param path  the file to extend; a regular file.
 * @param data  the bytes to append.
 * @param len   how many; 0 does nothing.
 * @return 0 on success; -1 on error with errno set: EINVAL if the file is not
 *         a regular file, or the errno of the call that failed (for example
 *         ENOENT, EACCES, or EFBIG from an ftruncate() past the file-size
 *         limit, which a process sees only when it ignores or catches SIGXFSZ:
 *         by default that signal ends it first). If the file was grown and a
 *         later step failed, it is shrunk back to its old size.
 */
int se_append(const char *path, const void *data, size_t len);

#endif /* SHARED_EDIT_H */
