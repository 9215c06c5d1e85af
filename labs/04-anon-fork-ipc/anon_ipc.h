/**
 * @file anon_ipc.h
 * @brief Lab 4 — parent and child talk through an anonymous shared mapping.
 *
 * A mapping made with MAP_SHARED|MAP_ANONYMOUS (or by mapping /dev/zero
 * MAP_SHARED) is memory that no file backs, filled with zeros, and kept across
 * fork(): parent and children then see the very same pages, so a store by one
 * is a load by the others. That makes it the fastest way for related processes
 * to exchange data. It does not survive exec(), and it gives no order: two
 * processes that take turns must wait for each other with a process-shared
 * semaphore or a futex placed in the mapping itself, never with sleep().
 *
 * Every function returns failure (-1, or NULL) with errno set, never prints
 * and never exits (children end with _exit()), leaves no descriptor or mapping
 * behind, and reaps every child it forked, on every path. It waits for those
 * children only, each by its pid: a child the caller forked before the call
 * is neither reaped nor waited for. A signal caught by a handler of the
 * caller's while a function waits (even one installed without SA_RESTART, so
 * that the wait fails with EINTR) does not end the call: the wait goes on.
 */
#ifndef ANON_IPC_H
#define ANON_IPC_H

#include <stddef.h>
#include <stdint.h>

/** The most workers ai_parallel_sum() accepts. */
#define AI_MAX_WORKERS 64

/**
 * @brief Zeroed memory that children forked later will share with the caller.
 *
 * Maps @p len bytes PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS.
 *
 * @param len  how many bytes; at least 1 (rounded up to whole pages by the kernel).
 * @return the address of the memory; NULL (not MAP_FAILED) on error with errno
 *         set: EINVAL if @p len is 0, or mmap()'s errno (ENOMEM, ...).
 */
void *ai_alloc_shared(size_t len);

/**
 * @brief The same as ai_alloc_shared(), the portable way: by mapping /dev/zero.
 *
 * Opens /dev/zero read-write, maps @p len bytes of it PROT_READ|PROT_WRITE,
 * MAP_SHARED, and closes the descriptor (the mapping does not need it).
 *
 * @param len  how many bytes; at least 1.
 * @return the address of the memory; NULL on error with errno set: EINVAL if
 *         @p len is 0, or the errno of the open() or mmap() that failed. The
 *         descriptor is closed on every path.
 */
void *ai_alloc_shared_devzero(size_t len);

/**
 * @brief Release memory from ai_alloc_shared() or ai_alloc_shared_devzero().
 * @param addr  the address it returned.
 * @param len   the length it was given.
 * @return 0 on success; -1 on error with munmap()'s errno (EINVAL).
 */
int ai_free_shared(void *addr, size_t len);

/**
 * @brief Sum an array with @p workers child processes.
 *
 * Makes a shared array of @p workers partial sums, forks exactly @p workers
 * children, and gives each a contiguous slice of @p data (the slices cover
 * the array once; when @p n < @p workers some slices are empty). Each child
 * stores the sum of its slice in its own slot and ends with _exit(0). The
 * parent reaps every child it forked (and no other), then adds up the slots.
 *
 * @param data     the numbers; may be NULL when @p n is 0.
 * @param n        how many numbers.
 * @param workers  how many children to fork, 1 to #AI_MAX_WORKERS.
 * @param sum      where to store the total; left untouched on error.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p workers is
 *         out of range or @p sum is NULL; ECHILD if any child did not exit
 *         with status 0 (it crashed, or was killed); or the errno of the
 *         mmap() or fork() that failed (the children already forked are
 *         still reaped).
 */
int ai_parallel_sum(const int64_t *data, size_t n, int workers, int64_t *sum);

/**
 * @brief Parent and child take strict turns, and write down who moved.
 *
 * Forks one child. The parent moves first; then they alternate, each move
 * appending one letter to a trace kept in shared memory: 'P' for the parent,
 * 'C' for the child. Each side moves @p rounds times, so the trace reads
 * "PCPC...PC". A side waits for its turn by sleeping in the kernel on a
 * process-shared semaphore or futex in the shared mapping (a short spin
 * first is fine, a wait spent spinning is not), never with sleep(), usleep()
 * or nanosleep(). The parent reaps its child, and no other child of the
 * caller's.
 *
 * @param rounds  how many moves each side makes; at least 1.
 * @param trace   where to copy the 2 * @p rounds letters and a terminating
 *                '\0'; room for 2 * @p rounds + 1 bytes.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p rounds < 1
 *         or @p trace is NULL; ECHILD if the child did not exit with status
 *         0; or the errno of the call that failed.
 */
int ai_pingpong(long rounds, char *trace);

#endif /* ANON_IPC_H */
