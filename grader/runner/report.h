/*
 * report.h — turn graded labs into what people and platforms read.
 *
 * The text report is for students at a terminal: every test with its points,
 * the feedback of each one that did not pass, and a table of scores. The JSON
 * report is Gradescope's results.json. Both are built from the same scores.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "labs.h"

enum report_format { REPORT_TEXT, REPORT_JSON };

/* Points a test earned: all of them when it passed, none otherwise. */
int test_score(const struct test *test);

/* One paragraph explaining a test that did not pass (malloc'ed), or NULL if it passed. */
char *test_feedback(const struct lab *lab, const struct test *test);

void report_text(FILE *out, const struct lab *labs, size_t count, const char *submission,
		 bool colour);

/* 0, or -1 if the JSON could not be written. */
int report_json(FILE *out, const struct lab *labs, size_t count);

#endif /* REPORT_H */
