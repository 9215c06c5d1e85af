/*
 * calls/lab04.c — lab 4's functions (anon_ipc.h), as the judge calls them and the subject runs them.
 *
 * Compiled twice (calls.h): for the judge, each function of anon_ipc.h
 * becomes a proxy of the same name, and the kit's operations of lab04.h
 * become proxies too; for the subject, the table of functions the stub runs.
 * A pointer the student's allocators return is a subject address: the judge
 * passes it back as an address (ai_free_shared) and reads the memory with
 * grade_subject_read(), never through the pointer.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anon_ipc.h"
#include "calls.h"
#include "lab04.h"

enum lab04_function {
	AI_ALLOC_SHARED,
	AI_ALLOC_SHARED_DEVZERO,
	AI_FREE_SHARED,
	AI_PARALLEL_SUM,
	AI_PINGPONG,
	SUBJECT_MAP_SHARED,
	SUBJECT_FORK_WRITER,
	AI_PARALLEL_SUM_PAUSED,
	AI_PINGPONG_PAUSED,
	SUBJECT_FORK_BYSTANDERS,
	SUBJECT_REAP_BYSTANDERS,
};

#ifndef GRADE_SUBJECT_SIDE

void *ai_alloc_shared(size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, (int64_t)len);
	return (void *)(uintptr_t)grade_call_run(&call, AI_ALLOC_SHARED);
}

void *ai_alloc_shared_devzero(size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, (int64_t)len);
	return (void *)(uintptr_t)grade_call_run(&call, AI_ALLOC_SHARED_DEVZERO);
}

int ai_free_shared(void *addr, size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, addr);
	grade_call_scalar(&call, (int64_t)len);
	return (int)grade_call_run(&call, AI_FREE_SHARED);
}

int ai_parallel_sum_holding(const int64_t *data, size_t held, size_t n, int workers,
			    int64_t *sum)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_input(&call, data, held * sizeof(*data));
	grade_call_scalar(&call, (int64_t)n);
	grade_call_scalar(&call, workers);
	grade_call_output(&call, sum, sizeof(*sum));
	return (int)grade_call_run(&call, AI_PARALLEL_SUM);
}

int ai_parallel_sum(const int64_t *data, size_t n, int workers, int64_t *sum)
{
	return ai_parallel_sum_holding(data, n, n, workers, sum);
}

int ai_pingpong(long rounds, char *trace)
{
	struct grade_call call = GRADE_CALL_INIT;
	/*
	 * The subject's trace holds exactly the 2 * rounds + 1 bytes the header
	 * promises, and ends at a guard page: a byte written past them crashes
	 * the call. For rounds < 1, which must be refused, one byte, so that a
	 * test can still see it left untouched.
	 */
	size_t size = rounds >= 1 ? 2 * (size_t)rounds + 1 : 1;

	grade_call_scalar(&call, rounds);
	grade_call_output(&call, trace, size);
	return (int)grade_call_run(&call, AI_PINGPONG);
}

void *subject_map_shared(size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, (int64_t)len);
	return (void *)(uintptr_t)grade_call_run(&call, SUBJECT_MAP_SHARED);
}

int subject_fork_writer(void *address, const void *bytes, size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, address);
	grade_call_scalar(&call, (int64_t)len);
	grade_call_input(&call, bytes, len);
	return (int)grade_call_run(&call, SUBJECT_FORK_WRITER);
}

int ai_parallel_sum_paused(const int64_t *data, size_t n, int workers, int64_t *sum,
				int64_t *alarms)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_input(&call, data, n * sizeof(*data));
	grade_call_scalar(&call, (int64_t)n);
	grade_call_scalar(&call, workers);
	grade_call_output(&call, sum, sizeof(*sum));
	grade_call_output(&call, alarms, sizeof(*alarms));
	return (int)grade_call_run(&call, AI_PARALLEL_SUM_PAUSED);
}

int ai_pingpong_paused(long rounds, char *trace, int64_t *alarms)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, rounds);
	grade_call_output(&call, trace, 2 * (size_t)rounds + 1);
	grade_call_output(&call, alarms, sizeof(*alarms));
	return (int)grade_call_run(&call, AI_PINGPONG_PAUSED);
}

int subject_fork_bystanders(int32_t pids[2])
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_output(&call, pids, 2 * sizeof(*pids));
	return (int)grade_call_run(&call, SUBJECT_FORK_BYSTANDERS);
}

int subject_reap_bystanders(const int32_t pids[2], int32_t statuses[2])
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_input(&call, pids, 2 * sizeof(*pids));
	grade_call_output(&call, statuses, 2 * sizeof(*statuses));
	return (int)grade_call_run(&call, SUBJECT_REAP_BYSTANDERS);
}

#else

static int64_t run_alloc_shared(const struct subject_arguments *a)
{
	return (int64_t)(uintptr_t)ai_alloc_shared((size_t)a->scalars[0]);
}

static int64_t run_alloc_shared_devzero(const struct subject_arguments *a)
{
	return (int64_t)(uintptr_t)ai_alloc_shared_devzero((size_t)a->scalars[0]);
}

static int64_t run_free_shared(const struct subject_arguments *a)
{
	return ai_free_shared((void *)(uintptr_t)a->scalars[0], (size_t)a->scalars[1]);
}

static int64_t run_parallel_sum(const struct subject_arguments *a)
{
	return ai_parallel_sum(a->buffers[0], (size_t)a->scalars[0], (int)a->scalars[1],
			       a->buffers[1]);
}

static int64_t run_pingpong(const struct subject_arguments *a)
{
	return ai_pingpong((long)a->scalars[0], a->buffers[0]);
}

/* The kit's own mmap(), for a test of ai_free_shared(): see lab04.h. */
static int64_t run_map_shared(const struct subject_arguments *a)
{
	void *memory = mmap(NULL, (size_t)a->scalars[0], PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	/* MAP_FAILED is (void *)-1: the judge gets it back as such. */
	return (int64_t)(intptr_t)memory;
}

/* A child that stores the judge's bytes into the student's memory: see lab04.h. */
static int64_t run_fork_writer(const struct subject_arguments *a)
{
	void *address = (void *)(uintptr_t)a->scalars[0];
	size_t len = (size_t)a->scalars[1];
	int status;
	pid_t child = fork();

	if (child == -1)
		return -1;
	if (child == 0) {
		memcpy(address, a->buffers[0], len);
		_exit(0); /* never back into the stub, and no exit handlers */
	}
	while (waitpid(child, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return status;
}

/* ---- A caller with signal handlers and children of its own ---------------- */

static volatile sig_atomic_t alarms_caught;

static void count_alarm(int signal_number)
{
	(void)signal_number;
	alarms_caught++;
}

/* Install the SIGALRM handler, without SA_RESTART: a wait it interrupts fails with EINTR. */
static int catch_alarms(struct sigaction *saved)
{
	struct sigaction action = { .sa_handler = count_alarm, .sa_flags = 0 };

	sigemptyset(&action.sa_mask);
	alarms_caught = 0;
	return sigaction(SIGALRM, &action, saved);
}

/* Whether a child forked now stops itself at birth (ai_..._paused). */
static volatile sig_atomic_t stop_at_birth;

/*
 * Run by glibc's fork() in every new child, before fork() returns there: a
 * child of the student's code forked while stop_at_birth is set stops itself
 * (SIGSTOP) before running a line of the student's code, until the judge
 * continues it (SIGCONT) or kills it.
 */
static void child_stops_at_birth(void)
{
	if (stop_at_birth)
		raise(SIGSTOP);
}

/* Make every child forked from now on stop at birth; 0 or -1 with errno. */
static int hold_children_at_birth(void)
{
	static int registered;

	if (!registered) {
		int error = pthread_atfork(NULL, NULL, child_stops_at_birth);

		if (error != 0) {
			errno = error;
			return -1;
		}
		registered = 1;
	}
	stop_at_birth = 1;
	return 0;
}

/* Before a paused call: the caller's SIGALRM handler in place, children held at birth. */
static int begin_paused_call(struct sigaction *saved_alarm)
{
	if (catch_alarms(saved_alarm) == -1 || hold_children_at_birth() == -1)
		return -1;
	errno = 0;
	return 0;
}

/* After it: all as before, the alarms the handler caught in *caught, the call's errno kept. */
static int64_t end_paused_call(int64_t result, const struct sigaction *saved_alarm,
			       void *caught)
{
	int error = errno;

	stop_at_birth = 0;
	sigaction(SIGALRM, saved_alarm, NULL);
	*(int64_t *)caught = alarms_caught;
	errno = error;
	return result;
}

static int64_t run_parallel_sum_paused(const struct subject_arguments *a)
{
	struct sigaction saved_alarm;

	if (begin_paused_call(&saved_alarm) == -1)
		return -1;
	return end_paused_call(ai_parallel_sum(a->buffers[0], (size_t)a->scalars[0],
					       (int)a->scalars[1], a->buffers[1]),
			       &saved_alarm, a->buffers[2]);
}

static int64_t run_pingpong_paused(const struct subject_arguments *a)
{
	struct sigaction saved_alarm;

	if (begin_paused_call(&saved_alarm) == -1)
		return -1;
	return end_paused_call(ai_pingpong((long)a->scalars[0], a->buffers[0]), &saved_alarm,
			       a->buffers[1]);
}

/* Two children of the caller's own: one ended (a zombie), one waiting. See lab04.h. */
static int64_t run_fork_bystanders(const struct subject_arguments *a)
{
	int32_t *pids = a->buffers[0];
	siginfo_t info;

	for (int i = 0; i < 2; i++) {
		pid_t child = fork();

		if (child == -1)
			return -1;
		if (child == 0) {
			if (i == 1)
				pause();
			_exit(0);
		}
		pids[i] = (int32_t)child;
	}
	/* WNOWAIT: know that the first has ended, and leave it waitable (a zombie). */
	while (waitid(P_PID, (id_t)pids[0], &info, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int64_t run_reap_bystanders(const struct subject_arguments *a)
{
	const int32_t *pids = a->buffers[0];
	int32_t *statuses = a->buffers[1];
	int reaped = 0;

	kill((pid_t)pids[1], SIGKILL);
	for (int i = 0; i < 2; i++) {
		int status;
		pid_t done;

		while ((done = waitpid((pid_t)pids[i], &status, 0)) == -1 && errno == EINTR)
			;
		statuses[i] = done == -1 ? -1 : status;
		reaped += done != -1;
	}
	return reaped;
}

static const subject_function lab04_functions[] = {
	[AI_ALLOC_SHARED] = run_alloc_shared,
	[AI_ALLOC_SHARED_DEVZERO] = run_alloc_shared_devzero,
	[AI_FREE_SHARED] = run_free_shared,
	[AI_PARALLEL_SUM] = run_parallel_sum,
	[AI_PINGPONG] = run_pingpong,
	[SUBJECT_MAP_SHARED] = run_map_shared,
	[SUBJECT_FORK_WRITER] = run_fork_writer,
	[AI_PARALLEL_SUM_PAUSED] = run_parallel_sum_paused,
	[AI_PINGPONG_PAUSED] = run_pingpong_paused,
	[SUBJECT_FORK_BYSTANDERS] = run_fork_bystanders,
	[SUBJECT_REAP_BYSTANDERS] = run_reap_bystanders,
};
GRADE_SUBJECT_FUNCTIONS(lab04_functions);

#endif
