/*
 * support_internal.h — what the judge's support files share among themselves.
 *
 * The judge is built without the student's file: every call of a student
 * function is a proxy that has the subject run it (subject.c), every watched
 * system call of the subject is seen and steered by a thread of the judge
 * (watch.c) and written into the ledger (ledger.c).
 */
#ifndef SUPPORT_INTERNAL_H
#define SUPPORT_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "grader.h"

/* ---- The verdict channel (feedback.c) ---- */

/* The private channel to the runner (-1 when the judge is run by hand). */
extern int grade_channel;

/* Send one record ("STEP", "FAIL") with its text over the channel, or to stderr. */
void grade_send_record(const char *kind, const char *text);

/* Whether a FAIL record has been sent for the running test. */
extern int grade_failure_sent;

/* The function call announced last, without its situation. */
const char *grade_current_call(void);

/* ---- The subject (subject.c) ---- */

/* The subject's executable, and the descriptor of the test's captured output. */
void subject_configure(const char *program, int output_fd);
void subject_start(void);
void subject_stop(void);

/* ---- Confinement (confine.c) ---- */

/*
 * In a process about to run student code: keep write access only to the
 * current directory, the scratch folders that do not hold it (/tmp, /var/tmp,
 * /dev/shm), /dev/null and /dev/zero, for it and every process it starts
 * (Landlock). 0, or -1 where the kernel has no Landlock. System calls only:
 * safe between fork() and exec().
 */
int confine_writes(void);

/*
 * In the same place: make the file-size limit's soft value its hard one too,
 * so that the student's code can never raise it (the judge's hard limit is
 * higher, for grade_make_sparse_file). 0, or -1 with errno set.
 */
int confine_file_size(void);

/* ---- The watch (watch.c) ---- */

/*
 * In the subject's process, before it executes the stub: install the filter.
 * With `watched`, the watched calls go to a listener whose descriptor is
 * returned; without, only the refusals apply (0 is returned). -1 on failure.
 */
int watch_install_filter(pid_t judge, int watched);
/* Fail the test as the grader's error unless the kernel has seccomp user notification. */
void watch_require_notifications(void);
/* Answer the subject's watched calls; pidfd is the subject's, or -1 to open one. */
void watch_start(int listener, pid_t subject, int pidfd);
/* Once the stub runs: see whether the subject's descriptors can be taken for short transfers. */
void watch_subject_ready(void);
void watch_stop(void);
/* The recording window: one call of the student's code. */
void watch_call_starting(void);
void watch_call_finished(void);
void watch_reset_counts(void);
struct grade_process_calls watch_process_calls(void);
void watch_note_exit_handlers(void);
/* Whether the subject has called fork() (or clone) since it started. */
int watch_subject_forked(void);
/* The lock the watch holds while it writes the ledger. */
void watch_lock(void);
void watch_unlock(void);

/* ---- The ledger (ledger.c), written by the watch with its lock held ---- */

/* Number the call, keep it, count it in grade_calls.mmap_count; returns its index. */
unsigned ledger_add_mmap(const struct grade_mmap_record *record);
const struct grade_mmap_record *ledger_mmap(unsigned index);
void ledger_resolve_mmap(unsigned index, void *result);
void ledger_add_munmap(void *addr, size_t length, int result);
void ledger_add_msync(void *addr, size_t length, int flags, int result,
		      const uint64_t *content_hash);

/* ---- Processes (processes.c) ---- */

/* /proc/PID/NAME into text (at most size - 1 bytes, NUL-terminated); 0 if unreadable. */
int read_proc_file(pid_t pid, const char *name, char *text, size_t size);

/* State, parent and CPU time (clock ticks) of a process, from /proc/PID/stat; 0 if gone. */
int read_process_stat(pid_t pid, char *state, pid_t *parent, long *ticks);

/* Now, by the monotonic clock, in milliseconds. */
long long monotonic_ms(void);

/* A child of the judge's own (a helper or a program), not one to count as left behind. */
void note_helper_process(pid_t pid);

/*
 * What the subject and its children are doing now, for a call that does not
 * return: "the subject was asleep in futex_wait_queue (S), its child 1234
 * asleep in do_wait (S)". A static buffer.
 */
const char *describe_subject_activity(void);

/* In a child made by grade_fork(): grade_fail() ends it with _exit(1). */
extern int grade_in_helper_process;

#endif /* SUPPORT_INTERNAL_H */
