/*
 * private_map.c — reference solution of lab 3, private mappings and copy-on-write.
 *
 * A MAP_PRIVATE mapping of a file shows the file's pages from the page cache
 * until the process stores into one of them; the kernel then copies that one
 * page for this process alone, and the copy is what the process sees from then
 * on. Nothing stored ever reaches the file, so the file needs to be open only
 * for reading. These functions map a file that way, unmap it, count the pages
 * copied so far by reading the kernel's own account in /proc/self/smaps, and
 * use a private copy to hash a file "as if" one byte were different without
 * changing it. Every function reports failure with the errno of the call that
 * failed and leaves no descriptor or mapping behind on any path.
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

#define SMAPS_PATH "/proc/self/smaps"
#define ANONYMOUS_FIELD "Anonymous:"

void *pm_map_private(const char *path, size_t *len)
{
	int fd;
	void *map;
	size_t size;
	int saved_errno;
	struct stat st;

	/*
	 * Step 1.1: open the file read-only. Stores into a private mapping never
	 * reach the file, so write permission is neither needed nor asked for.
	 */
	fd = open(path, O_RDONLY);
	if (fd == -1)
		return NULL;

	/* Step 1.2: only a regular, non-empty file can be mapped whole. */
	if (fstat(fd, &st) == -1)
		goto fail_close;
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		errno = EINVAL;
		goto fail_close;
	}
	size = (size_t)st.st_size;

	/*
	 * Step 1.3: map all of it readable, writable and private. mmap() reports
	 * failure with MAP_FAILED, never with NULL.
	 */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto fail_close;

	/*
	 * Step 1.4: the mapping holds its own reference to the file; the
	 * descriptor can go. Closing a read-only descriptor cannot lose data.
	 */
	close(fd);

	/* Step 1.5: only a success touches the caller's variable. */
	*len = size;
	return map;

fail_close:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return NULL;
}

int pm_unmap(void *addr, size_t len)
{
	/* Step 2.1: give munmap() exactly the address and length of the mapping. */
	int result = munmap(addr, len);

	/* Step 2.2: on failure, -1 with munmap()'s errno (EINVAL for a bad address). */
	return result == -1 ? -1 : 0;
}

/*
 * If line starts a mapping's entry ("7f12...-7f13... rw-p ..."), store whether
 * that mapping contains addr in *contains and return 1; otherwise return 0.
 */
static int entry_header(const char *line, uintptr_t addr, int *contains)
{
	uintptr_t start, end;

	if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &start, &end) != 2)
		return 0;
	*contains = start <= addr && addr < end;
	return 1;
}

long pm_cow_pages(const void *addr)
{
	FILE *smaps;
	char *line = NULL;
	size_t capacity = 0;
	int found = 0, inside = 0;
	long kib = 0;
	long result = -1;
	int saved_errno;

	/* Step 3.1: the kernel's account of this process's mappings, one entry each. */
	smaps = fopen(SMAPS_PATH, "r");
	if (smaps == NULL)
		return -1;

	/*
	 * Step 3.2: an entry starts with a "start-end perms ..." line and its
	 * fields follow, one per line. Find the entry whose range holds addr;
	 * getline() copes with the long path some header lines carry.
	 */
	while (getline(&line, &capacity, smaps) != -1) {
		int contains;

		if (entry_header(line, (uintptr_t)addr, &contains)) {
			if (found)
				break; /* the next entry: ours is complete */
			found = inside = contains;
			continue;
		}
		/* Step 3.3: in our entry, Anonymous: counts the pages copied on write. */
		if (inside && strncmp(line, ANONYMOUS_FIELD, strlen(ANONYMOUS_FIELD)) == 0)
			kib = strtol(line + strlen(ANONYMOUS_FIELD), NULL, 10);
	}

	/* Step 3.4: a read error, or no mapping holds addr. */
	if (ferror(smaps))
		goto cleanup;
	if (!found) {
		errno = ENOENT;
		goto cleanup;
	}

	/* Step 3.5: the field is in kB; the answer is in pages of this machine. */
	result = kib / (long)(labkit_page_size() / 1024);

cleanup:
	/* Step 3.6: release the line and the stream, keeping the errno that matters. */
	saved_errno = errno;
	free(line);
	fclose(smaps); /* read-only: nothing to report */
	errno = saved_errno;
	return result;
}

int pm_patched_checksum(const char *path, off_t offset, unsigned char value, uint64_t *sum)
{
	unsigned char *map;
	size_t len;
	uint64_t hash;
	int saved_errno;

	/* Step 4.1: a negative offset can never be inside the file: refuse it first. */
	if (offset < 0) {
		errno = EINVAL;
		return -1;
	}

	/* Step 4.2: a private, writable view of the whole file (Task 1). */
	map = pm_map_private(path, &len);
	if (map == NULL)
		return -1;

	/* Step 4.3: the byte must lie inside the file, not in the rest of the last page. */
	if ((uintmax_t)offset >= len) {
		errno = EINVAL;
		goto fail_unmap;
	}

	/* Step 4.4: this store copies one page for us; the file never sees it. */
	map[offset] = value;

	/* Step 4.5: hash every byte of the mapping, our changed page included. */
	hash = labkit_fnv1a(map, len);

	/* Step 4.6: unmap; the private copy is thrown away with the mapping. */
	if (pm_unmap(map, len) == -1)
		return -1;

	/* Step 4.7: only a complete success touches the caller's variable. */
	*sum = hash;
	return 0;

fail_unmap:
	saved_errno = errno;
	pm_unmap(map, len);
	errno = saved_errno;
	return -1;
}
