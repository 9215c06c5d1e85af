/*
 * runner-faults.c — the runner where the machine lets it down: no memory, many CPUs.
 *
 * Usage: runner-faults SCRATCH_FOLDER
 *
 * Linked with the runner's files (without its main()) and with realloc() and
 * sched_getaffinity() wrapped at link time, this program makes realloc() fail
 * where the runner grows its list of labs and writes a test's feedback, gives
 * it a lab description with a field missing, and shows it the affinity mask of
 * a machine larger than a fixed cpu_set_t holds. Each case runs in a child of
 * its own (a crash is a failure too) and prints one line when it goes wrong;
 * exit status 0 when none does.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobs.h"
#include "labs.h"
#include "report.h"

/* The simulated machine: this many CPUs the kernel could have, the first few allowed. */
#define POSSIBLE_CPUS 2048
#define ALLOWED_CPUS 70

void *__real_realloc(void *data, size_t size);
void *__wrap_realloc(void *data, size_t size);
int __wrap_sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask);

static const char *scratch;
/* realloc() fails from its call number fail_from on (0: never). */
static unsigned realloc_calls, fail_from;

void *__wrap_realloc(void *data, size_t size)
{
	if (fail_from > 0 && ++realloc_calls >= fail_from) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(data, size);
}

/* As the kernel does: EINVAL for a mask smaller than the CPUs it could have. */
int __wrap_sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask)
{
	(void)pid;
	if (size * 8 < POSSIBLE_CPUS) {
		errno = EINVAL;
		return -1;
	}
	CPU_ZERO_S(size, mask);
	for (int cpu = 0; cpu < ALLOWED_CPUS; cpu++)
		CPU_SET_S(cpu, size, mask);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");

	if (file == NULL || fputs(text, file) < 0 || fclose(file) != 0) {
		perror(path);
		exit(2);
	}
}

/* SCRATCH/NAME/labNN/lab.json for each description: a grader's folder as the build leaves it. */
static void make_grader_folder(struct toolchain *toolchain, const char *name,
			       const char *const *descriptions, int count)
{
	char path[PATH_MAX + 64];

	memset(toolchain, 0, sizeof(*toolchain));
	snprintf(toolchain->grader_dir, sizeof(toolchain->grader_dir), "%s/%s", scratch, name);
	mkdir(toolchain->grader_dir, 0755);
	for (int i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/lab%02d", toolchain->grader_dir, i + 1);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/lab%02d/lab.json", toolchain->grader_dir, i + 1);
		write_file(path, descriptions[i]);
	}
}

#define TEST_JSON "{\"name\": \"works\", \"title\": \"It works\", \"points\": 5, \"seconds\": 2}"
#define LAB_JSON(number) \
	"{\"number\": " number ", \"folder\": \"0" number "-lab\", \"student_file\": " \
	"\"lab.c\", \"title\": \"A lab\", \"tests\": [" TEST_JSON "]}"

static const char *const two_labs[] = { LAB_JSON("1"), LAB_JSON("2") };

/* The list of labs can no longer grow: an error, not the labs loaded so far. */
static int list_cannot_grow(void)
{
	struct toolchain toolchain;
	struct lab *labs;
	size_t count;

	make_grader_folder(&toolchain, "list-cannot-grow", two_labs, 2);
	if (freopen("/dev/null", "w", stderr) == NULL) /* its message is expected */
		return perror("/dev/null"), 1;
	fail_from = 2;
	int status = labs_load(&toolchain, &labs, &count);
	fail_from = 0;
	if (status == 0) {
		printf("labs_load: realloc() failed, yet %zu of 2 labs were loaded as success\n",
		       count);
		return 1;
	}
	return 0;
}

/* A test without its title: an error naming the file and the field. */
static int field_missing(void)
{
	static const char *const description[] = {
		"{\"number\": 1, \"folder\": \"01-lab\", \"student_file\": \"lab.c\", "
		"\"title\": \"A lab\", \"tests\": [" TEST_JSON ", {\"name\": \"untitled\", "
		"\"points\": 5}]}"
	};
	struct toolchain toolchain;
	char messages[PATH_MAX + 32], text[4096] = "";
	struct lab *labs;
	size_t count;

	make_grader_folder(&toolchain, "field-missing", description, 1);
	snprintf(messages, sizeof(messages), "%s/field-missing.txt", scratch);
	if (freopen(messages, "w", stderr) == NULL)
		return perror(messages), 1;
	int status = labs_load(&toolchain, &labs, &count);
	fflush(stderr); /* a file now: buffered */
	FILE *said = fopen(messages, "r");
	size_t len = said != NULL ? fread(text, 1, sizeof(text) - 1, said) : 0;
	text[len] = '\0';
	if (status == 0 || strstr(text, "/field-missing/lab01/lab.json") == NULL ||
	    strstr(text, "\"title\"") == NULL) {
		printf("labs_load: a test without \"title\" was %s; it said: %s\n",
		       status == 0 ? "loaded" : "refused", text);
		return 1;
	}
	return 0;
}

/* One lab with one test that failed, graded. */
static void failed_lab(struct lab *lab, struct test *test)
{
	memset(lab, 0, sizeof(*lab));
	memset(test, 0, sizeof(*test));
	lab->number = 1;
	lab->folder = "01-lab";
	lab->student_file = "lab.c";
	lab->title = "A lab";
	lab->state = LAB_BUILT;
	lab->tests = test;
	lab->test_count = 1;
	test->position = 1;
	test->name = "works";
	test->title = "It works";
	test->points = 5;
	test->result.verdict = VERDICT_FAILED;
	test->result.failure = "expected: 1\nobserved: 0";
}

/* Whether a report, written without memory for the feedback, said so; prints a line if not. */
static int said_so(const char *report, int status, const char *output)
{
	if (status != 0)
		return 0;
	printf("%s: out of memory for a failed test's feedback, it reported success%s\n", report,
	       strstr(output, "works\" time=\"0.000\"/>") != NULL ? ", the test as passed" : "");
	return 1;
}

/* Without memory for a failed test's feedback, no report may call the test passed. */
static int feedback_without_memory(void)
{
	const char *names[] = { "report_text", "report_json", "report_tap", "report_junit" };
	char *output[4] = { NULL };
	size_t size[4];
	FILE *out[4];
	int status[4], failures = 0;
	struct lab lab;
	struct test test;

	failed_lab(&lab, &test);
	for (int i = 0; i < 4; i++)
		if ((out[i] = open_memstream(&output[i], &size[i])) == NULL)
			return perror("open_memstream"), 1;
	fail_from = 1; /* open_memstream's own growth is inside the C library: not wrapped */
	status[0] = report_text(out[0], &lab, 1, "lab", "none", "1 at a time", false);
	status[1] = report_json(out[1], &lab, 1, "none", "1 at a time");
	status[2] = report_tap(out[2], &lab, 1, "none");
	status[3] = report_junit(out[3], &lab, 1, "none");
	fail_from = 0;
	for (int i = 0; i < 4; i++) {
		fclose(out[i]);
		failures += said_so(names[i], status[i], output[i]);
		free(output[i]);
	}
	return failures;
}

/* 70 CPUs allowed on a machine that could have 2048: 70 usable, not the fallback of 1. */
static int many_cpus(void)
{
	char why[240], expected[64];

	default_jobs(why, sizeof(why));
	snprintf(expected, sizeof(expected), "%d CPUs usable", ALLOWED_CPUS);
	if (strncmp(why, expected, strlen(expected)) != 0) {
		printf("default_jobs: with %d CPUs allowed of %d possible, it said \"%s\"\n",
		       ALLOWED_CPUS, POSSIBLE_CPUS, why);
		return 1;
	}
	return 0;
}

/* Run one case in a child: its own failure lines, or one saying that it crashed. */
static int run_case(const char *name, int (*check)(void))
{
	fflush(stdout);
	pid_t child = fork();
	int status;

	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		int failed = check() != 0;
		fflush(stdout);
		_exit(failed);
	}
	if (waitpid(child, &status, 0) < 0)
		return perror("waitpid"), 1;
	if (WIFSIGNALED(status))
		printf("%s: crashed (%s)\n", name, strsignal(WTERMSIG(status)));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int failures = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SCRATCH_FOLDER\n", argv[0]);
		return 2;
	}
	scratch = argv[1];
	failures += run_case("labs_load when realloc() fails", list_cannot_grow);
	failures += run_case("labs_load with a field missing", field_missing);
	failures += run_case("the reports without memory for feedback", feedback_without_memory);
	failures += run_case("default_jobs on a machine of 2048 possible CPUs", many_cpus);
	return failures == 0 ? 0 : 1;
}
