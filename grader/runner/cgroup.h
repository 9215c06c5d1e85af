/*
 * cgroup.h — limit the memory and the processes of a test as a whole.
 *
 * Per-process limits (sandbox.c) cannot stop a test whose processes each stay
 * small but together take the machine: many children, or files written to an
 * in-memory file system such as /dev/shm. So each test also gets a limit on
 * all its processes together: 1 GiB of memory (files they make in memory
 * included) and 256 processes. Where the runner is root and a cgroup
 * hierarchy can be used, a fresh control group per test enforces it (cgroup
 * v2, or the memory and pids hierarchies of v1); elsewhere a watchdog in the
 * supervisor samples the test's processes and files every 50 ms and stops the
 * whole test when they pass the limit. The mechanism is chosen once per run.
 */
#ifndef CGROUP_H
#define CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#define TEST_MEMORY_LIMIT_BYTES (1LL << 30)
#define TEST_PROCESS_LIMIT 256

/* How often the supervisor looks at a running test's limits, in milliseconds. */
#define TEST_LIMITS_CHECK_MILLISECONDS 50
/*
 * How often the watchdog looks once a test holds over half its memory: a
 * process can touch a few hundred MiB in 50 ms, so close to the limit the
 * watchdog looks ten times as often (no reference test comes near).
 */
#define TEST_LIMITS_CLOSE_CHECK_MILLISECONDS 5

/* Bits of sandbox_result.limits_crossed. */
#define TEST_LIMIT_MEMORY 1u
#define TEST_LIMIT_PROCESSES 2u

enum test_limits_mechanism {
	TEST_LIMITS_WATCHDOG, /* no usable cgroup: the supervisor measures and kills */
	TEST_LIMITS_CGROUP_V1,
	TEST_LIMITS_CGROUP_V2,
};

/*
 * The first numbers (at most count) of a file of this process's own group,
 * for a v1 controller ("cpu", "memory") or v2 (""): "cpu.max" holds two,
 * "memory.limit_in_bytes" one. Returns how many were read: 0 when there is
 * no such file, or it starts with a word ("max 100000": no limit).
 */
int cgroup_own_numbers(const char *controller, const char *file, long long *numbers, int count);

/*
 * Find out once, in the runner before any worker starts, which mechanism
 * this run uses (the workers inherit the answer). Later calls return it.
 */
enum test_limits_mechanism test_limits_probe(void);

/* "memory and processes of each test limited as a whole (cgroup v1)", ... */
const char *test_limits_description(void);

/*
 * In the supervisor, before the test's first process is forked: make its
 * group, or prepare the watchdog (also when the group cannot be made: the
 * test is still limited). directory is the test's own folder and uid the user
 * it runs as (owner of the files it makes in memory); by_uid is false when
 * the test runs as the runner's own user.
 */
void test_limits_create(const char *directory, bool by_uid, uid_t uid);

/* In the test's first process, while still privileged: join the group. 0 or -1. */
int test_limits_join(void);

/* Whether a cgroup counts the test's processes (then it, not RLIMIT_NPROC, should bind). */
bool test_limits_count_processes(void);

/*
 * In the supervisor, every test_limits_check_interval() while the test runs
 * (child is its first process): which limits it has crossed so far (bits
 * above). Over the memory limit the test must be stopped (the watchdog kills
 * every process of it itself); at the process limit fork() fails and the
 * test goes on.
 */
unsigned test_limits_check(pid_t child);

/* When to call test_limits_check() next, in milliseconds from now. */
int test_limits_check_interval(void);

/*
 * In the supervisor, once every process of the test is gone: the limits it
 * crossed, and the group removed.
 */
unsigned test_limits_finish(void);

/* What the test did, for the crossed bits: "used more than 1 GiB of memory in all (...)". */
const char *test_limits_text(unsigned crossed);

#endif /* CGROUP_H */
