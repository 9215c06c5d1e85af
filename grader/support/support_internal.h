/*
 * support_internal.h — what the judge's support files share among themselves.
 *
 * The judge is built without the student's file: every call of a student
 * function is a proxy that has the subject run it (subject.c), every watched
 * system call of the subject is seen and steered by a thread of the judge
 * (watch.c) and written into the ledger (ledger.c). The files call each
 * other in one direction only, from the top down (make check proves it):
 *
 *   judge_main.c
 *   sweep.c
 *   leaks.c
 *   children.c, procfs.c, files.c
 *   subject.c
 *   watch.c, progress.c
 *   mappings.c, processes.c, guarded.c
 *   feedback.c
 *   ledger.c, errno_names.c, confine.c
 *
 * The sections below follow that order from the bottom up.
 */
#ifndef SUPPORT_INTERNAL_H
#define SUPPORT_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "grader.h"

/* ---- The ledger (ledger.c) ---- */

/* The lock the watch's thread holds while it writes the ledger (progress.c reads under it). */
void ledger_lock(void);
void ledger_unlock(void);

/* A new subject: it has not forked, and its process calls are not counted yet. */
void ledger_new_subject(void);
/* Whether the subject has called fork() (or clone) since it started. */
int ledger_subject_forked(void);
/* A child of the subject ran its parent's exit handlers (it took the lock itself). */
void ledger_note_exit_handlers(void);

/* Mappings alive at once that the ledger follows until they are released. */
#define LEDGER_MAX_TRACKED_MAPPINGS 256

/*
 * The oldest mapping not yet released: 1 with *mmap set and *munmap_length
 * the wrong length munmap() was given (0 if it never was), 0 if every mapping
 * was released, -1 if more were alive than the ledger follows.
 */
int ledger_unreleased_mapping(const struct grade_mmap_record **mmap, size_t *munmap_length);

/* The rest is written by the watch with the lock held. */

/* Number the call, keep it, count it in grade_calls.mmap_count; returns its index. */
unsigned ledger_add_mmap(const struct grade_mmap_record *record);
const struct grade_mmap_record *ledger_mmap(unsigned index);
/* The mmap() at index was let through: its result is found later. */
void ledger_await_mmap_result(unsigned index);
/* That mmap(), or NULL when none waits for its result. */
const struct grade_mmap_record *ledger_pending_mmap(void);
void ledger_resolve_mmap(void *result);
void ledger_add_munmap(void *addr, size_t length, int result);
void ledger_add_msync(void *addr, size_t length, int flags, int result,
		      const uint64_t *content_hash);
/* A fork() of any process of the subject: its number since the last reset. */
unsigned ledger_add_fork(void);
void ledger_add_failed_fork(void);
/* A call of the sleep family ("nanosleep", "clock_nanosleep"). */
void ledger_add_sleep(const char *call_name);

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

/* ---- The verdict channel (feedback.c) ---- */

/* The private channel to the runner (-1 when the judge is run by hand). */
extern int grade_channel;

/* Send one record ("STEP", "FAIL") with its text over the channel, or to stderr. */
void grade_send_record(const char *kind, const char *text);

/* Send the verdict "PASS <token>" over the channel: 0, or -1 if it was not written whole. */
int grade_send_pass(const char *token);

/* Whether a FAIL record has been sent for the running test. */
extern int grade_failure_sent;

/* The function call announced last, without its situation. */
const char *grade_current_call(void);

/* In a child made by grade_fork(): grade_fail() ends it with _exit(1). */
extern int grade_in_helper_process;

/* ---- Processes (processes.c) ---- */

/* /proc/PID/NAME into text (at most size - 1 bytes, NUL-terminated); 0 if unreadable. */
int read_proc_file(pid_t pid, const char *name, char *text, size_t size);

/* State, parent and CPU time (clock ticks) of a process, from /proc/PID/stat; 0 if gone. */
int read_process_stat(pid_t pid, char *state, pid_t *parent, long *ticks);

/* Now, by the monotonic clock, in milliseconds. */
long long monotonic_ms(void);

/* A child of the judge's own (a helper or a program), not one to count as left behind. */
void note_helper_process(pid_t pid);
int is_helper_process(pid_t pid);

/*
 * The children of subject and the orphans the judge adopted (never the
 * subject itself nor the judge's helpers), as grade_children() lists them.
 */
size_t list_children(pid_t subject, struct grade_child *children, size_t max);

/*
 * What the subject and its children are doing now, for a call that does not
 * return: "the subject was asleep in futex_wait_queue (S), its child 1234
 * asleep in do_wait (S)". A static buffer.
 */
const char *describe_activity_of(pid_t subject);

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

/* ---- The subject (subject.c) ---- */

/* The subject's executable, and the descriptor of the test's captured output. */
void subject_configure(const char *program, int output_fd);
void subject_start(void);
void subject_stop(void);

#endif /* SUPPORT_INTERNAL_H */
