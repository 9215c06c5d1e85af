/**
 * @file tio.h
 * @brief Lab 1 — traditional I/O and the page cache.
 *
 * Reading a file with read() copies its bytes from the kernel's page cache
 * into a buffer of your own, once for every process that reads it; mapping
 * the file with mmap() lets the process use the page-cache pages directly.
 * In this lab you write the robust read()/write() loops every Unix program
 * needs, copy a file both ways, and hash a file through a mapping without
 * ever making a private copy of its data.
 *
 * Every function returns -1 and sets errno on failure, never prints and
 * never exits, and leaves no descriptor or mapping behind on any path.
 */
#ifndef TIO_H
#define TIO_H

#include <stdint.h>
#include <sys/types.h>

/**
 * @brief Read until @p count bytes have arrived or the file ends.
 *
 * read() may return fewer bytes than asked (a pipe, a terminal, a signal
 * arriving mid-way) and may fail with EINTR when a signal handler ran before
 * any byte arrived. Both are normal: keep reading until the buffer is full,
 * read() returns 0 (end of file), or read() fails with another error.
 *
 * @param fd     a descriptor open for reading.
 * @param buf    where to store the bytes; at least @p count bytes long.
 * @param count  how many bytes to read.
 * @return the number of bytes read, which is less than @p count only when
 *         the file ended first (0 at end of file); -1 on error, with errno
 *         set by the read() that failed (for example EBADF or EIO). Bytes
 *         read before an error are lost to the caller.
 */
ssize_t tio_read_full(int fd, void *buf, size_t count);

/**
 * @brief Write all @p count bytes, however many write() calls it takes.
 *
 * write() may accept fewer bytes than offered and may fail with EINTR;
 * keep writing the rest until everything is written or a real error occurs.
 *
 * @param fd     a descriptor open for writing.
 * @param buf    the bytes to write.
 * @param count  how many bytes to write.
 * @return @p count on success; -1 on error, with errno set by the write()
 *         that failed (for example EBADF, ENOSPC, or EFBIG if SIGXFSZ is
 *         ignored or caught: by default reaching RLIMIT_FSIZE kills the
 *         process with SIGXFSZ first).
 */
ssize_t tio_write_full(int fd, const void *buf, size_t count);

/**
 * @brief Copy a file the traditional way: read() into a buffer, write() it out.
 *
 * @p dst is truncated if it exists (keeping its own permission bits, as
 * open() does) or else created with the permission bits of @p src (less
 * those the process umask clears). The data passes through one buffer of
 * exactly @p bufsize bytes, so no read() asks for more than @p bufsize bytes.
 *
 * @param src      path of the file to copy; must be a regular file.
 * @param dst      path of the copy.
 * @param bufsize  size of the copy buffer in bytes; at least 1.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p bufsize
 *         is 0 or @p src is not a regular file, ENOMEM if the buffer cannot
 *         be allocated, or the errno of the open(), fstat(), read(), write()
 *         or close() that failed (for example ENOENT, EACCES or ENOSPC).
 */
int tio_copy_rw(const char *src, const char *dst, size_t bufsize);

/**
 * @brief Copy a file through two mappings, with one memcpy() and no read() or write().
 *
 * @p src is mapped read-only; @p dst is created or truncated as in
 * tio_copy_rw(), sized with ftruncate() and mapped MAP_SHARED,
 * so that storing into the mapping stores into the file. An empty @p src
 * gives an empty @p dst without any mmap() call (mmap() refuses length 0).
 *
 * @param src  path of the file to copy; must be a regular file.
 * @param dst  path of the copy.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p src is not
 *         a regular file, or the errno of the open(), fstat(), ftruncate()
 *         or mmap() that failed (for example ENOENT, EACCES or ENOMEM).
 */
int tio_copy_mmap(const char *src, const char *dst);

/**
 * @brief Hash a whole file through a read-only mapping.
 *
 * Computes the FNV-1a 64-bit hash (labkit.h) of every byte of the file,
 * reading them through a read-only (PROT_READ) mapping: no read() calls and
 * no private copy of the data, so it works on files much larger than the
 * memory the process may allocate. An empty file hashes to
 * #LABKIT_FNV1A_INIT without any mmap() call.
 *
 * @param path  the file to hash; must be a regular file.
 * @param sum   where to store the hash; left untouched on error.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p path is
 *         not a regular file, or the errno of the open(), fstat() or mmap()
 *         that failed (for example ENOENT, EACCES or ENOMEM).
 */
int tio_checksum_mmap(const char *path, uint64_t *sum);

#endif /* TIO_H */
