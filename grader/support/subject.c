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
 * that dies in the middle of a call ends the test with the reason. In an
 * ordinary test each call has a budget far above what a correct solution
 * needs (CALL_BUDGET_SECONDS): a call that shows no progress for that long
 * (it spins, or sleeps on something that never comes) ends the test at once
 * as timed out, saying which call it was and what the subject and its
 * children were waiting on, instead of leaving the runner to wait out the
 * test's whole wall-clock limit. A call that keeps reading or writing, or
 * whose children keep computing, is slow, not stuck. A test that declares
 * long work (GRADE_TEST_TIMED) keeps the whole limit for its calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include <time.h>
#include <unistd.h>

#include "calls.h"
#include "grader.h"
#include "support_internal.h"
#include "verdict_protocol.h"

static const char *subject_program; /* the subject's executable */
static pid_t subject = -1;
static int call_socket = -1;
static int test_output = -1; /* the runner's capture of the test's output */
static pid_t judge;
static uint64_t slots[SUBJECT_MAX_BUFFERS]; /* the stub's buffer slots, from its HELLO */

/*
 * How long one call of the student's code may run in an ordinary test without
 * progress (check_progress). The slowest call of the reference solutions and
 * the correct variants took 0.52 s in all, and 0.68 s with two CPU-bound
 * loops competing for the machine's two CPUs (README, "How the grader
 * protects itself"): a call silent for CALL_BUDGET_SECONDS is stuck.
 */
#define CALL_BUDGET_SECONDS 3
static long call_budget_ms; /* 0: no budget, the runner's wall-clock limit alone */

static const char *const environment[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C",
					   "HOME=.", "TMPDIR=.", NULL };

pid_t grade_subject_pid(void)
{
	return subject;
}

void subject_configure(const char *program, int output_fd, int declared_seconds)
{
	subject_program = program;
	test_output = output_fd;
	judge = getpid();
	call_budget_ms = declared_seconds > 0 ? 0 : CALL_BUDGET_SECONDS * 1000L;
}

struct call_clock;
static void receive_reply(struct subject_reply *reply, uint32_t kind, const char *doing,
			  struct call_clock *clock);

/* What the judge is waiting for while the subject starts. */
static const char starting[] = "the start of the process that runs the student's code";

/* ---- The budget of a call ------------------------------------------------- */

/*
 * Signs that a call is still at work: the system calls the watch has seen it
 * make, and the CPU time its children have used (workers it waits for).
 */
struct progress {
	unsigned long watched_calls;
	long children_cpu_ms;
	long own_cpu_ms; /* the subject's own, to tell a sleeper from a spinner */
};

/* Less CPU time than this over a whole budget: the subject was asleep, not computing. */
#define ASLEEP_CPU_MS 50

/*
 * The clock of one call: when it started, when it last showed progress (or
 * when it started), and the progress seen then. Progress is first looked at
 * when the call has not returned at once, so quick calls cost nothing.
 */
struct call_clock {
	long long started, last_progress; /* CLOCK_MONOTONIC, in milliseconds */
	int looked;                       /* whether `seen` holds a first look */
	struct progress seen;
};

/* How often the judge looks for progress while it waits for a call. */
#define PROGRESS_CHECK_MS 100

static long long monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/*
 * The read, write, mmap, munmap and msync calls the watch has seen in this call
 * so far, and the CPU time of the subject's children now.
 */
static struct progress progress_now(void)
{
	struct grade_child children[64];
	size_t count = grade_children(children, 64);
	struct progress now = { 0, 0, grade_process_cpu_ms(subject) };

	watch_lock();
	now.watched_calls = (unsigned long)grade_calls.read_calls + grade_calls.write_calls +
			    grade_calls.mmap_count + grade_calls.munmap_count + grade_calls.msync_count;
	watch_unlock();
	for (size_t i = 0; i < count && i < 64; i++) {
		long used = grade_process_cpu_ms(children[i].pid);
		if (used > 0)
			now.children_cpu_ms += used;
	}
	return now;
}

/* The clock of a call starting now. */
static struct call_clock call_clock_start(void)
{
	long long now = monotonic_ms();

	return (struct call_clock){ now, now, 0, { 0, 0, 0 } };
}

/*
 * The call has not returned within its budget and shows no progress: it is
 * stuck (an endless loop, a deadlock, a wait for something that never comes).
 * Say which call, how long it ran, and what the processes were waiting on
 * while they still exist, then end the test; the runner reports it as timed
 * out with this text.
 */
static _Noreturn void call_stalled(const char *doing, const struct call_clock *clock)
{
	char text[2048];
	long long seconds = (monotonic_ms() - clock->started + 500) / 1000;

	if (doing == starting)
		snprintf(text, sizeof(text),
			 "timed out: the process that runs the student's code had not started "
			 "after %lld s (code that runs when a program starts, a constructor, must "
			 "return); %s",
			 seconds, describe_subject_activity());
	else
		snprintf(text, sizeof(text), "timed out: %s had not returned after %lld s; %s", doing,
			 seconds, describe_subject_activity());
	grade_send_record(VERDICT_TIMEOUT, text);
	kill(subject, SIGKILL); /* the runner ends whatever else the test left */
	_exit(1);
}

/*
 * A call that goes on making read, write, mmap, munmap or msync calls, or
 * whose children go on computing, is slow, not stuck: its budget counts from
 * the last sign of progress (the runner's wall-clock limit still bounds it).
 * Without progress, it is stuck once it has slept through a whole budget of
 * wall-clock time (a deadlock: almost no CPU time), or computed for a whole
 * budget of CPU time (a spin: no correct call needs a fraction of that). A
 * correct call that computes on a crowded machine gets less CPU than the
 * clock says, but it is never asleep, so crowding alone cannot end it.
 */
static void check_progress(struct call_clock *clock, const char *doing)
{
	struct progress seen = progress_now();
	long long now = monotonic_ms();

	if (!clock->looked) {
		clock->looked = 1;
		clock->seen = seen;
	} else if (seen.watched_calls != clock->seen.watched_calls ||
		   seen.children_cpu_ms != clock->seen.children_cpu_ms) {
		clock->seen = seen;
		clock->last_progress = now;
	}
	long computed_ms = seen.own_cpu_ms - clock->seen.own_cpu_ms;
	int slept = now - clock->last_progress >= call_budget_ms && computed_ms < ASLEEP_CPU_MS;
	if (slept || computed_ms >= call_budget_ms)
		call_stalled(doing, clock);
}

/* Wait until the subject has sent something, watching the call's clock (NULL: none). */
static void await_message(struct call_clock *clock, const char *doing)
{
	if (clock == NULL || call_budget_ms == 0)
		return;
	for (;;) {
		struct pollfd from_subject = { call_socket, POLLIN, 0 };
		int ready = poll(&from_subject, 1, PROGRESS_CHECK_MS);

		if (ready > 0)
			return; /* a message, or the subject gone: receive_reply tells which */
		if (ready < 0 && errno != EINTR)
			grade_setup_failed("cannot wait for the subject's answer");
		check_progress(clock, doing);
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
	if (syscall(SYS_close_range, STDERR_FILENO + 1, SUBJECT_CALL_FD - 1, 0) != 0 ||
	    syscall(SYS_close_range, SUBJECT_CALL_FD + 1, ~0U, 0) != 0)
		child_abort(STDERR_FILENO, "close the judge's descriptors");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != judge)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	confine_writes(); /* where the kernel has Landlock; file permissions otherwise */
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

void subject_start(void)
{
	int ends[2], on = 1;

	if (subject_program == NULL)
		grade_setup_failed("no subject program was given (--subject)");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0)
		grade_setup_failed("cannot make the call socket");
	subject = fork();
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
	watch_start(listener, subject);
	/* Until the stub runs, the process is a copy of the judge: not to be looked at. */
	struct subject_reply hello;
	struct call_clock clock = call_clock_start();
	receive_reply(&hello, SUBJECT_HELLO, starting, &clock);
	memcpy(slots, hello.buffer_addresses, sizeof(slots));
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
	send(call_socket, &quit, sizeof(quit), MSG_NOSIGNAL);
	if (!wait_for_subject(1000, &status)) {
		kill(subject, SIGKILL);
		waitpid(subject, &status, 0);
	}
	subject = -1;
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
			  struct call_clock *clock)
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
				watch_note_exit_handlers();
			continue;
		}
		if (sender.pid != subject)
			child_returned(doing, sender.pid);
		if (got != (ssize_t)sizeof(*reply) || reply->kind != kind)
			grade_fail("student code must not use the grader's descriptors",
				   "expected: the subject to answer %s\nobserved: a message that "
				   "is not the stub's answer: something wrote on descriptor %d",
				   doing, SUBJECT_CALL_FD);
		return;
	}
}

/* Messages children of the student's code sent since the last call (exit() notes). */
static void drain_notes(void)
{
	struct subject_reply note;

	while (recv(call_socket, &note, sizeof(note), MSG_DONTWAIT) == (ssize_t)sizeof(note))
		if (note.kind == SUBJECT_CHILD_RAN_EXIT_HANDLERS)
			watch_note_exit_handlers();
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
	struct call_clock clock = call_clock_start();
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
	if (syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, 0) != 0)
		_exit(126);
	confine_writes();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || watch_install_filter(judge, 0) != 0)
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
