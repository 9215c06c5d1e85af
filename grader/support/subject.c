/*
 * subject.c — the judge's side of a test: starting, driving and ending the subject.
 *
 * The judge forks; the child, still judge code, closes every descriptor but
 * the call socket and the test's output, gives up writing outside the test's
 * folders (confine.c), installs the system-call watch (watch.c) and executes
 * the subject stub, which replaces the judge's memory
 * (the token with it) by the stub and the student's file. The judge itself
 * is not dumpable, so the subject, running as the same user, can neither
 * trace it nor read or write its memory. Calls go through grade_call_run():
 * buffers are copied in and out with process_vm_writev/readv, every reply is
 * checked to come from the subject itself (SCM_CREDENTIALS), and a subject
 * that dies in the middle of a call ends the test with the reason. While it
 * waits for a call, the judge looks for progress (progress.c): a call that
 * moves no byte and maps nothing for a few seconds while it sleeps, spins or
 * reads nothing again and again is stuck, and ends the test at once as timed
 * out, saying which call it was and what the subject and its children were
 * waiting on, instead of leaving the runner to wait out the test's whole
 * wall-clock limit. A call that keeps reading or writing, or whose children
 * keep computing, is slow, not stuck: the wall-clock limit alone bounds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls.h"
#include "close_descriptors.h"
#include "grader.h"
#include "support_internal.h"
#include "judge_protocol.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000 /* Linux 5.2; older C libraries do not name it */
#endif

static const char *subject_program; /* the subject's executable */
static pid_t subject = -1;
static int call_socket = -1;
static int test_output = -1; /* the runner's capture of the test's output */
static pid_t judge;
static uint64_t slots[SUBJECT_MAX_BUFFERS]; /* the stub's buffer slots, from its HELLO */
/* A request sent whose answer has not come: the test failed in the middle of it. */
static int answer_pending;

static const char *const environment[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C",
					   "HOME=.", "TMPDIR=.", NULL };

pid_t grade_subject_pid(void)
{
	return subject;
}

void subject_configure(const char *program, int output_fd)
{
	subject_program = program;
	test_output = output_fd;
	judge = getpid();
}

static void receive_reply(struct subject_reply *reply, uint32_t kind, const char *doing,
			  struct grade_progress_clock *clock);

/* What the judge is waiting for while the subject starts. */
static const char starting[] = "the start of the process that runs the student's code";

/* ---- A call that does not return ------------------------------------------ */

/*
 * The call shows no progress (progress.c says why): it is stuck. Say which
 * call, how long it ran, and what the processes were waiting on while they
 * still exist, then end the test; the runner reports it as timed out with
 * this text.
 */
static _Noreturn void call_stalled(const char *doing, const struct grade_progress_clock *clock,
				   const char *why)
{
	char text[2048];
	long long seconds = (grade_progress_elapsed_ms(clock) + 500) / 1000;

	if (doing == starting)
		snprintf(text, sizeof(text),
			 "timed out: the process that runs the student's code had not started "
			 "after %lld s (code that runs when a program starts, a constructor, must "
			 "return): %s; %s",
			 seconds, why, describe_activity_of(subject));
	else
		snprintf(text, sizeof(text), "timed out: %s had not returned after %lld s: %s; %s",
			 doing, seconds, why, describe_activity_of(subject));
	grade_send_record(VERDICT_TIMEOUT, text);
	kill(subject, SIGKILL); /* the runner ends whatever else the test left */
	_exit(1);
}

/*
 * Wait until the subject has sent something, looking every so often for
 * progress of the call (NULL: no clock, wait as long as it takes).
 */
static void await_message(struct grade_progress_clock *clock, const char *doing)
{
	if (clock == NULL)
		return;
	for (;;) {
		struct pollfd from_subject = { call_socket, POLLIN, 0 };
		int ready = poll(&from_subject, 1, GRADE_PROGRESS_SAMPLE_MS);

		if (ready > 0)
			return; /* a message, or the subject gone: receive_reply tells which */
		if (ready < 0 && errno != EINTR)
			grade_setup_failed("cannot wait for the subject's answer");
		const char *why = grade_progress_stalled(clock);
		if (why != NULL)
			call_stalled(doing, clock, why);
	}
}

/* ---- Starting the subject ------------------------------------------------ */

static _Noreturn void child_abort(int report_fd, const char *what)
{
	char line[160];
	int len = snprintf(line, sizeof(line), "grader: the subject could not %s: %s\n", what,
			   strerror(errno));

	if (report_fd >= 0 && len > 0)
		(void)!write(report_fd, line, (size_t)len);
	_exit(127);
}

/* In the forked child: the stub's descriptors, the watch, then the stub itself. */
static _Noreturn void become_subject(int socket_end)
{
	static const char *const argv[] = { "subject", "--serve", NULL };
	int null_input = open("/dev/null", O_RDONLY);

	if (null_input < 0 || dup2(null_input, STDIN_FILENO) < 0 ||
	    dup2(test_output, STDOUT_FILENO) < 0 || dup2(test_output, STDERR_FILENO) < 0 ||
	    dup2(socket_end, SUBJECT_CALL_FD) != SUBJECT_CALL_FD)
		child_abort(test_output, "set up its descriptors");
	if (close_descriptors(STDERR_FILENO + 1, SUBJECT_CALL_FD - 1) != 0 ||
	    close_descriptors(SUBJECT_CALL_FD + 1, ~0U) != 0)
		child_abort(STDERR_FILENO, "close the judge's descriptors");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != judge)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	confine_writes(); /* where the kernel has Landlock; file permissions otherwise */
	if (confine_file_size() != 0)
		child_abort(STDERR_FILENO, "keep the test's file-size limit");
	int listener = watch_install_filter(judge, 1);
	if (listener < 0)
		child_abort(STDERR_FILENO, "install the system-call watch (seccomp)");
	/* The listener goes to the judge; the subject keeps no copy of it. */
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'L';
	struct iovec data = { &byte, 1 };
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control,
				  .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&message);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener, sizeof(int));
	if (sendmsg(SUBJECT_CALL_FD, &message, 0) != 1)
		child_abort(STDERR_FILENO, "hand the watch to the judge");
	close(listener);
	execve(subject_program, (char *const *)argv, (char *const *)environment);
	child_abort(STDERR_FILENO, "start");
}

static int receive_listener(void)
{
	char control[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec data = { &byte, 1 };
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control,
				  .msg_controllen = sizeof(control) };
	int listener = -1;

	if (recvmsg(call_socket, &message, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL; c = CMSG_NXTHDR(&message, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&listener, CMSG_DATA(c), sizeof(int));
	return listener;
}

/*
 * fork(), and a pidfd of the child in *pidfd. clone(CLONE_PIDFD) gives one
 * even where pidfd_open() is refused (a container's seccomp profile that
 * predates it filters system calls, not clone's flags); else fork() and the
 * watch tries pidfd_open(). The child only sets up descriptors and executes
 * the stub, so the raw system call, which skips glibc's fork handlers, is safe.
 */
static pid_t start_with_pidfd(int *pidfd)
{
	pid_t child = (pid_t)syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, pidfd, NULL, NULL);

	if (child >= 0)
		return child;
	*pidfd = -1;
	return fork();
}

void subject_start(void)
{
	int ends[2], on = 1;

	if (subject_program == NULL)
		grade_setup_failed("no subject program was given (--subject)");
	watch_require_notifications();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0)
		grade_setup_failed("cannot make the call socket");
	int pidfd = -1;
	subject = start_with_pidfd(&pidfd);
	if (subject < 0)
		grade_setup_failed("cannot start the subject");
	if (subject == 0)
		become_subject(ends[1]);
	close(ends[1]);
	call_socket = ends[0];
	int listener = receive_listener();
	if (listener < 0) {
		errno = EPROTO;
		grade_setup_failed("the subject did not start (see the test's output)");
	}
	/* Credentials on every reply, from here on: who really sent it. */
	if (setsockopt(call_socket, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0)
		grade_setup_failed("cannot ask for the subject's credentials");
	watch_start(listener, subject, pidfd);
	/* Until the stub runs, the process is a copy of the judge: not to be looked at. */
	struct subject_reply hello;
	struct grade_progress_clock clock;
	grade_progress_start(&clock, subject);
	receive_reply(&hello, SUBJECT_HELLO, starting, &clock);
	memcpy(slots, hello.buffer_addresses, sizeof(slots));
	watch_subject_ready();
}

/* ---- The end of the subject --------------------------------------------- */

static int wait_for_subject(long milliseconds, int *status)
{
	for (long waited = 0; waited <= milliseconds; waited += 5) {
		pid_t done = waitpid(subject, status, WNOHANG);
		if (done == subject)
			return 1;
		if (done < 0)
			return errno == ECHILD ? 1 : 0;
		grade_pause_ms(5);
	}
	return 0;
}

void subject_stop(void)
{
	struct subject_request quit = { .kind = SUBJECT_QUIT };
	int status;

	if (subject <= 0)
		return;
	/*
	 * A subject still busy with a request (the test failed while it ran: a
	 * child returned into the stub, say) would not read the QUIT before its
	 * grace ran out: it is stopped at once.
	 */
	if (!answer_pending)
		send(call_socket, &quit, sizeof(quit), MSG_NOSIGNAL);
	if (answer_pending || !wait_for_subject(1000, &status)) {
		kill(subject, SIGKILL);
		waitpid(subject, &status, 0);
	}
	subject = -1;
	answer_pending = 0;
	watch_stop();
	close(call_socket);
	call_socket = -1;
}

/*
 * The subject ended while the judge waited for it. A signal is reported as a
 * crash (the runner shows it with the test's last step); an exit in the
 * middle of a call is a failure of its own.
 */
static _Noreturn void subject_ended(const char *doing)
{
	int status = 0;

	waitpid(subject, &status, 0);
	subject = -1;
	if (WIFSIGNALED(status)) {
		grade_send_record(VERDICT_CRASH, grade_format("%d", WTERMSIG(status)));
		_exit(1);
	}
	if (doing == starting)
		grade_fail("code that runs when the program starts (a constructor) must not end it",
			   "expected: the process that runs the student's code to start and wait "
			   "for calls\nobserved: it ended with exit status %d before the first call",
			   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	grade_fail("a student function returns to its caller: it never calls exit(), "
		   "and a child it forks ends with _exit()",
		   "expected: %s to return\nobserved: the process running it ended with "
		   "exit status %d in the middle of the call",
		   doing, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* ---- Messages ------------------------------------------------------------ */

static void send_request(const struct subject_request *request, const int *fds,
			 unsigned fd_count, const char *doing)
{
	char control[CMSG_SPACE(sizeof(int) * SUBJECT_MAX_FDS)] = { 0 };
	struct iovec data = { (void *)request, sizeof(*request) };
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1 };

	if (fd_count > 0) {
		message.msg_control = control;
		message.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
		struct cmsghdr *c = CMSG_FIRSTHDR(&message);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * fd_count);
	}
	ssize_t sent;
	do
		sent = sendmsg(call_socket, &message, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent != (ssize_t)sizeof(*request))
		subject_ended(doing);
	answer_pending = 1;
}

_Noreturn static void child_returned(const char *doing, pid_t child)
{
	grade_fail("end each child you fork with _exit() right after its work, on every path: "
		   "a child that returns goes on running its parent's code",
		   "expected: every child forked by %s to end with _exit()\n"
		   "observed: child process %d returned from the function and went on running "
		   "the grader's code as a second copy of the caller",
		   doing, (int)child);
}

/* The next reply from the subject itself, of this kind; a call's clock is checked (NULL: none). */
static void receive_reply(struct subject_reply *reply, uint32_t kind, const char *doing,
			  struct grade_progress_clock *clock)
{
	for (;;) {
		await_message(clock, doing);
		char control[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec data = { reply, sizeof(*reply) };
		struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1,
					  .msg_control = control,
					  .msg_controllen = sizeof(control) };
		struct ucred sender = { .pid = 0 };
		ssize_t got = recvmsg(call_socket, &message, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			subject_ended(doing);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL;
		     c = CMSG_NXTHDR(&message, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				memcpy(&sender, CMSG_DATA(c), sizeof(sender));
		if (got == (ssize_t)sizeof(*reply) && reply->kind == SUBJECT_CHILD_RAN_EXIT_HANDLERS) {
			if (sender.pid != subject)
				ledger_note_exit_handlers();
			continue;
		}
		if (sender.pid != subject)
			child_returned(doing, sender.pid);
		if (got != (ssize_t)sizeof(*reply) || reply->kind != kind)
			grade_fail("student code must not use the grader's descriptors",
				   "expected: the subject to answer %s\nobserved: a message that "
				   "is not the stub's answer: something wrote on descriptor %d",
				   doing, SUBJECT_CALL_FD);
		answer_pending = 0;
		return;
	}
}

/* Messages children of the student's code sent since the last call (exit() notes). */
static void drain_notes(void)
{
	struct subject_reply note;

	while (recv(call_socket, &note, sizeof(note), MSG_DONTWAIT) == (ssize_t)sizeof(note))
		if (note.kind == SUBJECT_CHILD_RAN_EXIT_HANDLERS)
			ledger_note_exit_handlers();
}

/* ---- Memory of the subject ------------------------------------------------ */

int grade_subject_read(const volatile void *address, void *out, size_t len)
{
	struct iovec local = { out, len }, there = { (void *)(uintptr_t)address, len };

	if (len == 0)
		return 0;
	if (process_vm_readv(subject, &local, 1, &there, 1, 0) != (ssize_t)len) {
		if (errno == 0)
			errno = EFAULT;
		return -1;
	}
	return 0;
}

int grade_subject_write(volatile void *address, const void *data, size_t len)
{
	struct iovec local = { (void *)data, len }, there = { (void *)(uintptr_t)address, len };

	if (len == 0)
		return 0;
	if (process_vm_writev(subject, &local, 1, &there, 1, 0) != (ssize_t)len) {
		if (errno == 0)
			errno = EFAULT;
		return -1;
	}
	return 0;
}

/* ---- Building and making a call -------------------------------------------- */

void grade_call_scalar(struct grade_call *call, int64_t value)
{
	if (call->scalar_count == SUBJECT_MAX_SCALARS)
		grade_setup_failed("too many scalar arguments in one call");
	call->request.scalars[call->scalar_count++] = value;
}

void grade_call_address(struct grade_call *call, const volatile void *subject_address)
{
	grade_call_scalar(call, (int64_t)(uintptr_t)subject_address);
}

void grade_call_fd(struct grade_call *call, int fd)
{
	unsigned index = call->request.fd_count;

	if (index == SUBJECT_MAX_FDS)
		grade_setup_failed("too many descriptors in one call");
	/* A closed or invalid descriptor is passed as one the subject keeps closed. */
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		call->request.fd_closed_mask |= 1u << index;
	call->fds[index] = fd;
	call->request.fd_count++;
}

static void add_buffer(struct grade_call *call, const void *data, void *copy_back, size_t size)
{
	unsigned index = call->buffer_count;

	if (index == SUBJECT_MAX_BUFFERS)
		grade_setup_failed("too many buffers in one call");
	call->buffer_count++;
	if (data == NULL) {
		call->request.buffers[index].kind = SUBJECT_BUFFER_NULL;
		return;
	}
	call->request.buffers[index] =
		(struct subject_buffer){ SUBJECT_BUFFER_GUARDED, 1, (uint64_t)size };
	call->inputs[index] = data;
	call->outputs[index] = copy_back;
}

void grade_call_input(struct grade_call *call, const void *data, size_t size)
{
	add_buffer(call, data, NULL, size);
}

void grade_call_string(struct grade_call *call, const char *text)
{
	add_buffer(call, text, NULL, text != NULL ? strlen(text) + 1 : 0);
}

void grade_call_output(struct grade_call *call, void *data, size_t size)
{
	add_buffer(call, data, data, size);
}

/* The descriptors actually sent: the open ones, in order. */
static unsigned open_fds(const struct grade_call *call, int *fds)
{
	unsigned count = 0;

	for (unsigned i = 0; i < call->request.fd_count; i++)
		if (!((call->request.fd_closed_mask >> i) & 1))
			fds[count++] = call->fds[i];
	return count;
}

static void copy_buffers(const struct grade_call *call, const struct subject_reply *ready,
			 int back, const char *doing)
{
	for (unsigned i = 0; i < call->buffer_count; i++) {
		void *address = (void *)(uintptr_t)ready->buffer_addresses[i];
		size_t size = (size_t)call->request.buffers[i].size;
		int failed;

		if (call->request.buffers[i].kind != SUBJECT_BUFFER_GUARDED)
			continue;
		if (back && call->outputs[i] == NULL)
			continue;
		failed = back ? grade_subject_read(address, call->outputs[i], size)
			      : grade_subject_write(address, call->inputs[i], size);
		if (failed)
			grade_fail("a function may use only the memory it was given, and must not "
				   "unmap or protect memory it did not map",
				   "expected: the buffer given to %s to stay readable\nobserved: "
				   "the grader could not %s its %zu bytes (%s)",
				   doing, back ? "read back" : "fill in", size,
				   grade_errno_text(errno));
	}
}

/* Whether every buffer of the call fits in the stub's slots (one exchange). */
static int fits_in_slots(const struct grade_call *call)
{
	for (unsigned i = 0; i < call->buffer_count; i++)
		if (call->request.buffers[i].size > SUBJECT_SLOT_BYTES)
			return 0;
	return 1;
}

/* Where the stub puts buffer i of a call that fits: at the end of slot i. */
static struct subject_reply slot_addresses(const struct grade_call *call)
{
	struct subject_reply placed = { .kind = SUBJECT_READY };

	for (unsigned i = 0; i < call->buffer_count; i++)
		placed.buffer_addresses[i] = slots[i] + SUBJECT_SLOT_BYTES - call->request.buffers[i].size;
	return placed;
}

/* The call itself: the watch records while the student's code runs. */
static struct subject_reply run_now(const struct subject_request *request, const int *fds,
				    unsigned fd_count, const char *doing)
{
	struct subject_reply done;

	watch_call_starting();
	struct grade_progress_clock clock;
	grade_progress_start(&clock, subject);
	send_request(request, fds, fd_count, doing);
	receive_reply(&done, SUBJECT_DONE, doing, &clock);
	watch_call_finished();
	return done;
}

int64_t grade_call_run(struct grade_call *call, unsigned function)
{
	struct subject_reply ready, done;
	int fds[SUBJECT_MAX_FDS];
	unsigned fd_count = open_fds(call, fds);
	const char *doing = grade_current_call();

	if (getpid() != judge || subject <= 0)
		grade_setup_failed("a student function was called outside the test's own process");
	call->request.function = function;
	/* The call runs under the test's umask, whatever the test set it to. */
	mode_t mask = umask(0);
	umask(mask);
	call->request.umask = (uint32_t)mask;
	drain_notes();
	if (fits_in_slots(call)) {
		ready = slot_addresses(call);
		copy_buffers(call, &ready, 0, doing);
		call->request.kind = SUBJECT_CALL;
		done = run_now(&call->request, fds, fd_count, doing);
	} else {
		call->request.kind = SUBJECT_PREPARE;
		send_request(&call->request, fds, fd_count, doing);
		receive_reply(&ready, SUBJECT_READY, doing, NULL);
		if (ready.error != 0) {
			errno = ready.error;
			grade_setup_failed("the subject could not prepare the call's buffers");
		}
		copy_buffers(call, &ready, 0, doing);
		done = run_now(&(struct subject_request){ .kind = SUBJECT_GO }, NULL, 0, doing);
	}
	copy_buffers(call, &ready, 1, doing);
	if (!fits_in_slots(call)) {
		struct subject_reply released;
		send_request(&(struct subject_request){ .kind = SUBJECT_RELEASE }, NULL, 0, doing);
		receive_reply(&released, SUBJECT_RELEASED, doing, NULL);
	}
	errno = done.error;
	return done.result;
}

/* ---- The kit's programs, as processes of their own --------------------------- */

/* In the child: standard input and output, then the subject's executable, as the program. */
static _Noreturn void exec_program(const char *name, const char *const args[], int stdin_fd,
				   int stdout_fd)
{
	const char *argv[64] = { name, "--program", name };
	size_t argc = 3;
	int null_fd = open("/dev/null", O_RDWR);

	for (size_t i = 0; args != NULL && args[i] != NULL && argc < 63; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	if (dup2(stdin_fd >= 0 ? stdin_fd : null_fd, STDIN_FILENO) < 0 ||
	    dup2(stdout_fd >= 0 ? stdout_fd : null_fd, STDOUT_FILENO) < 0 ||
	    dup2(test_output, STDERR_FILENO) < 0)
		_exit(126);
	/* Nothing of the judge's may reach a program that runs student code. */
	if (close_descriptors(STDERR_FILENO + 1, ~0U) != 0)
		_exit(126);
	confine_writes();
	if (confine_file_size() != 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
	    watch_install_filter(judge, 0) != 0)
		_exit(126);
	execve(subject_program, (char *const *)argv, (char *const *)environment);
	_exit(127);
}

pid_t grade_start_program(const char *name, const char *const args[], int stdin_fd,
			  int stdout_fd)
{
	pid_t child = fork();

	if (child < 0)
		grade_setup_failed("cannot start %s", name);
	if (child == 0)
		exec_program(name, args, stdin_fd, stdout_fd);
	note_helper_process(child);
	return child;
}
