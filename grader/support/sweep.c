/*
 * sweep.c — every error path of a student function, one failing call at a time.
 *
 * A function that opens, stats, sizes, reads, writes and maps files has an
 * error path after each of those calls, and by the labs' contracts it
 * returns -1 with the errno of the call that failed, and leaves no
 * descriptor or mapping behind, on every one of them. The sweep makes the
 * call once with no fault, counting each kind of call it makes; then, from a
 * fresh start each time, makes it again with just one of those calls failing
 * (the first, the second and the last of each kind), the way SQLite's tests
 * fail each allocation in turn. Each run must give -1 with the injected
 * errno, leave nothing behind, and pass whatever else the test checks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "grader.h"

/*
 * The kinds of call the watch can fail, in the order of the GRADE_SWEEP_*
 * bits: where grade_calls counts them, where grade_faults fails them, and
 * the errno each fails with (its own: the errno tells which call failed).
 * mmap counts only mappings of a file: libc maps memory of its own.
 */
static const struct {
	const char *name;
	int error;
	size_t made, fail_at, fail_errno; /* offsets in grade_calls and grade_faults */
} kinds[] = {
#define KIND(name, error, count, fault)                                                     \
	{ name, error, offsetof(struct grade_calls, count),                                 \
	  offsetof(struct grade_faults, fault##_fail_at),                                   \
	  offsetof(struct grade_faults, fault##_fail_errno) }
	KIND("open()", EACCES, open_calls, open),
	KIND("fstat()", EOVERFLOW, stat_calls, stat),
	KIND("ftruncate()", EFBIG, ftruncate_calls, ftruncate),
	KIND("read()", EIO, read_calls, read),
	KIND("write()", ENOSPC, write_calls, write),
	KIND("mmap()", ENOMEM, file_mmap_count, mmap),
	KIND("msync()", EBUSY, msync_count, msync),
#undef KIND
};
#define KIND_COUNT (GRADE_COUNT(kinds))

static unsigned made_of_kind(const struct grade_calls *calls, size_t k)
{
	return *(const unsigned *)((const char *)calls + kinds[k].made);
}

/* Faults that fail the n-th call of kind k with its errno, and nothing else. */
static struct grade_faults failing(size_t k, unsigned n)
{
	struct grade_faults faults = { .mmap_fail_only_files = 1 };

	*(unsigned *)((char *)&faults + kinds[k].fail_at) = n;
	*(int *)((char *)&faults + kinds[k].fail_errno) = kinds[k].error;
	return faults;
}

static const char *ordinal(unsigned n)
{
	const char *suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
			     : n % 10 == 1		    ? "st"
			     : n % 10 == 2		    ? "nd"
			     : n % 10 == 3		    ? "rd"
							    : "th";
	return grade_format("%u%s", n, suffix);
}

/* Run once from a fresh start with `faults`, checking for leaks; what it made goes to *made. */
static struct grade_outcome run_watched(const struct grade_sweep *sweep,
					const struct grade_faults *faults, const char *situation,
					struct grade_calls *made)
{
	sweep->prepare(sweep->context);
	struct grade_resources before = grade_leak_watch_start(faults);
	struct grade_outcome out = sweep->run(sweep->context, situation);
	if (made != NULL)
		*made = grade_calls;
	grade_leak_watch_finish(before, out.call, sweep->leak_hint, sweep->leak_hint);
	return out;
}

/* The same call with the n-th of the `made` calls of kind k failing. */
static void run_failing(const struct grade_sweep *sweep, size_t k, unsigned n, unsigned made)
{
	struct grade_faults faults = failing(k, n);
	const char *situation = grade_format("with the %s of its %u %s calls failing with %s",
					     ordinal(n), made, kinds[k].name,
					     grade_errno_name(kinds[k].error));
	struct grade_outcome out = run_watched(sweep, &faults, situation, NULL);

	if (sweep->result_judged_elsewhere & (1u << k))
		return;
	if (sweep->returns_pointer)
		grade_check(out.result == -1 && out.error == kinds[k].error, sweep->error_hint,
			    "expected: %s to fail, returning NULL with errno %s\nobserved: %s",
			    out.call, grade_errno_text(kinds[k].error),
			    out.result == -1 ? grade_describe_null(out.error)
					     : "it returned an address, not NULL");
	else
		grade_expect_error(out.result, out.error, kinds[k].error, out.call,
				   sweep->error_hint);
	if (sweep->after_failure != NULL)
		sweep->after_failure(sweep->context, out.call);
}

void grade_sweep_failures(const struct grade_sweep *sweep)
{
	struct grade_calls made;
	struct grade_outcome out = run_watched(sweep, NULL, "", &made);

	grade_check(out.result != -1, sweep->error_hint, "expected: %s to succeed\nobserved: %s",
		    out.call, sweep->returns_pointer ? grade_describe_null(out.error)
						     : grade_describe_result(out.result, out.error));
	for (size_t k = 0; k < KIND_COUNT; k++) {
		unsigned count = made_of_kind(&made, k);
		/* The first, the second and the last: a loop fails the same way in between. */
		for (unsigned n = 1; n <= count; n = n < 2 ? n + 1 : (n < count ? count : n + 1))
			run_failing(sweep, k, n, count);
	}
}
