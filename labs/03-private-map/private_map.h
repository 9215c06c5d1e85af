/**
 * @file private_map.h
 * @brief Lab 3 — private mappings and copy-on-write.
 *
 * A MAP_PRIVATE mapping of a file starts out sharing the file's pages in the
 * page cache. The first store into a page makes the kernel copy that page for
 * this process alone (copy-on-write): from then on the process sees its own
 * copy, and nothing it stores ever reaches the file or any other process. A
 * private mapping may be writable even when the file was opened read-only.
 *
 * Every function returns failure (-1, or NULL) with errno set, never prints
 * and never exits, and leaves no descriptor behind on any path.
 */
#ifndef PRIVATE_MAP_H
#define PRIVATE_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * @brief Map a whole file privately, readable and writable.
 *
 * Opens the file read-only (so it works on files the caller may not write),
 * maps all of it PROT_READ|PROT_WRITE, MAP_PRIVATE, and closes the descriptor.
 * It works on any regular file the caller may read, whoever owns it.
 * Stores through the mapping change only this process's copy of the pages.
 *
 * @param path  the file to map; a regular, non-empty file.
 * @param len   where to store the mapping's length (the file's size); left
 *              untouched on error.
 * @return the address of the mapping; NULL on error with errno set: EINVAL
 *         if the file is empty or not a regular file, or the errno of the
 *         open(), fstat() or mmap() that failed (for example ENOENT).
 */
void *pm_map_private(const char *path, size_t *len);

/**
 * @brief Unmap a mapping made by pm_map_private().
 * @param addr  the address pm_map_private() returned.
 * @param len   the length it stored.
 * @return 0 on success; -1 on error with munmap()'s errno (EINVAL).
 */
int pm_unmap(void *addr, size_t len);

/**
 * @brief How many pages of a private mapping have been copied on write.
 *
 * Reads the entry of /proc/self/smaps for the mapping that contains @p addr
 * (start <= addr < end: the end it shows is the first address past the
 * mapping): its `Anonymous:` field counts, in kB, the pages of the mapping
 * that are no longer the file's but this process's own copies. Reading a page
 * does not copy it; writing it the first time does; writing it again does
 * not.
 *
 * @param addr  any address inside the mapping.
 * @return the number of pages copied on write (the `Anonymous:` kB divided by
 *         the page size in kB); -1 on error with errno set: ENOENT if no
 *         mapping contains @p addr, or the errno of reading /proc/self/smaps.
 */
long pm_cow_pages(const void *addr);

/**
 * @brief The hash of a file as if one of its bytes were different, without changing it.
 *
 * Maps the file privately, stores @p value at @p offset in the private copy,
 * and computes the FNV-1a 64-bit hash (labkit.h) of the whole mapping. The
 * file itself, and every other process's view of it, stay as they were.
 *
 * @param path    the file; a regular, non-empty file.
 * @param offset  which byte to pretend is different, counted from 0.
 * @param value   the byte to pretend is there.
 * @param sum     where to store the hash; left untouched on error.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p offset is
 *         negative or not below the file's size, or the file is empty or not a
 *         regular file; or the errno of the call that failed (ENOENT, ...).
 */
int pm_patched_checksum(const char *path, off_t offset, unsigned char value, uint64_t *sum);

#endif /* PRIVATE_MAP_H */
