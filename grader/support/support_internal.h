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

ssize_t __real_read(int fd, void *buf, size_t count);
ssize_t __real_write(int fd, const void *buf, size_t count);
void *__real_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int __real_munmap(void *addr, size_t length);
int __real_msync(void *addr, size_t length, int flags);

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

#endif /* SUPPORT_INTERNAL_H */
