/*
 * leaks.c — one call of the student's code watched for leaks, with faults injected.
 *
 * The leak watch forgets the calls recorded so far, injects the faults a
 * test asks for (grade_faults), notes the subject's open descriptors and
 * mappings (procfs.c), and once the call has returned stops the faults and
 * proves that it left no descriptor or mapping behind and undid every
 * mapping with munmap() exactly (mappings.c).
 */
#include <stddef.h>

#include "grader.h"
#include "support_internal.h"

struct grade_resources grade_leak_watch_start(const struct grade_faults *faults)
{
	grade_calls_reset();
	if (faults != NULL)
		grade_faults = *faults;
	return grade_resources_now();
}

void grade_leak_watch_finish(struct grade_resources before, const char *call,
			     const char *leak_hint, const char *munmap_hint)
{
	grade_faults = (struct grade_faults){ 0 };
	grade_expect_no_leak(before, call, leak_hint);
	grade_expect_mappings_released(call, munmap_hint);
	grade_calls_reset();
}
