/*
 * suite_main.c — the main() of every lab's test suite.
 *
 * `SUITE --list` prints the suite's tests as JSON (the runner reads this list
 * from a copy built with the kit, never from a submission), the hidden tests
 * last, each with "hidden": true. `SUITE --run NAME
 * --channel FD` runs exactly one test under cmocka. The runner passes a
 * socket on which it first writes a random token; the test's verdict is
 * "PASS <token>" sent back on that socket only after the test function has
 * returned and cmocka has counted no failure. Anything the student's code
 * prints, or an exit() in the middle, therefore cannot produce a pass.
 * Without --channel the verdict goes to stderr, for running a test by hand.
 * `SUITE --program NAME ARGS...` runs one of the kit's programs built into
 * the suite (grade_start_program() starts them this way), with no test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "grader.h"
#include "support_internal.h"

#define TOKEN_MAX 128

/*
 * Under the runner, cmocka writes its report to this file (it refuses one that
 * exists), so that the test's captured output holds only what the code under
 * test printed.
 */
#define CMOCKA_REPORT ".grader-cmocka.xml"

/* Defined by GRADE_HIDDEN_TESTS only in a suite built with hidden tests. */
extern const struct grade_test *const grade_hidden_tests __attribute__((weak));
extern const size_t grade_hidden_test_count __attribute__((weak));

static const struct grade_test *selected_test;
static int selected_test_returned;
static char token[TOKEN_MAX];

static size_t hidden_test_count(void)
{
	return &grade_hidden_tests != NULL && &grade_hidden_test_count != NULL
		       ? grade_hidden_test_count
		       : 0;
}

static void list_tests(json_t *list, const struct grade_test *tests, size_t count, bool hidden)
{
	for (size_t i = 0; i < count; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:i, s:b}", "name",
						      tests[i].name, "title", tests[i].title,
						      "points", tests[i].points, "seconds",
						      tests[i].seconds, "hidden", hidden));
}

static int print_list(void)
{
	json_t *tests = json_array();
	json_t *suite = json_pack("{s:i, s:s, s:s, s:s}", "number", grade_suite.number,
				  "folder", grade_suite.folder, "student_file",
				  grade_suite.student_file, "title", grade_suite.title);

	if (tests == NULL || suite == NULL)
		return 1;
	list_tests(tests, grade_suite.tests, grade_suite.test_count, false);
	if (hidden_test_count() > 0)
		list_tests(tests, grade_hidden_tests, hidden_test_count(), true);
	json_object_set_new(suite, "tests", tests);
	if (json_dumpf(suite, stdout, JSON_INDENT(2)) != 0)
		return 1;
	putchar('\n');
	json_decref(suite);
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * cmocka runs this; it runs the selected test. cmocka catches SIGSEGV and
 * friends with its own handlers and reports a plain failure; a crash in the
 * student's code should instead kill the process, so that the runner can
 * report which signal it was. One test per process makes that safe.
 */
static void run_selected_test(void **state)
{
	static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS };

	(void)state;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		signal(fatal_signals[i], SIG_DFL);
	selected_test->run();
	/* A copy of the test forked by the code under test stops here, before cmocka reports. */
	if (grade_forked_by_code_under_test)
		grade_child_ran_test_code();
	/* Whatever the test checked, code that forked must not leave a child behind. */
	if (grade_code_under_test_forked)
		grade_expect_no_children("the code under test",
					 "wait for every child you fork with waitpid() before "
					 "returning, on every path: an unreaped child stays a zombie, "
					 "and one left running may go on doing anything");
	selected_test_returned = 1;
}

/* Read the runner's token: one line of at most TOKEN_MAX - 1 bytes. */
static int read_token(int fd)
{
	size_t used = 0;

	while (used < sizeof(token) - 1) {
		ssize_t got = __real_read(fd, token + used, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		if (token[used] == '\n') {
			token[used] = '\0';
			return used > 0 ? 0 : -1;
		}
		used++;
	}
	return -1;
}

/* The message of a plain cmocka assertion, from the XML report: the CDATA text. */
static void send_cmocka_failure(void)
{
	static char report[8192];
	const char *text = "a cmocka assertion failed";
	int fd = open(CMOCKA_REPORT, O_RDONLY | O_NOFOLLOW);
	ssize_t got = fd >= 0 ? __real_read(fd, report, sizeof(report) - 1) : -1;

	if (got > 0) {
		report[got] = '\0';
		char *start = strstr(report, "<![CDATA[");
		char *end = start != NULL ? strstr(start, "]]>") : NULL;
		if (end != NULL) {
			*end = '\0';
			text = start + strlen("<![CDATA[");
		}
	}
	if (fd >= 0)
		close(fd);
	grade_send_record("FAIL", text);
}

static void send_verdict(int passed)
{
	char line[TOKEN_MAX + 8];

	if (grade_forked_by_code_under_test)
		grade_child_ran_test_code(); /* a copy of the test must never report */
	if (!passed) {
		if (!grade_failure_sent)
			send_cmocka_failure();
		return;
	}
	if (grade_channel < 0) {
		fprintf(stderr, "PASSED: %s\n", selected_test->name);
		return;
	}
	int len = snprintf(line, sizeof(line), "PASS %s\n", token);
	if (__real_write(grade_channel, line, (size_t)len) != len)
		exit(3); /* the runner will see no verdict */
}

static const struct grade_test *find_test(const char *name)
{
	for (size_t i = 0; i < grade_suite.test_count; i++)
		if (strcmp(grade_suite.tests[i].name, name) == 0)
			return &grade_suite.tests[i];
	for (size_t i = 0; i < hidden_test_count(); i++)
		if (strcmp(grade_hidden_tests[i].name, name) == 0)
			return &grade_hidden_tests[i];
	return NULL;
}

static int usage(const char *program)
{
	fprintf(stderr,
		"usage: %s --list\n       %s --run TEST [--channel FD]\n"
		"       %s --program NAME [ARGUMENT...]\n",
		program, program, program);
	return 2;
}

/* argv[0] is the program's name, then "--program" and its name again. */
static int run_program(int argc, char **argv)
{
	const struct grade_program *program = grade_find_program(argv[2]);

	if (program == NULL) {
		fprintf(stderr, "%s: no program named '%s'\n", argv[0], argv[2]);
		return 2;
	}
	argv[2] = argv[0];
	return program->main(argc - 2, argv + 2);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		return print_list();
	if (argc >= 3 && strcmp(argv[1], "--program") == 0)
		return run_program(argc, argv);
	if ((argc != 3 && argc != 5) || strcmp(argv[1], "--run") != 0)
		return usage(argv[0]);
	selected_test = find_test(argv[2]);
	if (selected_test == NULL) {
		fprintf(stderr, "%s: no test named '%s' (try --list)\n", argv[0], argv[2]);
		return 2;
	}
	if (argc == 5) {
		if (strcmp(argv[3], "--channel") != 0)
			return usage(argv[0]);
		grade_channel = atoi(argv[4]);
		if (read_token(grade_channel) != 0) {
			fprintf(stderr, "%s: no token on the channel\n", argv[0]);
			return 2;
		}
	}

	if (grade_channel >= 0) {
		unlink(CMOCKA_REPORT);
		setenv("CMOCKA_XML_FILE", CMOCKA_REPORT, 1);
		cmocka_set_message_output(CM_OUTPUT_XML);
	}
	/* Counts of fork() and sleep calls that children of the code under test share. */
	grade_share_process_calls();
	atexit(grade_note_exit_in_child);

	const struct CMUnitTest one_test[] = {
		{ selected_test->name, run_selected_test, NULL, NULL, NULL },
	};
	int failures = _cmocka_run_group_tests(grade_suite.title, one_test, 1, NULL, NULL);
	int passed = failures == 0 && selected_test_returned && !grade_failure_sent;
	send_verdict(passed);
	if (grade_channel >= 0)
		unlink(CMOCKA_REPORT);
	return passed ? 0 : 1;
}
