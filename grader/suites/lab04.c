/*
 * lab04.c — the grader's tests for lab 4, parent and child talk through an
 * anonymous shared mapping.
 *
 * Each test calls the student's functions from anon_ipc.h, which run in the
 * subject process (calls/lab04.c), and proves the result from outside the
 * student's code: the judge reads the memory they return in the subject
 * (grade_subject_read), and a child the kit forks in the subject stores into
 * it (calls/lab04.h); the watched mmap(), munmap() and fork() system calls
 * show flags, lengths and how many children were made; the count of sleep
 * system calls, made by any process of the subject, shows whether anybody
 * slept; /proc lists the subject's children, so a zombie or an orphan left
 * behind is seen; a data buffer that ends at an inaccessible page makes one
 * worker crash on purpose; injected fork() and mmap() failures and a lowered
 * descriptor limit exercise the error paths. A caller that is no blank page
 * is played too: the kit gives the subject children of its own before a
 * call, and a SIGALRM handler without SA_RESTART; the call's children stop
 * themselves at birth (pthread_atfork), so that a helper of the judge can
 * look at the parent while it waits for them (asleep, or spinning), signal it
 * there, or kill them. Every failure names what was expected, what was
 * observed, and the handout section to read.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anon_ipc.h"
#include "calls/lab04.h"
#include "grader.h"
#include "labkit.h"

/* ---- Hints: a concrete tip, then the handout section ------------------- */

#define SECTION_ALLOC "handout §4.1 (Task 1: ai_alloc_shared)"
#define SECTION_DEVZERO "handout §4.2 (Task 2: ai_alloc_shared_devzero)"
#define SECTION_FREE "handout §4.3 (Task 3: ai_free_shared)"
#define SECTION_SUM "handout §4.4 (Task 4: ai_parallel_sum)"
#define SECTION_PINGPONG "handout §4.5 (Task 5: ai_pingpong)"
#define SECTION_SHARED "handout §2.1 (Shared anonymous memory)"
#define SECTION_CHILDREN "handout §2.4 (Children leave with _exit() and are reaped)"
#define SECTION_TURNS "handout §2.5 (Taking turns without sleep())"
#define SECTION_MISTAKES "handout §8 (Common mistakes)"
#define SECTION_INTERFACE "handout §3 (The interface)"

#define HINT_ALLOC                                                                           \
	"mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) and "   \
	"return its address — " SECTION_ALLOC
#define HINT_SHARED                                                                          \
	"only MAP_SHARED memory is the same pages in parent and child after fork(); "       \
	"MAP_PRIVATE memory is copied on write, so a child's stores stay in the child — "   \
	SECTION_SHARED
#define HINT_ALLOC_ERRORS                                                                    \
	"len 0 is EINVAL; when mmap() fails, return NULL (compare with MAP_FAILED, never "  \
	"hand it on) and keep mmap()'s errno — " SECTION_ALLOC
#define HINT_DEVZERO                                                                         \
	"open(\"/dev/zero\", O_RDWR), mmap() it PROT_READ | PROT_WRITE, MAP_SHARED (no "    \
	"MAP_ANONYMOUS: the point is not to need it), then close the descriptor — "         \
	SECTION_DEVZERO
#define HINT_DEVZERO_ERRORS                                                                  \
	"close the descriptor whether mmap() worked or not, keeping mmap()'s errno; if "   \
	"open() fails, return NULL with its errno (EMFILE when no descriptor is free) — "   \
	SECTION_DEVZERO
#define HINT_FREE                                                                            \
	"give munmap() exactly the address and length you were given and return its "       \
	"result: an address that is not page-aligned is EINVAL, not something to round — "  \
	SECTION_FREE
#define HINT_SUM                                                                             \
	"give worker i the slice that starts at i * (n / workers) + min(i, n % workers), "  \
	"one element longer for the first n % workers workers, so that the slices cover "   \
	"the whole array once; each child stores its sum in slots[i] — " SECTION_SUM
#define HINT_SUM_FORKS                                                                       \
	"fork exactly `workers` children, one per slice, even when a slice is empty; the "  \
	"children must not fork themselves — " SECTION_SUM
#define HINT_SUM_ARGS                                                                        \
	"check workers (1 to AI_MAX_WORKERS) and sum (not NULL) first, before mapping or "  \
	"forking anything, and fail with EINVAL — " SECTION_SUM
#define HINT_REAP                                                                            \
	"waitpid() every child you forked, on every path, errors included: an unreaped "    \
	"child stays a zombie, and one never waited for may outlive you as an orphan — "    \
	SECTION_CHILDREN
#define HINT_EXIT                                                                            \
	"end each child with _exit(0), not exit() or a return: exit() runs the parent's "   \
	"atexit() handlers and flushes its stdio buffers a second time — " SECTION_CHILDREN
#define HINT_STATUS                                                                          \
	"check each child's wait status: unless WIFEXITED(status) && WEXITSTATUS(status) "  \
	"== 0 the slot holds no sum, and the call must fail with ECHILD; never read the "   \
	"data in the parent — " SECTION_SUM
#define HINT_FORK_FAILED                                                                     \
	"when fork() fails, reap the children already forked, free the slots, and return "  \
	"-1 with fork()'s errno — " SECTION_SUM
#define HINT_PINGPONG                                                                        \
	"each side waits on its own process-shared semaphore (sem_init(&sem, 1, value)) "   \
	"in the shared mapping, appends its letter at the shared move count, and posts the " \
	"other's; the parent's starts at 1 — " SECTION_PINGPONG
#define HINT_SLEEP                                                                           \
	"sleep(), usleep() and nanosleep() only guess how long the other side needs; wait " \
	"on a semaphore (sem_wait) or a futex instead, which returns exactly when the "     \
	"other side posts — " SECTION_TURNS
#define HINT_PINGPONG_ARGS                                                                   \
	"rounds < 1 or trace NULL is EINVAL, checked before mapping or forking anything — " \
	SECTION_PINGPONG
#define HINT_LEAK                                                                            \
	"unmap every mapping, close every descriptor and reap every child on every path, "  \
	"errors included — " SECTION_MISTAKES
#define HINT_MUNMAP                                                                          \
	"munmap() needs exactly the address mmap() returned and the length it was given "   \
	"— " SECTION_MISTAKES

#define HINT_ERRNO_KEPT                                                                      \
	"return -1 with the errno of the call that failed: save it before cleaning up, "    \
	"since waitpid(), sem_destroy() and munmap() may change it — " SECTION_INTERFACE
#define HINT_OWN_CHILDREN                                                                    \
	"wait for each child you forked by its pid (waitpid(pid, &status, 0)), never with "  \
	"wait() or waitpid(-1, ...): those take any child of the caller's, including one "  \
	"it forked itself and means to reap — " SECTION_CHILDREN
#define HINT_EINTR                                                                           \
	"a signal caught by a handler of the caller's (installed without SA_RESTART) makes " \
	"a waitpid() or sem_wait() asleep at that moment return -1 with EINTR: nothing "    \
	"failed, so wait again — " SECTION_CHILDREN
#define HINT_PINGPONG_STATUS                                                                 \
	"reap the child with waitpid(child, &status, 0) and check the status: unless "      \
	"WIFEXITED(status) && WEXITSTATUS(status) == 0 the child did not finish its moves, " \
	"and the call fails with ECHILD — " SECTION_PINGPONG
#define HINT_SPIN                                                                            \
	"a side that is not on turn must sleep in the kernel (sem_wait(), sem_timedwait(), " \
	"FUTEX_WAIT) until the other side posts; a loop that polls (sem_trywait(), a "      \
	"shared flag, sched_yield()) keeps a processor busy for as long as the other side " \
	"takes — " SECTION_TURNS

/* What *sum starts as: a function that fails must leave it so. */
#define SUM_UNTOUCHED INT64_C(0x5eed5eed5eed5eed)
/* What the test fills trace buffers with, to see what was written. */
#define TRACE_FILL '#'

static size_t page(void)
{
	return labkit_page_size();
}

/* ---- The two allocators ------------------------------------------------------ */

enum allocator { ANONYMOUS, DEVZERO };

static const char *allocator_name(enum allocator which)
{
	return which == ANONYMOUS ? "ai_alloc_shared" : "ai_alloc_shared_devzero";
}

static const char *allocator_hint(enum allocator which)
{
	return which == ANONYMOUS ? HINT_ALLOC : HINT_DEVZERO;
}

/* What one allocator call gave back, with errno right after it. */
struct alloc_outcome {
	unsigned char *memory; /* a subject address: read it with grade_subject_read() */
	int error;
	char call[200];
};

static struct alloc_outcome run_alloc(enum allocator which, size_t len, const char *situation)
{
	struct alloc_outcome out;

	grade_announce_call(out.call, sizeof(out.call), situation, NULL, "%s(%zu)",
			    allocator_name(which), len);
	out.memory = which == ANONYMOUS ? ai_alloc_shared(len) : ai_alloc_shared_devzero(len);
	out.error = errno;
	return out;
}

/* The recorded mmap() that returned addr, or NULL. */
static const struct grade_mmap_record *mmap_that_returned(const void *addr)
{
	for (unsigned i = 0; i < grade_records_kept(grade_calls.mmap_count); i++)
		if (grade_calls.mmaps[i].result == addr)
			return &grade_calls.mmaps[i];
	return NULL;
}

/* Fail unless the call returned memory: not NULL, not MAP_FAILED. */
static void expect_allocated(const struct alloc_outcome *out, size_t len, const char *hint)
{
	grade_check(out->memory != MAP_FAILED, HINT_ALLOC_ERRORS,
		    "expected: %s to return the address of %zu bytes of shared memory\n"
		    "observed: it returned MAP_FAILED ((void *)-1) with errno %s",
		    out->call, len, grade_errno_text(out->error));
	grade_check(out->memory != NULL, hint,
		    "expected: %s to return the address of %zu bytes of shared memory\n"
		    "observed: %s",
		    out->call, len, grade_describe_null(out->error));
}

/* Fail unless the memory came from one mmap() of the right kind and length. */
static void expect_mmap_kind(const struct alloc_outcome *out, enum allocator which, size_t len)
{
	const struct grade_mmap_record *record = mmap_that_returned(out->memory);
	const char *hint = allocator_hint(which);

	grade_check(record != NULL, hint,
		    "expected: %s to return the address an mmap() call returned\nobserved: it "
		    "returned %p; %s",
		    out->call, (void *)out->memory, grade_describe_mmaps());
	grade_check(grade_is_shared(record->flags), HINT_SHARED,
		    "expected: %s to map the memory MAP_SHARED\nobserved: %s", out->call,
		    grade_describe_mmap(record));
	grade_check(record->prot == (PROT_READ | PROT_WRITE), hint,
		    "expected: %s to map the memory PROT_READ|PROT_WRITE\nobserved: %s",
		    out->call, grade_describe_mmap(record));
	grade_check(record->length >= len && record->length <= labkit_round_up(len, page()), hint,
		    "expected: %s to map %zu bytes (rounded up to pages at most)\nobserved: %s",
		    out->call, len, grade_describe_mmap(record));
	if (which == ANONYMOUS)
		grade_check((record->flags & MAP_ANONYMOUS) != 0 && record->offset == 0, hint,
			    "expected: %s to map anonymous memory (MAP_ANONYMOUS, fd -1, offset "
			    "0)\nobserved: %s",
			    out->call, grade_describe_mmap(record));
	else
		grade_check((record->flags & MAP_ANONYMOUS) == 0 && record->fd >= 0 &&
				    record->offset == 0,
			    hint,
			    "expected: %s to map a descriptor of /dev/zero from offset 0, without "
			    "MAP_ANONYMOUS\nobserved: %s",
			    out->call, grade_describe_mmap(record));
}

/*
 * A malloc'ed copy of the len bytes at memory, a subject address, read from
 * the subject; fails the test if they cannot be read.
 */
static unsigned char *subject_bytes(const unsigned char *memory, size_t len, const char *call,
				    const char *hint)
{
	unsigned char *copy = malloc(len);

	if (copy == NULL)
		grade_setup_failed("out of memory");
	grade_check(grade_subject_read(memory, copy, len) == 0, hint,
		    "expected: the %zu bytes returned by %s to be readable memory\nobserved: "
		    "they cannot be read (%s)",
		    len, call, grade_errno_text(errno));
	return copy;
}

/* Fail unless the first len bytes at memory (in the subject) are all zero. */
static void expect_zeroed(const unsigned char *memory, size_t len, const char *call,
			  const char *hint)
{
	unsigned char *seen = subject_bytes(memory, len, call, hint);
	size_t i = 0;

	while (i < len && seen[i] == 0)
		i++;
	grade_check(i == len, hint,
		    "expected: the %zu bytes returned by %s to be zero\nobserved: byte %zu is "
		    "0x%02x",
		    len, call, i, i < len ? seen[i] : 0);
	free(seen);
}

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)(i * 7 + 1);
}

/*
 * A child forked in the subject by the kit (subject_fork_writer) stores a
 * pattern into every byte; after it has been reaped, the subject itself must
 * hold every byte of it: the memory is shared.
 */
static void expect_child_stores_seen(unsigned char *memory, size_t len, const char *call)
{
	unsigned char *pattern = malloc(len);

	if (pattern == NULL)
		grade_setup_failed("out of memory");
	for (size_t i = 0; i < len; i++)
		pattern[i] = pattern_byte(i);
	grade_step("forking a child of the test that stores into all %zu bytes returned by %s",
		   len, call);
	int status = subject_fork_writer(memory, pattern, len);
	if (status < 0)
		grade_setup_failed("cannot fork");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		grade_setup_failed("the test's child %s", grade_describe_status(status));
	unsigned char *seen = subject_bytes(memory, len, call, HINT_SHARED);
	size_t i = 0;
	while (i < len && seen[i] == pattern[i])
		i++;
	grade_check(i == len, HINT_SHARED,
		    "expected: after a child forked later stored into the memory returned by %s, "
		    "the parent to see its stores\nobserved: byte %zu reads 0x%02x in the parent, "
		    "not the child's 0x%02x",
		    call, i, i < len ? seen[i] : 0, pattern_byte(i));
	free(seen);
	free(pattern);
}

/* One allocation checked from outside: the call, the mmap(), zeros, sharing, no descriptor. */
static void expect_good_allocation(enum allocator which, size_t len)
{
	grade_calls_reset();
	struct grade_resources before = grade_resources_now();
	struct alloc_outcome out = run_alloc(which, len, NULL);

	expect_allocated(&out, len, allocator_hint(which));
	before.mapped_bytes += labkit_round_up(len, page());
	grade_expect_no_leak(before, out.call,
			     which == ANONYMOUS ? HINT_ALLOC : HINT_DEVZERO);
	expect_mmap_kind(&out, which, len);
	expect_zeroed(out.memory, len, out.call, allocator_hint(which));
	expect_child_stores_seen(out.memory, len, out.call);
	/* Tidy only: the subject ends with the test, and the result proves nothing here. */
	grade_step("freeing the memory with ai_free_shared(p, %zu)", len);
	ai_free_shared(out.memory, len);
	grade_calls_reset();
}

/* Lengths on both sides of a page's end, over several pages, and large. */
static void expect_good_allocations(enum allocator which)
{
	const size_t good_lengths[] = { 1, page() - 1, page(), 3 * page() + 5, 1 << 20 };

	for (size_t i = 0; i < GRADE_COUNT(good_lengths); i++)
		expect_good_allocation(which, good_lengths[i]);
}

static void alloc_shared_gives_zeroed_shared_memory(void)
{
	expect_good_allocations(ANONYMOUS);
}

static void devzero_gives_zeroed_shared_memory(void)
{
	expect_good_allocations(DEVZERO);
}

/* ---- Refusals ------------------------------------------------------------------ */

/* Fail unless the call returned NULL (not MAP_FAILED) with expected_errno. */
static void expect_refused(const struct alloc_outcome *out, int expected_errno, const char *hint)
{
	grade_check(out->memory != MAP_FAILED, HINT_ALLOC_ERRORS,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: it returned "
		    "MAP_FAILED ((void *)-1), which is not NULL: a caller that checks for NULL "
		    "goes on to use address -1",
		    out->call, grade_errno_text(expected_errno));
	grade_check(out->memory == NULL, hint,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: it returned "
		    "%p",
		    out->call, grade_errno_text(expected_errno), (void *)out->memory);
	grade_check(out->error == expected_errno, hint,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: %s", out->call,
		    grade_errno_text(expected_errno), grade_describe_null(out->error));
}

/* A length no address space can hold: the kernel refuses it with ENOMEM. */
#define HUGE_LENGTH ((size_t)1 << 62)

/*
 * Call the allocator with these faults injected and expect NULL with
 * expected_errno and nothing left behind. `must_mmap`: the failure injected
 * into mmap() only happens if mmap() is called at all.
 */
static void expect_alloc_error(enum allocator which, size_t len, struct grade_faults faults,
			       const char *situation, int expected_errno, int must_mmap,
			       const char *hint)
{
	struct grade_resources before = grade_leak_watch_start(&faults);
	struct alloc_outcome out = run_alloc(which, len, situation);

	if (must_mmap && !(out.memory == NULL && out.error == ENOSYS))
		grade_check(grade_calls.mmap_count > 0, hint,
			    "expected: %s to fail, returning NULL with errno %s\nobserved: it "
			    "made no mmap() call, so the injected failure never happened",
			    out.call, grade_errno_text(expected_errno));
	expect_refused(&out, expected_errno, hint);
	grade_leak_watch_finish(before, out.call, HINT_LEAK, HINT_MUNMAP);
}

static void alloc_shared_refuses_properly(void)
{
	const struct grade_faults none = { 0 };
	const struct grade_faults enomem = { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM };
	const struct grade_faults eagain = { .mmap_fail_at = 1, .mmap_fail_errno = EAGAIN };

	expect_alloc_error(ANONYMOUS, 0, none, "with length 0", EINVAL, 0, HINT_ALLOC_ERRORS);
	expect_alloc_error(ANONYMOUS, page(), enomem, "with its mmap() made to fail with ENOMEM",
			   ENOMEM, 1, HINT_ALLOC_ERRORS);
	expect_alloc_error(ANONYMOUS, 100, eagain, "with its mmap() made to fail with EAGAIN",
			   EAGAIN, 1, HINT_ALLOC_ERRORS);
	expect_alloc_error(ANONYMOUS, HUGE_LENGTH, none,
			   "with 4 EiB, more than any address space holds", ENOMEM,
			   0, HINT_ALLOC_ERRORS);
}

/* The subject's lowest descriptor number not in use: open() gives this one next. */
static int lowest_free_descriptor(void)
{
	char path[64];
	struct stat link;

	for (int fd = 0;; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)grade_subject_pid(), fd);
		if (lstat(path, &link) != 0) {
			if (errno != ENOENT)
				grade_setup_failed("cannot look at %s", path);
			return fd;
		}
	}
}

/*
 * With the subject's soft RLIMIT_NOFILE lowered to its lowest free
 * descriptor, every open() fails with EMFILE: the allocator must return NULL
 * with that errno and make no mapping. The limit is raised back right after
 * the call.
 */
static void expect_devzero_emfile(void)
{
	struct rlimit saved, lowered;
	char call[200];
	pid_t subject = grade_subject_pid();

	grade_calls_reset();
	struct grade_resources before = grade_resources_now();
	if (prlimit(subject, RLIMIT_NOFILE, NULL, &saved) != 0)
		grade_setup_failed("cannot read RLIMIT_NOFILE");
	lowered = (struct rlimit){ (rlim_t)lowest_free_descriptor(), saved.rlim_max };
	grade_announce_call(call, sizeof(call), "with no descriptor free (RLIMIT_NOFILE)", NULL,
			    "ai_alloc_shared_devzero(%zu)", page());
	if (prlimit(subject, RLIMIT_NOFILE, &lowered, NULL) != 0)
		grade_setup_failed("cannot lower RLIMIT_NOFILE");
	void *memory = ai_alloc_shared_devzero(page());
	int error = errno;
	if (prlimit(subject, RLIMIT_NOFILE, &saved, NULL) != 0)
		grade_setup_failed("cannot restore RLIMIT_NOFILE");

	struct alloc_outcome out = { memory, error, "" };
	snprintf(out.call, sizeof(out.call), "%s", call);
	expect_refused(&out, EMFILE, HINT_DEVZERO_ERRORS);
	grade_leak_watch_finish(before, call, HINT_DEVZERO_ERRORS, HINT_MUNMAP);
}

static void devzero_refuses_and_closes(void)
{
	const struct grade_faults none = { 0 };
	const struct grade_faults enomem = { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM };
	const struct grade_faults eacces = { .mmap_fail_at = 1, .mmap_fail_errno = EACCES };

	expect_alloc_error(DEVZERO, 0, none, "with length 0", EINVAL, 0, HINT_DEVZERO_ERRORS);
	expect_alloc_error(DEVZERO, page(), enomem, "with its mmap() made to fail with ENOMEM",
			   ENOMEM, 1, HINT_DEVZERO_ERRORS);
	expect_alloc_error(DEVZERO, 100, eacces, "with its mmap() made to fail with EACCES",
			   EACCES, 1, HINT_DEVZERO_ERRORS);
	expect_alloc_error(DEVZERO, HUGE_LENGTH, none,
			   "with 4 EiB, more than any address space holds", ENOMEM,
			   1, HINT_DEVZERO_ERRORS);
	expect_devzero_emfile();
}


/*
 * Whether ai_free_shared() undoes a mapping exactly: a plain mmap() in the
 * subject, then the student's ai_free_shared() on it, watched like every
 * call. Test 4.5 charges for an ai_free_shared() that does not, and
 * nothing_leaks for what it leaves mapped. The tests of ai_parallel_sum and
 * ai_pingpong, which free their memory with it, check what those functions
 * release only when it is exact: otherwise every one of them would charge
 * again for the same mistake. Asked once per test, after its call.
 */
static int free_shared_is_exact(void)
{
	static int answer = -1;
	const size_t len = 2 * page() + 7;

	if (answer >= 0)
		return answer;
	grade_faults = (struct grade_faults){ 0 }; /* the probe's own calls are never faulted */
	unsigned before = grade_calls.munmap_count;
	unsigned char *memory = subject_map_shared(len);
	if (memory == MAP_FAILED)
		grade_setup_failed("cannot map %zu bytes", len);
	int unmapped_exactly = before >= GRADE_MAX_RECORDS; /* not kept: trust the result */

	if (ai_free_shared(memory, len) != 0)
		return answer = 0;
	for (unsigned i = before; i < grade_records_kept(grade_calls.munmap_count); i++)
		if (grade_calls.munmaps[i].addr == memory && grade_calls.munmaps[i].length == len)
			unmapped_exactly = 1;
	return answer = unmapped_exactly;
}

/* grade_leak_watch_finish() for a call that frees its memory with ai_free_shared(). */
static void finish_watch_of_user(struct grade_resources before, const char *call,
				 const char *leak_hint)
{
	if (free_shared_is_exact())
		grade_leak_watch_finish(before, call, leak_hint, HINT_MUNMAP);
	else
		grade_leak_watch_drop();
}

/* grade_expect_mappings_released() for a call that frees with ai_free_shared(). */
static void expect_released_by_user(const char *call)
{
	if (free_shared_is_exact())
		grade_expect_mappings_released(call, HINT_MUNMAP);
}

/* ---- Task 3: ai_free_shared ------------------------------------------------------- */

/* Whether any mapping of the subject holds addr, from its /proc/PID/smaps. */
static int is_mapped(const void *addr)
{
	return grade_smaps_kib(addr, "Rss:") >= 0;
}

static void free_shared_unmaps_exactly(void)
{
	const size_t len = 3 * page() + 5;
	char call[200];

	grade_calls_reset();
	struct grade_resources before = grade_resources_now();
	/*
	 * A plain mmap() in the subject, not the student's allocator: recorded
	 * like the student's, so that munmap() is checked against it.
	 */
	unsigned char *memory = subject_map_shared(len);
	if (memory == MAP_FAILED)
		grade_setup_failed("cannot map %zu bytes", len);

	grade_announce_call(call, sizeof(call), "where memory + 1 is not page-aligned", NULL,
			    "ai_free_shared(memory + 1, %zu)", len);
	int result = ai_free_shared(memory + 1, len);
	int error = errno;
	grade_expect_error(result, error, EINVAL, call, HINT_FREE);
	grade_check(is_mapped(memory), HINT_FREE,
		    "expected: %s to fail and leave the memory mapped\nobserved: it is gone", call);

	grade_announce_call(call, sizeof(call), NULL, NULL, "ai_free_shared(memory, %zu)", len);
	result = ai_free_shared(memory, len);
	error = errno;
	grade_expect_result(result, error, 0, call, HINT_FREE);
	grade_expect_mappings_released(call, HINT_MUNMAP);
	grade_expect_no_leak(before, call, HINT_FREE);
	grade_check(!is_mapped(memory) && !is_mapped(memory + len - 1), HINT_FREE,
		    "expected: %s to unmap every page of the memory\nobserved: part of it is "
		    "still mapped",
		    call);
	grade_calls_reset();
}

/* ---- Task 4: ai_parallel_sum -------------------------------------------------- */

/* Random numbers of at most 40 bits and either sign: no sum of them overflows. */
static int64_t *random_numbers(size_t n, uint64_t seed)
{
	int64_t *data = grade_random_bytes(n * sizeof(*data) + 1, seed);

	for (size_t i = 0; i < n; i++)
		data[i] /= INT64_C(1) << 23;
	return data;
}

static int64_t total_of(const int64_t *data, size_t n)
{
	int64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += data[i];
	return total;
}

struct sum_outcome {
	long long result;
	int error;
	int64_t sum;
	char call[200];
};

/*
 * Call ai_parallel_sum; with_sum 0 passes NULL for sum. The subject's copy of
 * data holds `held` numbers and ends at a guard page (calls/lab04.h); held is
 * n, except to make a worker crash on purpose.
 */
static struct sum_outcome run_sum_holding(const int64_t *data, const char *data_name,
					  size_t held, size_t n, int workers, int with_sum,
					  const char *situation, const char *crash_note)
{
	struct sum_outcome out = { .sum = SUM_UNTOUCHED };
	int64_t *sum = with_sum ? &out.sum : NULL;

	grade_announce_call(out.call, sizeof(out.call), situation, crash_note,
			    "ai_parallel_sum(%s, %zu, %d, %s)", data_name, n, workers,
			    with_sum ? "&sum" : "NULL");
	out.result = held == n ? ai_parallel_sum(data, n, workers, sum)
			       : ai_parallel_sum_holding(data, held, n, workers, sum);
	out.error = errno;
	return out;
}

static struct sum_outcome run_sum(const int64_t *data, const char *data_name, size_t n,
				  int workers, int with_sum, const char *situation,
				  const char *crash_note)
{
	return run_sum_holding(data, data_name, n, n, workers, with_sum, situation, crash_note);
}

/* Every mmap() the call made must have been shared: the slots cross fork(). */
static void expect_shared_slots(const char *call)
{
	for (unsigned i = 0; i < grade_records_kept(grade_calls.mmap_count); i++) {
		const struct grade_mmap_record *record = &grade_calls.mmaps[i];

		grade_check(record->result == MAP_FAILED || grade_is_shared(record->flags),
			    HINT_SHARED,
			    "expected: %s to keep the slots in MAP_SHARED memory, so that the "
			    "children's stores reach the parent\nobserved: %s",
			    call, grade_describe_mmap(record));
	}
}

static void expect_fork_count(const char *call, unsigned expected, const char *hint)
{
	const struct grade_process_calls *calls = grade_process_calls();

	grade_check(calls->fork_calls == expected, hint,
		    "expected: %s to call fork() exactly %u time%s\nobserved: fork() was called "
		    "%u time%s",
		    call, expected, expected == 1 ? "" : "s", calls->fork_calls,
		    calls->fork_calls == 1 ? "" : "s");
}

/* Sum data with workers children; the total, the forks and the slots must be right. */
static void expect_sum(const int64_t *data, const char *data_name, size_t n, int workers)
{
	int64_t expected = total_of(data, n);

	grade_calls_reset();
	struct sum_outcome out = run_sum(data, data_name, n, workers, 1, NULL, NULL);
	grade_expect_result(out.result, out.error, 0, out.call, HINT_SUM);
	expect_shared_slots(out.call);
	grade_check(out.sum == expected, HINT_SUM,
		    "expected: %s to store the total %" PRId64 " in sum\nobserved: it stored "
		    "%" PRId64 "%s (its mmap() calls: %s)",
		    out.call, expected, out.sum,
		    out.sum == SUM_UNTOUCHED ? " (left unchanged)"
		    : out.sum == 0	     ? ": did the children's stores reach the parent?"
					     : "",
		    grade_describe_mmaps());
	expect_fork_count(out.call, (unsigned)workers, HINT_SUM_FORKS);
	grade_calls_reset();
}

/*
 * Tests 4.8, 4.16 and 4.17 study one property each (children reaped, the
 * caller's children spared, waits resumed after a signal) and also check the
 * total. When the total is wrong, they make the same call again with nothing
 * else going on: if that is wrong too, the mistake is the sum itself, which
 * tests 4.6 and 4.7 charge for, and this test does not charge again.
 */
static int plain_sum_is_right(const int64_t *data, size_t n, int workers)
{
	grade_calls_reset();
	struct sum_outcome plain = run_sum(data, "data", n, workers, 1,
					   "again, with nothing else going on, for comparison",
					   NULL);
	grade_calls_reset();
	return plain.result == 0 && plain.sum == total_of(data, n);
}

/* The total check of such a test: see plain_sum_is_right(). */
static void expect_total_unless_plain_wrong(const int64_t *data, size_t n, int workers,
					    int64_t sum, const char *call, const char *hint)
{
	if (sum == total_of(data, n) || !plain_sum_is_right(data, n, workers))
		return;
	grade_fail(hint,
		   "expected: %s to store the total %" PRId64 "\nobserved: it stored %" PRId64
		   " (the same call with nothing else going on stores the right total)",
		   call, total_of(data, n), sum);
}

static void parallel_sum_adds_random_data(void)
{
	const size_t n = 100003; /* a prime: no worker count divides it */
	const int worker_counts[] = { 1, 2, 3, 7, 16, 64 };
	int64_t *data = random_numbers(n, 401);

	for (size_t i = 0; i < GRADE_COUNT(worker_counts); i++)
		expect_sum(data, "data", n, worker_counts[i]);
	free(data);
}

static void parallel_sum_small_and_empty(void)
{
	int64_t *data = random_numbers(1000, 411);
	const struct {
		size_t n;
		int workers;
	} cases[] = { { 0, 1 }, { 0, 64 }, { 1, 64 }, { 3, 8 }, { 63, 64 }, { 64, 64 },
		      { 65, 64 }, { 1000, 10 }, { 1000, 1 } };

	for (size_t i = 0; i < GRADE_COUNT(cases); i++)
		expect_sum(cases[i].n == 0 ? NULL : data, cases[i].n == 0 ? "NULL" : "data",
			   cases[i].n, cases[i].workers);
	free(data);
}

static void expect_no_exit_handlers_run(const char *call)
{
	const struct grade_process_calls *calls = grade_process_calls();

	grade_check(calls->children_ran_exit_handlers == 0, HINT_EXIT,
		    "expected: every child forked by %s to end with _exit()\nobserved: %u "
		    "child%s ended with exit() (or by returning from main), running the "
		    "parent's exit handlers",
		    call, calls->children_ran_exit_handlers,
		    calls->children_ran_exit_handlers == 1 ? "" : "ren");
}

static void parallel_sum_leaves_no_child(void)
{
	const int worker_counts[] = { 5, 64 };
	int64_t *data = random_numbers(5000, 421);

	grade_adopt_orphans();
	for (size_t i = 0; i < GRADE_COUNT(worker_counts); i++) {
		grade_calls_reset();
		struct sum_outcome out = run_sum(data, "data", 5000, worker_counts[i], 1,
						 NULL, NULL);

		grade_expect_result(out.result, out.error, 0, out.call, HINT_SUM);
		grade_expect_no_children(out.call, HINT_REAP);
		expect_no_exit_handlers_run(out.call);
		expect_total_unless_plain_wrong(data, 5000, worker_counts[i], out.sum, out.call,
						HINT_SUM);
	}
	grade_calls_reset();
	free(data);
}

/* The call must fail with EINVAL, fork nothing and leave sum untouched. */
static void expect_sum_refused(const int64_t *data, int workers, int with_sum,
			       const char *situation)
{
	struct grade_resources before = grade_leak_watch_start(NULL);
	struct sum_outcome out = run_sum(data, "data", 100, workers, with_sum, situation, NULL);

	grade_expect_error(out.result, out.error, EINVAL, out.call, HINT_SUM_ARGS);
	expect_fork_count(out.call, 0, HINT_SUM_ARGS);
	grade_check(out.sum == SUM_UNTOUCHED, HINT_SUM_ARGS,
		    "expected: %s to leave sum untouched when it fails\nobserved: sum was "
		    "changed to %" PRId64, out.call, out.sum);
	finish_watch_of_user(before, out.call, HINT_LEAK);
}

static void parallel_sum_rejects_bad_workers(void)
{
	int64_t *data = random_numbers(100, 431);

	expect_sum_refused(data, 0, 1, "with no workers");
	expect_sum_refused(data, AI_MAX_WORKERS + 1, 1, "with one worker more than AI_MAX_WORKERS");
	expect_sum_refused(data, -1, 1, "with a negative worker count");
	expect_sum_refused(data, INT_MIN, 1, "with INT_MIN workers");
	expect_sum_refused(data, INT_MAX, 1, "with INT_MAX workers");
	expect_sum_refused(data, 4, 0, "with nowhere to store the sum");
	free(data);
}

/*
 * data holds 1000 numbers and ends right where an inaccessible page begins;
 * the call is told n = 1004, so the last of 4 workers (elements 753 to 1003)
 * reads past the end and dies of SIGSEGV, while the other three finish.
 */
static void parallel_sum_reports_crashed_worker(void)
{
	const size_t real = 1000, told = 1004;
	int64_t *data = random_numbers(real, 441);

	grade_adopt_orphans();
	grade_calls_reset();
	struct sum_outcome out = run_sum_holding(data, "data", real, told, 4, 1,
						 "where data holds 1000 numbers followed by an "
						 "inaccessible page, so that the worker with the "
						 "last slice dies of SIGSEGV",
						 "the parent itself read the data: only the "
						 "children may");
	grade_expect_error(out.result, out.error, ECHILD, out.call, HINT_STATUS);
	grade_check(out.sum == SUM_UNTOUCHED, HINT_STATUS,
		    "expected: %s to leave sum untouched when it fails\nobserved: sum was "
		    "changed to %" PRId64, out.call, out.sum);
	expect_fork_count(out.call, 4, HINT_SUM_FORKS);
	grade_expect_no_children(out.call, HINT_REAP);
	expect_released_by_user(out.call);
	grade_calls_reset();
	free(data);
}

static void parallel_sum_survives_fork_failure(void)
{
	const unsigned fail_at[] = { 1, 3, 8 };
	int64_t *data = random_numbers(800, 451);

	grade_adopt_orphans();
	for (size_t i = 0; i < GRADE_COUNT(fail_at); i++) {
		const struct grade_faults faults = { .fork_fail_at = fail_at[i],
						     .fork_fail_errno = EAGAIN };
		struct grade_resources before = grade_leak_watch_start(&faults);
		struct sum_outcome out = run_sum(data, "data", 800, 8, 1,
						 grade_format("with fork() call %u made to fail "
							      "with EAGAIN", fail_at[i]),
						 NULL);

		grade_expect_error(out.result, out.error, EAGAIN, out.call, HINT_FORK_FAILED);
		grade_check(out.sum == SUM_UNTOUCHED, HINT_FORK_FAILED,
			    "expected: %s to leave sum untouched when it fails\nobserved: sum "
			    "was changed to %" PRId64, out.call, out.sum);
		grade_expect_no_children(out.call, HINT_FORK_FAILED);
		finish_watch_of_user(before, out.call, HINT_FORK_FAILED);
	}
	free(data);
}

/* ---- Task 5: ai_pingpong ------------------------------------------------------- */

struct pingpong_outcome {
	long long result;
	int error;
	char call[200];
};

/* A trace buffer of 2 * rounds + 1 bytes, all TRACE_FILL. */
static char *trace_buffer(long rounds)
{
	size_t size = 2 * (size_t)rounds + 1;
	char *trace = malloc(size);

	if (trace == NULL)
		grade_setup_failed("out of memory");
	memset(trace, TRACE_FILL, size);
	return trace;
}

static struct pingpong_outcome run_pingpong(long rounds, char *trace, const char *situation)
{
	struct pingpong_outcome out;

	GRADE_RUN(out, situation,
		  "a hang here usually means that a side waits for a turn nobody "
		  "hands over, and a crash that more than 2 * rounds + 1 bytes were "
		  "written into trace",
		  ai_pingpong(rounds, trace), "ai_pingpong(%ld, %s)", rounds,
		  trace != NULL ? "trace" : "NULL");
	return out;
}

/* Up to 16 letters of the trace around position at, for messages. */
static const char *trace_around(const char *trace, size_t letters, size_t at)
{
	size_t from = at > 8 ? at - 8 : 0;
	size_t to = at + 8 < letters ? at + 8 : letters;

	return grade_format("letters %zu to %zu read \"%.*s\"", from, to - 1, (int)(to - from),
			    trace + from);
}

/*
 * The trace must be PCPC... (2 * rounds letters) and a '\0'. Nothing may come
 * after: the subject's trace ends right at a guard page (calls/lab04.c), so a
 * byte written past the '\0' crashes the call, and the report says so.
 */
static void expect_trace(const char *trace, long rounds, const char *call)
{
	size_t letters = 2 * (size_t)rounds, i = 0;

	while (i < letters && trace[i] == (i % 2 == 0 ? 'P' : 'C'))
		i++;
	grade_check(i == letters, HINT_PINGPONG,
		    "expected: %s to write \"PCPC...PC\", %zu letters, parent first and strictly "
		    "alternating\nobserved: letter %zu is '%c' where '%c' belongs (%s)",
		    call, letters, i, trace[i], i % 2 == 0 ? 'P' : 'C',
		    trace_around(trace, letters, i));
	grade_check(trace[letters] == '\0', HINT_PINGPONG,
		    "expected: %s to end the %zu letters with a '\\0'\nobserved: byte %zu is "
		    "0x%02x",
		    call, letters, letters, (unsigned char)trace[letters]);
}

/* Whether the trace is PCPC... (2 * rounds letters) and a '\0'. */
static int trace_is_right(const char *trace, long rounds)
{
	size_t letters = 2 * (size_t)rounds;

	for (size_t i = 0; i < letters; i++)
		if (trace[i] != (i % 2 == 0 ? 'P' : 'C'))
			return 0;
	return trace[letters] == '\0';
}

/*
 * The trace check of a test that studies another property of ai_pingpong()
 * (4.13, 4.16, 4.17, 4.19): when the trace is wrong, the same game is played
 * again with nothing else going on; if that trace is wrong too, the mistake is
 * the turn-taking itself, which test 4.12 charges for, not this test.
 */
static void expect_trace_unless_plain_wrong(const char *trace, long rounds, const char *call)
{
	if (trace_is_right(trace, rounds))
		return;
	char *plain = trace_buffer(rounds);

	grade_calls_reset();
	struct pingpong_outcome out = run_pingpong(rounds, plain,
						   "again, with nothing else going on, for "
						   "comparison");
	int plain_right = out.result == 0 && trace_is_right(plain, rounds);

	grade_calls_reset();
	free(plain);
	if (plain_right)
		expect_trace(trace, rounds, call);
}

static void pingpong_alternates(void)
{
	const long rounds[] = { 1, 2, 7, 20000 };

	grade_adopt_orphans();
	for (size_t i = 0; i < GRADE_COUNT(rounds); i++) {
		char *trace = trace_buffer(rounds[i]);

		grade_calls_reset();
		struct pingpong_outcome out = run_pingpong(rounds[i], trace, NULL);
		grade_expect_result(out.result, out.error, 0, out.call, HINT_PINGPONG);
		expect_trace(trace, rounds[i], out.call);
		expect_fork_count(out.call, 1, HINT_PINGPONG);
		grade_expect_no_children(out.call, HINT_REAP);
		expect_no_exit_handlers_run(out.call);
		free(trace);
	}
	grade_calls_reset();
}

static void pingpong_never_sleeps(void)
{
	const long rounds = 300;
	char *trace = trace_buffer(rounds);

	grade_calls_reset();
	struct pingpong_outcome out = run_pingpong(rounds, trace, NULL);
	grade_expect_result(out.result, out.error, 0, out.call, HINT_PINGPONG);
	const struct grade_process_calls *calls = grade_process_calls();
	grade_check(calls->sleep_calls == 0, HINT_SLEEP,
		    "expected: %s to wait for turns without sleep(), usleep() or nanosleep(), in "
		    "parent and child\nobserved: the sleep family was called %u time%s (the "
		    "first as the %s system call)",
		    out.call, calls->sleep_calls, calls->sleep_calls == 1 ? "" : "s",
		    calls->first_sleep);
	expect_trace_unless_plain_wrong(trace, rounds, out.call);
	grade_calls_reset();
	free(trace);
}

static void expect_pingpong_refused(long rounds, int with_trace, const char *situation)
{
	char *trace = trace_buffer(3);
	struct grade_resources before = grade_leak_watch_start(NULL);
	struct pingpong_outcome out = run_pingpong(rounds, with_trace ? trace : NULL, situation);

	grade_expect_error(out.result, out.error, EINVAL, out.call, HINT_PINGPONG_ARGS);
	expect_fork_count(out.call, 0, HINT_PINGPONG_ARGS);
	grade_check(trace[0] == TRACE_FILL, HINT_PINGPONG_ARGS,
		    "expected: %s to leave trace untouched when it fails\nobserved: its first "
		    "byte was changed",
		    out.call);
	finish_watch_of_user(before, out.call, HINT_LEAK);
	free(trace);
}

static void pingpong_rejects_bad_arguments(void)
{
	expect_pingpong_refused(0, 1, "with no rounds");
	expect_pingpong_refused(-1, 1, "with a negative number of rounds");
	expect_pingpong_refused(LONG_MIN, 1, "with LONG_MIN rounds");
	expect_pingpong_refused(3, 0, "with no trace buffer");
}

/* ---- A caller with children, signal handlers and patience of its own ---------------- */

/* Children of the caller's own, forked by the kit before the call (calls/lab04.h). */
struct bystanders {
	int32_t pids[2]; /* [0] has ended (a zombie), [1] waits in pause() */
};

static struct bystanders fork_bystanders(void)
{
	struct bystanders by = { { 0, 0 } };

	grade_step("forking two children of the caller's own: one that has ended, one that "
		   "waits");
	if (subject_fork_bystanders(by.pids) != 0)
		grade_setup_failed("cannot fork the caller's own children (%s)",
				   grade_errno_text(errno));
	return by;
}

/* A process's state letter and parent, from /proc/PID/stat; 0 if it is gone. */
static int process_state(pid_t pid, char *state, pid_t *parent)
{
	char path[64], text[512];
	FILE *file;
	int parent_pid = 0, found = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	file = fopen(path, "re");
	if (file == NULL)
		return 0;
	if (fgets(text, sizeof(text), file) != NULL) {
		char *after_name = strrchr(text, ')');
		found = after_name != NULL && sscanf(after_name + 1, " %c %d", state,
						     &parent_pid) == 2;
	}
	fclose(file);
	*parent = parent_pid;
	return found;
}

/*
 * After `call`: both of the caller's children still the caller's (the ended
 * one still a zombie for it to reap, the other still running), and no other
 * child left. Then the caller reaps them itself, with their own statuses.
 */
static void expect_bystanders_spared(const struct bystanders *by, const char *call)
{
	static const char *const what[2] = { "had ended before the call",
					      "was waiting in pause()" };
	struct grade_child children[8];
	int32_t statuses[2] = { -1, -1 };
	pid_t subject = grade_subject_pid();

	for (int i = 0; i < 2; i++) {
		char state = '?';
		pid_t parent = 0;
		int alive = process_state((pid_t)by->pids[i], &state, &parent);

		grade_check(alive && parent == subject && (i == 1 || state == 'Z'),
			    HINT_OWN_CHILDREN,
			    "expected: the caller's own child %d, which %s, to be left to the "
			    "caller by %s\nobserved: %s",
			    (int)by->pids[i], what[i], call,
			    !alive || parent != subject
				    ? "it is no longer the caller's child: the call reaped it"
				    : grade_format("it is in state %c", state));
	}
	size_t count = grade_children(children, 8), others = 0;
	for (size_t i = 0; i < count && i < 8; i++)
		if (children[i].pid != (pid_t)by->pids[0] && children[i].pid != (pid_t)by->pids[1])
			others++;
	grade_check(others == 0, HINT_OWN_CHILDREN,
		    "expected: no child of %s left when it returned, the caller's own two "
		    "apart\nobserved: %zu of its children left (did it reap one of the "
		    "caller's in its place?)",
		    call, others);
	grade_step("the caller reaping its own two children after %s", call);
	int reaped = subject_reap_bystanders(by->pids, statuses);
	grade_check(reaped == 2 && WIFEXITED(statuses[0]) && WEXITSTATUS(statuses[0]) == 0,
		    HINT_OWN_CHILDREN,
		    "expected: the caller to reap its own two children after %s\nobserved: it "
		    "could reap %d of them",
		    call, reaped);
}

static const char *const bystander_note =
	"a hang here usually means that the call waits for any child (wait(), "
	"waitpid(-1, ...)) and so for one the caller forked itself, which never ends";

static void expect_sum_spares(const int64_t *data, const struct grade_faults *faults,
			      int expected_errno, const char *situation)
{
	struct bystanders by = fork_bystanders();
	struct grade_resources before = grade_leak_watch_start(faults);
	struct sum_outcome out = run_sum(data, "data", 1000, 8, 1, situation, bystander_note);

	if (expected_errno == 0)
		grade_expect_result(out.result, out.error, 0, out.call, HINT_OWN_CHILDREN);
	else
		grade_expect_error(out.result, out.error, expected_errno, out.call,
				   HINT_FORK_FAILED);
	expect_bystanders_spared(&by, out.call);
	finish_watch_of_user(before, out.call, HINT_LEAK);
	if (expected_errno == 0)
		expect_total_unless_plain_wrong(data, 1000, 8, out.sum, out.call,
						HINT_OWN_CHILDREN);
}

static void callers_children_left_alone(void)
{
	const struct grade_faults fork_fails = { .fork_fail_at = 3, .fork_fail_errno = EAGAIN };
	int64_t *data = random_numbers(1000, 471);
	const char *with = "where the caller has two children of its own, one ended and "
			   "not yet reaped, one running";

	grade_adopt_orphans();
	expect_sum_spares(data, NULL, 0, with);
	expect_sum_spares(data, &fork_fails, EAGAIN,
			  grade_format("%s and fork() call 3 made to fail with EAGAIN", with));

	const long rounds = 50;
	char *trace = trace_buffer(rounds);
	struct bystanders by = fork_bystanders();
	grade_calls_reset();
	struct pingpong_outcome out = run_pingpong(rounds, trace, with);
	grade_expect_result(out.result, out.error, 0, out.call, HINT_OWN_CHILDREN);
	expect_bystanders_spared(&by, out.call);
	expect_trace_unless_plain_wrong(trace, rounds, out.call);
	grade_calls_reset();
	free(trace);
	free(data);
}

/*
 * What a helper process of the judge saw and did while a call of the
 * student's code waited for its children (hold_and_report()).
 */
struct hold_report {
	int children_held;    /* how many children were seen stopped at once */
	int runnable_percent; /* the caller's, while they were stopped; -1: not measured */
	int signals_sent;     /* SIGALRM sent while the caller was asleep in a wait */
	int children_killed;  /* 1 if they were killed while the caller sat in waitpid() */
	char waiting_in[48];  /* the kernel function the caller slept in */
};

/* What the helper does once the call's children are stopped. */
struct hold_plan {
	long measure_ms;   /* how long to sample the caller's state; 0: not at all */
	int signals;       /* how many SIGALRM to send while it sleeps in a wait */
	int kill_children; /* SIGKILL them if the caller sleeps in waitpid() */
};

/* The kernel function pid sleeps in ("do_wait", "futex_do_wait"), from /proc/PID/wchan. */
static void wait_channel(pid_t pid, char *where, size_t size)
{
	char path[64];
	FILE *file;

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	where[0] = '\0';
	file = fopen(path, "re");
	if (file == NULL)
		return;
	if (fgets(where, (int)size, file) == NULL)
		where[0] = '\0';
	fclose(file);
	where[strcspn(where, "\n")] = '\0';
}

/* Whether the caller sleeps in waitpid() or on a futex (sem_wait() is one). */
static int asleep_in_a_wait(pid_t pid, char *where, size_t size)
{
	char state = '?';
	pid_t parent;

	wait_channel(pid, where, size);
	return process_state(pid, &state, &parent) && state == 'S' &&
	       (strncmp(where, "do_wait", 7) == 0 || strncmp(where, "futex", 5) == 0);
}

/*
 * How many children the caller has, and whether every one of them is stopped
 * now. They stop themselves at birth (calls/lab04.h); the judge never stops
 * one from outside, since a child stopped before it ran that handler would
 * stop itself a second time later, when nobody is there to continue it. A
 * child made without glibc's fork() never stops: the call is then not held,
 * and not judged.
 */
static size_t children_stopped(int *all_stopped)
{
	struct grade_child children[AI_MAX_WORKERS + 4];
	size_t count = grade_children(children, AI_MAX_WORKERS + 4);

	*all_stopped = count > 0;
	for (size_t i = 0; i < count && i < AI_MAX_WORKERS + 4; i++)
		if (children[i].state != 'T' && children[i].state != 't')
			*all_stopped = 0;
	return count;
}

/* Send every child of the subject a signal. */
static void signal_children(int signal_number)
{
	struct grade_child children[AI_MAX_WORKERS + 4];
	size_t count = grade_children(children, AI_MAX_WORKERS + 4);

	for (size_t i = 0; i < count && i < AI_MAX_WORKERS + 4; i++)
		kill(children[i].pid, signal_number);
}

/* Whether the judge has said the call returned, waiting up to ms for it to. */
static int call_has_returned(int call_over_fd, int ms)
{
	struct pollfd over = { .fd = call_over_fd, .events = POLLIN };

	return poll(&over, 1, ms) != 0;
}

/*
 * Continue every child of the call, again and again until the call has
 * returned: one it forks later (after reaping the first, say) stops at birth
 * too.
 */
static void release_children(int call_over_fd)
{
	for (int tries = 0; tries < 2000; tries++) {
		signal_children(SIGCONT);
		if (call_has_returned(call_over_fd, 5))
			return;
	}
}

/*
 * The helper's work. Wait (3 s at most, or until the call has returned) until
 * the caller has children and all of them are stopped; then, while they stay
 * stopped, sample the caller's state and send it SIGALRM, but only while it
 * sleeps in a wait, never in a system call the judge is answering (which a
 * signal would interrupt for good). The caller cannot leave such a wait by
 * itself: every child is stopped. Then kill the children if asked and the
 * caller sleeps in waitpid(), and continue them until the call returns. The
 * hold stays well under the judge's 1 s budget for a call that sleeps without
 * progress (progress.c).
 */
static struct hold_report hold_and_report(const struct hold_plan *plan, int call_over_fd)
{
	struct hold_report report = { .runnable_percent = -1 };
	pid_t subject = grade_subject_pid();
	int all_stopped = 0;
	size_t count = 0;

	for (int tries = 0; tries < 3000 && !all_stopped; tries++) {
		count = children_stopped(&all_stopped);
		if (!all_stopped && call_has_returned(call_over_fd, 1))
			return report;
	}
	if (!all_stopped) {
		release_children(call_over_fd);
		return report;
	}
	report.children_held = (int)count;
	grade_pause_ms(50); /* a short spin before sleeping is fine */
	if (plan->measure_ms > 0)
		report.runnable_percent = grade_runnable_percent(subject, plan->measure_ms);
	for (int tries = 0; tries < 20 && report.signals_sent < plan->signals; tries++) {
		children_stopped(&all_stopped);
		if (all_stopped &&
		    asleep_in_a_wait(subject, report.waiting_in, sizeof(report.waiting_in))) {
			kill(subject, SIGALRM);
			report.signals_sent++;
		}
		grade_pause_ms(10);
	}
	if (plan->kill_children &&
	    asleep_in_a_wait(subject, report.waiting_in, sizeof(report.waiting_in)) &&
	    strncmp(report.waiting_in, "do_wait", 7) == 0) {
		signal_children(SIGKILL);
		report.children_killed = 1;
	}
	release_children(call_over_fd);
	return report;
}

/* A helper process that holds the children of the next call: see hold_and_report(). */
struct holder {
	pid_t pid;
	int report_fd;
	int call_over_fd; /* the judge closes it when the call has returned */
};

static struct holder start_holder(const struct hold_plan *plan)
{
	int ends[2], over[2];
	struct holder holder;

	if (pipe(ends) != 0 || pipe(over) != 0)
		grade_setup_failed("cannot make a pipe");
	holder.pid = grade_fork();
	if (holder.pid < 0)
		grade_setup_failed("cannot fork a helper");
	if (holder.pid == 0) {
		close(ends[0]);
		close(over[1]);
		struct hold_report report = hold_and_report(plan, over[0]);
		_exit(write(ends[1], &report, sizeof(report)) == (ssize_t)sizeof(report) ? 0 : 1);
	}
	close(ends[1]);
	close(over[0]);
	holder.report_fd = ends[0];
	holder.call_over_fd = over[1];
	return holder;
}

static struct hold_report finish_holder(struct holder holder)
{
	struct hold_report report = { .runnable_percent = -1 };
	int status;

	close(holder.call_over_fd);
	if (!grade_wait_child(holder.pid, 5000, &status) ||
	    read(holder.report_fd, &report, sizeof(report)) != (ssize_t)sizeof(report))
		grade_setup_failed("the test's helper did not report");
	close(holder.report_fd);
	return report;
}

/* The call for messages, with the signals it caught while it waited, if any. */
static const char *with_signals_caught(const char *call, int64_t alarms,
				       const struct hold_report *report)
{
	if (alarms == 0)
		return call;
	return grade_format("%s (it caught %d SIGALRM while it slept in %s)", call, (int)alarms,
			    report->waiting_in);
}

/* One call of ai_pingpong_paused() with a helper holding the child. */
struct held_game {
	struct pingpong_outcome out;
	struct hold_report report;
	int64_t alarms;
};

static struct held_game play_held(long rounds, char *trace, const struct hold_plan *plan,
				  const char *situation, const char *crash_note)
{
	struct held_game game = { .alarms = 0 };

	grade_calls_reset();
	grade_announce_call(game.out.call, sizeof(game.out.call), situation, crash_note,
			    "ai_pingpong(%ld, trace)", rounds);
	struct holder holder = start_holder(plan);
	game.out.result = ai_pingpong_paused(rounds, trace, &game.alarms);
	game.out.error = errno;
	game.report = finish_holder(holder);
	return game;
}

static const char *const eintr_note =
	"a hang here usually means that a wait interrupted by a signal was not made again";

static void waits_resume_after_signals(void)
{
	const struct hold_plan plan = { .signals = 3 };
	const long rounds = 50;
	int64_t *data = random_numbers(4000, 481);
	int64_t sum = SUM_UNTOUCHED, alarms = 0;
	char call[200];

	grade_adopt_orphans();
	grade_calls_reset();
	grade_announce_call(call, sizeof(call),
			    "with a SIGALRM handler installed without SA_RESTART, SIGALRM "
			    "arriving while it waits for its stopped workers",
			    eintr_note, "ai_parallel_sum(data, 4000, 4, &sum)");
	struct holder holder = start_holder(&plan);
	int result = ai_parallel_sum_paused(data, 4000, 4, &sum, &alarms);
	int error = errno;
	struct hold_report report = finish_holder(holder);
	grade_expect_result(result, error, 0, with_signals_caught(call, alarms, &report),
			    HINT_EINTR);
	expect_total_unless_plain_wrong(data, 4000, 4, sum, call, HINT_EINTR);
	free(data);

	char *trace = trace_buffer(rounds);
	struct held_game game = play_held(rounds, trace, &plan,
					  "with a SIGALRM handler installed without SA_RESTART, "
					  "SIGALRM arriving while the parent waits for its turn",
					  eintr_note);
	grade_expect_result(game.out.result, game.out.error, 0,
			    with_signals_caught(game.out.call, game.alarms, &game.report),
			    HINT_EINTR);
	expect_trace_unless_plain_wrong(trace, rounds, game.out.call);
	grade_calls_reset();
	free(trace);
}

static void pingpong_waits_asleep(void)
{
	const struct hold_plan plan = { .measure_ms = 200 };
	const long rounds = 50;
	char *trace = trace_buffer(rounds);

	grade_adopt_orphans();
	struct held_game game = play_held(rounds, trace, &plan,
					  "with the child stopped (SIGSTOP) for a while", NULL);
	grade_expect_result(game.out.result, game.out.error, 0, game.out.call, HINT_PINGPONG);
	/* -1: the child could not be held, and there is nothing to judge. */
	grade_check(game.report.runnable_percent < 50, HINT_SPIN,
		    "expected: the parent in %s to sleep in the kernel while it waits for its "
		    "stopped child's turn\nobserved: it was running or ready to run in %d%% of "
		    "200 ms of samples: it spins",
		    game.out.call, game.report.runnable_percent);
	expect_trace_unless_plain_wrong(trace, rounds, game.out.call);
	grade_calls_reset();
	free(trace);
}

/*
 * One round: the parent needs nothing from the child to finish its move and
 * go on to waitpid(). The child, stopped at birth, is killed (SIGKILL) while
 * the parent sleeps in waitpid(): the call must fail with ECHILD. A parent
 * that waits for something else first (a last post of the child's) is not
 * judged: the child is let go and the game must end well.
 */
static void pingpong_reports_killed_child(void)
{
	const struct hold_plan plan = { .kill_children = 1 };
	char *trace = trace_buffer(1);

	grade_adopt_orphans();
	struct held_game game = play_held(1, trace, &plan,
					  "with the child killed by SIGKILL before its move, "
					  "while the parent waits for it in waitpid()",
					  NULL);
	if (game.report.children_killed) {
		grade_expect_error(game.out.result, game.out.error, ECHILD, game.out.call,
				   HINT_PINGPONG_STATUS);
		expect_released_by_user(game.out.call);
	} else {
		grade_expect_result(game.out.result, game.out.error, 0, game.out.call,
				    HINT_PINGPONG);
		expect_trace_unless_plain_wrong(trace, 1, game.out.call);
	}
	grade_calls_reset();
	free(trace);
}

/* ---- Nothing left behind ------------------------------------------------------------ */

enum lab_function { ALLOC_AND_FREE, DEVZERO_AND_FREE, PARALLEL_SUM, PINGPONG };

/*
 * Calls to check for leaks (grade_expect_no_leaks): which function, with
 * what (number: bytes to allocate, numbers to sum, or rounds; other_number:
 * workers), with which fault. expected_errno: that of a failure no other
 * test judges (0: not judged here).
 */
#define MMAP_FAILS { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM }

static const struct grade_leak_case leak_cases[] = {
	{ .function = ALLOC_AND_FREE, .number = 5000, .must_succeed = 1 },
	{ .function = ALLOC_AND_FREE, .number = 0, .situation = "with length 0" },
	{ .function = ALLOC_AND_FREE, .number = 5000,
	  .situation = "with its mmap() failing with ENOMEM", .faults = MMAP_FAILS },
	{ .function = DEVZERO_AND_FREE, .number = 5000, .must_succeed = 1 },
	{ .function = DEVZERO_AND_FREE, .number = 0, .situation = "with length 0" },
	{ .function = DEVZERO_AND_FREE, .number = 5000,
	  .situation = "with its mmap() failing with ENOMEM", .faults = MMAP_FAILS },
	{ .function = PARALLEL_SUM, .number = 1000, .other_number = 4, .must_succeed = 1 },
	{ .function = PARALLEL_SUM, .number = 1000, .other_number = 0,
	  .situation = "with no workers" },
	{ .function = PARALLEL_SUM, .number = 1000, .other_number = 4,
	  .situation = "with its mmap() failing with ENOMEM", .faults = MMAP_FAILS,
	  .expected_errno = ENOMEM },
	{ .function = PARALLEL_SUM, .number = 1000, .other_number = 4,
	  .situation = "with fork() call 2 failing with EAGAIN",
	  .faults = { .fork_fail_at = 2, .fork_fail_errno = EAGAIN } },
	{ .function = PINGPONG, .number = 100, .must_succeed = 1 },
	{ .function = PINGPONG, .number = 0, .situation = "with no rounds" },
	{ .function = PINGPONG, .number = 100, .situation = "with its mmap() failing with ENOMEM",
	  .faults = MMAP_FAILS, .expected_errno = ENOMEM },
	{ .function = PINGPONG, .number = 100, .situation = "with its fork() failing with EAGAIN",
	  .faults = { .fork_fail_at = 1, .fork_fail_errno = EAGAIN }, .expected_errno = EAGAIN },
};

/* Allocate, then free if that worked: the pair must leave nothing behind. */
static struct grade_outcome alloc_and_free(const struct grade_leak_case *test)
{
	enum allocator which = test->function == ALLOC_AND_FREE ? ANONYMOUS : DEVZERO;
	struct alloc_outcome alloc = run_alloc(which, (size_t)test->number, test->situation);
	struct grade_outcome out = { .error = alloc.error };

	snprintf(out.call, sizeof(out.call), "%s", alloc.call);
	out.result = alloc.memory == NULL || alloc.memory == MAP_FAILED ? -1 : 0;
	if (out.result == 0) {
		grade_announce_call(out.call, sizeof(out.call), NULL, NULL,
				    "%s(%lld) then ai_free_shared(p, %lld)", allocator_name(which),
				    test->number, test->number);
		out.result = ai_free_shared(alloc.memory, (size_t)test->number);
		out.error = errno;
	}
	return out;
}

/* context: the numbers to sum. */
static struct grade_outcome run_leak_case(const struct grade_leak_case *test, const void *context)
{
	struct grade_outcome out;

	if (test->function == ALLOC_AND_FREE || test->function == DEVZERO_AND_FREE)
		return alloc_and_free(test);
	if (test->function == PARALLEL_SUM) {
		struct sum_outcome sum = run_sum(context, "data", (size_t)test->number,
						 (int)test->other_number, 1, test->situation, NULL);

		snprintf(out.call, sizeof(out.call), "%s", sum.call);
		out.result = sum.result;
		out.error = sum.error;
		return out;
	}
	char *trace = trace_buffer(test->number > 0 ? test->number : 1);
	struct pingpong_outcome pingpong = run_pingpong(test->number, trace, test->situation);

	snprintf(out.call, sizeof(out.call), "%s", pingpong.call);
	out.result = pingpong.result;
	out.error = pingpong.error;
	free(trace);
	return out;
}

/* What it returned, its errno where no other test judges it, and no child left. */
static void judge_leak_case(const struct grade_leak_case *test, const struct grade_outcome *out,
			    const void *context)
{
	(void)context;
	if (test->must_succeed)
		grade_expect_result(out->result, out->error, 0, out->call, HINT_LEAK);
	if (test->expected_errno != 0)
		grade_expect_error(out->result, out->error, test->expected_errno, out->call,
				   HINT_ERRNO_KEPT);
	grade_expect_no_children(out->call, HINT_REAP);
}

static void nothing_leaks(void)
{
	int64_t *data = random_numbers(1000, 461);

	grade_adopt_orphans();
	grade_expect_no_leaks(&(struct grade_leak_table){ leak_cases, GRADE_COUNT(leak_cases),
							 run_leak_case, NULL, judge_leak_case, data,
							 HINT_LEAK, HINT_MUNMAP });
	free(data);
}

/* ---- The table -------------------------------------------------------------------- */

static const struct grade_test lab04_tests[] = {
	GRADE_TEST(alloc_shared_gives_zeroed_shared_memory, 5,
		   "ai_alloc_shared: one MAP_SHARED|MAP_ANONYMOUS, PROT_READ|PROT_WRITE mmap(), "
		   "zeroed, and a child forked later stores into the same pages"),
	GRADE_TEST(alloc_shared_refuses_properly, 5,
		   "ai_alloc_shared: NULL (never MAP_FAILED) with EINVAL for length 0, mmap()'s "
		   "errno when it fails, ENOMEM for a length no address space holds"),
	GRADE_TEST(devzero_gives_zeroed_shared_memory, 5,
		   "ai_alloc_shared_devzero: a MAP_SHARED mapping of /dev/zero, zeroed, shared "
		   "with a child forked later; descriptor closed"),
	GRADE_TEST(devzero_refuses_and_closes, 5,
		   "ai_alloc_shared_devzero: NULL with EINVAL, mmap()'s errno, ENOMEM, and "
		   "EMFILE when no descriptor is free; no descriptor left open"),
	GRADE_TEST(free_shared_unmaps_exactly, 5,
		   "ai_free_shared: unmaps exactly the memory; a misaligned address gives "
		   "EINVAL and leaves it mapped"),
	GRADE_TEST(parallel_sum_adds_random_data, 10,
		   "ai_parallel_sum: the right total of 100003 random numbers with 1, 2, 3, 7, "
		   "16 and 64 workers; exactly that many fork() calls; shared slots"),
	GRADE_TEST(parallel_sum_small_and_empty, 5,
		   "ai_parallel_sum: n = 0, n < workers, n = workers, n a multiple of workers; "
		   "still exactly `workers` forks"),
	GRADE_TEST(parallel_sum_leaves_no_child, 5,
		   "ai_parallel_sum: no zombie and no orphan left afterwards; every child ended "
		   "with _exit()"),
	GRADE_TEST(parallel_sum_rejects_bad_workers, 5,
		   "ai_parallel_sum: EINVAL for 0, 65, negative and huge worker counts and a "
		   "NULL sum, without any fork(); sum untouched"),
	GRADE_TEST(parallel_sum_reports_crashed_worker, 5,
		   "ai_parallel_sum: a worker killed by SIGSEGV makes it fail with ECHILD, "
		   "every child reaped, slots freed, sum untouched"),
	GRADE_TEST(parallel_sum_survives_fork_failure, 5,
		   "ai_parallel_sum: a fork() failing with EAGAIN (1st, 3rd, 8th) gives -1 with "
		   "EAGAIN, the children already forked reaped, the slots unmapped"),
	GRADE_TEST_TIMED(pingpong_alternates, 5, 15,
			 "ai_pingpong: exactly \"PCPC...\" and a '\\0' for 1, 2, 7 and 20000 "
			 "rounds; one fork(); the child reaped"),
	GRADE_TEST(pingpong_never_sleeps, 5,
		   "ai_pingpong: no sleep(), usleep(), nanosleep() in parent or child"),
	GRADE_TEST(pingpong_rejects_bad_arguments, 5,
		   "ai_pingpong: EINVAL for rounds 0, -1, LONG_MIN and a NULL trace, without "
		   "any fork(); trace untouched"),
	GRADE_TEST(nothing_leaks, 5,
		   "every function: no descriptor, mapping or child left behind, on success and "
		   "error paths (failing mmap() and fork() included, with their errno); exact "
		   "munmap()"),
	GRADE_TEST(callers_children_left_alone, 5,
		   "ai_parallel_sum (a fork() failing too) and ai_pingpong with a caller that has "
		   "children of its own: those neither reaped nor waited for"),
	GRADE_TEST(waits_resume_after_signals, 5,
		   "ai_parallel_sum and ai_pingpong: SIGALRM caught without SA_RESTART while they "
		   "wait does not end the call"),
	GRADE_TEST(pingpong_reports_killed_child, 5,
		   "ai_pingpong: a child killed by SIGKILL while the parent waits for it in "
		   "waitpid() makes it fail with ECHILD"),
	GRADE_TEST(pingpong_waits_asleep, 5,
		   "ai_pingpong: while the child is stopped, the parent waiting for its turn "
		   "sleeps in the kernel, it does not spin"),
};

GRADE_SUITE(4, "04-anon-fork-ipc", "anon_ipc.c",
	    "Parent and child talk through an anonymous shared mapping", lab04_tests);

/* The instructors' hidden tests, when this copy of the kit has them (grader.h). */
#if __has_include("hidden/lab04.c")
#include "hidden/lab04.c"
#endif
