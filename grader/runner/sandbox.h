/*
 * sandbox.h — run one untrusted program (a compile or a test) and watch it.
 *
 * The program runs in a fresh empty directory, in its own process group,
 * under resource limits and a wall-clock limit, as an unprivileged user when
 * the grader is root. Its output is captured (capped), and for tests a socket
 * carries the runner's random token in and the verdict out. Afterwards every
 * process it left is killed and reaped and its directory is removed. The
 * caller must be a child subreaper (see scheduler.c), so that processes that
 * escape with setsid() and double forks end up as its children.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the test's channel is placed in the child, and what it carries. */
#include "judge_protocol.h"

/* Zero is "not run": a result nobody filled in never counts as a pass. */
enum verdict {
	VERDICT_NOT_RUN,    /* the lab was missing or did not compile */
	VERDICT_PASSED,
	VERDICT_FAILED,     /* the test reported a failure */
	VERDICT_CRASHED,    /* killed by a signal */
	VERDICT_TIMED_OUT,  /* still running at the wall-clock limit */
	VERDICT_NO_VERDICT, /* ended without a valid verdict (exit() mid-test, ...) */
	VERDICT_GRADER_ERROR, /* the grader could not run the test here: not the student's fault */
};

struct sandbox_spec {
	char *const *argv;      /* argv[0] is an absolute path */
	const char *directory;  /* created empty for the run, removed afterwards */
	int seconds;            /* wall-clock limit */
	bool drop_privileges;   /* run as uid/gid below (only possible as root) */
	uid_t uid;
	gid_t gid;
	bool test_protocol;     /* pass a channel on VERDICT_CHANNEL_FD with a token */
	bool compiler_limits;   /* limits for a compiler rather than for a test */
	const char *collect;    /* if set: copy this file of the directory out ... */
	const char *collect_to; /* ... to here (mode 0755), before the directory goes */
	const char *bubblewrap; /* if set: bwrap's path; run the program inside it (--sandbox) */
	int program_fd;         /* if > 0: a sealed copy of argv[0] to execute instead (no path) */
	const char *also_runs;  /* another program the test starts (the subject), or NULL */
	/* Tests: files in a private capped tmpfs (mounts.c); if false, a watchdog counts them. */
	bool private_files;
};

struct sandbox_result {
	enum verdict verdict;
	int exit_status;        /* when it exited */
	int signal;             /* when a signal killed it */
	double seconds;         /* wall-clock time */
	char *output;           /* stdout and stderr, interleaved, capped */
	size_t output_dropped;  /* bytes beyond the cap */
	char *failure;          /* the test's FAIL record, or the judge's TIMEOUT record */
	char *step;             /* the test's last STEP record */
	int reported_signal;    /* a CRASH record: the signal that killed the subject */
	bool judge_timed_out;   /* a TIMEOUT record: failure holds its text */
	bool grader_unable;     /* a GRADER record: failure holds what the machine lacks */
	unsigned leftovers;     /* processes still running after it ended, killed */
	unsigned limits_crossed; /* TEST_LIMIT_* of the test as a whole it crossed (cgroup.h) */
	int files_over_limit;   /* enum files_over (mounts.h): files limit passed or filled, or 0 */
};

/*
 * With bubblewrap the test also gets no network, a read-only root, private
 * /tmp, /var/tmp and /dev/shm, and its own PID namespace, which the kernel
 * empties when the test ends.
 */
#define SANDBOX_BUBBLEWRAP_ISOLATION \
	"bubblewrap: no network, read-only root, private /tmp and /dev/shm, own PID namespace"

/* Run spec; fills result. Returns 0, or -1 if the sandbox itself failed (errno set). */
int sandbox_run(const struct sandbox_spec *spec, struct sandbox_result *result);

void sandbox_result_free(struct sandbox_result *result);

/*
 * Which of bubblewrap's newer options the one at path has (from its --help,
 * run in directory, which is used and removed), for every test of this run:
 * without --size or --disable-userns the tests run without that part, and
 * missing[size] says so in a few words ("" if none is missing).
 */
void sandbox_bubblewrap_features(const char *path, const char *directory, char *missing,
				 size_t size);

/*
 * Whether bubblewrap at path can start a program here as the tests would run
 * (as uid/gid when drop_privileges). It often cannot inside a container. On
 * failure, why (one line) goes to reason. directory is used and removed.
 */
bool sandbox_bubblewrap_works(const char *path, const char *directory, bool drop_privileges,
			      uid_t uid, gid_t gid, char *reason, size_t reason_size);

/* "timed out", "crashed", ... */
const char *verdict_name(enum verdict verdict);

#endif /* SANDBOX_H */
