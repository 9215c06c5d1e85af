/*
 * grader.h — what a lab's test suite (the judge's side of a test) is written with.
 *
 * A suite is one C file under grader/suites/: a table of tests (name, points,
 * title, function) and the GRADE_SUITE line naming its lab. It is linked into
 * the lab's judge, which never contains the student's code. The support
 * library supplies main(): the runner starts the judge once per test; the
 * judge starts the subject (the student's file and a stub, see calls.h) and
 * runs exactly that one test under cmocka. A test calls the lab's functions
 * by their header's names; each call is carried out by the subject and
 * observed from outside it. Tests never print a verdict; they check
 * behaviour with the helpers below and fail with grade_fail(), which carries
 * "expected / observed / hint" back to the runner.
 *
 * Judge and subject run in an empty temporary directory (the current
 * directory), as an unprivileged user when the grader was started as root,
 * under resource limits and a wall-clock limit set by the runner.
 */
#ifndef GRADER_H
#define GRADER_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <cmocka.h>

/* ---- The test table --------------------------------------------------- */

/** One graded test: run in its own process by the runner. */
struct grade_test {
	const char *name;  /* stable identifier, the function's name */
	const char *title; /* one line for the report: what it proves */
	int points;
	int seconds;       /* wall-clock limit; 0 means the default (10 s), see below */
	void (*run)(void);
};

/** A lab's suite: which lab it grades and its tests. */
struct grade_suite {
	int number;               /* 1 to 6 */
	const char *folder;       /* "01-traditional-io" */
	const char *student_file; /* "tio.c": the only file taken from a submission */
	const char *title;        /* "Traditional I/O and the page cache" */
	const struct grade_test *tests;
	size_t test_count;
};

/* The most tests a lab may have, hidden ones included. */
#define GRADE_MAX_TESTS 64

/* The number of elements of an array (not of a pointer: the compiler cannot tell). */
#define GRADE_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/*
 * An ordinary test (GRADE_TEST) runs within the default wall-clock limit; a
 * test whose calls do long work declares its own with GRADE_TEST_TIMED, which
 * the runner enforces. In either, a call of the student's code that shows no
 * progress for a few seconds (progress.c), far longer than a correct solution
 * ever needs, is stuck: the judge ends the test at once as timed out.
 */
#define GRADE_TEST(function, points, title) { #function, title, points, 0, function }
#define GRADE_TEST_TIMED(function, points, seconds, title) \
	{ #function, title, points, seconds, function }

/* Each suite file ends with exactly one of these. */
#define GRADE_SUITE(number, folder, student_file, title, tests)                     \
	const struct grade_suite grade_suite = { number, folder, student_file, title,  \
						 tests, GRADE_COUNT(tests) }

extern const struct grade_suite grade_suite;

/*
 * Hidden tests: tests an instructor keeps out of the student release. They
 * live in grader/suites/hidden/labNN.c, which labNN.c includes at its end
 * when the file exists (so they may use the suite's static helpers), in a
 * table of their own listed with GRADE_HIDDEN_TESTS. They run exactly like
 * the suite's other tests; the list marks them hidden, the reports say so,
 * and their points come on top of the lab's visible ones.
 */
#define GRADE_HIDDEN_TESTS(table)                                               \
	const struct grade_test *const grade_hidden_tests = (table);           \
	const size_t grade_hidden_test_count = GRADE_COUNT(table)

/* ---- Feedback ----------------------------------------------------------- */

/*
 * Fail the running test. The message is printf-style and should read
 * "expected: ...\nobserved: ..."; the hint names the handout section
 * ("handout §4.1, Task 1"). Never returns.
 */
_Noreturn void grade_fail(const char *hint, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* Fail unless condition holds (arguments as grade_fail). */
#define grade_check(condition, hint, ...)                  \
	do {                                               \
		if (!(condition))                          \
			grade_fail((hint), __VA_ARGS__);   \
	} while (0)

/*
 * Say what the test is doing now ("calling tio_copy_mmap on an empty file").
 * If the test then crashes or runs out of time, the report shows this line.
 */
void grade_step(const char *format, ...) __attribute__((format(printf, 1, 2)));

/*
 * Describe a call of the code under test for messages, into call[size]: "f(x)",
 * or with a situation "f(x), with Y," (so that "... to return 0" reads on).
 * Then announce it as the test's step, so that a crash or a hang is reported
 * as "while: calling f(x) with Y (crash_note)". The note says what a crash at
 * this point usually means (NULL for none); while an mmap() failure is being
 * injected, it says so by itself. Leaves errno 0, ready for the call.
 */
void grade_announce_call(char *call, size_t size, const char *situation, const char *crash_note,
			 const char *format, ...) __attribute__((format(printf, 5, 6)));

/*
 * One call of the student's code into `out`, a struct with the fields call
 * (a char array), result and error (struct grade_outcome, or a suite's own):
 * announce it with the printf-style description, make the call `expression`,
 * keep what it returned and errno right after it. A suite's run_ functions
 * are made of this:
 *   GRADE_RUN(out, situation, NULL, tio_copy_mmap(src, dst),
 *             "tio_copy_mmap(\"%s\", \"%s\")", src, dst);
 */
#define GRADE_RUN(out, situation, crash_note, expression, ...)                               \
	do {                                                                                 \
		grade_announce_call((out).call, sizeof((out).call), (situation), (crash_note), \
				    __VA_ARGS__);                                            \
		(out).result = (expression);                                                 \
		(out).error = errno;                                                         \
	} while (0)

/* Fail with a grader-side problem (could not create a test file, ...). */
_Noreturn void grade_setup_failed(const char *format, ...) __attribute__((format(printf, 1, 2)));
/*
 * The test cannot run on this machine: a kernel feature it needs is missing or
 * refused (format says which). The runner reports it as the grader's error,
 * never as the student's failure.
 */
_Noreturn void grade_cannot_run_here(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* printf into one of a few rotating static buffers, for building messages. */
const char *grade_format(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* "ENOENT (No such file or directory)", or "0 (no error)". */
const char *grade_errno_text(int error);
/* "ENOENT" for ENOENT: the symbolic name of an errno value, or NULL if unknown. */
const char *grade_errno_name(int error);

/*
 * One call of the code under test, for a test to judge: what it returned,
 * errno right after it, and the call as text for messages (filled in by
 * grade_announce_call()).
 */
#define GRADE_CALL_MAX 256

struct grade_outcome {
	long long result;
	int error;
	char call[GRADE_CALL_MAX];
};

/*
 * Check the result of one call of the student's code. `call` describes the
 * call for the message ("tio_read_full(fd, buf, 100)"); `observed_errno` is
 * errno right after it. A -1 with ENOSYS is reported as "not written yet".
 */
/*
 * "it returned 3", "it returned -1 with errno ENOENT (...)"; for the skeleton's
 * -1 with ENOSYS, "... not written yet". grade_describe_null is the same for a
 * function that returns a pointer and failed with NULL.
 */
const char *grade_describe_result(long long observed, int observed_errno);
const char *grade_describe_null(int observed_errno);

void grade_expect_result(long long observed, int observed_errno, long long expected,
			 const char *call, const char *hint);
void grade_expect_error(long long observed, int observed_errno, int expected_errno,
			const char *call, const char *hint);

/* ---- Files -------------------------------------------------------------- */

/* Deterministic pseudo-random bytes (the same seed gives the same bytes). */
void grade_fill_random(void *buf, size_t len, uint64_t seed);

/* malloc'ed buffer of len random bytes; fails the test if out of memory. */
void *grade_random_bytes(size_t len, uint64_t seed);

/* Create (or replace) a file with exactly these bytes and this mode. */
void grade_make_file(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Create (or replace) a file of `size` bytes that holds no data at all (a
 * sparse file: every byte reads 0 and it takes no disk space). `size` may
 * exceed the test's own file-size limit, which the student's code cannot (a
 * file of 5 GiB, say).
 */
void grade_make_sparse_file(const char *path, off_t size, mode_t mode);

/*
 * Create (or replace) a file of len random bytes (those of grade_random_bytes)
 * and return them, malloc'ed, to compare with.
 */
unsigned char *grade_make_and_keep_random_file(const char *path, size_t len, uint64_t seed,
					       mode_t mode);

/* Remove a file if it exists, so that the call under test has to create it. */
void grade_remove_file(const char *path);

/* Make a directory (mode 0755) unless it exists: a path that is not a regular file. */
void grade_make_directory(const char *path);

/*
 * Create (or replace) a file of len pseudo-random bytes — the same bytes as
 * grade_random_bytes(len, seed) — without holding them all in memory, and
 * return their FNV-1a 64-bit hash (labkit.h). For files too big to keep.
 */
uint64_t grade_make_random_file(const char *path, size_t len, uint64_t seed, mode_t mode);

/*
 * The whole file, read through a fresh descriptor by a separate process, into a
 * malloc'ed buffer; NULL with errno set if it cannot be read.
 */
void *grade_load_file(const char *path, size_t *len);

/*
 * A small regular file that every user may read and that belongs to another
 * user than the test's (/etc/passwd, say): what a function that only reads
 * must handle (O_NOATIME, for one, refuses it). NULL if this machine has none.
 */
const char *grade_file_of_another_user(void);

/*
 * The FNV-1a hash of the file as a separate process sees it through a
 * read-only MAP_SHARED mapping of its own. 0, or -1 with errno set.
 */
int grade_hash_mapped_elsewhere(const char *path, uint64_t *hash);

/*
 * The reading end of a pipe that a separate process fills with these len
 * bytes, `piece` bytes per write() and pausing pause_ms between pieces, and
 * then closes. The pipe holds far less than a large len, so reads from it
 * return short counts; with a pause, a read returns at most one piece, so a
 * single read() cannot happen to get everything. Finish with
 * grade_close_pipe_from_writer(), which closes the reading end and reaps
 * the writer.
 */
int grade_pipe_from_writer(const void *data, size_t len, size_t piece, long pause_ms,
			   pid_t *writer);
void grade_close_pipe_from_writer(int read_fd, pid_t writer);

/*
 * Fail unless the file at path holds exactly these len bytes. `what` names it
 * for the message ("dst after tio_copy_rw"); a mismatch reports the sizes or
 * the first differing byte.
 */
void grade_expect_file(const char *path, const void *data, size_t len, const char *what,
		       const char *hint);

/* ---- The kernel's view of the subject, from /proc/PID ---------------------- */

/* Entries in the subject's /proc/PID/fd (its open descriptors). */
int grade_open_descriptors(void);

/* Bytes mapped in the subject (/proc/PID/maps), without the heap and the stack. */
size_t grade_mapped_bytes(void);

/*
 * read()/write() system calls the subject has made, from /proc/PID/io
 * (syscr, syscw). The kernel counts every call, including raw syscall() and
 * calls inside libc; the stub's own messages are not read()s or write()s.
 */
struct grade_io_counts {
	uint64_t read_calls;
	uint64_t write_calls;
};
struct grade_io_counts grade_io_counts(void);

/* Descriptors and mapped bytes, to compare before and after a call. */
struct grade_resources {
	int descriptors;
	size_t mapped_bytes;
};
struct grade_resources grade_resources_now(void);

/* Fail if the call left descriptors or mappings behind. */
void grade_expect_no_leak(struct grade_resources before, const char *call, const char *hint);

/*
 * A field of the subject's /proc/PID/smaps entry of the mapping that holds
 * address (a subject address), in kB ("Anonymous:" counts the pages of a
 * private file mapping copied on write); -1 if no mapping holds address.
 */
long grade_smaps_kib(const void *address, const char *field);

/* Set the soft and hard limit of a resource (RLIMIT_DATA, ...) for the subject (prlimit). */
void grade_set_limit(int resource, rlim_t value);

/* ---- The subject ----------------------------------------------------------- */

/* The subject process: the one that runs the student's code for this test. */
pid_t grade_subject_pid(void);

/*
 * Copy len bytes from or to the subject's memory at a subject address (a
 * mapping or buffer the student's code returned), with process_vm_readv or
 * process_vm_writev: a write goes through the subject's page tables as the
 * subject's own store would (copy-on-write included). 0, or -1 with errno
 * (EFAULT: not mapped, or not writable).
 */
int grade_subject_read(const volatile void *address, void *out, size_t len);
int grade_subject_write(volatile void *address, const void *data, size_t len);

/* ---- Watched calls -------------------------------------------------------- */

/*
 * The judge watches the subject's system calls from outside (seccomp user
 * notification): while the student's code runs, every read, write, mmap,
 * munmap and msync of the subject's main thread is recorded here as the
 * kernel received it, whether it came from the student's code, from libc
 * (stdio, malloc) or from raw syscall(), and may be made to fail or return
 * short (below); its open, stat-family and ftruncate calls are counted and
 * may be made to fail. The stub that runs the calls makes none of these itself
 * while the student's code runs.
 */
#define GRADE_MAX_RECORDS 64

/*
 * `order` numbers the mmap(), munmap() and msync() calls together, from 1 since
 * the last reset, so a test can tell which came first (msync before munmap).
 */
struct grade_mmap_record {
	unsigned order;
	void *addr_hint;
	size_t length;
	int prot;
	int flags;
	int fd;
	off_t offset;
	void *result; /* MAP_FAILED if it failed */
};

struct grade_munmap_record {
	unsigned order;
	void *addr;
	size_t length;
	int result;
};

struct grade_msync_record {
	unsigned order;
	void *addr;
	size_t length;
	int flags;
	int result;
	/*
	 * What this msync() could write to the disk: the FNV-1a 64 hash of the
	 * subject's bytes [addr, addr + length) at the moment it called msync()
	 * (content_known 0 when the range was unreadable or over
	 * GRADE_MSYNC_HASH_LIMIT). A change stored after the call is not in it.
	 */
	int content_known;
	uint64_t content_hash;
};

/* The largest msync() range whose content the watch hashes. */
#define GRADE_MSYNC_HASH_LIMIT ((size_t)64 << 20)

/*
 * Whether an msync() found `bytes` (len of them, then zeros to the end of its
 * range, as a mapping shows the tail of a file's last page) when it was
 * called: the stores it should flush came before it. 1 too when the watch
 * could not read its range (content_known 0): other checks judge that call.
 */
int grade_msync_saw(const struct grade_msync_record *record, const void *bytes, size_t len);

struct grade_calls {
	unsigned read_calls, write_calls;
	size_t largest_read_request;  /* the largest count passed to read() */
	size_t largest_write_request;
	unsigned mmap_count, munmap_count, msync_count; /* may exceed GRADE_MAX_RECORDS */
	unsigned open_calls;       /* open() and openat() */
	unsigned stat_calls;       /* fstat(), stat() and the like (newfstatat, statx) */
	unsigned ftruncate_calls;
	unsigned sigaction_calls;  /* sigaction() and signal() (rt_sigaction) */
	unsigned file_mmap_count;  /* the mmap() calls of a file among them */
	struct grade_mmap_record mmaps[GRADE_MAX_RECORDS];
	struct grade_munmap_record munmaps[GRADE_MAX_RECORDS];
	struct grade_msync_record msyncs[GRADE_MAX_RECORDS];
};

/*
 * Faults to inject into the watched calls. Call numbers count from 1 since
 * the last grade_calls_reset(); 0 disables a fault.
 */
struct grade_faults {
	size_t read_chunk;          /* read() transfers at most this many bytes */
	size_t write_chunk;         /* write() transfers at most this many bytes */
	unsigned read_eintr_every;  /* every n-th read() fails with EINTR, reading nothing */
	unsigned write_eintr_every; /* every n-th write() fails with EINTR, writing nothing */
	unsigned read_fail_at;      /* the n-th read() fails with read_fail_errno */
	int read_fail_errno;
	unsigned write_fail_at;     /* the n-th write() fails with write_fail_errno */
	int write_fail_errno;
	unsigned mmap_fail_at;      /* the n-th mmap() fails with mmap_fail_errno */
	int mmap_fail_errno;
	/* Count only mmap() calls of a file for mmap_fail_at: libc's own anonymous
	 * mappings (malloc's) and the student's then never take the failure. */
	int mmap_fail_only_files;
	unsigned fork_fail_at;      /* the n-th fork() fails with fork_fail_errno */
	int fork_fail_errno;
	unsigned open_fail_at;      /* the n-th open()/openat() fails with open_fail_errno */
	int open_fail_errno;
	unsigned stat_fail_at;      /* the n-th call of the stat family fails */
	int stat_fail_errno;
	unsigned ftruncate_fail_at; /* the n-th ftruncate() fails */
	int ftruncate_fail_errno;
	unsigned msync_fail_at;     /* the n-th msync() fails (after it is recorded) */
	int msync_fail_errno;
	unsigned sigaction_fail_at; /* the n-th sigaction() fails, changing nothing */
	int sigaction_fail_errno;
};

extern struct grade_calls grade_calls;
extern struct grade_faults grade_faults;

/* Forget every recorded call and clear every fault. */
void grade_calls_reset(void);

/*
 * One recorded call as C, for messages:
 * "mmap(NULL, 20, PROT_READ, MAP_SHARED, 3, 0) = 0x7f...". The text lives in
 * one of grade_format()'s rotating buffers.
 */
const char *grade_describe_mmap(const struct grade_mmap_record *record);

/* Every recorded mmap() call, described as above and joined with "; ". */
const char *grade_describe_mmaps(void);

/* How many of `count` calls have a record (GRADE_MAX_RECORDS at most). */
unsigned grade_records_kept(unsigned count);

/* Whether mmap() flags ask for a shared mapping (MAP_SHARED or MAP_SHARED_VALIDATE). */
int grade_is_shared(int flags);

/*
 * After a call that was meant to meet an injected mmap() failure and fail with
 * expected_errno: fail unless it made an mmap() call at all, since otherwise the
 * failure never happened and its result proves nothing. The skeleton's ENOSYS is
 * left to grade_expect_error, which says "not written yet".
 */
void grade_expect_mmap_attempted(long long result, int error, int expected_errno,
				 const char *call, const char *hint);

/*
 * Watch one call of the code under test for leaks. grade_leak_watch_start()
 * forgets the recorded calls, injects `faults` (NULL for none) and notes the
 * open descriptors and mappings. Make the call and judge its result (the
 * support library's own calls are never faulted), then
 * grade_leak_watch_finish() stops the faults and fails if the call left a
 * descriptor or mapping behind or did not munmap exactly what mmap gave it.
 * grade_leak_watch_drop() stops the faults and forgets the calls without
 * judging them, for a test that leaves leaks to another test's charge.
 */
struct grade_resources grade_leak_watch_start(const struct grade_faults *faults);
void grade_leak_watch_finish(struct grade_resources before, const char *call,
			     const char *leak_hint, const char *munmap_hint);
void grade_leak_watch_drop(void);

/*
 * A table of calls checked for leaks (leaks.c). Each case is one call of the
 * lab's code, made under the leak watch with the case's faults injected; the
 * suite's run() makes it from the case's fields, which mean what that
 * suite's functions need (a path, an offset or a size, a length or a count
 * of workers, a needle and its replacement).
 */
struct grade_leak_case {
	int function;          /* which of the lab's functions: the suite's own numbering */
	const char *path;      /* the file the call works on, or NULL */
	long long number;      /* a size, an offset or a count the call is given */
	long long other_number; /* a second one: a length, a number of workers */
	const char *text;      /* a string the call is given (a needle), or NULL */
	const char *other_text; /* a second one (the needle's replacement), or NULL */
	const char *situation; /* told after the call: "where the file does not exist", or "" */
	struct grade_faults faults; /* injected while the call runs */
	int must_succeed;      /* the call must succeed (by default: return 0) */
	int expected_errno;    /* the errno of a failure the suite's judge() checks, or 0 */
};

struct grade_leak_table {
	const struct grade_leak_case *cases;
	size_t count;
	/* Make the case's call; the watch is on and the faults are injected. */
	struct grade_outcome (*run)(const struct grade_leak_case *test, const void *context);
	/* Before each case, before the watch starts (NULL: nothing to prepare). */
	void (*prepare)(const struct grade_leak_case *test, const void *context);
	/*
	 * Judge what the call returned, before its leaks are (NULL: a case that
	 * must succeed must return 0, with leak_hint).
	 */
	void (*judge)(const struct grade_leak_case *test, const struct grade_outcome *out,
		      const void *context);
	const void *context;
	const char *leak_hint;   /* for a descriptor or mapping left behind */
	const char *munmap_hint; /* for a mapping not undone by munmap() exactly */
};

/* Every case of the table in turn, each under the leak watch: fails at the first wrong one. */
void grade_expect_no_leaks(const struct grade_leak_table *table);

/*
 * Every error path of one call of the student's code (sweep.c): the call is
 * made once with no fault and must succeed (not -1); then, from a fresh start
 * (prepare) each time, once more for each open, stat-family, ftruncate,
 * read, write, file mmap and msync call it made (the first, the second and
 * the last of each kind) with just that call failing, each kind with its own
 * errno (EACCES, EOVERFLOW, EFBIG, EIO, ENOSPC, ENOMEM, EBUSY). Each failing run must
 * leave no descriptor or mapping behind and return -1 with that errno;
 * after_failure (NULL: none) checks the rest of the contract.
 */
struct grade_sweep {
	void (*prepare)(const void *context);
	struct grade_outcome (*run)(const void *context, const char *situation);
	void (*after_failure)(const void *context, const char *call);
	const void *context;
	const char *error_hint; /* for a wrong result or errno */
	const char *leak_hint;  /* for a descriptor or mapping left behind */
	/*
	 * Kinds of failure whose result another test of the lab judges already
	 * (GRADE_SWEEP_* bits): the sweep then checks leaks alone, so that one
	 * mistake costs the points of one test.
	 */
	unsigned result_judged_elsewhere;
	/*
	 * Non-zero for a function that fails with NULL (run reports NULL as -1):
	 * the feedback then says NULL, not -1.
	 */
	int returns_pointer;
};
#define GRADE_SWEEP_OPEN 1u
#define GRADE_SWEEP_STAT 2u
#define GRADE_SWEEP_FTRUNCATE 4u
#define GRADE_SWEEP_READ 8u
#define GRADE_SWEEP_WRITE 16u
#define GRADE_SWEEP_MMAP 32u
#define GRADE_SWEEP_MSYNC 64u
void grade_sweep_failures(const struct grade_sweep *sweep);

/*
 * Fail unless every mmap() that succeeded since the last reset was undone by a
 * munmap() with exactly the address and length mmap() was given and returned.
 */
void grade_expect_mappings_released(const char *call, const char *hint);

/* ---- Processes ------------------------------------------------------------ */

/*
 * fork() (every clone that makes a process) and the sleep family (sleep,
 * usleep, nanosleep, clock_nanosleep, thrd_sleep: the nanosleep and
 * clock_nanosleep system calls) are watched in every process of the subject,
 * at every moment, so a call made in a child of the code under test counts as
 * well. grade_calls_reset() clears the counts.
 */
struct grade_process_calls {
	unsigned fork_calls;        /* fork() calls by the code under test, in any process */
	unsigned failed_forks;      /* those that returned -1 */
	unsigned sleep_calls;       /* calls of the sleep family, in any process */
	char first_sleep[24];       /* the system call of the first one ("clock_nanosleep") */
	/* Children forked by the code under test that ended with exit() (or by
	 * returning from main), running the parent's exit handlers and flushing
	 * its stdio buffers a second time, instead of with _exit(). */
	unsigned children_ran_exit_handlers;
};

/* The counts so far (never NULL). */
const struct grade_process_calls *grade_process_calls(void);

/*
 * fork() for the judge itself: a helper process running judge code only (it
 * must never call a student function). The child restores the default action
 * of SIGSEGV and friends and must end with _exit(). In such a child,
 * grade_fail() sends its message and ends the child with _exit(1): the test
 * fails.
 */
pid_t grade_fork(void);

/*
 * A child forked by the code under test that returns from the function under
 * test into the stub, instead of ending with _exit(), fails the test with an
 * explanation (its reply carries its own pid). And once the code under test
 * has forked, a test passes only if the subject has no child left at its end
 * (zombie or running), and no orphan was adopted by the judge.
 */

/*
 * The judge is a child subreaper from its start: a grandchild whose parent
 * has exited becomes a child of the judge, and grade_expect_no_children()
 * sees it. Kept for the tests that say so; it does nothing more.
 */
void grade_adopt_orphans(void);

/* The subject's children right now, zombies included, and orphans the judge adopted. */
struct grade_child {
	pid_t pid;
	char state; /* as in /proc/PID/stat: 'Z' for a zombie (exited, never reaped), 'R', 'S', ... */
};
size_t grade_children(struct grade_child *children, size_t max);

/*
 * Fail if the subject has any child left after `call`: a zombie (a
 * child nobody reaped) or a process still running (never waited for, or an
 * orphan adopted after grade_adopt_orphans()).
 */
void grade_expect_no_children(const char *call, const char *hint);

/* CPU time (user + system) used so far by a process, in milliseconds; -1 if unknown. */
long grade_process_cpu_ms(pid_t pid);

/*
 * Watch a process for this long and return the share (0 to 100) of the
 * samples, taken every 10 ms, in which it was running or waiting for a
 * processor (state R); -1 if /proc no longer has it (a child that ended but
 * was not reaped stays there, in state Z). A process asleep in the kernel is
 * almost never in state R; a spinning one always is, even on a loaded machine
 * where it gets little CPU time.
 */
int grade_runnable_percent(pid_t pid, long milliseconds);

/* Wait this long, with the real nanosleep(), not counted as a sleep call. */
void grade_pause_ms(long milliseconds);

/* "exited with status 0", "was killed by signal 11 (Segmentation fault)". */
const char *grade_describe_status(int status);

/*
 * A program of the kit's own (a demo of the lab, linked with the student's
 * file into the subject's executable) run as a separate process, started by
 * the judge: the subject's executable with --program NAME. `args` is
 * NULL-terminated and does not include the program's name. stdin_fd and
 * stdout_fd become its standard input and output (-1: /dev/null); its
 * standard error goes to the test's output.
 * Returns its pid; fails the test if it cannot be started.
 */
pid_t grade_start_program(const char *name, const char *const args[], int stdin_fd,
			  int stdout_fd);

/*
 * Wait up to `milliseconds` for a child to end and store its wait status.
 * Returns 1 if it ended; 0 if it was still running, in which case it has been
 * killed (SIGKILL) and reaped.
 */
int grade_wait_child(pid_t pid, long milliseconds, int *status);

/*
 * Progress of the test's processes, sampled from outside (progress.c): the
 * bytes they read and write, the mappings they make, the processor time they
 * use. The judge watches every call of the student's code this way; a test
 * that waits for programs of its own (grade_start_program) can too.
 */
struct grade_progress {
	unsigned long long bytes; /* read and written by the test's processes */
	unsigned long transfers;  /* read() and write() calls the watch saw */
	unsigned long mappings;   /* mmap(), munmap() and msync() calls it saw */
	long cpu_ms;              /* processor time of the worker, or of them all */
	long others_cpu_ms;       /* of the test's other processes (workers, helpers) */
	int busy;                 /* whether one waited for a processor or the disk */
};
struct grade_progress_clock {
	pid_t worker; /* whose processor time tells a spin; 0: all the test's processes */
	long long started_ms, last_progress_ms, last_sample_ms;
	int sampled;
	struct grade_progress seen; /* at the last progress */
};

/* How often grade_progress_stalled() samples, at most. */
#define GRADE_PROGRESS_SAMPLE_MS 100

/* Start watching: worker as in struct grade_progress_clock. */
void grade_progress_start(struct grade_progress_clock *clock, pid_t worker);

/*
 * NULL while the work goes on; once it has shown no progress while it slept
 * or kept reading and writing nothing for 1 s, or computed for 2 s, why it is
 * stuck ("1.0 s asleep without a byte read or written or anything mapped
 * (...)"). Cheap to call often: it samples at most every
 * GRADE_PROGRESS_SAMPLE_MS.
 */
const char *grade_progress_stalled(struct grade_progress_clock *clock);

/* Milliseconds since grade_progress_start(). */
long long grade_progress_elapsed_ms(const struct grade_progress_clock *clock);

/* ---- Memory --------------------------------------------------------------- */

/*
 * len bytes (zeroed) of the judge's memory that end exactly where an
 * inaccessible page begins. Free with grade_free_guarded(). Fails the test if
 * the memory cannot be had. (Buffers handed to the student's code are always
 * guarded this way in the subject, whatever the test passes.)
 */
void *grade_guarded_buffer(size_t len);
void grade_free_guarded(void *buffer, size_t len);

#endif /* GRADER_H */
