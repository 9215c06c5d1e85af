/*
 * calls/lab02.c — lab 2's functions (shared_edit.h), as the judge calls them and the subject runs them.
 *
 * Compiled twice (calls.h): for the judge, each function of shared_edit.h
 * becomes a proxy of the same name (and se_write_at and se_append have a
 * variant with a short buffer, calls/lab02.h); for the subject, the table of
 * functions the stub runs. Paths, needles and replacements are copied into
 * the subject as strings, data as buffers that end at a guard page; every
 * other argument is a number.
 */
#include <stdint.h>
#include <sys/types.h>

#include "calls.h"
#include "lab02.h"
#include "shared_edit.h"

enum lab02_function {
	SE_SET_BYTE,
	SE_REPLACE_ALL,
	SE_WRITE_AT,
	SE_APPEND,
};

#ifndef GRADE_SUBJECT_SIDE

int se_set_byte(const char *path, off_t offset, unsigned char value)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_scalar(&call, (int64_t)offset);
	grade_call_scalar(&call, value);
	return (int)grade_call_run(&call, SE_SET_BYTE);
}

long se_replace_all(const char *path, const char *needle, const char *replacement)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_string(&call, needle);
	grade_call_string(&call, replacement);
	return (long)grade_call_run(&call, SE_REPLACE_ALL);
}

int se_write_at_holding(const char *path, off_t offset, const void *data, size_t held,
			size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_scalar(&call, (int64_t)offset);
	grade_call_input(&call, data, held);
	grade_call_scalar(&call, (int64_t)len);
	return (int)grade_call_run(&call, SE_WRITE_AT);
}

int se_write_at(const char *path, off_t offset, const void *data, size_t len)
{
	return se_write_at_holding(path, offset, data, len, len);
}

int se_append_holding(const char *path, const void *data, size_t held, size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_input(&call, data, held);
	grade_call_scalar(&call, (int64_t)len);
	return (int)grade_call_run(&call, SE_APPEND);
}

int se_append(const char *path, const void *data, size_t len)
{
	return se_append_holding(path, data, len, len);
}

#else

static int64_t run_set_byte(const struct subject_arguments *a)
{
	return se_set_byte(a->buffers[0], (off_t)a->scalars[0], (unsigned char)a->scalars[1]);
}

static int64_t run_replace_all(const struct subject_arguments *a)
{
	return se_replace_all(a->buffers[0], a->buffers[1], a->buffers[2]);
}

static int64_t run_write_at(const struct subject_arguments *a)
{
	return se_write_at(a->buffers[0], (off_t)a->scalars[0], a->buffers[1],
			   (size_t)a->scalars[1]);
}

static int64_t run_append(const struct subject_arguments *a)
{
	return se_append(a->buffers[0], a->buffers[1], (size_t)a->scalars[0]);
}

static const subject_function lab02_functions[] = {
	[SE_SET_BYTE] = run_set_byte,
	[SE_REPLACE_ALL] = run_replace_all,
	[SE_WRITE_AT] = run_write_at,
	[SE_APPEND] = run_append,
};
GRADE_SUBJECT_FUNCTIONS(lab02_functions);

#endif
