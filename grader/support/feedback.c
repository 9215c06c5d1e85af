/*
 * feedback.c — how a test tells the runner what went wrong.
 *
 * A failing test sends one FAIL record (expected, observed, hint) over the
 * private channel the runner gave it; a test about to do something risky
 * sends a STEP record, so that a crash or a time-out can be explained too.
 * The runner never reads the test's stdout or stderr for verdicts: those
 * belong to the student's code, which may print anything. In a helper child
 * of the test (grade_fork), a failure ends that child instead. Also the
 * wording every file shares: formatted text, errno values by name, and how
 * a call's result is described and checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader.h"
#include "support_internal.h"
#include "judge_protocol.h"

#define MESSAGE_MAX 4096

int grade_channel = -1;
int grade_failure_sent;
int grade_in_helper_process; /* set by grade_fork() in its child (processes.c) */

/* Write all of buf to fd with the real write(), retrying short writes. */
static void send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t written = write(fd, buf, len);

		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			return; /* the runner is gone or the channel was closed: nothing to do */
		buf += written;
		len -= (size_t)written;
	}
}

int grade_send_pass(const char *token)
{
	char line[sizeof(VERDICT_PASS) + VERDICT_TOKEN_LINE_SIZE];
	int len = snprintf(line, sizeof(line), VERDICT_PASS_FORMAT, token);

	if (len < 0 || (size_t)len >= sizeof(line))
		return -1;
	return write(grade_channel, line, (size_t)len) == len ? 0 : -1;
}

void grade_send_record(const char *kind, const char *text)
{
	char record[MESSAGE_MAX + 64];
	size_t len = strnlen(text, MESSAGE_MAX);

	if (grade_channel < 0) {
		fprintf(stderr, "%s: %.*s\n", kind, (int)len, text);
		return;
	}
	/*
	 * A length prefix, so that messages may contain any byte, newlines included.
	 * One write() per record, so that a helper child's record and the test's
	 * own never interleave.
	 */
	int header_len = snprintf(record, sizeof(record), VERDICT_RECORD_HEADER_FORMAT, kind, len);
	memcpy(record + header_len, text, len);
	send_all(grade_channel, record, (size_t)header_len + len);
}

static void vformat_message(char *out, size_t size, const char *format, va_list args)
{
	vsnprintf(out, size, format, args);
}

_Noreturn void grade_fail(const char *hint, const char *format, ...)
{
	char message[MESSAGE_MAX];
	va_list args;

	va_start(args, format);
	vformat_message(message, sizeof(message), format, args);
	va_end(args);
	size_t used = strlen(message);
	if (hint != NULL && hint[0] != '\0')
		snprintf(message + used, sizeof(message) - used, "\nhint: %s", hint);
	grade_send_record(VERDICT_FAIL, message);
	grade_failure_sent = 1;
	if (grade_in_helper_process)
		_exit(1); /* a helper child of the test: its message fails the test */
	if (grade_channel >= 0)
		fail(); /* the message went to the runner; cmocka only needs to stop */
	else
		fail_msg("%s", message);
	abort(); /* not reached: cmocka jumps back to its runner */
}

_Noreturn void grade_setup_failed(const char *format, ...)
{
	char message[MESSAGE_MAX];
	va_list args;
	int saved_errno = errno;

	va_start(args, format);
	vformat_message(message, sizeof(message), format, args);
	va_end(args);
	grade_fail("this is a problem of the grader or the machine, not of your code: "
		   "report it to your instructor",
		   "the grader could not prepare the test: %s (%s)", message,
		   grade_errno_text(saved_errno));
}

_Noreturn void grade_cannot_run_here(const char *format, ...)
{
	char message[MESSAGE_MAX];
	va_list args;

	va_start(args, format);
	vformat_message(message, sizeof(message), format, args);
	va_end(args);
	grade_send_record(VERDICT_GRADER, message);
	grade_failure_sent = 1;
	if (grade_in_helper_process)
		_exit(1);
	if (grade_channel >= 0)
		fail(); /* the runner counts the test as the grader's error */
	else
		fail_msg("not graded: %s", message);
	abort(); /* not reached: cmocka jumps back to its runner */
}

void grade_step(const char *format, ...)
{
	char message[MESSAGE_MAX];
	va_list args;

	va_start(args, format);
	vformat_message(message, sizeof(message), format, args);
	va_end(args);
	grade_send_record(VERDICT_STEP, message);
}

/* The call announced last, for messages about the subject ("tio_read_full(fd, buf, 10)"). */
static char current_call[512] = "the code under test";

const char *grade_current_call(void)
{
	return current_call;
}

void grade_announce_call(char *call, size_t size, const char *situation, const char *crash_note,
			 const char *format, ...)
{
	char function_call[512];
	int has_situation = situation != NULL && situation[0] != '\0';
	va_list args;

	va_start(args, format);
	vformat_message(function_call, sizeof(function_call), format, args);
	va_end(args);
	snprintf(call, size, "%s%s%s%s", function_call, has_situation ? ", " : "",
		 has_situation ? situation : "", has_situation ? "," : "");
	snprintf(current_call, sizeof(current_call), "%s", function_call);
	if (grade_faults.mmap_fail_at != 0)
		crash_note = "if it crashes now: mmap() failed, and its result, MAP_FAILED (not "
			     "NULL), must be checked before the mapping is used";
	grade_step("calling %s%s%s%s%s%s", function_call, has_situation ? " " : "",
		   has_situation ? situation : "", crash_note != NULL ? " (" : "",
		   crash_note != NULL ? crash_note : "", crash_note != NULL ? ")" : "");
	errno = 0;
}

const char *grade_format(const char *format, ...)
{
	static char buffers[8][1024];
	static unsigned next;
	char *out = buffers[next++ % 8];
	va_list args;

	va_start(args, format);
	vformat_message(out, sizeof(buffers[0]), format, args);
	va_end(args);
	return out;
}

const char *grade_errno_text(int error)
{
	const char *name;

	if (error == 0)
		return "0 (no error)";
	name = grade_errno_name(error);
	return grade_format("%s (%s)", name != NULL ? name : "unknown errno", strerror(error));
}

/* "it returned NULL with errno ENOENT (...)", or "... ENOSYS: not written yet ...". */
static const char *describe_failure(const char *returned, int observed_errno)
{
	if (observed_errno == ENOSYS)
		return grade_format("it returned %s with errno ENOSYS: not written yet "
				    "(that is the skeleton's placeholder)",
				    returned);
	return grade_format("it returned %s with errno %s", returned,
			    grade_errno_text(observed_errno));
}

const char *grade_describe_result(long long observed, int observed_errno)
{
	if (observed != -1)
		return grade_format("it returned %lld", observed);
	return describe_failure("-1", observed_errno);
}

const char *grade_describe_null(int observed_errno)
{
	return describe_failure("NULL", observed_errno);
}

void grade_expect_result(long long observed, int observed_errno, long long expected,
			 const char *call, const char *hint)
{
	if (observed == expected)
		return;
	grade_fail(hint, "expected: %s to return %lld\nobserved: %s", call, expected,
		   grade_describe_result(observed, observed_errno));
}

void grade_expect_error(long long observed, int observed_errno, int expected_errno,
			const char *call, const char *hint)
{
	if (observed == -1 && observed_errno == expected_errno)
		return;
	grade_fail(hint, "expected: %s to fail, returning -1 with errno %s\nobserved: %s", call,
		   grade_errno_text(expected_errno),
		   grade_describe_result(observed, observed_errno));
}
