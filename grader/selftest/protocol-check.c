/*
 * protocol-check.c — the judge's records, as its library writes them, read by the runner.
 *
 * Linked with the judge's support library (without its main()) and the
 * runner's channel.c, this program has the library write each kind of record
 * of judge_protocol.h into a socket pair, the way a test does, and has the
 * runner's parser read them back. A change to the records on one side that
 * the other does not follow makes it fail. Prints one line per problem;
 * exit status 0 when there is none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "judge_protocol.h"
#include "support_internal.h"

static int problems;
static int runner_end = -1;

static void expect(int holds, const char *what)
{
	if (!holds) {
		printf("protocol: %s\n", what);
		problems++;
	}
}

/* A text equal to the one expected (NULL never is). */
static int same_text(const char *observed, const char *expected)
{
	return observed != NULL && strcmp(observed, expected) == 0;
}

/* What the parser kept (the runner's sandbox_result_free(), without the sandbox). */
static void forget(struct sandbox_result *result)
{
	free(result->failure);
	free(result->step);
}

/* A fresh channel: the judge's end becomes the library's grade_channel. */
static void open_channel(void)
{
	int ends[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
		perror("protocol-check: socketpair");
		exit(2);
	}
	runner_end = ends[0];
	grade_channel = ends[1];
}

/*
 * Close the judge's end and have the runner's parser read everything that
 * came, as the runner does: a few bytes at a time, so that records arrive
 * split. Every byte must belong to a complete record.
 */
static int read_records(const char *token, struct sandbox_result *result)
{
	char data[16384];
	size_t used = 0;
	int passed = 0;
	ssize_t got = 0;

	close(grade_channel);
	grade_channel = -1;
	memset(result, 0, sizeof(*result));
	while (used + 7 <= sizeof(data) && (got = read(runner_end, data + used, 7)) > 0) {
		used += (size_t)got;
		size_t taken = channel_parse(data, used, token, result, &passed);
		memmove(data, data + taken, used - taken);
		used -= taken;
	}
	close(runner_end);
	expect(got == 0, "the records do not fit the test's buffer");
	expect(used == 0, "the runner left bytes of the judge's records unread");
	return passed;
}

/* In a helper child of a test, grade_fail() and grade_cannot_run_here() send and end it. */
static void in_helper_child(void (*send)(void))
{
	pid_t child = fork();
	int status;

	if (child < 0) {
		perror("protocol-check: fork");
		exit(2);
	}
	if (child == 0) {
		grade_in_helper_process = 1;
		send();
	}
	waitpid(child, &status, 0);
}

static void send_failure(void)
{
	grade_fail("read the header", "expected: %s\nobserved: %s", "4096", "it returned -1");
}

static void send_grader_error(void)
{
	grade_cannot_run_here("%s", "this kernel has no userfaultfd");
}

static void step_and_failure(void)
{
	struct sandbox_result result;

	open_channel();
	grade_step("calling %s", "tio_read_full(fd, buf, 10)");
	grade_step("%s", "a step\nof two lines");
	in_helper_child(send_failure);
	int passed = read_records("", &result);
	expect(!passed, "a failure passed");
	expect(same_text(result.step, "a step\nof two lines"), "the last STEP record was not kept");
	expect(same_text(result.failure, "expected: 4096\nobserved: it returned -1\n"
					 "hint: read the header"),
	       "a FAIL record's text was not read whole");
	expect(!result.judge_timed_out && !result.grader_unable,
	       "a FAIL record was read as another kind");
	forget(&result);
}

static void crash_and_time_out(void)
{
	struct sandbox_result result;

	open_channel();
	grade_send_record(VERDICT_CRASH, "11");
	grade_send_record(VERDICT_TIMEOUT, "timed out: pf_probe() had not returned after 2 s");
	read_records("", &result);
	expect(result.reported_signal == 11, "a CRASH record's signal was not read");
	expect(result.judge_timed_out &&
		       same_text(result.failure, "timed out: pf_probe() had not returned after 2 s"),
	       "a TIMEOUT record was not read as the judge's time-out");
	forget(&result);
}

static void grader_error(void)
{
	struct sandbox_result result;

	open_channel();
	in_helper_child(send_grader_error);
	read_records("", &result);
	expect(result.grader_unable && same_text(result.failure, "this kernel has no userfaultfd"),
	       "a GRADER record was not read as the grader's error");
	forget(&result);
}

/* The verdict's line, written by the judge's own code (feedback.c). */
static void send_pass(const char *token)
{
	expect(grade_send_pass(token) == 0, "the judge could not write the verdict's line");
}

static void verdict(void)
{
	char token[VERDICT_TOKEN_LENGTH + 1], other[VERDICT_TOKEN_LENGTH + 1];
	struct sandbox_result result;

	channel_make_token(token);
	expect(strlen(token) == VERDICT_TOKEN_LENGTH, "the runner's token has another length");
	expect(strlen(token) + 2 <= VERDICT_TOKEN_LINE_SIZE,
	       "the runner's token line does not fit the judge's");
	open_channel();
	grade_step("%s", "almost done");
	send_pass(token);
	expect(read_records(token, &result), "the verdict with the right token did not pass");
	forget(&result);

	channel_make_token(other);
	open_channel();
	send_pass(other);
	expect(!read_records(token, &result), "the verdict with another token passed");
	forget(&result);
}

int main(void)
{
	step_and_failure();
	crash_and_time_out();
	grader_error();
	verdict();
	return problems == 0 ? 0 : 1;
}
