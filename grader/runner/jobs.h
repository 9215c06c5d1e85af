/*
 * jobs.h — how many tests to run at once when --jobs is not given (jobs.c).
 */
#ifndef JOBS_H
#define JOBS_H

#include <stddef.h>

/*
 * The number of tests to run at once on this machine, as the grader may use
 * it (CPU affinity, cgroup CPU quota, memory); why[size] gets the reasons in
 * a few words, for the report.
 */
int default_jobs(char *why, size_t size);

#endif /* JOBS_H */
