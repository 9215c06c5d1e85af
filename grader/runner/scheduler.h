/*
 * scheduler.h — run many sandboxed jobs, a few at a time.
 *
 * Each job runs in a worker process of its own, which becomes the child
 * subreaper of everything the job starts and writes the job's result to a
 * file for the runner. At most `parallel` workers run at once; each worker
 * slot has its own unprivileged uid when the grader is root, so that the
 * processes of one job can be told from another's and killed all at once.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sandbox.h"

struct job {
	struct sandbox_spec spec; /* uid, gid and drop_privileges are set by the scheduler */
	char directory[PATH_MAX];
	struct sandbox_result result;
	char *error;              /* set if the sandbox itself could not run the job */
};

/* Run every job; fills each job's result (or error). 0, or -1 if interrupted. */
int run_jobs(struct job *jobs, size_t count, int parallel, const char *work_dir);

/* The unprivileged uid (and gid) of a worker slot's tests when the grader is root. */
uid_t scheduler_slot_uid(int slot);

/* Set by SIGINT/SIGTERM: the run stops early and cleans up. */
extern volatile sig_atomic_t scheduler_interrupted;

#endif /* SCHEDULER_H */
