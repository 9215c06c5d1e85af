/*
 * private_map.c — lab 3, private mappings and copy-on-write: your file.
 *
 * Write the four functions declared in private_map.h, in order: map a whole
 * file privately from a read-only descriptor (Task 1) and unmap it (Task 2),
 * count the pages the kernel has copied on write by reading this process's
 * /proc/self/smaps (Task 3), and hash a file as if one of its bytes were
 * different, using a private copy so that the file itself never changes
 * (Task 4). The handout explains every numbered step below; replace each TODO
 * with the code it describes and delete the placeholder lines at the end of
 * each function. Return failure (-1, or NULL) with errno set, never print,
 * never exit, and release every descriptor, stream and mapping on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labkit.h"
#include "private_map.h"

void *pm_map_private(const char *path, size_t *len)
{
	/* TODO 1.1: open path read-only: a private mapping never writes to the file. */
	/* TODO 1.2: fstat() it; not a regular file, or empty: EINVAL. */
	/* TODO 1.3: map the whole file PROT_READ|PROT_WRITE, MAP_PRIVATE; check MAP_FAILED. */
	/* TODO 1.4: close the descriptor: the mapping does not need it. */
	/* TODO 1.5: store the length in *len (only now, on success) and return the address. */
	(void)path;
	(void)len;
	errno = ENOSYS;
	return NULL;
}

int pm_unmap(void *addr, size_t len)
{
	/* TODO 2.1: call munmap() with exactly the address and length of the mapping. */
	/* TODO 2.2: return 0, or -1 leaving munmap()'s errno as it is. */
	(void)addr;
	(void)len;
	errno = ENOSYS;
	return -1;
}

long pm_cow_pages(const void *addr)
{
	/* TODO 3.1: open /proc/self/smaps for reading (fopen() is fine here). */
	/* TODO 3.2: read it line by line; find the entry whose start-end range holds addr. */
	/* TODO 3.3: in that entry only, read the kB of the "Anonymous:" line. */
	/* TODO 3.4: a read error: -1 with its errno; no entry holds addr: -1 with ENOENT. */
	/* TODO 3.5: convert kB to pages: divide by the page size in kB. */
	/* TODO 3.6: free the line buffer and close the stream on every path, keeping errno. */
	(void)addr;
	errno = ENOSYS;
	return -1;
}

int pm_patched_checksum(const char *path, off_t offset, unsigned char value, uint64_t *sum)
{
	/* TODO 4.1: a negative offset: EINVAL, before opening anything. */
	/* TODO 4.2: map the file with pm_map_private(). */
	/* TODO 4.3: offset not below the file's size: unmap, then fail with EINVAL. */
	/* TODO 4.4: store value at offset, in the private copy. */
	/* TODO 4.5: hash the whole mapping with labkit_fnv1a(). */
	/* TODO 4.6: unmap it with pm_unmap(). */
	/* TODO 4.7: store the hash in *sum (only now, on success) and return 0. */
	(void)path;
	(void)offset;
	(void)value;
	(void)sum;
	errno = ENOSYS;
	return -1;
}
