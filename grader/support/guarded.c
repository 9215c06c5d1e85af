/*
 * guarded.c — buffers with a guard page right after their last byte, for the judge's own use.
 *
 * A test that needs memory of the judge's own (grade_guarded_buffer) gets
 * bytes that end exactly where its mapping's last page ends, and the page
 * after it is PROT_NONE: reading or writing one byte past the end faults at
 * once instead of passing unseen.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "grader.h"
#include "support_internal.h"

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* The pages that hold len bytes, plus the guard page. */
static size_t guarded_length(size_t len)
{
	return (len + page_size() - 1) / page_size() * page_size() + page_size();
}

void *grade_guarded_buffer(size_t len)
{
	size_t total = guarded_length(len);
	unsigned char *area = mmap(NULL, total, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED)
		grade_setup_failed("cannot map %zu bytes", total);
	if (mprotect(area + total - page_size(), page_size(), PROT_NONE) != 0)
		grade_setup_failed("cannot make a guard page");
	return area + total - page_size() - len;
}

void grade_free_guarded(void *buffer, size_t len)
{
	size_t total = guarded_length(len);
	unsigned char *end_of_data = (unsigned char *)buffer + len;

	munmap(end_of_data + page_size() - total, total);
}
