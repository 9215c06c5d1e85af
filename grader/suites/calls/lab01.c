/*
 * calls/lab01.c — lab 1's functions (tio.h), as the judge calls them and the subject runs them.
 *
 * Compiled twice (calls.h): for the judge, each function of tio.h becomes a
 * proxy of the same name; for the subject, the table of functions the stub
 * runs, and the lab's programs.
 */
#include <sys/types.h>

#include "calls.h"
#include "tio.h"

enum lab01_function {
	TIO_READ_FULL,
	TIO_WRITE_FULL,
	TIO_COPY_RW,
	TIO_COPY_MMAP,
	TIO_CHECKSUM_MMAP,
};

#ifndef GRADE_SUBJECT_SIDE

ssize_t tio_read_full(int fd, void *buf, size_t count)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_fd(&call, fd);
	grade_call_output(&call, buf, count);
	grade_call_scalar(&call, (int64_t)count);
	return (ssize_t)grade_call_run(&call, TIO_READ_FULL);
}

ssize_t tio_write_full(int fd, const void *buf, size_t count)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_fd(&call, fd);
	grade_call_input(&call, buf, count);
	grade_call_scalar(&call, (int64_t)count);
	return (ssize_t)grade_call_run(&call, TIO_WRITE_FULL);
}

int tio_copy_rw(const char *src, const char *dst, size_t bufsize)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, src);
	grade_call_string(&call, dst);
	grade_call_scalar(&call, (int64_t)bufsize);
	return (int)grade_call_run(&call, TIO_COPY_RW);
}

int tio_copy_mmap(const char *src, const char *dst)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, src);
	grade_call_string(&call, dst);
	return (int)grade_call_run(&call, TIO_COPY_MMAP);
}

int tio_checksum_mmap(const char *path, uint64_t *sum)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_output(&call, sum, sizeof(*sum));
	return (int)grade_call_run(&call, TIO_CHECKSUM_MMAP);
}

#else

static int64_t run_read_full(const struct subject_arguments *a)
{
	return tio_read_full(a->fds[0], a->buffers[0], (size_t)a->scalars[0]);
}

static int64_t run_write_full(const struct subject_arguments *a)
{
	return tio_write_full(a->fds[0], a->buffers[0], (size_t)a->scalars[0]);
}

static int64_t run_copy_rw(const struct subject_arguments *a)
{
	return tio_copy_rw(a->buffers[0], a->buffers[1], (size_t)a->scalars[0]);
}

static int64_t run_copy_mmap(const struct subject_arguments *a)
{
	return tio_copy_mmap(a->buffers[0], a->buffers[1]);
}

static int64_t run_checksum_mmap(const struct subject_arguments *a)
{
	return tio_checksum_mmap(a->buffers[0], a->buffers[1]);
}

static const subject_function lab01_functions[] = {
	[TIO_READ_FULL] = run_read_full,
	[TIO_WRITE_FULL] = run_write_full,
	[TIO_COPY_RW] = run_copy_rw,
	[TIO_COPY_MMAP] = run_copy_mmap,
	[TIO_CHECKSUM_MMAP] = run_checksum_mmap,
};
GRADE_SUBJECT_FUNCTIONS(lab01_functions);

#endif
