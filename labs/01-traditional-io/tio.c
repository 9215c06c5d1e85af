/*
 * tio.c — lab 1, traditional I/O and the page cache: your file.
 *
 * Write the five functions declared in tio.h, in order: the robust read()
 * and write() loops first (Tasks 1 and 2), then a file copy through a
 * buffer of your own (Task 3), a copy through two mappings that never calls
 * read() or write() (Task 4), and a checksum computed straight from the
 * page cache through a read-only mapping (Task 5). The handout explains
 * every numbered step below; replace each TODO with the code it describes
 * and delete the placeholder lines at the end of each function. Return -1
 * with errno set on failure, never print, never exit, and release every
 * descriptor, buffer and mapping on every path, error paths included.
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
	/* TODO 1.1: loop until count bytes have been read. */
	/* TODO 1.2: call read() for the part of buf that is still empty. */
	/* TODO 1.3: if read() failed with EINTR, try again; any other error: return -1. */
	/* TODO 1.4: if read() returned 0, the file has ended: leave the loop. */
	/* TODO 1.5: add the (possibly short) count to the bytes read so far. */
	/* TODO 1.6: return how many bytes were read. */
	(void)fd;
	(void)buf;
	(void)count;
	errno = ENOSYS;
	return -1;
}

ssize_t tio_write_full(int fd, const void *buf, size_t count)
{
	/* TODO 2.1: loop until all count bytes have been written. */
	/* TODO 2.2: call write() for the bytes not written yet. */
	/* TODO 2.3: if write() failed with EINTR, try again; any other error: return -1. */
	/* TODO 2.4: add the (possibly short) count to the bytes written so far. */
	/* TODO 2.5: return count. */
	(void)fd;
	(void)buf;
	(void)count;
	errno = ENOSYS;
	return -1;
}

int tio_copy_rw(const char *src, const char *dst, size_t bufsize)
{
	/* TODO 3.1: reject bufsize 0 with EINVAL before opening or creating anything. */
	/* TODO 3.2: open src read-only and fstat() it; not a regular file: EINVAL. */
	/* TODO 3.3: open dst for writing, created or truncated, with src's permission bits. */
	/* TODO 3.4: allocate the buffer of exactly bufsize bytes. */
	/* TODO 3.5: loop: read() up to bufsize bytes, stop at end of file, write them all out. */
	/* TODO 3.6: free and close everything on every path, keeping the failing call's errno. */
	(void)src;
	(void)dst;
	(void)bufsize;
	errno = ENOSYS;
	return -1;
}

int tio_copy_mmap(const char *src, const char *dst)
{
	/* TODO 4.1: open src read-only and fstat() it; not a regular file: EINVAL. */
	/* TODO 4.2: open dst for reading and writing, created or truncated, with src's bits. */
	/* TODO 4.3: give dst the size of src with ftruncate(). */
	/* TODO 4.4: if src is empty you are done: do not call mmap(). */
	/* TODO 4.5: map all of src read-only. */
	/* TODO 4.6: map all of dst readable, writable and shared. */
	/* TODO 4.7: copy the bytes from one mapping to the other with one memcpy(). */
	/* TODO 4.8: unmap and close everything on every path, keeping the failing call's errno. */
	(void)src;
	(void)dst;
	errno = ENOSYS;
	return -1;
}

int tio_checksum_mmap(const char *path, uint64_t *sum)
{
	/* TODO 5.1: open path read-only and fstat() it; not a regular file: EINVAL. */
	/* TODO 5.2: an empty file: store LABKIT_FNV1A_INIT and return 0 without mmap(). */
	/* TODO 5.3: map the whole file read-only and shared. */
	/* TODO 5.4: close the descriptor: the mapping does not need it. */
	/* TODO 5.5: hash the mapped bytes with labkit_fnv1a(). */
	/* TODO 5.6: unmap with exactly the address and length of the mapping. */
	/* TODO 5.7: store the hash in *sum (only now, on success) and return 0. */
	(void)path;
	(void)sum;
	errno = ENOSYS;
	return -1;
}
