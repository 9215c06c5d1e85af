/*
 * support_internal.h — what the support library's own files share.
 *
 * The student's object file is linked with -Wl,--wrap for some libc calls,
 * and the linker applies that to every object in the program, the support
 * library included. So support code calls the __real_ functions directly:
 * the grader's own reads and writes must never be counted, slowed or failed
 * as if the student had made them.
 */
#ifndef SUPPORT_INTERNAL_H
#define SUPPORT_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

/* The __real_ functions are declared in grader.h. */

/* The wrappers the linker substitutes for the student's calls (wrap.c). */
ssize_t __wrap_read(int fd, void *buf, size_t count);
ssize_t __wrap_write(int fd, const void *buf, size_t count);
void *__wrap_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
void *__wrap_mmap64(void *addr, size_t length, int prot, int flags, int fd, off64_t offset);
int __wrap_munmap(void *addr, size_t length);
int __wrap_msync(void *addr, size_t length, int flags);

/* The private channel to the runner (-1 when the suite is run by hand). */
extern int grade_channel;

/* Send one record ("STEP", "FAIL") with its text over the channel, or to stderr. */
void grade_send_record(const char *kind, const char *text);

/* Whether a FAIL record has been sent for the running test. */
extern int grade_failure_sent;

/* ---- Processes (processes.c) ---- */

/* Map the shared page that counts fork() and sleep calls; note the test's pid. */
void grade_share_process_calls(void);
void grade_reset_process_calls(void);

/* The test process (0 before the test starts). */
extern pid_t grade_test_pid;

/* Set in a child forked by the code under test (through the wrapped fork()). */
extern int grade_forked_by_code_under_test;

/* Set once the code under test has called fork() in this process; never reset. */
extern int grade_code_under_test_forked;

/* Set in a child made by grade_fork(): grade_fail() ends it with _exit(1). */
extern int grade_in_helper_process;

/* The exit handler that counts children of the code under test calling exit(). */
void grade_note_exit_in_child(void);

/* A child of the code under test reached the test's code: fail the test, _exit(1). */
_Noreturn void grade_child_ran_test_code(void);

struct grade_program;

/*
 * Called first by the support functions a test calls between two calls of the
 * code under test: a forked copy of the test stops there, before it can
 * change the test's files or report anything.
 */
static inline void grade_stop_forked_copy(void)
{
	if (grade_forked_by_code_under_test)
		grade_child_ran_test_code();
}

/* The suite's program of that name, or NULL. */
const struct grade_program *grade_find_program(const char *name);

#endif /* SUPPORT_INTERNAL_H */
