/*
 * pair.c — run one measured transfer between two processes and collect its outcome.
 *
 * The receiver starts first and says "ready" on the result pipe; only then
 * does the sender start, so that a channel file exists before the sender
 * opens it. The receiver's "ok SECONDS" line is the measurement; any "error"
 * or "unimplemented" line from either end, an end that dies, or a transfer
 * that has not finished within PAIR_TIMEOUT_SECONDS (a channel that lost a
 * wake-up sleeps forever) ends the run as a failure that says what happened.
 * Both children are always reaped, and killed first when the run failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "transfer.h"

#define PAIR_TIMEOUT_SECONDS 60.0

/* Result lines as they arrive on the pipe, possibly several per read(). */
struct line_reader {
	int fd;
	char buffer[2048];
	size_t used;
};

void outcome_fail(struct outcome *out, const char *format, ...)
{
	va_list args;

	out->kind = OUTCOME_FAILED;
	va_start(args, format);
	vsnprintf(out->why, sizeof(out->why), format, args);
	va_end(args);
}

void outcome_fail_errno(struct outcome *out, const char *call)
{
	outcome_fail(out, "%s: %s", call, strerror(errno));
}

pid_t pair_fork(const struct pair *pair, int (*body)(const struct pair *, void *), void *arg)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	close(pair->result_read);
	_exit(body(pair, arg) == 0 ? 0 : 1);
}

pid_t pair_exec(const struct pair *pair, char *const argv[])
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (dup2(pair->result_write, STDOUT_FILENO) == -1)
		_exit(1);
	execv(argv[0], argv);
	result_line(STDOUT_FILENO, "error cannot run %s: %s", argv[0], strerror(errno));
	_exit(1);
}

/* One line, without its newline: 1; 0 at the end of the pipe; -1 past the deadline. */
static int read_line(struct line_reader *r, double deadline, char *line, size_t size)
{
	for (;;) {
		char *newline = memchr(r->buffer, '\n', r->used);

		if (newline != NULL) {
			size_t length = (size_t)(newline - r->buffer);

			snprintf(line, size, "%.*s", (int)length, r->buffer);
			r->used -= length + 1;
			memmove(r->buffer, newline + 1, r->used);
			return 1;
		}
		double left = deadline - bench_now();
		struct pollfd p = { .fd = r->fd, .events = POLLIN };

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) == 0)
			return -1;
		if (r->used == sizeof(r->buffer))
			r->used = 0; /* a line longer than any we write: drop it */
		ssize_t got = read(r->fd, r->buffer + r->used, sizeof(r->buffer) - r->used);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		r->used += (size_t)got;
	}
}

/* Turn one result line into the outcome; returns 1 once the outcome is decided. */
static int take_line(const char *line, struct outcome *out)
{
	if (strncmp(line, "ok ", 3) == 0) {
		out->kind = OUTCOME_OK;
		out->seconds = strtod(line + 3, NULL);
		return 0; /* the other end may still report a problem */
	}
	if (strncmp(line, "error ", 6) == 0 || strncmp(line, "unimplemented ", 14) == 0) {
		out->kind = line[0] == 'e' ? OUTCOME_FAILED : OUTCOME_UNIMPLEMENTED;
		snprintf(out->why, sizeof(out->why), "%s", strchr(line, ' ') + 1);
		return 1;
	}
	return 0;
}

/* Wait for a child until the deadline, then kill it; describe an unclean end. */
static void reap(pid_t pid, const char *role, double deadline, struct outcome *out)
{
	int status;
	pid_t done;

	if (pid <= 0)
		return;
	while ((done = waitpid(pid, &status, WNOHANG)) == 0 && bench_now() < deadline) {
		struct timespec pause = { .tv_nsec = 1000000 };
		nanosleep(&pause, NULL);
	}
	if (done == 0) {
		kill(pid, SIGKILL);
		done = waitpid(pid, &status, 0);
	}
	if (done == -1 || out->kind != OUTCOME_OK)
		return;
	if (WIFSIGNALED(status))
		outcome_fail(out, "the %s was killed by signal %d (%s)", role, WTERMSIG(status),
			     strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) != 0)
		outcome_fail(out, "the %s exited with status %d", role, WEXITSTATUS(status));
}

/* Wait for "ready" from the receiver; 0, or -1 with the outcome set. */
static int await_ready(struct line_reader *r, double deadline, struct outcome *out)
{
	char line[sizeof(r->buffer)];
	int got = read_line(r, deadline, line, sizeof(line));

	if (got == 1 && strcmp(line, "ready") == 0)
		return 0;
	if (got == 1 && take_line(line, out))
		return -1;
	outcome_fail(out, "%s", got == -1 ? "the receiver was not ready in time"
					  : "the receiver ended before it was ready");
	return -1;
}

/* Read result lines until both ends have closed the pipe, or a failure. */
static void await_outcome(struct line_reader *r, double deadline, struct outcome *out)
{
	char line[sizeof(r->buffer)];
	int got, seen_ok = 0;

	while ((got = read_line(r, deadline, line, sizeof(line))) == 1) {
		if (take_line(line, out))
			return;
		seen_ok |= out->kind == OUTCOME_OK;
	}
	if (got == -1)
		outcome_fail(out, "the transfer did not finish in time: an end waits for something "
				  "that never comes (a lost wake-up?)");
	else if (!seen_ok)
		outcome_fail(out, "the receiver ended without a result");
}

void pair_run(const struct pair_ops *ops, void *arg, struct outcome *out)
{
	int fds[2];
	struct pair pair;
	pid_t receiver = -1, sender = -1;
	double deadline = bench_now() + PAIR_TIMEOUT_SECONDS;

	out->kind = OUTCOME_FAILED; /* until the receiver says ok */
	out->why[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) == -1) {
		outcome_fail_errno(out, "pipe2");
		ops->parent_done(arg);
		return;
	}
	pair.result_read = fds[0];
	pair.result_write = fds[1];
	struct line_reader reader = { .fd = fds[0] };

	receiver = ops->start_receiver(&pair, arg);
	if (receiver == -1)
		outcome_fail_errno(out, "fork");
	else if (await_ready(&reader, deadline, out) == 0 &&
		 (sender = ops->start_sender(&pair, arg)) == -1)
		outcome_fail_errno(out, "fork");
	ops->parent_done(arg);
	close(fds[1]);
	if (sender > 0)
		await_outcome(&reader, deadline, out);
	if (out->kind != OUTCOME_OK) {
		if (receiver > 0)
			kill(receiver, SIGKILL);
		if (sender > 0)
			kill(sender, SIGKILL);
	}
	reap(receiver, "receiver", deadline, out);
	reap(sender, "sender", deadline, out);
	close(fds[0]);
}
