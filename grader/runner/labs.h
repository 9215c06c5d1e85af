/*
 * labs.h — the labs the kit can grade, and one submission's state in each.
 *
 * The runner knows no lab by itself: each lab is described by the files the
 * kit's build leaves beside the runner (lab.json with the test list, the
 * compiled suite, copies of the lab's headers). A submission contributes one
 * student file per lab, copied by the runner into its own work directory.
 */
#ifndef LABS_H
#define LABS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "sandbox.h"

struct test {
	size_t position; /* its place in the lab's list, from 1: the N of "lab.N" */
	char *name;
	char *title;
	int points;
	int seconds;
	bool hidden;                  /* an instructor's test, left out of the student release */
	struct sandbox_result result; /* filled in by grading */
	char *note;                   /* why it was not run, when it was not */
};

enum lab_state {
	LAB_MISSING,      /* no folder, or no student file */
	LAB_UNREADABLE,   /* the student file is not a regular file we can copy */
	LAB_BUILD_FAILED, /* the compiler refused it */
	LAB_BUILT,
};

struct lab {
	int number;
	char *folder;
	char *student_file;
	char *title;
	struct test *tests;
	size_t test_count;
	char kit_dir[PATH_MAX];  /* where the kit's build keeps this lab's suite */
	char work_dir[PATH_MAX]; /* this run's copy of the student file and the program */
	int judge_fd;            /* a sealed copy of the judge, run by every test (0: none) */
	enum lab_state state;
	char *problem;           /* one line for LAB_MISSING / LAB_UNREADABLE */
	char *compiler_output;   /* what the compiler said (warnings or errors) */
};

/* The kit's build of the grader: where the runner lives, and how to compile. */
struct toolchain {
	char grader_dir[PATH_MAX]; /* the folder of the runner's executable */
	char compiler[PATH_MAX];   /* absolute path of cc */
	json_t *description;       /* toolchain.json, which owns the two arrays below */
	json_t *compile_flags;     /* flags for the student file, one string each */
	json_t *link_flags;        /* flags and libraries for linking the suite, one string each */
};

/* Read the toolchain description the build wrote. 0, or -1 with a message printed. */
int toolchain_load(struct toolchain *toolchain);

/* Release what toolchain_load() read. */
void toolchain_free(struct toolchain *toolchain);

/* Every lab the kit has, sorted by number. 0, or -1 with a message printed. */
int labs_load(const struct toolchain *toolchain, struct lab **labs, size_t *count);

/* Copy each selected lab's student file from the submission into the work directory. */
void labs_stage(struct lab *labs, size_t count, const char *submission, const char *work_dir);

/* Compile every staged lab (in parallel); failures are recorded per lab. 0 or -1. */
int labs_build(struct lab *labs, size_t count, const struct toolchain *toolchain,
	       const char *work_dir, int parallel);

/* How to run the tests of one grading run. */
struct test_run {
	const char *work_dir;
	int parallel;           /* tests at a time */
	int timeout_override;   /* seconds, or 0 for each test's own limit */
	const char *bubblewrap; /* bwrap's path with --sandbox when it works here, or NULL */
	bool private_files;     /* each test's files in a private capped tmpfs (mounts.c) */
};

/* Run every test of every built lab; -1 if interrupted. */
int labs_run_tests(struct lab *labs, size_t count, const struct test_run *run);

void labs_free(struct lab *labs, size_t count);

#endif /* LABS_H */
