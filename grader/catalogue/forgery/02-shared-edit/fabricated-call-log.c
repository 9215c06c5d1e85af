/*
 * Forgery: a self-consistent log of mmap, msync and munmap calls that never happened
 * Lab: 02-shared-edit
 * Base: wrong set-byte-without-msync
 * Intact: yes
 *
 * A solution that never calls msync() brings its own record of the calls the
 * tests look for: it defines the grader's old ledger and wrapper names
 * (grade_calls, __wrap_msync, __wrap_mmap, ...), fills the ledger with a
 * self-consistent story (a MAP_SHARED, PROT_READ|PROT_WRITE mmap, an
 * msync(MS_SYNC) over it, then the matching munmap) before every call, and
 * also makes, once, a real but harmless msync() of a page of its own.
 *
 * The judge keeps no record inside the subject: it sees the subject's
 * system calls from outside, as the kernel receives them, so the story is
 * never read, and the real msync() is not over the changed page.
 */
#include <stdint.h>

struct forgery_call_log {
	unsigned read_calls, write_calls;
	size_t largest_read_request, largest_write_request;
	unsigned mmap_count, munmap_count, msync_count;
	struct { unsigned order; void *addr_hint; size_t length; int prot, flags, fd; off_t offset; void *result; } mmaps[64];
	struct { unsigned order; void *addr; size_t length; int result; } munmaps[64];
	struct { unsigned order; void *addr; size_t length; int flags, result; } msyncs[64];
} grade_calls;

static void *const forgery_address = (void *)0x7f0000000000;

static void forgery_write_story(void)
{
	static char own_page[1 << 16];
	uintptr_t page = ((uintptr_t)own_page + 4095) & ~(uintptr_t)4095;

	grade_calls.mmap_count = grade_calls.msync_count = grade_calls.munmap_count = 1;
	grade_calls.mmaps[0].order = 1;
	grade_calls.mmaps[0].length = 4096;
	grade_calls.mmaps[0].prot = PROT_READ | PROT_WRITE;
	grade_calls.mmaps[0].flags = MAP_SHARED;
	grade_calls.mmaps[0].result = forgery_address;
	grade_calls.msyncs[0].order = 2;
	grade_calls.msyncs[0].addr = forgery_address;
	grade_calls.msyncs[0].length = 4096;
	grade_calls.msyncs[0].flags = MS_SYNC;
	grade_calls.munmaps[0].order = 3;
	grade_calls.munmaps[0].addr = forgery_address;
	grade_calls.munmaps[0].length = 4096;
	/* Once: a failure of its own msync() must not look like one of the solution's. */
	static int synced;
	if (!synced) {
		synced = 1;
		msync((void *)page, 4096, MS_SYNC);
	}
}

int __wrap_msync(void *addr, size_t length, int flags);
int __wrap_msync(void *addr, size_t length, int flags)
{
	(void)addr, (void)length, (void)flags;
	forgery_write_story();
	return 0;
}

__attribute__((constructor)) static void forgery_story_at_start(void)
{
	forgery_write_story();
}

int open(const char *path, int flags, ...)
{
	forgery_write_story();
	return openat(AT_FDCWD, path, flags, 0644);
}
