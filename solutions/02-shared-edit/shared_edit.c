/*
 * shared_edit.c — reference solution of lab 2, editing a file through a shared mapping.
 *
 * Each function opens the file for reading and writing, maps the part of it
 * that it changes with MAP_SHARED and PROT_WRITE, and stores into the
 * mapping: those stores land in the file's pages in the page cache, where
 * every other process sees them at once. msync(MS_SYNC) over the changed
 * bytes then writes them to the disk before the mapping goes away, and
 * munmap() gets exactly the address and length of the mapping. A mapping can
 * neither make a file longer nor shorter, so se_set_byte and se_write_at
 * refuse bytes that do not exist yet, se_replace_all only swaps strings of
 * the same length, and se_append grows the file with ftruncate() before it
 * maps the new tail (and shrinks it back if a later step fails). Every
 * failure is -1 with the errno of the call that failed, and every path
 * releases the descriptor and the mapping.
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

/* The largest value an off_t can hold (off_t is a signed integer type). */
#define OFF_T_MAX ((off_t)(((uintmax_t)1 << (sizeof(off_t) * CHAR_BIT - 1)) - 1))

/*
 * Open path for reading and writing (a shared writable mapping needs both)
 * and fstat() it into *st. Returns the descriptor, or -1 with errno set: that
 * of open() or fstat(), or EINVAL for anything but a regular file.
 */
static int open_for_editing(const char *path, struct stat *st)
{
	int fd = open(path, O_RDWR);
	int saved_errno;

	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	return fd;

fail:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return -1;
}

/*
 * Close the descriptor of a file that is already mapped: the mapping holds
 * its own reference to the file. Sets *fd to -1 whatever happens, because
 * close() releases the descriptor even when it reports an error.
 */
static int close_after_mapping(int *fd)
{
	int result = close(*fd);

	*fd = -1;
	return result;
}

/*
 * Write bytes [first, first + count) of a mapping that starts at map to the
 * disk, and wait until they are there. msync() needs a page-aligned address,
 * so the range starts at the beginning of the page that holds the first byte.
 */
static int sync_range(unsigned char *map, size_t first, size_t count)
{
	size_t start = labkit_round_down(first, labkit_page_size());

	return msync(map + start, first - start + count, MS_SYNC);
}

/*
 * How every function ends: unmap with exactly the address and length of the
 * mapping (if one was made), close the descriptor (if still open), and keep
 * the errno of the first call that failed. Returns result, or -1 when
 * munmap() is the first call to fail.
 */
static long finish_edit(unsigned char *map, size_t length, int fd, long result)
{
	int saved_errno = errno;

	if (map != MAP_FAILED && munmap(map, length) == -1 && result != -1) {
		result = -1;
		saved_errno = errno;
	}
	if (fd != -1)
		close(fd);
	errno = saved_errno;
	return result;
}

int se_set_byte(const char *path, off_t offset, unsigned char value)
{
	unsigned char *map = MAP_FAILED;
	size_t size = 0;
	int result = -1;
	struct stat st;
	int fd;

	/* Step 1.1: open the file for reading and writing; it must be a regular file. */
	fd = open_for_editing(path, &st);
	if (fd == -1)
		return -1;

	/*
	 * Step 1.2: the byte must exist already. A mapping cannot make the
	 * file longer, and an empty file has no byte to change at all.
	 */
	if (offset < 0 || offset >= st.st_size) {
		errno = EINVAL;
		goto cleanup;
	}
	size = (size_t)st.st_size;

	/* Step 1.3: map the whole file, shared and writable: stores go to the page cache. */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto cleanup;

	/* Step 1.4: the mapping keeps the file open; the descriptor can go now. */
	if (close_after_mapping(&fd) == -1)
		goto cleanup;

	/* Step 1.5: one store, and every process that reads the file sees the new byte. */
	map[offset] = value;

	/* Step 1.6: make the change durable: write the page that holds it to the disk. */
	if (sync_range(map, (size_t)offset, 1) == -1)
		goto cleanup;
	result = 0;

cleanup:
	/*
	 * Step 1.7: unmap with exactly the address and length of the mapping,
	 * and keep the errno of the call that failed.
	 */
	return (int)finish_edit(map, size, fd, result);
}

/* The span of bytes a replacement pass changed: [first, end). */
struct changed_span {
	size_t first;
	size_t end;
};

/*
 * Replace every non-overlapping occurrence of needle (len bytes) in text by
 * replacement, from left to right, and note the span of bytes changed.
 * Returns how many occurrences were replaced.
 */
static long replace_matches(unsigned char *text, size_t size, const char *needle,
			    const char *replacement, size_t len, struct changed_span *span)
{
	long count = 0;
	size_t at = 0;

	while (size - at >= len) {
		/* Jump to the next byte that could start a match. */
		unsigned char *candidate = memchr(text + at, (unsigned char)needle[0],
						  size - at - len + 1);

		if (candidate == NULL)
			break;
		at = (size_t)(candidate - text);
		if (memcmp(candidate, needle, len) != 0) {
			at++;
			continue;
		}
		memcpy(candidate, replacement, len);
		if (count == 0)
			span->first = at;
		span->end = at + len;
		count++;
		/* Go on after the bytes just replaced: matches never overlap. */
		at += len;
	}
	return count;
}

long se_replace_all(const char *path, const char *needle, const char *replacement)
{
	unsigned char *map = MAP_FAILED;
	struct changed_span span = { 0, 0 };
	size_t size = 0;
	long result = -1;
	long count;
	struct stat st;
	size_t len;
	int fd;

	/*
	 * Step 2.1: check the strings before touching the file. A mapping
	 * cannot change the file's size, so the replacement must be exactly
	 * as long as the needle, and an empty needle matches nothing sensible.
	 */
	len = strlen(needle);
	if (len == 0 || strlen(replacement) != len) {
		errno = EINVAL;
		return -1;
	}

	/* Step 2.2: open the file for reading and writing; it must be a regular file. */
	fd = open_for_editing(path, &st);
	if (fd == -1)
		return -1;
	size = (size_t)st.st_size;

	/* Step 2.3: an empty file holds no match, and mmap() would refuse length 0. */
	if (size == 0) {
		result = 0;
		goto cleanup;
	}

	/* Step 2.4: map the whole file shared and writable, then close the descriptor. */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto cleanup;
	if (close_after_mapping(&fd) == -1)
		goto cleanup;

	/* Step 2.5: replace from left to right, noting which bytes changed. */
	count = replace_matches(map, size, needle, replacement, len, &span);

	/*
	 * Step 2.6: if anything changed, write the changed pages to the disk:
	 * from the page of the first change (msync() needs a page-aligned
	 * address) through the last changed byte.
	 */
	if (count > 0 && sync_range(map, span.first, span.end - span.first) == -1)
		goto cleanup;
	result = count;

cleanup:
	/* Step 2.7: unmap exactly what was mapped, keeping the failing call's errno. */
	return finish_edit(map, size, fd, result);
}

int se_write_at(const char *path, off_t offset, const void *data, size_t len)
{
	unsigned char *map = MAP_FAILED;
	size_t map_offset = 0;
	size_t map_len = 0;
	size_t size;
	int result = -1;
	struct stat st;
	int fd;

	/* Step 3.1: a negative offset is an error; zero bytes are nothing to do. */
	if (offset < 0) {
		errno = EINVAL;
		return -1;
	}
	if (len == 0)
		return 0;

	/*
	 * Step 3.2: open the file for reading and writing, and check that every
	 * byte of the range exists already (written so that offset + len cannot
	 * overflow).
	 */
	fd = open_for_editing(path, &st);
	if (fd == -1)
		return -1;
	size = (size_t)st.st_size;
	if (len > size || (size_t)offset > size - len) {
		errno = EINVAL;
		goto cleanup;
	}

	/*
	 * Step 3.3: map only the pages that hold the range. The file offset of a
	 * mapping must be a multiple of the page size, so start at the page of
	 * the first byte; the length runs to the last byte of the range.
	 */
	map_offset = labkit_round_down((size_t)offset, labkit_page_size());
	map_len = (size_t)offset - map_offset + len;
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map_offset);
	if (map == MAP_FAILED)
		goto cleanup;
	if (close_after_mapping(&fd) == -1)
		goto cleanup;

	/* Step 3.4: the range starts offset - map_offset bytes into the mapping. */
	memcpy(map + ((size_t)offset - map_offset), data, len);

	/* Step 3.5: the mapping starts on a page boundary: sync from there to the last byte. */
	if (msync(map, map_len, MS_SYNC) == -1)
		goto cleanup;
	result = 0;

cleanup:
	/* Step 3.6: unmap exactly what was mapped, keeping the failing call's errno. */
	return (int)finish_edit(map, map_len, fd, result);
}

int se_append(const char *path, const void *data, size_t len)
{
	unsigned char *map = MAP_FAILED;
	size_t map_offset = 0;
	size_t map_len = 0;
	off_t old_size = 0;
	int grown = 0;
	int result = -1;
	int saved_errno;
	struct stat st;
	int fd;

	/* Step 4.1: appending nothing leaves the file as it is. */
	if (len == 0)
		return 0;

	/* Step 4.2: open the file for reading and writing; its new size must fit in an off_t. */
	fd = open_for_editing(path, &st);
	if (fd == -1)
		return -1;
	old_size = st.st_size;
	if (len > (uintmax_t)(OFF_T_MAX - old_size)) {
		errno = EFBIG;
		goto cleanup;
	}

	/*
	 * Step 4.3: grow the file first. Stores past the end of a file through a
	 * mapping are lost, or kill the process with SIGBUS; after ftruncate()
	 * the new bytes exist (as zeros) and can be mapped.
	 */
	if (ftruncate(fd, old_size + (off_t)len) == -1)
		goto cleanup;
	grown = 1;

	/* Step 4.4: map only the pages of the new tail, from the old size rounded down. */
	map_offset = labkit_round_down((size_t)old_size, labkit_page_size());
	map_len = (size_t)old_size - map_offset + len;
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map_offset);
	if (map == MAP_FAILED)
		goto cleanup;

	/* Step 4.5: the old end of the file is old_size - map_offset bytes into the mapping. */
	memcpy(map + ((size_t)old_size - map_offset), data, len);

	/* Step 4.6: write the new tail to the disk; the mapping starts on a page boundary. */
	if (msync(map, map_len, MS_SYNC) == -1)
		goto cleanup;
	result = 0;

cleanup:
	/*
	 * Step 4.7: unmap exactly what was mapped; if anything failed after the
	 * file grew, shrink it back to its old size; close the descriptor (kept
	 * open until now for that) and keep the errno of the call that failed.
	 */
	result = (int)finish_edit(map, map_len, -1, result); /* the descriptor is still needed */
	saved_errno = errno;
	if (result == -1 && grown && ftruncate(fd, old_size) == -1) {
		/* Nothing better to do: the caller needs the first error, kept above. */
	}
	close(fd);
	errno = saved_errno;
	return result;
}
