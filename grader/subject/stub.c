/*
 * stub.c — the main() of the subject: the only process that runs student code.
 *
 * `subject --serve` answers the judge's requests on SUBJECT_CALL_FD (the
 * protocol is subject_protocol.h): it prepares guarded buffers, runs one
 * function of the lab's call table, answers with the raw result and errno,
 * and releases what it prepared. It holds nothing worth stealing: no token,
 * no verdict channel, no expected value, and it decides nothing; whatever
 * the student's code makes it say is only an observation for the judge to
 * weigh. `subject --program NAME ARGS...` runs one of the kit's programs
 * (a lab's demo linked with the student's file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define GRADE_SUBJECT_SIDE
#include "calls.h"

/* Defined by GRADE_PROGRAMS in a lab that has programs. */
extern const struct grade_program *const grade_programs __attribute__((weak));
extern const size_t grade_program_count __attribute__((weak));

/* The process that serves the judge; a child of the student's code is another. */
static pid_t serving_pid;

/* What PREPARE made, for GO to use and RELEASE to undo. */
static struct subject_arguments arguments;
static void *areas[SUBJECT_MAX_BUFFERS];
static size_t area_lengths[SUBJECT_MAX_BUFFERS];
static int received_fds[SUBJECT_MAX_FDS];
static unsigned received_count;
static unsigned function_number;

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static int send_reply(const struct subject_reply *reply)
{
	ssize_t sent;

	do
		sent = send(SUBJECT_CALL_FD, reply, sizeof(*reply), MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	return sent == (ssize_t)sizeof(*reply) ? 0 : -1;
}

/* One request, with any descriptors passed along; 0 when the judge is gone. */
static ssize_t receive_request(struct subject_request *request)
{
	char control[CMSG_SPACE(sizeof(int) * SUBJECT_MAX_FDS)];
	struct iovec data = { request, sizeof(*request) };
	struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control,
				  .msg_controllen = sizeof(control) };
	ssize_t got;

	do
		got = recvmsg(SUBJECT_CALL_FD, &message, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	/* Kept until RELEASE closes them: they arrive with PREPARE, and GO uses them. */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL; c = CMSG_NXTHDR(&message, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count && received_count < SUBJECT_MAX_FDS; i++)
			memcpy(&received_fds[received_count++], CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
	}
	return got == (ssize_t)sizeof(*request) ? got : (got < 0 ? -1 : 0);
}

/*
 * Small buffers come from slots mapped once, at the start, each followed by
 * its guard page, so that most calls make no mmap() or munmap() of the
 * stub's own (the judge sees every one of them, and each costs a round trip).
 */
#define SLOT_BYTES ((size_t)SUBJECT_SLOT_BYTES)
static unsigned char *slots[SUBJECT_MAX_BUFFERS];

static int map_slots(void)
{
	for (unsigned i = 0; i < SUBJECT_MAX_BUFFERS; i++) {
		unsigned char *area = mmap(NULL, SLOT_BYTES + page_size(), PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (area == MAP_FAILED || mprotect(area + SLOT_BYTES, page_size(), PROT_NONE) != 0)
			return -1;
		slots[i] = area;
	}
	return 0;
}

/* size bytes that end exactly where an inaccessible page begins. */
static void *guarded_buffer(unsigned index, size_t size)
{
	if (size <= SLOT_BYTES)
		return slots[index] + SLOT_BYTES - size;

	size_t pages = (size + page_size() - 1) / page_size() * page_size();
	size_t total = pages + page_size();
	unsigned char *area = mmap(NULL, total, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED)
		return NULL;
	if (mprotect(area + pages, page_size(), PROT_NONE) != 0) {
		munmap(area, total);
		return NULL;
	}
	areas[index] = area;
	area_lengths[index] = total;
	return area + pages - size;
}

static void release(void)
{
	for (unsigned i = 0; i < SUBJECT_MAX_BUFFERS; i++) {
		if (areas[i] != NULL)
			munmap(areas[i], area_lengths[i]);
		areas[i] = NULL;
	}
	memset(&arguments, 0, sizeof(arguments));
}

static void close_received(void)
{
	for (unsigned i = 0; i < received_count; i++)
		close(received_fds[i]);
	received_count = 0;
}

static void prepare(const struct subject_request *request, struct subject_reply *reply)
{
	unsigned next_fd = 0;

	release();
	function_number = request->function;
	umask((mode_t)request->umask); /* a test's umask() is the call's too */
	memcpy(arguments.scalars, request->scalars, sizeof(arguments.scalars));
	for (unsigned i = 0; i < SUBJECT_MAX_FDS; i++) {
		int closed = (request->fd_closed_mask >> i) & 1;
		arguments.fds[i] = closed || next_fd >= received_count ? SUBJECT_CLOSED_FD
								     : received_fds[next_fd++];
	}
	for (unsigned i = 0; i < SUBJECT_MAX_BUFFERS; i++) {
		const struct subject_buffer *buffer = &request->buffers[i];

		if (buffer->kind != SUBJECT_BUFFER_GUARDED)
			continue;
		if (buffer->size > SUBJECT_MAX_BUFFER_BYTES ||
		    (arguments.buffers[i] = guarded_buffer(i, buffer->size)) == NULL) {
			reply->error = buffer->size > SUBJECT_MAX_BUFFER_BYTES ? E2BIG : errno;
			return;
		}
		reply->buffer_addresses[i] = (uint64_t)(uintptr_t)arguments.buffers[i];
	}
	if (function_number >= grade_subject_function_count)
		reply->error = ENOSYS;
}

/* GO: the student's code runs here, and nothing the judge watches runs around it. */
static void run_function(struct subject_reply *reply)
{
	subject_function function = grade_subject_functions[function_number];

	errno = 0;
	reply->result = function(&arguments);
	reply->error = errno;
	close_received(); /* close() is not watched, and leaves no descriptor to count */
}

/* An exit handler: a child of the student's code that ends with exit(), not _exit(). */
static void note_exit_in_child(void)
{
	if (getpid() == serving_pid)
		return;
	struct subject_reply note = { .kind = SUBJECT_CHILD_RAN_EXIT_HANDLERS };
	send_reply(&note);
}

static int serve(void)
{
	struct subject_request request;

	serving_pid = getpid();
	close(SUBJECT_CLOSED_FD);
	atexit(note_exit_in_child);
	struct subject_reply hello = { .kind = SUBJECT_HELLO };
	if (map_slots() != 0)
		_exit(0);
	for (unsigned i = 0; i < SUBJECT_MAX_BUFFERS; i++)
		hello.buffer_addresses[i] = (uint64_t)(uintptr_t)slots[i];
	if (send_reply(&hello) != 0)
		_exit(0);
	for (;;) {
		memset(&request, 0, sizeof(request));
		if (receive_request(&request) <= 0)
			_exit(0); /* the judge is gone */
		struct subject_reply reply = { 0 };
		switch (request.kind) {
		case SUBJECT_PREPARE:
			close(SUBJECT_CLOSED_FD);
			reply.kind = SUBJECT_READY;
			prepare(&request, &reply);
			break;
		case SUBJECT_GO:
			reply.kind = SUBJECT_DONE;
			run_function(&reply);
			break;
		case SUBJECT_CALL: /* every buffer fits its slot: nothing to map, run at once */
			close(SUBJECT_CLOSED_FD);
			reply.kind = SUBJECT_DONE;
			prepare(&request, &reply);
			if (reply.error == 0) {
				run_function(&reply);
			} else {
				reply.result = -1;
				close_received();
			}
			break;
		case SUBJECT_RELEASE:
			close_received();
			release();
			reply.kind = SUBJECT_RELEASED;
			break;
		default: /* SUBJECT_QUIT */
			fflush(NULL);
			_exit(0);
		}
		if (send_reply(&reply) != 0)
			_exit(0);
	}
}

/* argv[0] is the program's name, then "--program" and its name again. */
static int run_program(int argc, char **argv)
{
	if (&grade_programs != NULL && &grade_program_count != NULL)
		for (size_t i = 0; i < grade_program_count; i++)
			if (strcmp(grade_programs[i].name, argv[2]) == 0) {
				argv[2] = argv[0];
				return grade_programs[i].main(argc - 2, argv + 2);
			}
	fprintf(stderr, "%s: no program named '%s'\n", argv[0], argv[2]);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--program") == 0)
		return run_program(argc, argv);
	if (argc == 2 && strcmp(argv[1], "--serve") == 0)
		return serve();
	fprintf(stderr,
		"usage: %s --serve   (started by the grader's judge, on descriptor %d)\n"
		"       %s --program NAME [ARGUMENT...]\n",
		argv[0], SUBJECT_CALL_FD, argv[0]);
	return 2;
}
