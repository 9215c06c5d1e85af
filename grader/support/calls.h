/*
 * calls.h — a lab's call table, written once and compiled for both sides.
 *
 * Each lab has one file, grader/suites/calls/labNN.c, that lists its student
 * functions (and any operation a test needs done inside the subject, such as
 * building a mapping there). Compiled for the judge, each entry is a proxy
 * with the header's own name and signature: it marshals the arguments, has
 * the subject run the real function, and returns its result and errno. The
 * judge never links the student's file, so calling tio_read_full() in a test
 * means calling this proxy. Compiled for the subject (GRADE_SUBJECT_SIDE), the
 * same file gives the table of functions the stub may run, and the kit's
 * programs that are linked with the student's file.
 *
 * Arguments come in three kinds, each numbered from 0 in the order they are
 * added: scalars (numbers, and subject addresses as numbers), descriptors
 * (passed with SCM_RIGHTS: the subject's copy shares the open file, and so its
 * offset), and buffers (copied into memory of the subject that ends right at a
 * guard page, and copied back after the call when the function writes them).
 */
#ifndef CALLS_H
#define CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "subject_protocol.h"

#ifndef GRADE_SUBJECT_SIDE

/* One call being put together by a proxy. */
struct grade_call {
	struct subject_request request;
	int fds[SUBJECT_MAX_FDS];
	unsigned scalar_count, buffer_count;
	const void *inputs[SUBJECT_MAX_BUFFERS]; /* the judge's bytes to copy in */
	void *outputs[SUBJECT_MAX_BUFFERS];      /* where to copy them back, or NULL */
};

#define GRADE_CALL_INIT { .request = { .kind = SUBJECT_PREPARE } }

void grade_call_scalar(struct grade_call *call, int64_t value);
/* A subject address (a mapping or handle the student's code returned earlier). */
void grade_call_address(struct grade_call *call, const volatile void *subject_address);
void grade_call_fd(struct grade_call *call, int fd);
/* size bytes the function only reads; NULL passes NULL. */
void grade_call_input(struct grade_call *call, const void *data, size_t size);
/* A NUL-terminated string (the NUL right before the guard page); NULL passes NULL. */
void grade_call_string(struct grade_call *call, const char *text);
/* size bytes the function may write: copied in before and back after; NULL passes NULL. */
void grade_call_output(struct grade_call *call, void *data, size_t size);

/*
 * Have the subject run the lab's function number `function` with these
 * arguments. Returns its result, with errno as the function left it.
 */
int64_t grade_call_run(struct grade_call *call, unsigned function);

#else /* the subject's side */

/* What the stub hands one function of the table. */
struct subject_arguments {
	int64_t scalars[SUBJECT_MAX_SCALARS];
	void *buffers[SUBJECT_MAX_BUFFERS];
	int fds[SUBJECT_MAX_FDS];
};

typedef int64_t (*subject_function)(const struct subject_arguments *arguments);

#define GRADE_SUBJECT_FUNCTIONS(table)                                             \
	const subject_function *const grade_subject_functions = (table);          \
	const size_t grade_subject_function_count = sizeof(table) / sizeof((table)[0])

extern const subject_function *const grade_subject_functions;
extern const size_t grade_subject_function_count;

/* The kit's programs linked with the student's file: each is a demo's main(), renamed. */
struct grade_program {
	const char *name; /* the demo's file name without .c: "chan-send" */
	int (*main)(int argc, char **argv);
};

/*
 * A lab with programs lists them once. The build compiles every demo of the
 * lab's folder with main renamed to grade_program_NAME (dashes become
 * underscores: grade_program_chan_send).
 */
#define GRADE_PROGRAMS(table)                                                  \
	const struct grade_program *const grade_programs = (table);           \
	const size_t grade_program_count = sizeof(table) / sizeof((table)[0])

#endif /* GRADE_SUBJECT_SIDE */

#endif /* CALLS_H */
