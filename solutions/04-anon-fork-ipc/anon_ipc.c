/*
 * anon_ipc.c — reference solution of lab 4, parent and child talk through an
 * anonymous shared mapping.
 *
 * Memory mapped MAP_SHARED|MAP_ANONYMOUS (or by mapping /dev/zero MAP_SHARED)
 * belongs to no file, starts as zeros, and stays the very same pages in every
 * process forked after it was made. These functions make and free such
 * memory, use it to let child processes hand partial sums back to their
 * parent, and use it to let a parent and its child take strict turns, waiting
 * for each other on process-shared semaphores kept in the mapping itself.
 * Every child ends with _exit(); the parent reaps every child it forked, on
 * every path, and reports failure with the errno of the call that failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "anon_ipc.h"

/* The letters the two sides of ai_pingpong() write. */
#define PARENT_LETTER 'P'
#define CHILD_LETTER 'C'

void *ai_alloc_shared(size_t len)
{
	void *memory;

	/* Step 1.1: there is no mapping of 0 bytes. */
	if (len == 0) {
		errno = EINVAL;
		return NULL;
	}

	/*
	 * Step 1.2: anonymous (no file, no descriptor: fd -1, offset 0) and
	 * shared, so that children forked later see the same pages.
	 */
	memory = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	/* Step 1.3: mmap() fails with MAP_FAILED; our caller expects NULL. */
	if (memory == MAP_FAILED)
		return NULL;

	/* Step 1.4: the kernel hands out zeroed pages: nothing to clear. */
	return memory;
}

void *ai_alloc_shared_devzero(size_t len)
{
	void *memory;
	int fd, saved_errno;

	/* Step 2.1: there is no mapping of 0 bytes. */
	if (len == 0) {
		errno = EINVAL;
		return NULL;
	}

	/* Step 2.2: /dev/zero, read-write: a shared writable mapping needs both. */
	fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	if (fd == -1)
		return NULL;

	/*
	 * Step 2.3: a shared mapping of /dev/zero is the kernel's shared
	 * anonymous memory under another name.
	 */
	memory = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	/* Step 2.4: the mapping does not need the descriptor: close it on both paths. */
	saved_errno = errno;
	close(fd);
	errno = saved_errno;

	/* Step 2.5: MAP_FAILED becomes NULL, with mmap()'s errno. */
	if (memory == MAP_FAILED)
		return NULL;
	return memory;
}

int ai_free_shared(void *addr, size_t len)
{
	/* Step 3.1: exactly the address returned and the length asked for. */
	int result = munmap(addr, len);

	/* Step 3.2: on failure, -1 with munmap()'s errno (EINVAL for a bad address). */
	return result == -1 ? -1 : 0;
}

/* Wait for a child; its wait status in *status. 0, or -1 with waitpid()'s errno. */
static int reap(pid_t child, int *status)
{
	while (waitpid(child, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Whether a wait status says the child ended with _exit(0). */
static int exited_cleanly(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Reap the first `count` children; 0 if every one exited with status 0, else -1. */
static int reap_all(const pid_t *children, int count)
{
	int status, result = 0;

	for (int i = 0; i < count; i++)
		if (reap(children[i], &status) == -1 || !exited_cleanly(status))
			result = -1;
	return result;
}

/*
 * Worker `index` of `workers` gets elements [*first, *first + *count): the
 * first n % workers workers one element more than the rest, so that the
 * slices cover the array exactly once, in order, with no overflow for any n.
 */
static void slice_of(size_t n, int workers, int index, size_t *first, size_t *count)
{
	size_t each = n / (size_t)workers, extra = n % (size_t)workers, i = (size_t)index;

	*first = i * each + (i < extra ? i : extra);
	*count = each + (i < extra ? 1 : 0);
}

/* What one child does: sum its slice into its slot, and leave without returning. */
static _Noreturn void sum_slice(const int64_t *data, size_t first, size_t count,
				int64_t *slot)
{
	int64_t partial = 0;

	for (size_t i = first; i < first + count; i++)
		partial += data[i];
	*slot = partial;
	_exit(0); /* not exit(): the parent's atexit handlers and stdio buffers are not ours */
}

int ai_parallel_sum(const int64_t *data, size_t n, int workers, int64_t *sum)
{
	pid_t children[AI_MAX_WORKERS];
	int64_t *slots, total = 0;
	int forked, saved_errno;

	/* Step 4.1: check the arguments before anything is mapped or forked. */
	if (workers < 1 || workers > AI_MAX_WORKERS || sum == NULL) {
		errno = EINVAL;
		return -1;
	}

	/* Step 4.2: one slot per worker, in memory the children will share (Task 1). */
	slots = ai_alloc_shared((size_t)workers * sizeof(*slots));
	if (slots == NULL)
		return -1;

	/* Step 4.3: fork the workers; each sums its own slice into its own slot. */
	for (forked = 0; forked < workers; forked++) {
		size_t first, count;

		slice_of(n, workers, forked, &first, &count);
		children[forked] = fork();
		if (children[forked] == -1)
			goto fail_reap;
		if (children[forked] == 0)
			sum_slice(data, first, count, &slots[forked]);
	}

	/* Step 4.4: reap every child; any that did not exit with status 0 spoils the sum. */
	if (reap_all(children, workers) == -1) {
		errno = ECHILD;
		goto fail_free;
	}

	/* Step 4.5: every child has exited: its slot holds its partial sum. */
	for (int i = 0; i < workers; i++)
		total += slots[i];

	/* Step 4.6: free the slots, and only then touch the caller's variable. */
	if (ai_free_shared(slots, (size_t)workers * sizeof(*slots)) == -1)
		return -1;
	*sum = total;
	return 0;

fail_reap:
	/* Step 4.7: fork() failed: reap those already forked, keep fork()'s errno. */
	saved_errno = errno;
	reap_all(children, forked);
	errno = saved_errno;
fail_free:
	saved_errno = errno;
	ai_free_shared(slots, (size_t)workers * sizeof(*slots));
	errno = saved_errno;
	return -1;
}

/*
 * What parent and child share in ai_pingpong(): a semaphore for each side's
 * turn, how many moves have been made, and the trace of those moves.
 */
struct pingpong {
	sem_t parent_turn;
	sem_t child_turn;
	size_t moves;
	char trace[];
};

/* One move: append a letter at the end of the trace. */
static void move(struct pingpong *game, char letter)
{
	game->trace[game->moves] = letter;
	game->moves++;
}

/* Wait on a semaphore, again after a signal; 0 or -1 with errno. */
static int wait_turn(sem_t *turn)
{
	while (sem_wait(turn) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Whether the child has ended (it is left waitable, not reaped). */
static int child_has_ended(pid_t child)
{
	siginfo_t info = { 0 };

	return waitid(P_PID, (id_t)child, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       info.si_pid == child;
}

/*
 * The parent's wait for its turn. A child that has crashed never posts, so
 * wait in slices of 100 ms and give up (ECHILD) once the child is gone.
 */
static int wait_turn_or_orphaned(sem_t *turn, pid_t child)
{
	for (;;) {
		struct timespec deadline;

		if (clock_gettime(CLOCK_REALTIME, &deadline) == -1)
			return -1;
		deadline.tv_nsec += 100 * 1000 * 1000;
		if (deadline.tv_nsec >= 1000 * 1000 * 1000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000 * 1000 * 1000;
		}
		if (sem_timedwait(turn, &deadline) == 0)
			return 0;
		if (errno != EINTR && errno != ETIMEDOUT)
			return -1;
		if (child_has_ended(child)) {
			errno = ECHILD;
			return -1;
		}
	}
}

/* The child's part: `rounds` moves, each on its turn; then _exit, never return. */
static _Noreturn void child_plays(struct pingpong *game, long rounds)
{
	for (long i = 0; i < rounds; i++) {
		if (wait_turn(&game->child_turn) == -1)
			_exit(1);
		move(game, CHILD_LETTER);
		if (sem_post(&game->parent_turn) == -1)
			_exit(1);
	}
	_exit(0);
}

/* The parent's part: `rounds` moves, each on its turn. 0, or -1 with errno. */
static int parent_plays(struct pingpong *game, long rounds, pid_t child)
{
	for (long i = 0; i < rounds; i++) {
		if (wait_turn_or_orphaned(&game->parent_turn, child) == -1)
			return -1;
		move(game, PARENT_LETTER);
		if (sem_post(&game->child_turn) == -1)
			return -1;
	}
	return 0;
}

int ai_pingpong(long rounds, char *trace)
{
	struct pingpong *game;
	size_t letters, size;
	int status, result, saved_errno;
	pid_t child;

	/* Step 5.1: at least one round, and somewhere to put the trace. */
	if (rounds < 1 || trace == NULL) {
		errno = EINVAL;
		return -1;
	}
	letters = 2 * (size_t)rounds;

	/* Step 5.2: one shared mapping for the semaphores, the count and the trace. */
	size = sizeof(*game) + letters;
	game = ai_alloc_shared(size);
	if (game == NULL)
		return -1;

	/*
	 * Step 5.3: two semaphores shared between processes (pshared 1), inside
	 * the shared mapping: the parent's starts at 1 (it moves first), the
	 * child's at 0.
	 */
	if (sem_init(&game->parent_turn, 1, 1) == -1)
		goto fail_free;
	if (sem_init(&game->child_turn, 1, 0) == -1)
		goto fail_destroy_parent_turn;

	/* Step 5.4: fork the child, which plays its rounds and leaves with _exit(). */
	child = fork();
	if (child == -1)
		goto fail_destroy_both;
	if (child == 0)
		child_plays(game, rounds);

	/* Step 5.5: the parent's rounds: wait for the turn, move, hand the turn over. */
	result = parent_plays(game, rounds, child);
	saved_errno = errno;
	if (result == -1)
		kill(child, SIGKILL); /* it may be waiting for a turn that never comes */

	/* Step 5.6: reap the child, on every path; it must have exited with status 0. */
	if (reap(child, &status) == -1) {
		if (result == 0)
			saved_errno = errno;
		result = -1;
	} else if (!exited_cleanly(status) && result == 0) {
		saved_errno = ECHILD;
		result = -1;
	}

	/* Step 5.7: copy the moves out and end the text, only on success. */
	if (result == 0) {
		memcpy(trace, game->trace, letters);
		trace[letters] = '\0';
	}

	/* Step 5.8: destroy the semaphores and free the mapping. */
	sem_destroy(&game->child_turn);
	sem_destroy(&game->parent_turn);
	if (ai_free_shared(game, size) == -1 && result == 0) {
		saved_errno = errno;
		result = -1;
	}
	errno = saved_errno;
	return result;

fail_destroy_both:
	saved_errno = errno;
	sem_destroy(&game->child_turn);
	errno = saved_errno;
fail_destroy_parent_turn:
	saved_errno = errno;
	sem_destroy(&game->parent_turn);
	errno = saved_errno;
fail_free:
	saved_errno = errno;
	ai_free_shared(game, size);
	errno = saved_errno;
	return -1;
}
