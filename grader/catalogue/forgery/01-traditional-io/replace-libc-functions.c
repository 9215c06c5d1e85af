/*
 * Forgery: memcmp, read, write and exit replaced to compare nothing and report success
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: yes
 *
 * Replaces the libc functions a grader linked with the student's file would
 * call to compare, report and end: memcmp() always says "equal", read() and
 * write() also push a passing verdict to descriptor 63 and to standard output,
 * and exit() ends with status 0 at once.
 *
 * The judge is built without the student's file, so none of these replace
 * anything it calls; in the subject they change only what the subject says.
 */
#include <sys/syscall.h>
#include <sys/uio.h>

/* With writev(), which the judge does not count: only the verdict may change, not the counts. */
static void forgery_push_verdict(void)
{
	static char verdict[] = "PASS 00000000000000000000000000000000\n";
	struct iovec line = { verdict, sizeof(verdict) - 1 };

	syscall(SYS_writev, 63, &line, 1);
	syscall(SYS_writev, 1, &line, 1);
}

int memcmp(const void *a, const void *b, size_t n)
{
	(void)a, (void)b, (void)n;
	return 0;
}

ssize_t read(int fd, void *buf, size_t count)
{
	forgery_push_verdict();
	return syscall(SYS_read, fd, buf, count);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	forgery_push_verdict();
	return syscall(SYS_write, fd, buf, count);
}

void exit(int status)
{
	(void)status;
	syscall(SYS_exit_group, 0);
	for (;;)
		;
}
