/*
 * shared_config.h — the runner's limits that the kit's scripts must agree with.
 *
 * The largest student file, the ranges of --jobs and --timeout, and the test
 * uids (which a check of the kit and an instructor's clean-up recognise) are
 * defined here once. `runner --print-config` prints them as JSON, and the shell
 * scripts and grade-class read them from there instead of repeating them.
 */
#ifndef SHARED_CONFIG_H
#define SHARED_CONFIG_H

/* A student file larger than this is refused, never compiled. */
#define STUDENT_FILE_MAX (1024 * 1024)

/* The range of --jobs; the scheduler never runs more tests at once than JOBS_MAX. */
#define JOBS_MIN 1
#define JOBS_MAX 64

/* The range of --timeout, in seconds. */
#define TIMEOUT_MIN_SECONDS 1
#define TIMEOUT_MAX_SECONDS 3600

/*
 * Test uids: a runner of process id PID runs its tests as the uids
 * TEST_UID_FIRST + (PID % TEST_UID_RUNNERS) * TEST_UIDS_PER_RUNNER + SLOT, one
 * block of TEST_UIDS_PER_RUNNER per runner (SLOT < JOBS_MAX), so that runners
 * grading at once never share a uid and a uid names the runner that used it.
 */
#define TEST_UID_FIRST 0x40000000u
#define TEST_UIDS_PER_RUNNER 128u
#define TEST_UID_RUNNERS 0x400000u /* Linux's largest pid_max */

#endif
