/*
 * leaks.c — one call of the student's code watched for leaks, with faults injected.
 *
 * The leak watch forgets the calls recorded so far, injects the faults a
 * test asks for (grade_faults), notes the subject's open descriptors and
 * mappings (procfs.c), and once the call has returned stops the faults and
 * proves that it left no descriptor or mapping behind and undid every
 * mapping with munmap() exactly (mappings.c). A suite's table of such calls
 * (struct grade_leak_case) is run here too, case after case: the suite says
 * how to make each call, and may judge its result in its own way.
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

void grade_leak_watch_drop(void)
{
	grade_faults = (struct grade_faults){ 0 };
	grade_calls_reset();
}

static void judge_by_default(const struct grade_leak_table *table,
			     const struct grade_leak_case *test, const struct grade_outcome *out)
{
	if (test->must_succeed)
		grade_expect_result(out->result, out->error, 0, out->call, table->leak_hint);
}

void grade_expect_no_leaks(const struct grade_leak_table *table)
{
	for (size_t i = 0; i < table->count; i++) {
		const struct grade_leak_case *test = &table->cases[i];

		if (table->prepare != NULL)
			table->prepare(test, table->context);
		struct grade_resources before = grade_leak_watch_start(&test->faults);
		struct grade_outcome out = table->run(test, table->context);

		if (table->judge != NULL)
			table->judge(test, &out, table->context);
		else
			judge_by_default(table, test, &out);
		grade_leak_watch_finish(before, out.call, table->leak_hint, table->munmap_hint);
	}
}
