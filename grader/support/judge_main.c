/*
 * judge_main.c — the main() of every lab's judge.
 *
 * `judge --list` prints the suite's tests as JSON (the runner reads this list
 * from the kit's own judge, never from a submission), the hidden tests last,
 * each with "hidden": true. `judge --run NAME --subject PROGRAM --channel FD`
 * runs exactly one test: the lab's tests, hidden ones included, make one
 * cmocka group, and cmocka's test filter selects TEST. Each test's setup
 * starts the subject PROGRAM (the stub linked with the student's file), the
 * test body drives it, its teardown ends it. The runner writes a random token on the
 * channel first; the verdict is "PASS <token>" sent back on that channel only
 * after the test body has returned and cmocka has counted no failure.
 *
 * The judge never loads student code, is not dumpable (so the subject,
 * running as the same user, can neither trace it nor touch its memory), and
 * adopts the subject's orphans (a child subreaper). Its own standard output
 * and error go to /dev/null: the test's output is the subject's. Without
 * --channel the verdict and failures go to standard error, for running a test
 * by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <jansson.h>

#include "grader.h"
#include "support_internal.h"
#include "judge_protocol.h"

/* Defined by GRADE_HIDDEN_TESTS only in a suite built with hidden tests. */
extern const struct grade_test *const grade_hidden_tests __attribute__((weak));
extern const size_t grade_hidden_test_count __attribute__((weak));

static const struct grade_test *selected_test;
static int selected_test_returned;
static char token[VERDICT_TOKEN_LINE_SIZE];

static size_t hidden_test_count(void)
{
	return &grade_hidden_tests != NULL && &grade_hidden_test_count != NULL
		       ? grade_hidden_test_count
		       : 0;
}

static void list_tests(json_t *list, const struct grade_test *tests, size_t count, bool hidden)
{
	for (size_t i = 0; i < count; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:i, s:b}",
						      LAB_JSON_TEST_NAME, tests[i].name,
						      LAB_JSON_TEST_TITLE, tests[i].title,
						      LAB_JSON_TEST_POINTS, tests[i].points,
						      LAB_JSON_TEST_SECONDS, tests[i].seconds,
						      LAB_JSON_TEST_HIDDEN, hidden));
}

static int print_list(void)
{
	json_t *tests = json_array();
	json_t *suite = json_pack("{s:i, s:s, s:s, s:s}", LAB_JSON_NUMBER, grade_suite.number,
				  LAB_JSON_FOLDER, grade_suite.folder, LAB_JSON_STUDENT_FILE,
				  grade_suite.student_file, LAB_JSON_TITLE, grade_suite.title);

	if (tests == NULL || suite == NULL)
		return 1;
	list_tests(tests, grade_suite.tests, grade_suite.test_count, false);
	if (hidden_test_count() > 0)
		list_tests(tests, grade_hidden_tests, hidden_test_count(), true);
	json_object_set_new(suite, LAB_JSON_TESTS, tests);
	if (json_dumpf(suite, stdout, JSON_INDENT(2)) != 0)
		return 1;
	putchar('\n');
	json_decref(suite);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* cmocka's per-test setup and teardown: the subject lives exactly as long as the test. */
static int start_subject(void **state)
{
	(void)state;
	subject_start();
	return 0;
}

static int stop_subject(void **state)
{
	(void)state;
	subject_stop();
	return 0;
}

static void run_one_test(void **state)
{
	const struct grade_test *test = *state;

	test->run();
	/* Whatever the test checked, code that forked must not leave a child behind. */
	if (ledger_subject_forked())
		grade_expect_no_children("the code under test",
					 "wait for every child you fork with waitpid() before "
					 "returning, on every path: an unreaped child stays a zombie, "
					 "and one left running may go on doing anything");
	selected_test_returned = 1;
}

/* Put tests into the group from slot `first` on; returns the slot after the last. */
static size_t add_to_group(struct CMUnitTest *group, size_t first, const struct grade_test *tests,
			   size_t count)
{
	for (size_t i = 0; i < count && first < GRADE_MAX_TESTS; i++, first++)
		group[first] = (struct CMUnitTest){ tests[i].name, run_one_test, start_subject,
						    stop_subject, (void *)&tests[i] };
	return first;
}

/* Read the runner's token: one line of at most VERDICT_TOKEN_LENGTH bytes. */
static int read_token(int fd)
{
	size_t used = 0;

	while (used < sizeof(token) - 1) {
		ssize_t got = read(fd, token + used, 1);

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

static void send_verdict(int passed)
{
	if (!passed) {
		if (!grade_failure_sent)
			grade_send_record(VERDICT_FAIL, "the test failed in cmocka without a message "
							"from the grader");
		return;
	}
	if (grade_channel < 0) {
		grade_send_record(VERDICT_PASSED_BY_HAND, selected_test->name);
		return;
	}
	if (grade_send_pass(token) != 0)
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
		"usage: %s " JUDGE_LIST_OPTION "\n"
		"       %s " JUDGE_RUN_OPTION " TEST " JUDGE_SUBJECT_OPTION
		" PROGRAM [" VERDICT_CHANNEL_OPTION " FD]\n",
		program, program);
	return 2;
}

/* The judge's own output goes nowhere; the test's output belongs to the subject. */
static int keep_output_for_subject(void)
{
	int output = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	int null_fd = open("/dev/null", O_WRONLY);

	if (output < 0 || null_fd < 0 || dup2(null_fd, STDOUT_FILENO) < 0)
		return -1;
	/* By hand, failures stay visible on standard error. */
	if (grade_channel >= 0 && dup2(null_fd, STDERR_FILENO) < 0)
		return -1;
	close(null_fd);
	return output;
}

static int parse_arguments(int argc, char **argv, const char **subject_program)
{
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], JUDGE_SUBJECT_OPTION) == 0)
			*subject_program = argv[i + 1];
		else if (strcmp(argv[i], VERDICT_CHANNEL_OPTION) == 0)
			grade_channel = atoi(argv[i + 1]);
		else
			return -1;
	}
	return argc % 2 == 1 && *subject_program != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *subject_program = NULL;

	if (argc == 2 && strcmp(argv[1], JUDGE_LIST_OPTION) == 0)
		return print_list();
	if (argc < 5 || strcmp(argv[1], JUDGE_RUN_OPTION) != 0 ||
	    parse_arguments(argc, argv, &subject_program) != 0)
		return usage(argv[0]);
	selected_test = find_test(argv[2]);
	if (selected_test == NULL) {
		fprintf(stderr, "%s: no test named '%s' (try --list)\n", argv[0], argv[2]);
		return 2;
	}
	/* Before anything else: the subject must never reach this process. */
	if (prctl(PR_SET_DUMPABLE, 0) != 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("judge: cannot protect itself");
		return 2;
	}
	if (grade_channel >= 0 && read_token(grade_channel) != 0) {
		fprintf(stderr, "%s: no token on the channel\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	int output = keep_output_for_subject();
	if (output < 0)
		return 2;
	subject_configure(subject_program, output);

	/* The lab's group; the filter runs the selected test alone. */
	static struct CMUnitTest group[GRADE_MAX_TESTS];
	size_t count = add_to_group(group, 0, grade_suite.tests, grade_suite.test_count);
	add_to_group(group, count, grade_hidden_tests, hidden_test_count());
	cmocka_set_test_filter(selected_test->name);
	int failures = cmocka_run_group_tests_name(grade_suite.title, group, NULL, NULL);
	int passed = failures == 0 && selected_test_returned && !grade_failure_sent;
	send_verdict(passed);
	return passed ? 0 : 1;
}
