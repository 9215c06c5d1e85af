/*
 * calls/lab05.h — lab 5's operations beyond file_ipc.h, for the judge and the subject.
 *
 * The functions of file_ipc.h keep their own names (calls/lab05.c). The few
 * operations below are the kit's, not the student's: they run inside the
 * subject because what they do needs the subject's processes (a child of the
 * subject that uses the student's functions while the test goes on), and they
 * return raw observations only.
 */
#ifndef CALLS_LAB05_H
#define CALLS_LAB05_H

#include <stddef.h>
#include <sys/types.h>

#include "file_ipc.h"

/* What the channel end in a child of the subject does (subject_fork_channel_end). */
enum subject_channel_role {
	SUBJECT_CHANNEL_SENDS,
	SUBJECT_CHANNEL_RECEIVES,
};

/* The exit status of a child of the subject started by the operations below. */
enum subject_child_exit {
	SUBJECT_CHILD_DONE = 0,          /* everything worked */
	SUBJECT_CHILD_CALL_FAILED = 1,   /* the student's function returned -1 */
	SUBJECT_CHILD_CANNOT_OPEN = 2,   /* fi_chan_open failed */
	SUBJECT_CHILD_WRONG_MESSAGE = 3, /* a wrong message, or a send or receive that failed */
	SUBJECT_CHILD_WRONG_END = 4,     /* the end of the stream went wrong */
	SUBJECT_CHILD_CANNOT_START = 5,  /* the child could not arrange to die with the subject */
	SUBJECT_CHILD_NOT_WRITTEN = 100, /* the function returned -1 with ENOSYS */
};

#ifndef GRADE_SUBJECT_SIDE

/*
 * fi_publish(path, recs, n), with only the first `given` records of recs
 * copied into the subject (the rest of the buffer would be past its guard
 * page). For a count that the records in memory cannot back, such as 2^32,
 * which fi_publish must refuse before it reads a single record.
 */
int fi_publish_given(const char *path, const struct fi_student *recs, size_t given, size_t n);

/*
 * Fork a child of the subject that calls fi_publish(path, recs, n) and ends
 * with _exit(): SUBJECT_CHILD_DONE if it returned 0, SUBJECT_CHILD_NOT_WRITTEN
 * for -1 with ENOSYS, SUBJECT_CHILD_CALL_FAILED for any other -1. Returns the
 * child's pid at once (-1 with errno if fork() failed); wait for it with
 * subject_wait_child(). A writer that is another process and is gone before
 * anyone reads what it published.
 */
pid_t subject_fork_publisher(const char *path, const struct fi_student *recs, size_t n);

/*
 * Fork a child of the subject that is one end of the channel at path, run
 * with the student's functions while the test drives the other end: it
 * opens the channel with fi_chan_open, waits pause_ms (with poll(), not with
 * the sleep family, which the test counts), then sends (SUBJECT_CHANNEL_SENDS)
 * `count` messages of `length` bytes, message i filled with the byte i + 1,
 * and calls fi_chan_finish and fi_chan_close; or receives
 * (SUBJECT_CHANNEL_RECEIVES) `count` such messages into a buffer of `length`
 * bytes, then expects fi_chan_recv to return 0. It ends with _exit() and a
 * status of enum subject_child_exit. Returns the child's pid at once (-1 with
 * errno if fork() failed); wait for it with subject_wait_child().
 */
pid_t subject_fork_channel_end(const char *path, enum subject_channel_role role, int count,
			       size_t length, long pause_ms);

/*
 * grade_wait_child() for a child of the subject: wait up to `milliseconds`
 * for it to end and store its wait status. Returns 1 if it ended; 0 if it
 * was still running, in which case it has been killed (SIGKILL) and reaped;
 * -1 with errno if it cannot be waited for.
 */
int subject_wait_child(pid_t child, long milliseconds, int *status);

#endif /* GRADE_SUBJECT_SIDE */

#endif /* CALLS_LAB05_H */
