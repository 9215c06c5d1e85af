/*
 * labs.c — from a submission folder to built test programs and test results.
 *
 * For each lab: copy the one student file out of the submission (a regular
 * file only, never through a symbolic link, at most 1 MiB), copy the kit's
 * headers and compiled suite beside it, and compile the lot as the
 * unprivileged user, in the sandbox, with flags the kit fixes. A lab that does
 * not compile keeps the compiler's message and scores 0; the others go on.
 * Then every test of every built lab becomes one sandboxed job.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "fsutil.h"
#include "judge_protocol.h"
#include "labs.h"
#include "scheduler.h"
#include "shared_config.h"

#define COMPILE_SECONDS 120
#define DEFAULT_TEST_SECONDS 10
#define MAX_ARGUMENTS 128

/* Find a program on PATH; 0 with its absolute path, or -1. */
static int find_program(const char *name, char *path, size_t size)
{
	if (strchr(name, '/') != NULL)
		return realpath(name, path) != NULL && size >= PATH_MAX ? 0 : -1;
	const char *search = getenv("PATH");
	char *copy = strdup(search != NULL ? search : "/usr/bin:/bin");
	int found = -1;
	for (char *saved, *folder = strtok_r(copy, ":", &saved); folder != NULL && found != 0;
	     folder = strtok_r(NULL, ":", &saved)) {
		snprintf(path, size, "%s/%s", folder, name);
		if (access(path, X_OK) == 0)
			found = 0;
	}
	free(copy);
	return found;
}

/* Whether value is an array of strings, as toolchain.json's lists of flags are. */
static bool all_strings(const json_t *value)
{
	size_t index;
	json_t *item;

	if (!json_is_array(value))
		return false;
	json_array_foreach(value, index, item) {
		if (!json_is_string(item))
			return false;
	}
	return true;
}

int toolchain_load(struct toolchain *toolchain)
{
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	json_error_t error;

	if (len < 0)
		return perror("grade: cannot find the runner"), -1;
	exe[len] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(toolchain->grader_dir, sizeof(toolchain->grader_dir), "%s", exe);
	snprintf(path, sizeof(path), "%s/toolchain.json", toolchain->grader_dir);
	json_t *object = json_load_file(path, 0, &error);
	const char *compiler = json_string_value(json_object_get(object, "cc"));
	toolchain->description = object;
	toolchain->compile_flags = json_object_get(object, "compile_flags");
	toolchain->link_flags = json_object_get(object, "link_flags");
	if (compiler == NULL || !all_strings(toolchain->compile_flags) ||
	    !all_strings(toolchain->link_flags)) {
		fprintf(stderr, "grade: the grader is not built (%s): run make grade\n", path);
		toolchain_free(toolchain);
		return -1;
	}
	if (find_program(compiler, toolchain->compiler, sizeof(toolchain->compiler)) != 0) {
		fprintf(stderr, "grade: the C compiler '%s' is not installed\n", compiler);
		toolchain_free(toolchain);
		return -1;
	}
	return 0;
}

void toolchain_free(struct toolchain *toolchain)
{
	json_decref(toolchain->description);
	toolchain->description = toolchain->compile_flags = toolchain->link_flags = NULL;
}

/* Where a lab description is read from, and which part of it is being read, for messages. */
struct description {
	const char *path;
	char part[32]; /* "the lab", "test 3" */
};

static void broken_description(const struct description *from, const char *key,
			       const char *kind)
{
	fprintf(stderr, "grade: broken lab description %s: %s has no \"%s\" (%s)\n", from->path,
		from->part, key, kind);
}

/* A copy of object's string under key; NULL with a message naming the file and the field. */
static char *copy_string(json_t *object, const char *key, const struct description *from)
{
	const char *value = json_string_value(json_object_get(object, key));
	char *copy;

	if (value == NULL) {
		broken_description(from, key, "a string");
		return NULL;
	}
	copy = strdup(value);
	if (copy == NULL)
		fprintf(stderr, "grade: cannot load %s: %s\n", from->path, strerror(errno));
	return copy;
}

/* object's integer under key into *value: 0, or -1 with a message naming the file and the field. */
static int read_integer(json_t *object, const char *key, const struct description *from,
			int *value)
{
	json_t *number = json_object_get(object, key);

	if (!json_is_integer(number)) {
		broken_description(from, key, "an integer");
		return -1;
	}
	*value = (int)json_integer_value(number);
	return 0;
}

static int load_test(json_t *item, struct test *test, struct description *from)
{
	snprintf(from->part, sizeof(from->part), "test %zu", test->position);
	test->name = copy_string(item, LAB_JSON_TEST_NAME, from);
	test->title = copy_string(item, LAB_JSON_TEST_TITLE, from);
	if (test->name == NULL || test->title == NULL ||
	    read_integer(item, LAB_JSON_TEST_POINTS, from, &test->points) != 0)
		return -1;
	/* The judge always writes these two; a default is harmless where one is absent. */
	test->seconds = (int)json_integer_value(json_object_get(item, LAB_JSON_TEST_SECONDS));
	test->hidden = json_is_true(json_object_get(item, LAB_JSON_TEST_HIDDEN));
	if (test->seconds <= 0)
		test->seconds = DEFAULT_TEST_SECONDS;
	return 0;
}

static int load_tests(json_t *list, struct lab *lab, struct description *from)
{
	size_t count = json_array_size(list);

	lab->tests = calloc(count, sizeof(*lab->tests));
	if (lab->tests == NULL && count > 0) {
		fprintf(stderr, "grade: cannot load %s: %s\n", from->path, strerror(errno));
		return -1;
	}
	/* Counted as they are filled in: lab_release() frees exactly those. */
	for (lab->test_count = 0; lab->test_count < count; lab->test_count++) {
		struct test *test = &lab->tests[lab->test_count];
		test->position = lab->test_count + 1;
		if (load_test(json_array_get(list, lab->test_count), test, from) != 0) {
			lab->test_count++; /* its name or title may be allocated */
			return -1;
		}
	}
	return 0;
}

/* Free what a lab holds (not the lab itself). */
static void lab_release(struct lab *lab)
{
	for (size_t t = 0; t < lab->test_count; t++) {
		free(lab->tests[t].name);
		free(lab->tests[t].title);
		free(lab->tests[t].note);
		sandbox_result_free(&lab->tests[t].result);
	}
	free(lab->tests);
	free(lab->folder);
	free(lab->student_file);
	free(lab->title);
	free(lab->problem);
	free(lab->compiler_output);
	if (lab->judge_fd > 0)
		close(lab->judge_fd);
}

static int read_lab(json_t *object, struct lab *lab, struct description *from)
{
	json_t *tests = json_object_get(object, LAB_JSON_TESTS);

	snprintf(from->part, sizeof(from->part), "the lab");
	if (read_integer(object, LAB_JSON_NUMBER, from, &lab->number) != 0 ||
	    (lab->folder = copy_string(object, LAB_JSON_FOLDER, from)) == NULL ||
	    (lab->student_file = copy_string(object, LAB_JSON_STUDENT_FILE, from)) == NULL ||
	    (lab->title = copy_string(object, LAB_JSON_TITLE, from)) == NULL)
		return -1;
	if (!json_is_array(tests)) {
		broken_description(from, LAB_JSON_TESTS, "an array");
		return -1;
	}
	return load_tests(tests, lab, from);
}

/* One lab from KIT_DIR/lab.json: 0, or -1 with a message and nothing held. */
static int load_lab(const char *kit_dir, struct lab *lab)
{
	char path[PATH_MAX + 16];
	struct description from = { path, "" };
	json_error_t error;

	memset(lab, 0, sizeof(*lab));
	if (path_join(path, sizeof(path), kit_dir, "lab.json") != 0) {
		fprintf(stderr, "grade: the path of %s/lab.json is too long\n", kit_dir);
		return -1;
	}
	json_t *object = json_load_file(path, 0, &error);
	if (object == NULL) {
		fprintf(stderr, "grade: broken lab description %s: %s\n", path, error.text);
		return -1;
	}
	snprintf(lab->kit_dir, sizeof(lab->kit_dir), "%s", kit_dir);
	int status = read_lab(object, lab, &from);
	json_decref(object);
	if (status != 0) {
		lab_release(lab);
		memset(lab, 0, sizeof(*lab));
	}
	return status;
}

static int by_number(const void *a, const void *b)
{
	return ((const struct lab *)a)->number - ((const struct lab *)b)->number;
}

/* Add the lab of KIT_DIR to the list: 0, or -1 with a message (the list stays as it was). */
static int add_lab(struct lab **labs, size_t *count, const char *kit_dir)
{
	struct lab *grown = realloc(*labs, (*count + 1) * sizeof(**labs));

	if (grown == NULL) {
		fprintf(stderr, "grade: cannot load the labs: %s\n", strerror(errno));
		return -1;
	}
	*labs = grown;
	if (load_lab(kit_dir, &(*labs)[*count]) != 0)
		return -1;
	(*count)++;
	return 0;
}

static int load_all(DIR *folder, const char *grader_dir, struct lab **labs, size_t *count)
{
	char kit_dir[PATH_MAX];
	struct dirent *entry;

	while ((entry = readdir(folder)) != NULL) {
		if (strncmp(entry->d_name, "lab", 3) != 0)
			continue;
		if (path_join(kit_dir, sizeof(kit_dir), grader_dir, entry->d_name) != 0) {
			fprintf(stderr, "grade: the path of %s/%s is too long\n", grader_dir,
				entry->d_name);
			return -1;
		}
		if (add_lab(labs, count, kit_dir) != 0)
			return -1;
	}
	return 0;
}

int labs_load(const struct toolchain *toolchain, struct lab **labs, size_t *count)
{
	DIR *folder = opendir(toolchain->grader_dir);

	*labs = NULL;
	*count = 0;
	if (folder == NULL)
		return perror("grade: cannot list the grader's folder"), -1;
	int status = load_all(folder, toolchain->grader_dir, labs, count);
	closedir(folder);
	if (status == 0 && *count == 0) {
		fprintf(stderr, "grade: the grader has no lab built: run make grade\n");
		status = -1;
	}
	if (status != 0) { /* never a part of the labs: all of them, or none */
		labs_free(*labs, *count);
		*labs = NULL;
		*count = 0;
		return -1;
	}
	qsort(*labs, *count, sizeof(**labs), by_number);
	return 0;
}

static void set_problem(struct lab *lab, enum lab_state state, const char *problem)
{
	lab->state = state;
	lab->problem = strdup(problem);
}

/*
 * Copy SUBMISSION/FOLDER/FILE to dst without following links. Leaves the lab's
 * state and problem set when it cannot.
 */
static void copy_student_file(struct lab *lab, const char *submission, const char *dst)
{
	char message[512];
	struct stat info;
	int folder = open(submission, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int lab_folder = folder >= 0 ? openat(folder, lab->folder,
					      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				     : -1;
	int file = lab_folder >= 0 ? openat(lab_folder, lab->student_file,
					    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
				   : -1;

	if (lab_folder < 0) {
		snprintf(message, sizeof(message), "missing %s/ (the lab's folder)", lab->folder);
		set_problem(lab, LAB_MISSING, message);
	} else if (file < 0 && errno == ENOENT) {
		snprintf(message, sizeof(message), "missing %s", lab->student_file);
		set_problem(lab, LAB_MISSING, message);
	} else if (file < 0 || fstat(file, &info) != 0 || !S_ISREG(info.st_mode)) {
		snprintf(message, sizeof(message), "%s is not a regular file", lab->student_file);
		set_problem(lab, LAB_UNREADABLE, message);
	} else if (info.st_size > STUDENT_FILE_MAX) {
		snprintf(message, sizeof(message), "%s is larger than 1 MiB", lab->student_file);
		set_problem(lab, LAB_UNREADABLE, message);
	} else {
		if (copy_from_descriptor(file, dst, 0644) != 0) {
			snprintf(message, sizeof(message), "%s cannot be read: %s",
				 lab->student_file, strerror(errno));
			set_problem(lab, LAB_UNREADABLE, message);
		}
	}
	if (file >= 0)
		close(file);
	if (lab_folder >= 0)
		close(lab_folder);
	if (folder >= 0)
		close(folder);
}

/* Copy every regular file of src_dir into dst_dir (readable by all). */
static int copy_folder(const char *src_dir, const char *dst_dir)
{
	char src[PATH_MAX + 256], dst[PATH_MAX + 256];
	DIR *folder = opendir(src_dir);
	struct dirent *entry;
	int status = 0;

	if (folder == NULL || mkdir(dst_dir, 0755) != 0) {
		if (folder != NULL)
			closedir(folder);
		return -1;
	}
	while ((entry = readdir(folder)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		if (path_join(src, sizeof(src), src_dir, entry->d_name) != 0 ||
		    path_join(dst, sizeof(dst), dst_dir, entry->d_name) != 0 ||
		    copy_file(src, dst, 0644) != 0)
			status = -1;
	}
	closedir(folder);
	return status;
}

void labs_stage(struct lab *labs, size_t count, const char *submission, const char *work_dir)
{
	char path[PATH_MAX * 2], kit_file[PATH_MAX * 2];

	for (size_t i = 0; i < count; i++) {
		struct lab *lab = &labs[i];
		snprintf(lab->work_dir, sizeof(lab->work_dir), "%s/lab%02d", work_dir, lab->number);
		if (mkdir(lab->work_dir, 0755) != 0) {
			set_problem(lab, LAB_UNREADABLE, "the grader could not stage this lab");
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", lab->work_dir, lab->student_file);
		lab->state = LAB_BUILT; /* until something says otherwise */
		copy_student_file(lab, submission, path);
		if (lab->state != LAB_BUILT)
			continue;
		/* The compiler runs unprivileged: it reads copies, never the kit itself. */
		snprintf(kit_file, sizeof(kit_file), "%s/include", lab->kit_dir);
		snprintf(path, sizeof(path), "%s/include", lab->work_dir);
		int copied = copy_folder(kit_file, path);
		snprintf(kit_file, sizeof(kit_file), "%s/subject.a", lab->kit_dir);
		snprintf(path, sizeof(path), "%s/subject.a", lab->work_dir);
		copied = copied != 0 ? copied : copy_file(kit_file, path, 0644);
		/* The judge runs from a copy the test's user can run but not change. */
		snprintf(kit_file, sizeof(kit_file), "%s/judge", lab->kit_dir);
		snprintf(path, sizeof(path), "%s/judge", lab->work_dir);
		if (copied != 0 || copy_file(kit_file, path, 0755) != 0 ||
		    (lab->judge_fd = sealed_copy(kit_file, "judge")) < 0)
			set_problem(lab, LAB_UNREADABLE,
				    "the grader could not copy the lab's judge");
	}
}

/* The command line of one compile job, and the strings it points into (the flags
 * are toolchain.json's own strings). */
struct compile_command {
	char *argv[MAX_ARGUMENTS];
	char include[PATH_MAX + 16], source[PATH_MAX + 256], stub[PATH_MAX + 16];
	char output[PATH_MAX + 16];
};

/* Append the strings of a JSON array (toolchain.json's flags) to argv. */
static void add_flags(char **argv, int *argc, const json_t *flags)
{
	size_t index;
	json_t *flag;

	json_array_foreach(flags, index, flag) {
		if (*argc >= MAX_ARGUMENTS - 8)
			break;
		argv[(*argc)++] = (char *)json_string_value(flag);
	}
}

/*
 * cc FLAGS -Iinclude -o subject STUDENT_FILE subject.a LINK_FLAGS, run in a fresh
 * folder: the subject is the stub with the student's file; the judge is the kit's.
 */
static void prepare_compile_job(struct job *job, const struct lab *lab,
				const struct toolchain *toolchain, const char *work_dir,
				struct compile_command *command)
{
	int argc = 0;

	snprintf(command->include, sizeof(command->include), "-I%s/include", lab->work_dir);
	snprintf(command->source, sizeof(command->source), "%s/%s", lab->work_dir,
		 lab->student_file);
	snprintf(command->stub, sizeof(command->stub), "%s/subject.a", lab->work_dir);
	snprintf(command->output, sizeof(command->output), "%s/subject", lab->work_dir);
	command->argv[argc++] = (char *)toolchain->compiler;
	add_flags(command->argv, &argc, toolchain->compile_flags);
	command->argv[argc++] = command->include;
	command->argv[argc++] = "-o";
	command->argv[argc++] = "subject";
	command->argv[argc++] = command->source;
	command->argv[argc++] = command->stub;
	add_flags(command->argv, &argc, toolchain->link_flags);
	command->argv[argc] = NULL;
	memset(job, 0, sizeof(*job));
	job->spec.argv = command->argv;
	job->spec.seconds = COMPILE_SECONDS;
	job->spec.compiler_limits = true;
	job->spec.collect = "subject";
	job->spec.collect_to = command->output;
	snprintf(job->directory, sizeof(job->directory), "%s/jobs/compile-%02d", work_dir,
		 lab->number);
}

static void record_build(struct lab *lab, struct job *job)
{
	char program[PATH_MAX + 16];
	struct sandbox_result *result = &job->result;

	lab->compiler_output = result->output != NULL ? strdup(result->output) : strdup("");
	snprintf(program, sizeof(program), "%s/subject", lab->work_dir);
	if (job->error != NULL) {
		lab->state = LAB_BUILD_FAILED;
		free(lab->compiler_output);
		lab->compiler_output = strdup(job->error);
	} else if (result->verdict == VERDICT_TIMED_OUT) {
		lab->state = LAB_BUILD_FAILED;
		free(lab->compiler_output);
		lab->compiler_output = strdup("the compiler did not finish in time");
	} else if (result->verdict == VERDICT_CRASHED || result->exit_status != 0 ||
		   access(program, X_OK) != 0) {
		lab->state = LAB_BUILD_FAILED;
	}
}

/* One lab to compile: the lab its result goes to, and its command line. */
struct planned_build {
	struct lab *lab;
	struct compile_command command;
};

int labs_build(struct lab *labs, size_t count, const struct toolchain *toolchain,
	       const char *work_dir, int parallel)
{
	struct job *jobs = calloc(count + 1, sizeof(*jobs));
	struct planned_build *planned = calloc(count + 1, sizeof(*planned));
	size_t job_count = 0;
	int status = -1;

	if (jobs == NULL || planned == NULL)
		goto done;
	for (size_t i = 0; i < count; i++) {
		if (labs[i].state != LAB_BUILT)
			continue;
		planned[job_count].lab = &labs[i];
		prepare_compile_job(&jobs[job_count], &labs[i], toolchain, work_dir,
				    &planned[job_count].command);
		job_count++;
	}
	status = run_jobs(jobs, job_count, parallel, work_dir);
	for (size_t i = 0; i < job_count; i++) {
		record_build(planned[i].lab, &jobs[i]);
		sandbox_result_free(&jobs[i].result);
		free(jobs[i].error);
	}
done:
	free(jobs);
	free(planned);
	return status;
}

/* The command line of one test: the kit's judge, driving the lab's subject. */
struct test_command {
	char *argv[8];
	char judge[PATH_MAX + 16], subject[PATH_MAX + 16];
};

static void prepare_test_job(struct job *job, const struct lab *lab, size_t index,
			     const struct test_run *run, struct test_command *command)
{
	const struct test *test = &lab->tests[index];
	char **argv = command->argv;

	snprintf(command->judge, sizeof(command->judge), "%s/judge", lab->work_dir);
	snprintf(command->subject, sizeof(command->subject), "%s/subject", lab->work_dir);
	argv[0] = command->judge;
	argv[1] = JUDGE_RUN_OPTION;
	argv[2] = test->name;
	argv[3] = JUDGE_SUBJECT_OPTION;
	argv[4] = command->subject;
	argv[5] = VERDICT_CHANNEL_OPTION;
	argv[6] = VERDICT_CHANNEL_FD_TEXT;
	argv[7] = NULL;
	memset(job, 0, sizeof(*job));
	job->spec.argv = argv;
	job->spec.seconds = run->timeout_override > 0 ? run->timeout_override : test->seconds;
	job->spec.test_protocol = true;
	job->spec.bubblewrap = run->bubblewrap;
	job->spec.private_files = run->private_files;
	/* Run from the sealed copy: a test's code may be able to write the judge's file. */
	job->spec.program_fd = lab->judge_fd;
	job->spec.also_runs = command->subject;
	snprintf(job->directory, sizeof(job->directory), "%s/jobs/lab%02d-test%02zu", run->work_dir,
		 lab->number, index + 1);
}

/* One test to run: the test its result goes to, and its command line. */
struct planned_test {
	struct test *test;
	struct test_command command;
};

int labs_run_tests(struct lab *labs, size_t count, const struct test_run *run)
{
	size_t total = 0, next = 0;

	for (size_t i = 0; i < count; i++)
		if (labs[i].state == LAB_BUILT)
			total += labs[i].test_count;
	/* The scheduler takes the jobs as one array; planned[k] belongs to jobs[k]. */
	struct job *jobs = calloc(total + 1, sizeof(*jobs));
	struct planned_test *planned = calloc(total + 1, sizeof(*planned));
	if (jobs == NULL || planned == NULL) {
		free(jobs);
		free(planned);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		size_t tests = labs[i].state == LAB_BUILT ? labs[i].test_count : 0;
		for (size_t t = 0; t < tests; t++, next++) {
			planned[next].test = &labs[i].tests[t];
			prepare_test_job(&jobs[next], &labs[i], t, run, &planned[next].command);
		}
	}
	int status = run_jobs(jobs, total, run->parallel, run->work_dir);
	for (size_t k = 0; k < total; k++) {
		planned[k].test->result = jobs[k].result; /* moved, not copied */
		planned[k].test->note = jobs[k].error;
	}
	free(jobs);
	free(planned);
	return status;
}

void labs_free(struct lab *labs, size_t count)
{
	for (size_t i = 0; i < count; i++)
		lab_release(&labs[i]);
	free(labs);
}
