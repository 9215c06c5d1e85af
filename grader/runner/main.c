/*
 * main.c — grader/grade: options, checks on them, and the order of the work.
 *
 * The flow goes one way: read the kit's labs, stage the submission's student
 * files, compile each lab, run each test in its own sandboxed process, then
 * write one report. Problems with the command line or the submission folder
 * are reported in one line with exit status 2; once grading has started, the
 * exit status is 0 whatever the score, so that scripts can tell "graded
 * badly" from "could not grade". `runner --print-config` (for the kit's own
 * scripts, not listed in --help) prints the limits of shared_config.h as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "cgroup.h"
#include "fsutil.h"
#include "labs.h"
#include "jobs.h"
#include "mounts.h"
#include "report.h"
#include "scheduler.h"
#include "shared_config.h"

#define MAX_LAB_NUMBER 64
#define MAX_TEST_NAMES 64

struct options {
	bool lab_selected[MAX_LAB_NUMBER + 1];
	bool any_lab_selected;
	enum report_format format;
	const char *out_path;
	int jobs;
	int timeout;
	bool sandbox;
	const char *submission;
	const char *test_names[MAX_TEST_NAMES]; /* --test: run only these */
	size_t test_name_count;
};

static const char usage_text[] =
	"usage: grade [--lab N]... [--test NAME]... [--format text|json|tap|junit]\n"
	"             [--out FILE] [--jobs N] [--timeout SEC] [--sandbox] [SUBMISSION_DIR]\n"
	"Grades the student files in SUBMISSION_DIR (default: the kit's labs/), which is\n"
	"laid out like labs/: one folder per lab, e.g. 01-traditional-io/tio.c.\n"
	"  --lab N         grade only lab N (repeat for more labs)\n"
	"  --test NAME     run only the test NAME, e.g. read_full_retries_short_reads\n"
	"                  (repeat for more tests); scores then count those tests only\n"
	"  --format FMT    text (default), json (Gradescope's results.json), tap (TAP 13)\n"
	"                  or junit (JUnit XML)\n"
	"  --out FILE      write the report to FILE instead of standard output\n"
	"  --jobs N        run N tests at a time (default: the CPUs this process may use,\n"
	"                  within its CPU quota and its memory; the report says which)\n"
	"  --timeout SEC   wall-clock limit of every test (default: each test's own)\n"
	"  --sandbox       also run every test inside bubblewrap: no network, read-only\n"
	"                  root, private /tmp and /dev/shm (falls back, and says so in\n"
	"                  the report, where bubblewrap cannot run)\n";

static _Noreturn void bad_usage(const char *format, const char *argument)
{
	fprintf(stderr, "grade: ");
	fprintf(stderr, format, argument);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

static int parse_number(const char *text, int low, int high, const char *what)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);

	if (errno != 0 || end == text || *end != '\0' || value < low || value > high) {
		fprintf(stderr, "grade: %s must be a number from %d to %d, not '%s'\n", what, low,
			high, text);
		exit(2);
	}
	return (int)value;
}

/* --print-config: the limits the kit's scripts share with the runner, as JSON. */
static _Noreturn void print_config(void)
{
	json_t *config = json_pack(
		"{s:i, s:{s:i, s:i}, s:{s:i, s:i}, s:{s:I, s:I, s:I}}", "student_file_max_bytes",
		STUDENT_FILE_MAX, "jobs", "min", JOBS_MIN, "max", JOBS_MAX, "timeout_seconds", "min",
		TIMEOUT_MIN_SECONDS, "max", TIMEOUT_MAX_SECONDS, "test_uids", "first",
		(json_int_t)TEST_UID_FIRST, "per_runner", (json_int_t)TEST_UIDS_PER_RUNNER, "runners",
		(json_int_t)TEST_UID_RUNNERS);
	if (config == NULL || json_dumpf(config, stdout, JSON_INDENT(2)) != 0 ||
	    putchar('\n') == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "grade: cannot print the configuration\n");
		exit(1);
	}
	json_decref(config);
	exit(0);
}

static void parse_options(int argc, char **argv, struct options *options)
{
	static const struct option long_options[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "test", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "sandbox", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "print-config", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int option, number;

	memset(options, 0, sizeof(*options));
	while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (option) {
		case 'l':
			number = parse_number(optarg, 1, MAX_LAB_NUMBER, "--lab");
			options->lab_selected[number] = true;
			options->any_lab_selected = true;
			break;
		case 'n':
			if (options->test_name_count == MAX_TEST_NAMES)
				bad_usage("at most 64 tests may be named ('%s' is one too many)", optarg);
			options->test_names[options->test_name_count++] = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				options->format = REPORT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				options->format = REPORT_JSON;
			else if (strcmp(optarg, "tap") == 0)
				options->format = REPORT_TAP;
			else if (strcmp(optarg, "junit") == 0)
				options->format = REPORT_JUNIT;
			else
				bad_usage("unknown format '%s' (text, json, tap or junit)", optarg);
			break;
		case 'o':
			options->out_path = optarg;
			break;
		case 'j':
			options->jobs = parse_number(optarg, JOBS_MIN, JOBS_MAX, "--jobs");
			break;
		case 't':
			options->timeout = parse_number(optarg, TIMEOUT_MIN_SECONDS, TIMEOUT_MAX_SECONDS,
						        "--timeout");
			break;
		case 's':
			options->sandbox = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'c':
			print_config();
		default:
			fprintf(stderr, "%s", usage_text);
			exit(2);
		}
	}
	if (argc - optind > 1)
		bad_usage("one submission folder at most ('%s' is one too many)", argv[optind + 1]);
	const char *home = getenv("MMAP_LABS_HOME");
	static char default_submission[PATH_MAX];
	snprintf(default_submission, sizeof(default_submission), "%s/labs", home ? home : ".");
	options->submission = optind < argc ? argv[optind] : default_submission;
}

/* Keep the selected labs only; exit 2 if one does not exist. */
static void select_labs(struct lab *labs, size_t *count, const struct options *options)
{
	size_t kept = 0;

	for (int number = 1; number <= MAX_LAB_NUMBER; number++) {
		bool found = false;
		for (size_t i = 0; i < *count; i++)
			found |= labs[i].number == number;
		if (options->lab_selected[number] && !found) {
			fprintf(stderr, "grade: there is no lab %d (the kit has labs", number);
			for (size_t i = 0; i < *count; i++)
				fprintf(stderr, " %d", labs[i].number);
			fprintf(stderr, ")\n");
			exit(2);
		}
	}
	for (size_t i = 0; i < *count; i++) {
		if (options->any_lab_selected && !options->lab_selected[labs[i].number])
			continue;
		struct lab swap = labs[kept];
		labs[kept++] = labs[i];
		labs[i] = swap;
	}
	*count = kept;
}

static bool test_named(const struct options *options, const char *name)
{
	for (size_t n = 0; n < options->test_name_count; n++)
		if (strcmp(options->test_names[n], name) == 0)
			return true;
	return false;
}

/*
 * With --test, keep only the named tests of the selected labs, and the labs
 * that have one; exit 2 if a name is no test of theirs.
 */
static void select_tests(struct lab *labs, size_t *count, const struct options *options)
{
	if (options->test_name_count == 0)
		return;
	for (size_t n = 0; n < options->test_name_count; n++) {
		bool found = false;
		for (size_t i = 0; i < *count; i++)
			for (size_t t = 0; t < labs[i].test_count; t++)
				found |= strcmp(labs[i].tests[t].name, options->test_names[n]) == 0;
		if (!found) {
			fprintf(stderr, "grade: there is no test '%s' in the labs graded\n",
				options->test_names[n]);
			exit(2);
		}
	}
	size_t kept_labs = 0;
	for (size_t i = 0; i < *count; i++) {
		size_t kept = 0;
		for (size_t t = 0; t < labs[i].test_count; t++) {
			if (!test_named(options, labs[i].tests[t].name))
				continue;
			struct test swap = labs[i].tests[kept];
			labs[i].tests[kept++] = labs[i].tests[t];
			labs[i].tests[t] = swap;
		}
		labs[i].test_count = kept;
		if (kept == 0)
			continue;
		struct lab swap = labs[kept_labs];
		labs[kept_labs++] = labs[i];
		labs[i] = swap;
	}
	*count = kept_labs;
}

/* Exit 2 unless the submission is a folder holding at least one lab folder. */
static void check_submission(const char *submission, const struct lab *labs, size_t count)
{
	char path[PATH_MAX * 2];
	struct stat info;

	if (stat(submission, &info) != 0) {
		fprintf(stderr, "grade: %s: %s\n", submission, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(info.st_mode)) {
		fprintf(stderr, "grade: %s is not a folder\n", submission);
		exit(2);
	}
	for (size_t i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", submission, labs[i].folder);
		if (stat(path, &info) == 0 && S_ISDIR(info.st_mode))
			return;
	}
	fprintf(stderr, "grade: %s holds no lab folder (expected folders like %s/)\n", submission,
		labs[0].folder);
	exit(2);
}

static void on_interrupt(int signal)
{
	(void)signal;
	scheduler_interrupted = 1;
}

/*
 * A private folder for this run, which the unprivileged test users may traverse.
 * Its name carries the runner's pid, so that a folder whose runner is gone can
 * be told from the folder of another run still in progress.
 */
static int make_work_dir(char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	char jobs[PATH_MAX + 8];

	snprintf(path, size, "%s/mmap-labs-grade.%ld.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp",
		 (long)getpid());
	if (mkdtemp(path) == NULL || chmod(path, 0711) != 0)
		return -1;
	snprintf(jobs, sizeof(jobs), "%s/jobs", path);
	return mkdir(jobs, 0711) == 0 && chmod(jobs, 0711) == 0 ? 0 : -1;
}

/* The path of bubblewrap's bwrap on PATH, or NULL. */
static const char *find_bubblewrap(void)
{
	static char path[PATH_MAX];
	const char *search = getenv("PATH");

	while (search != NULL && *search != '\0') {
		size_t len = strcspn(search, ":");
		snprintf(path, sizeof(path), "%.*s/bwrap", (int)len, search);
		if (len > 0 && access(path, X_OK) == 0)
			return path;
		search += len + (search[len] == ':');
	}
	return NULL;
}

/*
 * Decide how tests are isolated in this run and describe it in one line for
 * the report. With --sandbox, bubblewrap is tried once as a test would use it;
 * where it cannot run (often inside a container) the run goes on without it.
 */
/* Whether this kernel offers Landlock (any ABI version). */
static int landlock_available(void)
{
#ifdef SYS_landlock_create_ruleset
	return syscall(SYS_landlock_create_ruleset, NULL, 0, 1UL /* the ABI version */) >= 1;
#else
	return 0;
#endif
}

static const char *choose_isolation(const struct options *options, const char *work_dir,
				    bool *private_files, char *description, size_t size)
{
	const char *bubblewrap = options->sandbox ? find_bubblewrap() : NULL;
	const char *user = geteuid() == 0 ? ", as an unprivileged user" : "";
	char probe_dir[PATH_MAX + 32], reason[256] = "bwrap is not installed";

	char missing[200] = "";
	snprintf(probe_dir, sizeof(probe_dir), "%s/jobs/sandbox-probe", work_dir);
	if (bubblewrap != NULL)
		sandbox_bubblewrap_features(bubblewrap, probe_dir, missing, sizeof(missing));
	if (bubblewrap != NULL &&
	    !sandbox_bubblewrap_works(bubblewrap, probe_dir, geteuid() == 0, scheduler_slot_uid(0),
				      (gid_t)scheduler_slot_uid(0), reason, sizeof(reason)))
		bubblewrap = NULL;
	/* The subject confines its writes itself where the kernel has Landlock (confine.c). */
	const char *landlock = landlock_available()
				       ? ", writes only in its own folders (Landlock)"
				       : "";
	/* The files of a test: one private capped tmpfs where root may mount, else a watchdog. */
	snprintf(probe_dir, sizeof(probe_dir), "%s/jobs/files-probe", work_dir);
	*private_files = mounts_private_files_work(probe_dir, scheduler_slot_uid(0),
						   (gid_t)scheduler_slot_uid(0));
	int len = snprintf(description, size,
			   "student code only in a subject process, judged from outside it (seccomp)%s; "
			   "own process group and folder per test, resource limits%s; "
			   "files of each test limited to " FILES_LIMIT_TEXT " in all (%s); ",
			   landlock, user,
			   *private_files ? "private tmpfs for /tmp, /var/tmp and /dev/shm, watchdog for "
					    "its folder"
					  : "watchdog");
	/* Probed here, once, before any worker starts (cgroup.c). */
	len += snprintf(description + len, size - (size_t)len, "%s; ", test_limits_description());
	if (bubblewrap != NULL)
		snprintf(description + len, size - (size_t)len, "%s%s%s%s",
			 SANDBOX_BUBBLEWRAP_ISOLATION,
			 missing[0] != '\0' ? " (this bubblewrap is older: " : "", missing,
			 missing[0] != '\0' ? ")" : "");
	else if (options->sandbox)
		snprintf(description + len, size - (size_t)len,
			 "no namespaces: --sandbox was asked for, but bubblewrap cannot run here (%s)",
			 reason);
	else
		snprintf(description + len, size - (size_t)len,
			 "no namespaces (--sandbox adds them)");
	if (options->sandbox && bubblewrap == NULL)
		fprintf(stderr, "grade: --sandbox: bubblewrap cannot run here (%s); "
				"grading without it\n", reason);
	return bubblewrap;
}

static int grade(struct lab *labs, size_t count, const struct toolchain *toolchain,
		 const struct options *options, const char *work_dir, const char *bubblewrap,
		 bool private_files)
{
	struct test_run run = { work_dir, options->jobs, options->timeout, bubblewrap,
				private_files };

	labs_stage(labs, count, options->submission, work_dir);
	if (labs_build(labs, count, toolchain, work_dir, options->jobs) != 0)
		return -1;
	return labs_run_tests(labs, count, &run);
}

static bool colour_wanted(FILE *out)
{
	const char *term = getenv("TERM");

	return isatty(fileno(out)) && getenv("NO_COLOR") == NULL &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}

int main(int argc, char **argv)
{
	struct options options;
	struct toolchain toolchain;
	struct lab *labs;
	size_t count;
	char work_dir[PATH_MAX], isolation[1024];
	FILE *out = stdout;

	parse_options(argc, argv, &options);
	char schedule[300], why[240];
	if (options.jobs == 0) {
		options.jobs = default_jobs(why, sizeof(why));
		snprintf(schedule, sizeof(schedule), "%d at a time (%s)", options.jobs, why);
	} else {
		snprintf(schedule, sizeof(schedule), "%d at a time (--jobs)", options.jobs);
	}
	if (toolchain_load(&toolchain) != 0 || labs_load(&toolchain, &labs, &count) != 0)
		return 1;
	select_labs(labs, &count, &options);
	select_tests(labs, &count, &options);
	check_submission(options.submission, labs, count);
	if (options.out_path != NULL && (out = fopen(options.out_path, "w")) == NULL) {
		fprintf(stderr, "grade: cannot write %s: %s\n", options.out_path, strerror(errno));
		return 2;
	}
	/* Orphans of a worker that died come to us, not to init: we can still kill them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Not dumpable: no test, even one running as the same user, may read or write our memory. */
	prctl(PR_SET_DUMPABLE, 0);
	struct sigaction interrupt = { .sa_handler = on_interrupt };
	sigaction(SIGINT, &interrupt, NULL);
	sigaction(SIGTERM, &interrupt, NULL);
	if (make_work_dir(work_dir, sizeof(work_dir)) != 0) {
		perror("grade: cannot make a work folder");
		return 1;
	}
	bool private_files;
	const char *bubblewrap = choose_isolation(&options, work_dir, &private_files, isolation,
						  sizeof(isolation));
	int status = grade(labs, count, &toolchain, &options, work_dir, bubblewrap, private_files);
	remove_tree(work_dir);
	if (status != 0) {
		fprintf(stderr, "grade: %s\n",
			scheduler_interrupted ? "interrupted" : strerror(errno));
		return 1;
	}
	if (options.format == REPORT_JSON)
		status = report_json(out, labs, count, isolation, schedule);
	else if (options.format == REPORT_TAP)
		status = report_tap(out, labs, count, isolation);
	else if (options.format == REPORT_JUNIT)
		status = report_junit(out, labs, count, isolation);
	else
		status = report_text(out, labs, count, options.submission, isolation, schedule,
				     colour_wanted(out));
	if (fflush(out) != 0 || status != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "grade: could not write the report\n");
		return 1;
	}
	labs_free(labs, count);
	toolchain_free(&toolchain);
	return 0;
}
