/*
 * report.h — turn graded labs into what people and platforms read.
 *
 * The text report is for students at a terminal: every test with its points,
 * the feedback of each one that did not pass, and a table of scores. Hidden
 * tests (an instructor's, left out of the student release) are marked as such
 * in every format; Gradescope shows them only after the due date. The JSON
 * report is Gradescope's results.json; TAP and JUnit XML (report_machine.c) are
 * for CI systems. All are built from the same scores.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "labs.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_TAP, REPORT_JUNIT };

/* Points a test earned: all of them when it passed, none otherwise. */
int test_score(const struct test *test);

/*
 * The points a lab earned, and the most it could; hidden tests count in both.
 * lab_hidden_max is the part of lab_max that hidden tests hold.
 */
int lab_score(const struct lab *lab);
int lab_max(const struct lab *lab);
int lab_hidden_max(const struct lab *lab);

/*
 * One paragraph explaining a test that did not pass, malloc'ed into
 * *feedback, or NULL there if it passed: 0. When memory runs out, -1 and
 * *feedback NULL: never to be read as a pass.
 */
int test_feedback(const struct lab *lab, const struct test *test, char **feedback);

/*
 * Every report states isolation: one line saying how the tests were
 * isolated in this run (with or without bubblewrap's namespaces). Each
 * report function returns 0, or -1 if the report could not be written whole
 * (out of memory, or a write error).
 */
int report_text(FILE *out, const struct lab *labs, size_t count, const char *submission,
		const char *isolation, const char *schedule, bool colour);

/*
 * Gradescope's results.json. schedule: how many tests ran at
 * once, and why ("2 at a time: 2 CPUs usable, ..."), kept in extra_data.
 */
int report_json(FILE *out, const struct lab *labs, size_t count, const char *isolation,
		const char *schedule);

/* TAP version 13: one test point per test, feedback in a YAML block. */
int report_tap(FILE *out, const struct lab *labs, size_t count, const char *isolation);

/* JUnit XML: one testsuite per lab; student text is escaped and made valid UTF-8. */
int report_junit(FILE *out, const struct lab *labs, size_t count, const char *isolation);

#endif /* REPORT_H */
