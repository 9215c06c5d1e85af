/*
 * subject_protocol.h — how a judge and its subject talk; both sides include it.
 *
 * A test runs in two processes. The judge (the cmocka test, its expected
 * values, the verdict channel and the runner's token) is built without the
 * student's file. The subject is a small stub linked with the student's file:
 * it runs the calls the judge asks for and answers with raw observations only
 * (a return value and errno). They share one SOCK_SEQPACKET socket, which is
 * descriptor SUBJECT_CALL_FD in the subject, and nothing else writable.
 *
 * The stub first says HELLO once it runs (the judge looks at the subject only
 * after that), with the addresses of its buffer slots: SUBJECT_MAX_BUFFERS
 * areas of SUBJECT_SLOT_BYTES, each followed by an inaccessible guard page. A
 * call whose buffers all fit in the slots is one exchange, CALL and DONE: the
 * judge writes the inputs at the slots' ends (process_vm_writev) before it
 * asks, and reads the outputs back after. A call with a larger buffer takes
 * three exchanges, each a request and its reply:
 *
 *   PREPARE  the function's number, its scalar arguments, the sizes of the
 *            buffers it needs and (with SCM_RIGHTS) its descriptors. The stub
 *            maps each buffer so that it ends right at an inaccessible guard
 *            page and answers READY with their addresses. The judge fills the
 *            input buffers itself (process_vm_writev).
 *   GO       the stub calls the function; it answers DONE with the result and
 *            errno. The judge watches every system call in between from
 *            outside (seccomp user notification) and reads the output
 *            buffers itself (process_vm_readv).
 *   RELEASE  the stub unmaps the buffers and closes the descriptors it was
 *            given, and answers RELEASED, so that the judge's next look at
 *            /proc sees only what the student's code left.
 *
 * The stub makes no system call the judge watches between GO and DONE except
 * the student's own, which is why buffers are made and freed in the other two.
 * Every reply carries the sender's credentials (SCM_CREDENTIALS, checked by
 * the kernel), so a reply from a child that the student's code forked and that
 * returned into the stub is told apart from the subject's own.
 */
#ifndef SUBJECT_PROTOCOL_H
#define SUBJECT_PROTOCOL_H

#include <stdint.h>

/* The call socket in the subject; everything else above 2 is closed before exec. */
#define SUBJECT_CALL_FD 200

/* A descriptor number the stub keeps closed: the judge's closed or invalid descriptor. */
#define SUBJECT_CLOSED_FD 201

#define SUBJECT_MAX_SCALARS 8
#define SUBJECT_MAX_BUFFERS 4
#define SUBJECT_MAX_FDS 4

/* The size of each buffer slot the stub maps once, at its start. */
#define SUBJECT_SLOT_BYTES ((uint64_t)64 << 10)

/* The largest buffer one call may hand the student's code (a lab 5 message). */
#define SUBJECT_MAX_BUFFER_BYTES ((uint64_t)256 << 20)

enum subject_message_kind {
	SUBJECT_HELLO = 1, /* the stub is running and waits for requests */
	SUBJECT_PREPARE,
	SUBJECT_READY,
	SUBJECT_GO,
	SUBJECT_DONE,
	SUBJECT_RELEASE,
	SUBJECT_RELEASED,
	SUBJECT_QUIT,
	SUBJECT_CALL, /* PREPARE with every buffer in its slot, then GO at once */
	/* From a child of the student's code that called exit(): the stub's exit handler. */
	SUBJECT_CHILD_RAN_EXIT_HANDLERS,
};

/* How a buffer argument is passed. */
enum subject_buffer_kind {
	SUBJECT_BUFFER_NONE = 0, /* no such argument */
	SUBJECT_BUFFER_NULL,     /* the student's code gets NULL */
	SUBJECT_BUFFER_GUARDED,  /* `size` bytes ending at a guard page */
};

struct subject_buffer {
	uint32_t kind;
	uint32_t judge_fills;   /* the judge writes its bytes before GO */
	uint64_t size;
};

/* Judge to subject: PREPARE and CALL (all fields), GO, RELEASE and QUIT (kind only). */
struct subject_request {
	uint32_t kind;
	uint32_t function;      /* the lab's function number (its call table) */
	uint32_t fd_count;      /* descriptors passed with SCM_RIGHTS, in order */
	uint32_t fd_closed_mask; /* bit i: argument descriptor i stands for a closed one */
	uint32_t umask;         /* the judge's umask, which the call runs under too */
	int64_t scalars[SUBJECT_MAX_SCALARS];
	struct subject_buffer buffers[SUBJECT_MAX_BUFFERS];
};

/* Subject to judge: HELLO and READY (addresses), DONE (result and errno), RELEASED. */
struct subject_reply {
	uint32_t kind;
	int32_t error;          /* errno right after the call */
	int64_t result;         /* the return value, a pointer as an integer */
	uint64_t buffer_addresses[SUBJECT_MAX_BUFFERS];
};

#endif /* SUBJECT_PROTOCOL_H */
