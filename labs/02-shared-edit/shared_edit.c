/*
 * shared_edit.c — lab 2, editing a file through a shared mapping: your file.
 *
 * Write the four functions declared in shared_edit.h, in order: change one
 * byte of a file through a MAP_SHARED mapping of all of it (Task 1), replace
 * every occurrence of a string by another of the same length (Task 2), write
 * a few bytes into a large file by mapping only the pages that hold them
 * (Task 3), and append to a file, which a mapping alone cannot do, by growing
 * it with ftruncate() first (Task 4). Every change is flushed to the disk
 * with msync(MS_SYNC) before munmap(). The handout explains every numbered
 * step below; replace each TODO with the code it describes and delete the
 * placeholder lines at the end of each function. Return -1 with errno set on
 * failure, never print, never exit, leave the file as it was after an error,
 * and release the descriptor and the mapping on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labkit.h"
#include "shared_edit.h"

int se_set_byte(const char *path, off_t offset, unsigned char value)
{
	/* TODO 1.1: open path O_RDWR and fstat() it; not a regular file: EINVAL. */
	/* TODO 1.2: offset negative or not below the file's size (an empty file too): EINVAL. */
	/* TODO 1.3: map the whole file PROT_READ | PROT_WRITE, MAP_SHARED. */
	/* TODO 1.4: close the descriptor: the mapping does not need it. */
	/* TODO 1.5: store value at offset in the mapping. */
	/* TODO 1.6: msync(MS_SYNC) the page that holds the byte (a page-aligned address). */
	/* TODO 1.7: munmap with exactly mmap's address and length on every path; keep errno. */
	(void)path;
	(void)offset;
	(void)value;
	errno = ENOSYS;
	return -1;
}

long se_replace_all(const char *path, const char *needle, const char *replacement)
{
	/* TODO 2.1: needle empty, or replacement of another length: EINVAL, before opening. */
	/* TODO 2.2: open path O_RDWR and fstat() it; not a regular file: EINVAL. */
	/* TODO 2.3: an empty file: return 0 without calling mmap(). */
	/* TODO 2.4: map the whole file shared and writable, then close the descriptor. */
	/* TODO 2.5: replace matches left to right, going on after each one; count them. */
	/* TODO 2.6: if anything changed, msync(MS_SYNC) from the page of the first change
	 * (a page-aligned address) through the last changed byte. */
	/* TODO 2.7: munmap exactly what was mapped on every path; return the count. */
	(void)path;
	(void)needle;
	(void)replacement;
	errno = ENOSYS;
	return -1;
}

int se_write_at(const char *path, off_t offset, const void *data, size_t len)
{
	/* TODO 3.1: a negative offset: EINVAL; len 0: return 0 without opening anything. */
	/* TODO 3.2: open and fstat() the file; the range must lie inside it, else EINVAL. */
	/* TODO 3.3: map only the pages of the range, from offset rounded down to a page. */
	/* TODO 3.4: copy the data to its place in the mapping. */
	/* TODO 3.5: msync(MS_SYNC) from the start of the mapping to the last byte written. */
	/* TODO 3.6: munmap exactly what was mapped on every path; keep errno. */
	(void)path;
	(void)offset;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
}

int se_append(const char *path, const void *data, size_t len)
{
	/* TODO 4.1: len 0: return 0, the file stays as it is. */
	/* TODO 4.2: open and fstat() the file; not a regular file: EINVAL. */
	/* TODO 4.3: grow the file by len bytes with ftruncate() before mapping anything. */
	/* TODO 4.4: map the pages of the new tail, from the old size rounded down to a page. */
	/* TODO 4.5: copy the data to where the file used to end. */
	/* TODO 4.6: msync(MS_SYNC) the mapping. */
	/* TODO 4.7: munmap; after a failure shrink the file back; close; keep errno. */
	(void)path;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
}
