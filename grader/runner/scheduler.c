/*
 * scheduler.c — run sandboxed jobs in parallel worker processes.
 *
 * The worker is a plain fork of the runner: it marks itself child subreaper,
 * dies with the runner, runs one job through sandbox_run() and writes the
 * result as JSON to the run's work directory. The runner starts workers as
 * slots free up and reads each result when its worker has been reaped. Only
 * the worker's exit is trusted; a result file that is missing or unreadable
 * becomes an error for that job alone.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "scheduler.h"
#include "shared_config.h"

_Static_assert(JOBS_MAX <= TEST_UIDS_PER_RUNNER, "each test at once needs a uid of its own");

volatile sig_atomic_t scheduler_interrupted;

/* Unused uids for the workers: one block per runner process id (shared_config.h). */
uid_t scheduler_slot_uid(int slot)
{
	return (uid_t)(TEST_UID_FIRST + ((unsigned)getpid() % TEST_UID_RUNNERS) * TEST_UIDS_PER_RUNNER +
		       (unsigned)slot);
}

static void result_path(const char *work_dir, size_t index, char *path, size_t size)
{
	snprintf(path, size, "%s/result-%zu.json", work_dir, index);
}

static json_t *result_to_json(const struct sandbox_result *result, const char *error)
{
	return json_pack("{s:i, s:i, s:i, s:f, s:s?, s:I, s:s?, s:s?, s:i, s:s?}", "verdict",
			 result->verdict, "exit_status", result->exit_status, "signal",
			 result->signal, "seconds", result->seconds, "output", result->output,
			 "output_dropped", (json_int_t)result->output_dropped, "failure",
			 result->failure, "step", result->step, "leftovers", result->leftovers,
			 "error", error);
}

static char *copy_string(json_t *object, const char *key)
{
	const char *text = json_string_value(json_object_get(object, key));

	return text != NULL ? strdup(text) : NULL;
}

static void result_from_json(json_t *object, struct job *job)
{
	struct sandbox_result *result = &job->result;

	result->verdict = (enum verdict)json_integer_value(json_object_get(object, "verdict"));
	result->exit_status = (int)json_integer_value(json_object_get(object, "exit_status"));
	result->signal = (int)json_integer_value(json_object_get(object, "signal"));
	result->seconds = json_real_value(json_object_get(object, "seconds"));
	result->output = copy_string(object, "output");
	result->output_dropped =
		(size_t)json_integer_value(json_object_get(object, "output_dropped"));
	result->failure = copy_string(object, "failure");
	result->step = copy_string(object, "step");
	result->leftovers = (unsigned)json_integer_value(json_object_get(object, "leftovers"));
	result->limits_crossed =
		(unsigned)json_integer_value(json_object_get(object, "limits_crossed"));
	job->error = copy_string(object, "error");
	result->files_over_limit =
		(int)json_integer_value(json_object_get(object, "files_over_limit"));
}

static _Noreturn void worker_main(struct job *job, const char *path)
{
	char error[512] = "";
	struct sandbox_result result;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		_exit(1);
	if (sandbox_run(&job->spec, &result) != 0)
		snprintf(error, sizeof(error), "the grader could not run this job: %s",
			 strerror(errno));
	json_t *object = result_to_json(&result, error[0] != '\0' ? error : NULL);
	/* Why the file watchdog stopped the test (mounts.h), if it did. */
	if (object != NULL && json_object_set_new(object, "files_over_limit",
						  json_integer(result.files_over_limit)) != 0)
		_exit(1);
	/* The limits of the test as a whole it crossed (cgroup.h), if any. */
	if (object != NULL && json_object_set_new(object, "limits_crossed",
						  json_integer(result.limits_crossed)) != 0)
		_exit(1);
	if (object == NULL || json_dump_file(object, path, JSON_COMPACT) != 0)
		_exit(1);
	_exit(0);
}

static int start_worker(struct job *job, size_t index, int slot, const char *work_dir,
			pid_t *worker)
{
	char path[PATH_MAX];

	job->spec.drop_privileges = geteuid() == 0;
	job->spec.uid = scheduler_slot_uid(slot);
	job->spec.gid = (gid_t)job->spec.uid;
	job->spec.directory = job->directory;
	result_path(work_dir, index, path, sizeof(path));
	fflush(NULL); /* nothing buffered may be written twice */
	*worker = fork();
	if (*worker < 0)
		return -1;
	if (*worker == 0)
		worker_main(job, path);
	return 0;
}

static void finish_job(struct job *job, size_t index, const char *work_dir, int status)
{
	char path[PATH_MAX];
	json_error_t error;

	result_path(work_dir, index, path, sizeof(path));
	json_t *object = json_load_file(path, 0, &error);
	if (object != NULL && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		result_from_json(object, job);
	} else {
		char error[128] = "the grader's worker for this job failed";
		if (WIFSIGNALED(status)) /* e.g. the test killed its parent */
			snprintf(error, sizeof(error),
				 "the grader's worker for this job was killed by signal %d (%s)",
				 WTERMSIG(status), strsignal(WTERMSIG(status)));
		job->result.verdict = VERDICT_NO_VERDICT;
		job->error = strdup(error);
	}
	json_decref(object);
	unlink(path);
}

int run_jobs(struct job *jobs, size_t count, int parallel, const char *work_dir)
{
	pid_t workers[JOBS_MAX] = { 0 };
	size_t running_job[JOBS_MAX];
	size_t next = 0, running = 0;

	if (parallel < 1)
		parallel = 1;
	if (parallel > JOBS_MAX)
		parallel = JOBS_MAX;
	while ((next < count && !scheduler_interrupted) || running > 0) {
		for (int slot = 0; slot < parallel && next < count && !scheduler_interrupted;
		     slot++) {
			if (workers[slot] != 0)
				continue;
			if (start_worker(&jobs[next], next, slot, work_dir, &workers[slot]) != 0)
				return -1;
			running_job[slot] = next++;
			running++;
		}
		int status;
		pid_t ended = wait(&status);
		if (ended < 0 && errno == EINTR)
			continue;
		if (ended < 0)
			return -1;
		for (int slot = 0; slot < parallel; slot++) {
			if (workers[slot] != ended)
				continue;
			finish_job(&jobs[running_job[slot]], running_job[slot], work_dir, status);
			workers[slot] = 0;
			running--;
		}
		/* Any other pid was an orphan reparented to us, the subreaper: now reaped. */
	}
	return scheduler_interrupted ? -1 : 0;
}
