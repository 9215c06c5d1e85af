/*
 * tio.c — reference solution of lab 1, traditional I/O and the page cache.
 *
 * The first two functions are the robust read()/write() loops every Unix
 * program needs: a single call may move fewer bytes than asked, or be
 * interrupted by a signal before moving any, and neither is an error. The
 * other three move a whole file: once the traditional way, through a buffer
 * of our own that read() fills from the page cache, and twice through
 * mappings, where the process touches the page-cache pages themselves and
 * no private copy of the data is ever made. Every function reports failure
 * as -1 with the errno of the call that failed, and releases every
 * descriptor, buffer and mapping it acquired on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labkit.h"
#include "tio.h"

ssize_t tio_read_full(int fd, void *buf, size_t count)
{
	char *bytes = buf;
	size_t done = 0;

	/* Step 1.1: keep reading until the buffer is full. */
	while (done < count) {
		/* Step 1.2: ask only for the part of the buffer still empty. */
		ssize_t got = read(fd, bytes + done, count - done);

		/* Step 1.3: a signal before any byte arrived is not an error. */
		if (got == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* Step 1.4: 0 means end of file: return what we have. */
		if (got == 0)
			break;
		/* Step 1.5: a short count is normal; account for it and go on. */
		done += (size_t)got;
	}
	/* Step 1.6: fewer than count only if the file ended first. */
	return (ssize_t)done;
}

ssize_t tio_write_full(int fd, const void *buf, size_t count)
{
	const char *bytes = buf;
	size_t done = 0;

	/* Step 2.1: keep writing until every byte has been accepted. */
	while (done < count) {
		/* Step 2.2: offer only the bytes not written yet. */
		ssize_t put = write(fd, bytes + done, count - done);

		/* Step 2.3: retry after EINTR, give up on any other error. */
		if (put == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/*
		 * Step 2.4: account for a short write and go on. A write()
		 * that accepts nothing at all would make us spin forever;
		 * no file does that on Linux, but fail rather than hang.
		 */
		if (put == 0) {
			errno = ENOSPC;
			return -1;
		}
		done += (size_t)put;
	}
	/* Step 2.5: everything was written. */
	return (ssize_t)count;
}

int tio_copy_rw(const char *src, const char *dst, size_t bufsize)
{
	int src_fd = -1;
	int dst_fd = -1;
	char *buffer = NULL;
	int result = -1;
	int saved_errno;
	struct stat st;

	/* Step 3.1: a zero-byte buffer could never move anything. */
	if (bufsize == 0) {
		errno = EINVAL;
		return -1;
	}

	/* Step 3.2: open src for reading; only a regular file has a size to copy. */
	src_fd = open(src, O_RDONLY);
	if (src_fd == -1)
		goto cleanup;
	if (fstat(src_fd, &st) == -1)
		goto cleanup;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto cleanup;
	}

	/* Step 3.3: create dst, or empty an old one, with src's permission bits. */
	dst_fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 07777);
	if (dst_fd == -1)
		goto cleanup;

	/* Step 3.4: the one buffer every byte passes through. */
	buffer = malloc(bufsize);
	if (buffer == NULL)
		goto cleanup;

	/*
	 * Step 3.5: read at most bufsize bytes, write out whatever arrived,
	 * until read() reports end of file. A short read needs no retry
	 * here: the next turn of the loop asks for more anyway.
	 */
	for (;;) {
		ssize_t got = read(src_fd, buffer, bufsize);

		if (got == -1) {
			if (errno == EINTR)
				continue;
			goto cleanup;
		}
		if (got == 0)
			break;
		if (tio_write_full(dst_fd, buffer, (size_t)got) == -1)
			goto cleanup;
	}
	result = 0;

cleanup:
	/*
	 * Step 3.6: release everything on every path without losing the
	 * errno of the call that failed. close() of a file we wrote can
	 * report a late write error, so its result counts on success.
	 */
	saved_errno = errno;
	free(buffer);
	if (dst_fd != -1 && close(dst_fd) == -1 && result == 0) {
		result = -1;
		saved_errno = errno;
	}
	if (src_fd != -1)
		close(src_fd); /* read-only: nothing left to report */
	errno = saved_errno;
	return result;
}

int tio_copy_mmap(const char *src, const char *dst)
{
	int src_fd = -1;
	int dst_fd = -1;
	void *src_map = MAP_FAILED;
	void *dst_map = MAP_FAILED;
	size_t size = 0;
	int result = -1;
	int saved_errno;
	struct stat st;

	/* Step 4.1: open src for reading and learn its size; it must be a regular file. */
	src_fd = open(src, O_RDONLY);
	if (src_fd == -1)
		goto cleanup;
	if (fstat(src_fd, &st) == -1)
		goto cleanup;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto cleanup;
	}
	size = (size_t)st.st_size;

	/*
	 * Step 4.2: create or truncate dst with src's permission bits. It must
	 * be open for reading too: a MAP_SHARED mapping with PROT_WRITE needs
	 * a descriptor opened O_RDWR, or mmap() fails with EACCES.
	 */
	dst_fd = open(dst, O_RDWR | O_CREAT | O_TRUNC, st.st_mode & 07777);
	if (dst_fd == -1)
		goto cleanup;

	/* Step 4.3: a mapping cannot make a file longer, so size dst first. */
	if (ftruncate(dst_fd, st.st_size) == -1)
		goto cleanup;

	/* Step 4.4: mmap() refuses length 0; an empty copy is already done. */
	if (size == 0) {
		result = 0;
		goto cleanup;
	}

	/* Step 4.5: map src read-only: we only look at its pages. */
	src_map = mmap(NULL, size, PROT_READ, MAP_SHARED, src_fd, 0);
	if (src_map == MAP_FAILED)
		goto cleanup;

	/* Step 4.6: map dst shared and writable: stores land in its page cache. */
	dst_map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dst_fd, 0);
	if (dst_map == MAP_FAILED)
		goto cleanup;

	/* Step 4.7: the whole copy, from page cache to page cache. */
	memcpy(dst_map, src_map, size);
	result = 0;

cleanup:
	/*
	 * Step 4.8: undo every mapping with exactly the address and length
	 * mmap() returned and was given, close both files, and keep the errno
	 * of the call that failed.
	 */
	saved_errno = errno;
	if (dst_map != MAP_FAILED)
		munmap(dst_map, size);
	if (src_map != MAP_FAILED)
		munmap(src_map, size);
	if (dst_fd != -1)
		close(dst_fd);
	if (src_fd != -1)
		close(src_fd);
	errno = saved_errno;
	return result;
}

int tio_checksum_mmap(const char *path, uint64_t *sum)
{
	int fd;
	void *data;
	size_t size;
	uint64_t hash;
	int saved_errno;
	struct stat st;

	/* Step 5.1: open the file for reading; only a regular file can be mapped whole. */
	fd = open(path, O_RDONLY);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail_close;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail_close;
	}
	size = (size_t)st.st_size;

	/* Step 5.2: an empty file hashes to the initial value; mmap() would refuse it. */
	if (size == 0) {
		close(fd);
		*sum = LABKIT_FNV1A_INIT;
		return 0;
	}

	/*
	 * Step 5.3: map the whole file read-only. A shared read-only mapping is
	 * the page cache itself: no private copy, nothing charged to the
	 * process's data limit.
	 */
	data = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (data == MAP_FAILED)
		goto fail_close;

	/*
	 * Step 5.4: the mapping keeps the file open; the descriptor can go now.
	 * Closing a descriptor we only read from cannot lose data.
	 */
	close(fd);

	/* Step 5.5: hash the bytes in place; pages are faulted in as we touch them. */
	hash = labkit_fnv1a(data, size);

	/* Step 5.6: unmap with exactly the address and length of the mapping. */
	if (munmap(data, size) == -1)
		return -1;

	/* Step 5.7: only a complete success touches the caller's variable. */
	*sum = hash;
	return 0;

fail_close:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return -1;
}
