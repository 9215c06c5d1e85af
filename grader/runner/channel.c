/*
 * channel.c — the runner's side of the verdict channel: the token and the records.
 *
 * judge_protocol.h defines the records: "KIND n\n" and n bytes for STEP, FAIL,
 * CRASH, TIMEOUT and GRADER, and "PASS <token>\n" for the verdict. Record
 * texts come from a judge that watched student code, so they are made valid
 * UTF-8 as they are taken; the verdict counts only with this test's token.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "utf8.h"

void channel_make_token(char token[VERDICT_TOKEN_LENGTH + 1])
{
	unsigned char random_bytes[VERDICT_TOKEN_BYTES];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, random_bytes, sizeof(random_bytes)) != sizeof(random_bytes))
		abort(); /* no randomness: a verdict could be guessed, so do not grade */
	close(fd);
	for (int i = 0; i < VERDICT_TOKEN_BYTES; i++)
		sprintf(token + 2 * i, "%02x", random_bytes[i]);
}

/* Whether line is the first line of a record of this kind: "KIND n". */
static bool record_of_kind(const char *line, const char *kind)
{
	size_t kind_len = strlen(kind);

	return strncmp(line, kind, kind_len) == 0 && line[kind_len] == ' ';
}

/* CRASH: the signal that killed the subject, in decimal; the first one counts. */
static void take_crash(struct sandbox_result *result, const char *body, size_t len)
{
	char number[16] = "";

	memcpy(number, body, len < sizeof(number) - 1 ? len : sizeof(number) - 1);
	if (result->reported_signal == 0)
		result->reported_signal = atoi(number);
}

/* GRADER: what the machine lacks outweighs any failure it caused. */
static void take_grader_error(struct sandbox_result *result, const char *body, size_t len)
{
	free(result->failure);
	result->failure = utf8_sanitized(body, len);
	result->grader_unable = true;
}

/* FAIL or TIMEOUT: the test's failure (a TIMEOUT is the judge's account of a hung call). */
static void take_failure(struct sandbox_result *result, const char *body, size_t len,
			 bool timed_out)
{
	/*
	 * The first failure is the one to report: a second can only come from
	 * another process of the test (a forked copy and its parent), and then it
	 * is usually a consequence of the first.
	 */
	if (result->failure != NULL || result->grader_unable)
		return;
	result->failure = utf8_sanitized(body, len);
	result->judge_timed_out = timed_out;
}

/* STEP: the latest replaces the one before. */
static void take_step(struct sandbox_result *result, const char *body, size_t len)
{
	free(result->step);
	result->step = utf8_sanitized(body, len);
}

/* A record with its n bytes; false for a line that is no record of these kinds. */
static bool take_record(struct sandbox_result *result, const char *line, const char *body,
			size_t body_len)
{
	if (record_of_kind(line, VERDICT_CRASH))
		take_crash(result, body, body_len);
	else if (record_of_kind(line, VERDICT_GRADER))
		take_grader_error(result, body, body_len);
	else if (record_of_kind(line, VERDICT_FAIL))
		take_failure(result, body, body_len, false);
	else if (record_of_kind(line, VERDICT_TIMEOUT))
		take_failure(result, body, body_len, true);
	else if (record_of_kind(line, VERDICT_STEP))
		take_step(result, body, body_len);
	else
		return false;
	return true;
}

/* The length a record's first line declares, or false if it declares none. */
static bool declared_length(const char *line, size_t *body_len)
{
	const char *space = strchr(line, ' ');

	return space != NULL && sscanf(space + 1, "%zu", body_len) == 1;
}

size_t channel_parse(const char *data, size_t len, const char *token,
		     struct sandbox_result *result, int *passed)
{
	const char *pass_prefix = VERDICT_PASS " ";
	size_t at = 0, consumed = 0;

	while (at < len) {
		const char *line_end = memchr(data + at, '\n', len - at);
		char line[VERDICT_RECORD_LINE_MAX + 1];
		size_t line_len = line_end != NULL ? (size_t)(line_end - (data + at)) : 0;

		if (line_end == NULL || line_len >= sizeof(line))
			return consumed;
		memcpy(line, data + at, line_len);
		line[line_len] = '\0';
		at += line_len + 1;
		if (strncmp(line, pass_prefix, strlen(pass_prefix)) == 0) {
			*passed = strcmp(line + strlen(pass_prefix), token) == 0;
		} else {
			size_t body_len;
			if (!declared_length(line, &body_len) || body_len > len - at)
				return consumed;
			if (!take_record(result, line, data + at, body_len))
				return consumed;
			at += body_len;
		}
		consumed = at;
	}
	return consumed;
}
