/*
 * calls/lab05.c — lab 5's functions (file_ipc.h), as the judge calls them and the
 * subject runs them.
 *
 * Compiled twice (calls.h): for the judge, each function of file_ipc.h
 * becomes a proxy of the same name, and the operations of calls/lab05.h
 * proxies of theirs; for the subject, the table of functions the stub runs,
 * and the lab's programs (stu-write, stu-read, chan-send, chan-recv).
 *
 * A channel handle (fi_chan *) lives in the subject: the judge holds it only
 * as a number, passes it back with grade_call_address, and never looks
 * behind it. Records and messages travel as buffers sized by their count.
 */
#include <stdint.h>
#include <sys/types.h>

#include "calls.h"
#include "lab05.h"
#include "file_ipc.h"

enum lab05_function {
	FI_PUBLISH,
	FI_LOAD,
	FI_CHAN_CREATE,
	FI_CHAN_OPEN,
	FI_CHAN_SEND,
	FI_CHAN_RECV,
	FI_CHAN_FINISH,
	FI_CHAN_CLOSE,
	/* The kit's own operations (calls/lab05.h). */
	SUBJECT_FORK_PUBLISHER,
	SUBJECT_FORK_CHANNEL_END,
	SUBJECT_WAIT_CHILD,
};

#ifndef GRADE_SUBJECT_SIDE

#include "grader.h"

/* The bytes of `count` records, refused if no call could pass them. */
static size_t records_bytes(size_t count)
{
	if (count > SUBJECT_MAX_BUFFER_BYTES / sizeof(struct fi_student))
		grade_setup_failed("%zu records are more than one call can hand the subject",
				   count);
	return count * sizeof(struct fi_student);
}

int fi_publish_given(const char *path, const struct fi_student *recs, size_t given, size_t n)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_input(&call, recs, recs != NULL ? records_bytes(given) : 0);
	grade_call_scalar(&call, (int64_t)n);
	return (int)grade_call_run(&call, FI_PUBLISH);
}

int fi_publish(const char *path, const struct fi_student *recs, size_t n)
{
	return fi_publish_given(path, recs, n, n);
}

ssize_t fi_load(const char *path, struct fi_student *out, size_t max)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_output(&call, out, out != NULL ? records_bytes(max) : 0);
	grade_call_scalar(&call, (int64_t)max);
	return (ssize_t)grade_call_run(&call, FI_LOAD);
}

fi_chan *fi_chan_create(const char *path, size_t capacity)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_scalar(&call, (int64_t)capacity);
	return (fi_chan *)(uintptr_t)grade_call_run(&call, FI_CHAN_CREATE);
}

fi_chan *fi_chan_open(const char *path)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	return (fi_chan *)(uintptr_t)grade_call_run(&call, FI_CHAN_OPEN);
}

int fi_chan_send(fi_chan *ch, const void *msg, size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, ch);
	grade_call_input(&call, msg, len);
	grade_call_scalar(&call, (int64_t)len);
	return (int)grade_call_run(&call, FI_CHAN_SEND);
}

ssize_t fi_chan_recv(fi_chan *ch, void *buf, size_t cap)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, ch);
	grade_call_output(&call, buf, cap);
	grade_call_scalar(&call, (int64_t)cap);
	return (ssize_t)grade_call_run(&call, FI_CHAN_RECV);
}

int fi_chan_finish(fi_chan *ch)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, ch);
	return (int)grade_call_run(&call, FI_CHAN_FINISH);
}

int fi_chan_close(fi_chan *ch)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, ch);
	return (int)grade_call_run(&call, FI_CHAN_CLOSE);
}

pid_t subject_fork_publisher(const char *path, const struct fi_student *recs, size_t n)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_input(&call, recs, recs != NULL ? records_bytes(n) : 0);
	grade_call_scalar(&call, (int64_t)n);
	return (pid_t)grade_call_run(&call, SUBJECT_FORK_PUBLISHER);
}

pid_t subject_fork_channel_end(const char *path, enum subject_channel_role role, int count,
			       size_t length, long pause_ms)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_scalar(&call, role);
	grade_call_scalar(&call, count);
	grade_call_scalar(&call, (int64_t)length);
	grade_call_scalar(&call, pause_ms);
	return (pid_t)grade_call_run(&call, SUBJECT_FORK_CHANNEL_END);
}

int subject_wait_child(pid_t child, long milliseconds, int *status)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, child);
	grade_call_scalar(&call, milliseconds);
	grade_call_output(&call, status, sizeof(*status));
	return (int)grade_call_run(&call, SUBJECT_WAIT_CHILD);
}

#else

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- The student's functions ----------------------------------------------------- */

static int64_t run_publish(const struct subject_arguments *a)
{
	return fi_publish(a->buffers[0], a->buffers[1], (size_t)a->scalars[0]);
}

static int64_t run_load(const struct subject_arguments *a)
{
	return fi_load(a->buffers[0], a->buffers[1], (size_t)a->scalars[0]);
}

static int64_t run_chan_create(const struct subject_arguments *a)
{
	return (int64_t)(uintptr_t)fi_chan_create(a->buffers[0], (size_t)a->scalars[0]);
}

static int64_t run_chan_open(const struct subject_arguments *a)
{
	return (int64_t)(uintptr_t)fi_chan_open(a->buffers[0]);
}

static fi_chan *handle(const struct subject_arguments *a)
{
	return (fi_chan *)(uintptr_t)a->scalars[0];
}

static int64_t run_chan_send(const struct subject_arguments *a)
{
	return fi_chan_send(handle(a), a->buffers[0], (size_t)a->scalars[1]);
}

static int64_t run_chan_recv(const struct subject_arguments *a)
{
	return fi_chan_recv(handle(a), a->buffers[0], (size_t)a->scalars[1]);
}

static int64_t run_chan_finish(const struct subject_arguments *a)
{
	return fi_chan_finish(handle(a));
}

static int64_t run_chan_close(const struct subject_arguments *a)
{
	return fi_chan_close(handle(a));
}

/* ---- The kit's operations: children of the subject --------------------------------- */

/*
 * fork(); in the child, which must end with _exit(), arrange to be killed when
 * the subject ends, so that a test that fails while it waits leaves nothing
 * behind.
 */
static pid_t fork_child(void)
{
	pid_t parent = getpid();
	pid_t child = fork();

	if (child == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
		_exit(SUBJECT_CHILD_CANNOT_START);
	return child;
}

/*
 * Wait this long without the sleep family: the watch counts nanosleep and
 * clock_nanosleep in every process of the subject, and a test that forbids
 * them to the student's code must not see the kit's own pauses.
 */
static void pause_without_sleep_calls(long milliseconds)
{
	struct timespec now, end;

	if (clock_gettime(CLOCK_MONOTONIC, &end) != 0)
		return;
	end.tv_sec += milliseconds / 1000;
	end.tv_nsec += (milliseconds % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (;;) {
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			return;
		long long left_ns = (long long)(end.tv_sec - now.tv_sec) * 1000000000 +
				    (end.tv_nsec - now.tv_nsec);
		if (left_ns <= 0)
			return;
		/*
		 * poll() on no descriptor is a timed wait outside the sleep family.
		 * Its result does not matter: an early return (EINTR) goes round again.
		 */
		(void)poll(NULL, 0, (int)((left_ns + 999999) / 1000000));
	}
}

static int64_t run_fork_publisher(const struct subject_arguments *a)
{
	pid_t child = fork_child();

	if (child != 0)
		return child;
	int result = fi_publish(a->buffers[0], a->buffers[1], (size_t)a->scalars[0]);
	_exit(result == 0 ? SUBJECT_CHILD_DONE
	      : errno == ENOSYS ? SUBJECT_CHILD_NOT_WRITTEN
				: SUBJECT_CHILD_CALL_FAILED);
}

/* In the child: send `count` messages of `length` bytes (message i all i + 1), then finish. */
static _Noreturn void send_messages(fi_chan *ch, unsigned char *message, int count,
				    size_t length)
{
	for (int i = 0; i < count; i++) {
		memset(message, i + 1, length);
		if (fi_chan_send(ch, message, length) != 0)
			_exit(SUBJECT_CHILD_WRONG_MESSAGE);
	}
	_exit(fi_chan_finish(ch) == 0 && fi_chan_close(ch) == 0 ? SUBJECT_CHILD_DONE
								 : SUBJECT_CHILD_WRONG_END);
}

/* In the child: receive `count` such messages, then the end of the stream. */
static _Noreturn void receive_messages(fi_chan *ch, unsigned char *buffer, int count,
				       size_t length)
{
	for (int i = 0; i < count; i++) {
		ssize_t got = fi_chan_recv(ch, buffer, length);

		if (got != (ssize_t)length || buffer[0] != (unsigned char)(i + 1) ||
		    buffer[length - 1] != (unsigned char)(i + 1))
			_exit(SUBJECT_CHILD_WRONG_MESSAGE);
	}
	_exit(fi_chan_recv(ch, buffer, length) == 0 ? SUBJECT_CHILD_DONE
						     : SUBJECT_CHILD_WRONG_END);
}

/* The child's whole life: open the channel, pause, then send or receive. */
static _Noreturn void be_channel_end(const char *path, int64_t role, unsigned char *buffer,
				     int count, size_t length, long pause_ms)
{
	fi_chan *ch = fi_chan_open(path);

	if (ch == NULL)
		_exit(SUBJECT_CHILD_CANNOT_OPEN);
	pause_without_sleep_calls(pause_ms);
	if (role == SUBJECT_CHANNEL_SENDS)
		send_messages(ch, buffer, count, length);
	receive_messages(ch, buffer, count, length);
}

static int64_t run_fork_channel_end(const struct subject_arguments *a)
{
	const char *path = a->buffers[0];
	int64_t role = a->scalars[0], count = a->scalars[1];
	size_t length = (size_t)a->scalars[2];
	long pause_ms = (long)a->scalars[3];

	if (length == 0 || length > FI_CHAN_MAX_CAPACITY || count < 0 || count > INT32_MAX ||
	    (role != SUBJECT_CHANNEL_SENDS && role != SUBJECT_CHANNEL_RECEIVES)) {
		errno = EINVAL;
		return -1;
	}
	/* Made before fork(): in the child, a failure would look like the student's. */
	unsigned char *buffer = malloc(length);
	if (buffer == NULL)
		return -1;
	pid_t child = fork_child();
	if (child == 0)
		be_channel_end(path, role, buffer, (int)count, length, pause_ms);
	int saved = errno;
	free(buffer);
	errno = saved;
	return child;
}

static int64_t run_wait_child(const struct subject_arguments *a)
{
	pid_t child = (pid_t)a->scalars[0];
	long milliseconds = (long)a->scalars[1];
	int *status = a->buffers[0];

	for (long waited = 0;; waited++) {
		pid_t done = waitpid(child, status, WNOHANG);

		if (done == child)
			return 1;
		if (done < 0 && errno != EINTR)
			return -1;
		if (waited >= milliseconds)
			break;
		pause_without_sleep_calls(1);
	}
	if (kill(child, SIGKILL) != 0)
		return -1;
	while (waitpid(child, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static const subject_function lab05_functions[] = {
	[FI_PUBLISH] = run_publish,
	[FI_LOAD] = run_load,
	[FI_CHAN_CREATE] = run_chan_create,
	[FI_CHAN_OPEN] = run_chan_open,
	[FI_CHAN_SEND] = run_chan_send,
	[FI_CHAN_RECV] = run_chan_recv,
	[FI_CHAN_FINISH] = run_chan_finish,
	[FI_CHAN_CLOSE] = run_chan_close,
	[SUBJECT_FORK_PUBLISHER] = run_fork_publisher,
	[SUBJECT_FORK_CHANNEL_END] = run_fork_channel_end,
	[SUBJECT_WAIT_CHILD] = run_wait_child,
};
GRADE_SUBJECT_FUNCTIONS(lab05_functions);

/* ---- The kit's programs, linked with the student's file (calls.h) ------------------ */

int grade_program_stu_write(int argc, char **argv);
int grade_program_stu_read(int argc, char **argv);
int grade_program_chan_send(int argc, char **argv);
int grade_program_chan_recv(int argc, char **argv);

static const struct grade_program lab05_programs[] = {
	{ "stu-write", grade_program_stu_write },
	{ "stu-read", grade_program_stu_read },
	{ "chan-send", grade_program_chan_send },
	{ "chan-recv", grade_program_chan_recv },
};
GRADE_PROGRAMS(lab05_programs);

#endif
