/*
 * anon_ipc.c — lab 4, parent and child talk through an anonymous shared
 * mapping: your file.
 *
 * Write the five functions declared in anon_ipc.h, in order: get zeroed
 * memory that children forked later share with their parent, with
 * MAP_SHARED|MAP_ANONYMOUS (Task 1) and the portable way, by mapping
 * /dev/zero (Task 2); free it (Task 3); sum an array with several child
 * processes that hand their partial sums back through shared slots (Task 4);
 * and let a parent and its child take strict turns, waiting for each other on
 * process-shared semaphores kept in the shared memory itself (Task 5). The
 * handout explains every numbered step below; replace each TODO with the code
 * it describes and delete the placeholder lines at the end of each function.
 * Return failure (-1, or NULL) with errno set, never print, never exit; end
 * every child with _exit(), and reap every child you fork, on every path.
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

void *ai_alloc_shared(size_t len)
{
	/* TODO 1.1: len 0: fail with EINVAL. */
	/* TODO 1.2: mmap() len bytes PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, fd -1. */
	/* TODO 1.3: MAP_FAILED: return NULL, keeping mmap()'s errno. */
	/* TODO 1.4: return the address: the kernel has already zeroed the pages. */
	(void)len;
	errno = ENOSYS;
	return NULL;
}

void *ai_alloc_shared_devzero(size_t len)
{
	/* TODO 2.1: len 0: fail with EINVAL. */
	/* TODO 2.2: open /dev/zero read-write. */
	/* TODO 2.3: mmap() len bytes of it PROT_READ|PROT_WRITE, MAP_SHARED. */
	/* TODO 2.4: close the descriptor whether mmap() worked or not, keeping errno. */
	/* TODO 2.5: MAP_FAILED: return NULL with mmap()'s errno; otherwise the address. */
	(void)len;
	errno = ENOSYS;
	return NULL;
}

int ai_free_shared(void *addr, size_t len)
{
	/* TODO 3.1: munmap() exactly addr and len. */
	/* TODO 3.2: return 0, or -1 leaving munmap()'s errno as it is. */
	(void)addr;
	(void)len;
	errno = ENOSYS;
	return -1;
}

int ai_parallel_sum(const int64_t *data, size_t n, int workers, int64_t *sum)
{
	/* TODO 4.1: workers outside 1..AI_MAX_WORKERS, or sum NULL: EINVAL, before anything. */
	/* TODO 4.2: get one int64_t slot per worker with ai_alloc_shared(). */
	/* TODO 4.3: fork the workers; child i sums its slice into slot i, then _exit(0). */
	/*
	 * TODO 4.4: reap every child with waitpid() on its pid, again after
	 * EINTR; one not exited with 0: ECHILD.
	 */
	/* TODO 4.5: add up the slots. */
	/* TODO 4.6: free the slots, store the total in *sum (only now) and return 0. */
	/* TODO 4.7: if fork() fails: reap the children already forked, free, keep errno. */
	(void)data;
	(void)n;
	(void)workers;
	(void)sum;
	errno = ENOSYS;
	return -1;
}

int ai_pingpong(long rounds, char *trace)
{
	/* TODO 5.1: rounds < 1 or trace NULL: EINVAL, before anything. */
	/* TODO 5.2: one ai_alloc_shared() mapping: two sem_t, a move count, 2 * rounds letters. */
	/* TODO 5.3: sem_init() both with pshared 1: the parent's turn at 1, the child's at 0. */
	/* TODO 5.4: fork; the child waits for its turn, appends 'C', posts the parent's, _exit. */
	/* TODO 5.5: the parent waits for its turn, appends 'P', posts the child's, rounds times. */
	/* TODO 5.6: reap the child (waitpid() on its pid) on every path; not exited with 0: ECHILD. */
	/* TODO 5.7: on success copy the 2 * rounds letters into trace and add a '\0'. */
	/* TODO 5.8: sem_destroy() both, free the mapping, return with the right errno. */
	(void)rounds;
	(void)trace;
	errno = ENOSYS;
	return -1;
}
