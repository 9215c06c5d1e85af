/*
 * report.c — the text report for people and results.json for Gradescope.
 *
 * Feedback for a test that did not pass says what happened in words a student
 * can act on: the test's own "expected / observed / hint" when it failed; the
 * signal's name and the last step when it crashed; the time limit when it
 * hung; that no verdict came back when the process ended early. What the
 * student's code printed follows, trimmed. JSON is written with jansson, so
 * anything the student's code printed is escaped correctly.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cgroup.h"
#include "mounts.h"
#include "report.h"

#define OUTPUT_SHOWN 2000

int test_score(const struct test *test)
{
	return test->result.verdict == VERDICT_PASSED ? test->points : 0;
}

/* A growing string; lost is set when memory ran out, and the text is then incomplete. */
struct text {
	char *data;
	size_t used, size;
	bool lost;
};

static void add(struct text *text, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *text, const char *format, ...)
{
	va_list args;

	for (;;) {
		va_start(args, format);
		int needed = vsnprintf(text->data + text->used, text->size - text->used, format,
				       args);
		va_end(args);
		if (needed < 0) {
			text->lost = true;
			return;
		}
		if ((size_t)needed < text->size - text->used) {
			text->used += (size_t)needed;
			return;
		}
		size_t size = text->size * 2 + (size_t)needed + 64;
		char *grown = realloc(text->data, size);
		if (grown == NULL) {
			text->lost = true;
			return;
		}
		text->data = grown;
		text->size = size;
		if (text->used == 0)
			text->data[0] = '\0';
	}
}

/* "SEGV" for SIGSEGV; a table, since sigabbrev_np() needs glibc 2.32 (Debian 11 has 2.31). */
static const char *signal_description(int signal)
{
	static const struct {
		int number;
		const char *name;
	} names[] = {
		{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" }, { SIGILL, "ILL" },
		{ SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" }, { SIGBUS, "BUS" }, { SIGFPE, "FPE" },
		{ SIGKILL, "KILL" }, { SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
		{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" }, { SIGCHLD, "CHLD" },
		{ SIGCONT, "CONT" }, { SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" },
		{ SIGTTOU, "TTOU" }, { SIGURG, "URG" }, { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" },
		{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGWINCH, "WINCH" }, { SIGIO, "IO" },
		{ SIGPWR, "PWR" }, { SIGSYS, "SYS" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].number == signal)
			return names[i].name;
	return "unknown";
}

static void add_problem(struct text *text, const struct lab *lab, const struct test *test)
{
	const struct sandbox_result *result = &test->result;

	switch (result->verdict) {
	case VERDICT_PASSED:
		break;
	case VERDICT_FAILED:
		if (files_stopped_the_test(result->files_over_limit))
			add(text, "%s\n", files_over_text(result->files_over_limit));
		else
			add(text, "%s\n", result->failure);
		break;
	case VERDICT_CRASHED:
		add(text, "crashed: killed by SIG%s (%s)\n", signal_description(result->signal),
		    strsignal(result->signal));
		break;
	case VERDICT_TIMED_OUT:
		if (result->failure != NULL) /* the judge's own account of a call that hung */
			add(text, "%s\n", result->failure);
		else
			add(text, "timed out: still running after %.0f s, so it was stopped "
				  "(an endless loop, or waiting for something that never comes)\n",
			    result->seconds);
		break;
	case VERDICT_NO_VERDICT:
		add(text, "no verdict: the test process ended (exit status %d) before the test "
			  "finished (did the code call exit()?)\n",
		    result->exit_status);
		break;
	case VERDICT_GRADER_ERROR:
		add(text, "not graded: the grader cannot run this test on this machine: %s. "
			  "This says nothing about your code: tell your instructor\n",
		    result->failure != NULL ? result->failure : "no reason given");
		break;
	case VERDICT_NOT_RUN:
		if (lab->state == LAB_BUILD_FAILED)
			add(text, "not run: %s did not compile\n", lab->student_file);
		else
			add(text, "not run: %s\n", lab->problem);
		break;
	}
	if (test->note != NULL)
		add(text, "%s\n", test->note);
	if (result->step != NULL &&
	    (result->verdict == VERDICT_CRASHED || result->verdict == VERDICT_TIMED_OUT ||
	     result->verdict == VERDICT_NO_VERDICT))
		add(text, "while: %s\n", result->step);
	/* Its private tmpfs was full: the ENOSPC its code or the test met came from the limit. */
	if (!files_stopped_the_test(result->files_over_limit) &&
	    files_over_text(result->files_over_limit) != NULL)
		add(text, "%s\n", files_over_text(result->files_over_limit));
	/* Over the memory limit the failure says it; at the process limit fork() just failed. */
	if (result->limits_crossed == TEST_LIMIT_PROCESSES)
		add(text, "note: this test %s, so fork() failed beyond it\n",
		    test_limits_text(TEST_LIMIT_PROCESSES));
	if (result->leftovers > 0)
		add(text, "note: %u process(es) were still running after the test and were "
			  "killed (is every child reaped?)\n",
		    result->leftovers);
}

static void add_output(struct text *text, const struct sandbox_result *result)
{
	if (result->output == NULL || result->output[0] == '\0')
		return;
	size_t len = strlen(result->output);
	const char *start = result->output;
	if (len > OUTPUT_SHOWN)
		start += len - OUTPUT_SHOWN; /* the end is what explains a failure */
	while ((*start & 0xC0) == 0x80)
		start++; /* never begin in the middle of a UTF-8 sequence */
	add(text, "your code printed%s:\n%s", start != result->output ? " (last part)" : "", start);
	if (text->used > 0 && text->data[text->used - 1] != '\n')
		add(text, "\n");
	if (result->output_dropped > 0)
		add(text, "(and %zu more bytes, not kept)\n", result->output_dropped);
}

int test_feedback(const struct lab *lab, const struct test *test, char **feedback)
{
	struct text text = { NULL, 0, 0, false };

	*feedback = NULL;
	if (test->result.verdict == VERDICT_PASSED)
		return 0;
	add(&text, "%s", "");
	add_problem(&text, lab, test);
	add_output(&text, &test->result);
	if (text.lost) {
		free(text.data);
		return -1;
	}
	while (text.used > 0 && text.data[text.used - 1] == '\n')
		text.data[--text.used] = '\0';
	*feedback = text.data;
	return 0;
}

int lab_score(const struct lab *lab)
{
	int score = 0;

	for (size_t i = 0; i < lab->test_count; i++)
		score += test_score(&lab->tests[i]);
	return score;
}

int lab_max(const struct lab *lab)
{
	int points = 0;

	for (size_t i = 0; i < lab->test_count; i++)
		points += lab->tests[i].points;
	return points;
}

int lab_hidden_max(const struct lab *lab)
{
	int points = 0;

	for (size_t i = 0; i < lab->test_count; i++)
		if (lab->tests[i].hidden)
			points += lab->tests[i].points;
	return points;
}

struct colours {
	const char *good, *bad, *dim, *bold, *off;
};

static const char *verdict_label(enum verdict verdict)
{
	switch (verdict) {
	case VERDICT_PASSED:
		return "ok";
	case VERDICT_FAILED:
		return "FAILED";
	case VERDICT_CRASHED:
		return "CRASHED";
	case VERDICT_TIMED_OUT:
		return "TIMEOUT";
	case VERDICT_NO_VERDICT:
		return "NO VERDICT";
	case VERDICT_NOT_RUN:
		return "NOT RUN";
	case VERDICT_GRADER_ERROR:
		return "NOT GRADED";
	}
	return "?";
}

/* Print text with every line indented. */
static void print_indented(FILE *out, const char *text, const char *indent)
{
	while (*text != '\0') {
		const char *end = strchr(text, '\n');
		size_t len = end != NULL ? (size_t)(end - text) : strlen(text);
		fprintf(out, "%s%.*s\n", indent, (int)len, text);
		text += len + (end != NULL);
	}
}

static void report_lab_problem(FILE *out, const struct lab *lab, const struct colours *c)
{
	if (lab->state == LAB_MISSING || lab->state == LAB_UNREADABLE)
		fprintf(out, "  %s%s%s — every test of this lab scores 0\n", c->bad, lab->problem,
			c->off);
	if (lab->state == LAB_BUILD_FAILED) {
		fprintf(out, "  %s%s does not compile%s — every test of this lab scores 0. "
			     "The compiler said:\n", c->bad, lab->student_file, c->off);
		print_indented(out, lab->compiler_output, "    ");
	} else if (lab->state == LAB_BUILT && lab->compiler_output != NULL &&
		   lab->compiler_output[0] != '\0') {
		fprintf(out, "  %sThe compiler warned%s (no points lost, but read them):\n",
			c->bold, c->off);
		print_indented(out, lab->compiler_output, "    ");
	}
}

/* 0, or -1 if the feedback of a test could not be written (out of memory). */
static int report_lab(FILE *out, const struct lab *lab, const struct colours *c)
{
	int status = 0;

	fprintf(out, "\n%sLab %d — %s%s (%s/%s)\n", c->bold, lab->number, lab->title, c->off,
		lab->folder, lab->student_file);
	report_lab_problem(out, lab, c);
	if (lab->state != LAB_BUILT)
		return 0;
	for (size_t i = 0; i < lab->test_count; i++) {
		const struct test *test = &lab->tests[i];
		int passed = test->result.verdict == VERDICT_PASSED;
		char number[48];
		snprintf(number, sizeof(number), "%d.%zu", lab->number, test->position);
		fprintf(out, "  %s%-10s%s %-5s %-38s %3d/%-3d %s%s%s%s\n", passed ? c->good : c->bad,
			verdict_label(test->result.verdict), c->off, number, test->name,
			test_score(test), test->points, c->dim, test->hidden ? "(hidden) " : "",
			test->title, c->off);
		char *feedback;
		if (test_feedback(lab, test, &feedback) != 0)
			status = -1;
		else if (feedback != NULL)
			print_indented(out, feedback, "             ");
		free(feedback);
	}
	return status;
}

/* How many tests the grader could not run on this machine. */
static int grader_errors(const struct lab *labs, size_t count)
{
	int errors = 0;

	for (size_t i = 0; i < count; i++)
		for (size_t t = 0; t < labs[i].test_count; t++)
			errors += labs[i].tests[t].result.verdict == VERDICT_GRADER_ERROR;
	return errors;
}

/* Said under the total and in Gradescope's output: a score the machine, not the code, lowered. */
static void add_grader_error_warning(struct text *text, int errors)
{
	if (errors > 0)
		add(text, "Warning: the grader could not run %d test%s on this machine "
			  "(each marked NOT GRADED, verdict \"grader error\"), so the total is not "
			  "the submission's score: "
			  "grade it again where the kernel feature named there is available.\n",
		    errors, errors == 1 ? "" : "s");
}

/* Ends a row of the score table: how many of its points hidden tests hold, if any. */
static void print_hidden_points(FILE *out, int hidden_points, const struct colours *c)
{
	if (hidden_points > 0)
		fprintf(out, "  %s(%d of them hidden)%s", c->dim, hidden_points, c->off);
	fputc('\n', out);
}

int report_text(FILE *out, const struct lab *labs, size_t count, const char *submission,
		const char *isolation, const char *schedule, bool colour)
{
	static const struct colours plain = { "", "", "", "", "" };
	static const struct colours ansi = { "\033[32m", "\033[31m", "\033[2m", "\033[1m",
					     "\033[0m" };
	const struct colours *c = colour ? &ansi : &plain;
	int total = 0, total_max = 0, total_hidden = 0, title_width = 44, status = 0;

	/* Titles in one column, as wide as the longest (labs 1-9 keep "Lab N" one digit). */
	for (size_t i = 0; i < count; i++)
		if ((int)strlen(labs[i].title) > title_width)
			title_width = (int)strlen(labs[i].title);
	fprintf(out, "%smmap-labs grader%s · submission: %s\n", c->bold, c->off, submission);
	fprintf(out, "%sIsolation: %s%s\n", c->dim, isolation, c->off);
	fprintf(out, "%sTests: %s%s\n", c->dim, schedule, c->off);
	for (size_t i = 0; i < count; i++)
		if (report_lab(out, &labs[i], c) != 0)
			status = -1;
	fprintf(out, "\n%sScore%s\n", c->bold, c->off);
	for (size_t i = 0; i < count; i++) {
		int score = lab_score(&labs[i]), max = lab_max(&labs[i]);
		int hidden = lab_hidden_max(&labs[i]);
		fprintf(out, "  Lab %d  %-*s %s%3d/%d%s", labs[i].number, title_width,
			labs[i].title, score == max ? c->good : c->bad, score, max, c->off);
		print_hidden_points(out, hidden, c);
		total += score;
		total_max += max;
		total_hidden += hidden;
	}
	fprintf(out, "  %-*s %s%3d/%d%s", title_width + 7, "Total", c->bold, total, total_max,
		c->off);
	print_hidden_points(out, total_hidden, c);
	struct text warning = { NULL, 0, 0, false };
	add_grader_error_warning(&warning, grader_errors(labs, count));
	if (warning.data != NULL)
		fprintf(out, "\n%s%s%s", c->bad, warning.data, c->off);
	free(warning.data);
	return warning.lost ? -1 : status;
}

/* One test's entry, or NULL when memory ran out. */
static json_t *test_json(const struct lab *lab, size_t index)
{
	const struct test *test = &lab->tests[index];
	char number[48];
	char *feedback;

	if (test_feedback(lab, test, &feedback) != 0)
		return NULL;

	snprintf(number, sizeof(number), "%d.%zu", lab->number, test->position);
	/* The verdict goes under extra_data, the place Gradescope's specification keeps for it. */
	json_t *object = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:{s:s}}", "name", test->name,
				   "number", number, "score", test_score(test), "max_score",
				   test->points, "status",
				   test->result.verdict == VERDICT_PASSED ? "passed" : "failed",
				   "output", feedback != NULL ? feedback : test->title,
				   "extra_data", "verdict", verdict_name(test->result.verdict));
	free(feedback);
	/* Gradescope's default visibility for the others; hidden ones wait for the due date. */
	if (object != NULL && test->hidden)
		json_object_set_new(object, "visibility", json_string("after_due_date"));
	return object;
}

/* The lab-level message (missing file, compiler output) for Gradescope's top output. */
static void add_lab_output(struct text *text, const struct lab *lab)
{
	if (lab->state == LAB_MISSING || lab->state == LAB_UNREADABLE)
		add(text, "Lab %d: %s\n", lab->number, lab->problem);
	else if (lab->state == LAB_BUILD_FAILED)
		add(text, "Lab %d: %s does not compile:\n%s\n", lab->number, lab->student_file,
		    lab->compiler_output);
}

int report_json(FILE *out, const struct lab *labs, size_t count, const char *isolation,
		const char *schedule)
{
	json_t *tests = json_array();
	struct text text = { NULL, 0, 0, false };
	int score = 0, max = 0;
	bool lost = tests == NULL;

	add(&text, "Isolation: %s\n", isolation);
	for (size_t i = 0; i < count; i++) {
		for (size_t t = 0; t < labs[i].test_count; t++)
			lost |= json_array_append_new(tests, test_json(&labs[i], t)) != 0;
		score += lab_score(&labs[i]);
		max += lab_max(&labs[i]);
		add_lab_output(&text, &labs[i]);
	}
	add_grader_error_warning(&text, grader_errors(labs, count));
	if (lost || text.lost) { /* a test left out or an output cut short: no report at all */
		json_decref(tests);
		free(text.data);
		return -1;
	}
	/*
	 * extra_data is Gradescope's place for what it should keep but not show;
	 * max_score stays at the top as well, where the kit's interface names it.
	 * The outputs are plain text: compiler messages hold "#include <x.h>",
	 * which Gradescope's default format would take for markup.
	 */
	json_t *report = json_pack("{s:i, s:i, s:s, s:s, s:s, s:o, s:{s:i, s:s, s:s}}", "score",
				   score, "max_score", max, "output", text.data, "output_format",
				   "text", "test_output_format", "text", "tests", tests,
				   "extra_data", "max_score", max, "isolation", isolation,
				   "tests_at_once", schedule);
	free(text.data);
	if (report == NULL)
		return -1;
	int status = json_dumpf(report, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(report);
	return status;
}
