/*
 * calls/lab04.h — what lab 4's tests ask of the subject beyond anon_ipc.h.
 *
 * The proxies of anon_ipc.h's functions keep the header's own prototypes.
 * These are the judge's side of the few other entries of lab 4's call table
 * (calls/lab04.c): kit code, never the student's, that does inside the
 * subject what a test cannot do from outside it. Every address they take or
 * return is a SUBJECT address: the judge never dereferences it.
 */
#ifndef CALLS_LAB04_H
#define CALLS_LAB04_H

#include <stddef.h>
#include <stdint.h>

/*
 * ai_parallel_sum(data, n, workers, sum), except that the subject's copy of
 * data holds only the first `held` numbers and ends right where its guard
 * page begins, whatever n says: a worker told to read past them dies of
 * SIGSEGV, as would the parent if it read the data itself. ai_parallel_sum()
 * is this with held == n.
 */
int ai_parallel_sum_holding(const int64_t *data, size_t held, size_t n, int workers,
			    int64_t *sum);

/*
 * Map len bytes PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS in the subject,
 * with a plain mmap() of the kit's, not the student's allocator: memory for a
 * test of ai_free_shared(). The mmap() happens inside a watched call, so it is
 * recorded in grade_calls like the student's own, and a later munmap() is
 * checked against it. Returns the subject address, or MAP_FAILED with errno.
 */
void *subject_map_shared(size_t len);

/*
 * In the subject: fork a child that copies the len bytes `bytes` to `address`
 * (memory the student's code returned earlier) and ends with _exit(0); wait
 * for it. The judge then reads `address` in the subject itself: if it holds
 * the bytes, a child forked after the memory was made stored into the
 * parent's very pages. Returns the child's wait status, or -1 with the errno
 * of the fork() or waitpid() that failed.
 */
int subject_fork_writer(void *address, const void *bytes, size_t len);

/*
 * ai_parallel_sum(data, n, workers, sum) and ai_pingpong(rounds, trace), with
 * two things of the kit's set up in the subject around the call, and undone
 * after it. A SIGALRM handler installed without SA_RESTART, which counts the
 * signals it catches into *alarms. And a handler that glibc's fork() runs in
 * each new child (pthread_atfork): every child the call forks stops itself
 * (SIGSTOP) before it runs a line of the student's code, until the judge
 * continues it (SIGCONT) or kills it. A child made without fork() (a raw
 * clone) does not stop by itself; the judge stops it from outside.
 */
int ai_parallel_sum_paused(const int64_t *data, size_t n, int workers, int64_t *sum,
			 int64_t *alarms);
int ai_pingpong_paused(long rounds, char *trace, int64_t *alarms);

/*
 * In the subject: fork two children of the caller's own, before a call of
 * the student's code. pids[0] ends at once with _exit(0) and is waited for
 * with WNOWAIT, so that it is a zombie when this returns; pids[1] waits in
 * pause() until killed. Returns 0, or -1 with errno.
 */
int subject_fork_bystanders(int32_t pids[2]);

/*
 * In the subject: kill pids[1] (SIGKILL) and reap both with waitpid(pid, ...).
 * statuses[i] is the wait status, or -1 if waitpid() failed (ECHILD: the
 * child had been reaped already). Returns how many were reaped.
 */
int subject_reap_bystanders(const int32_t pids[2], int32_t statuses[2]);

#endif /* CALLS_LAB04_H */
