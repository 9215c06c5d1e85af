/*
 * report_machine.c — the reports CI systems read: TAP version 13 and JUnit XML.
 *
 * Both carry the same verdicts, points and feedback as the text report, and
 * mark a hidden test "(hidden)" after its name (TAP's "#" would make it a
 * directive, which only SKIP and TODO may be). The feedback quotes what the
 * student's code printed, which may hold any byte: TAP puts it in an indented
 * YAML block with control characters replaced, and JUnit escapes the XML
 * specials, drops the characters XML forbids and replaces invalid UTF-8, so
 * that no student text can break either document.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "utf8.h"

/* ---- Text that must stay inside its document --------------------------- */

/* Write text for XML character data or an attribute value. */
static void put_xml(FILE *out, const char *text)
{
	const unsigned char *at = (const unsigned char *)text;

	while (*at != '\0') {
		size_t len = utf8_sequence(at);

		if (len == 0) {
			fputs("\xEF\xBF\xBD", out); /* U+FFFD for a byte that is not UTF-8 */
			at++;
			continue;
		}
		switch (*at) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\n': fputs("&#10;", out); break;
		case '\t': fputs("&#9;", out); break;
		case '\r': fputs("&#13;", out); break;
		default:
			if (*at < 0x20)
				fputc('?', out); /* XML 1.0 has no other control characters */
			else
				fwrite(at, 1, len, out);
		}
		at += len;
	}
}

/*
 * Write text as one YAML double-quoted scalar: newlines and tabs escaped,
 * other control characters '?'. Kept on one line, no line of the captured
 * output can look like the end of the block ("...") or a new one ("---") to
 * a TAP consumer (tap.py ends the block at any line that starts "  ...").
 */
static void put_yaml_quoted(FILE *out, const char *text)
{
	fputc('"', out);
	for (const unsigned char *at = (const unsigned char *)text; *at != '\0'; at++) {
		switch (*at) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		default: fputc(*at < 0x20 ? '?' : *at, out);
		}
	}
	fputs("\"\n", out);
}

/* ---- TAP ------------------------------------------------------------------ */

static size_t test_total(const struct lab *labs, size_t count)
{
	size_t total = 0;

	for (size_t i = 0; i < count; i++)
		total += labs[i].test_count;
	return total;
}

/*
 * A test's feedback for a CI system, which shows it test by test: when the
 * lab did not compile, the compiler's own message follows, since there is no
 * other place a reader of TAP or JUnit would see it. As test_feedback(): 0
 * with *feedback NULL for a passed test, -1 when memory runs out.
 */
static int feedback_for_ci(const struct lab *lab, const struct test *test, char **feedback)
{
	char *joined;

	if (test_feedback(lab, test, feedback) != 0)
		return -1;
	if (*feedback == NULL || lab->state != LAB_BUILD_FAILED || lab->compiler_output == NULL)
		return 0;
	int joined_len = asprintf(&joined, "%s\nthe compiler said:\n%s", *feedback,
				  lab->compiler_output);
	free(*feedback);
	*feedback = joined_len < 0 ? NULL : joined;
	return joined_len < 0 ? -1 : 0;
}

/* The YAML block of a test that did not pass: 0, or -1 when memory ran out. */
static int tap_diagnostics(FILE *out, const struct lab *lab, const struct test *test)
{
	char *feedback;

	if (feedback_for_ci(lab, test, &feedback) != 0)
		return -1;
	const char *text = feedback != NULL ? feedback : "";
	fprintf(out, "  ---\n  verdict: %s\n  points: 0/%d\n%s  message: ",
		verdict_name(test->result.verdict), test->points,
		test->hidden ? "  hidden: true\n" : "");
	put_yaml_quoted(out, text);
	fputs("  ...\n", out);
	free(feedback);
	return 0;
}

int report_tap(FILE *out, const struct lab *labs, size_t count, const char *isolation)
{
	size_t point = 0;
	int status = 0;

	fprintf(out, "TAP version 13\n1..%zu\n# Isolation: %s\n", test_total(labs, count),
		isolation);
	for (size_t i = 0; i < count; i++) {
		const struct lab *lab = &labs[i];

		fprintf(out, "# Lab %d: %s — %d/%d\n", lab->number, lab->title, lab_score(lab),
			lab_max(lab));
		for (size_t t = 0; t < lab->test_count; t++) {
			const struct test *test = &lab->tests[t];
			int passed = test->result.verdict == VERDICT_PASSED;

			/* Test names are identifiers from the kit's own suites: no '#' to escape. */
			fprintf(out, "%s %zu - %d.%zu %s%s (%d/%d points)\n",
				passed ? "ok" : "not ok", ++point, lab->number, test->position, test->name,
				test->hidden ? " (hidden)" : "", test_score(test), test->points);
			if (!passed && tap_diagnostics(out, lab, test) != 0)
				status = -1;
		}
	}
	return ferror(out) ? -1 : status;
}

/* ---- JUnit XML ------------------------------------------------------------ */

static int is_error(enum verdict verdict)
{
	return verdict != VERDICT_PASSED && verdict != VERDICT_FAILED;
}

/* One testcase element: 0, or -1 when memory ran out (the test is then not written). */
static int junit_testcase(FILE *out, const struct lab *lab, size_t index)
{
	const struct test *test = &lab->tests[index];
	char *feedback;

	if (feedback_for_ci(lab, test, &feedback) != 0)
		return -1;

	fprintf(out, "    <testcase classname=\"lab%02d\" name=\"%d.%zu ", lab->number, lab->number,
		test->position);
	put_xml(out, test->name);
	fprintf(out, "%s\" time=\"%.3f\"", test->hidden ? " (hidden)" : "",
		test->result.seconds);
	if (feedback == NULL) { /* passed */
		fputs("/>\n", out);
		return 0;
	}
	const char *element = is_error(test->result.verdict) ? "error" : "failure";
	fprintf(out, ">\n      <%s type=\"%s\" message=\"", element,
		verdict_name(test->result.verdict));
	put_xml(out, test->title);
	fputs("\">", out);
	put_xml(out, feedback);
	fprintf(out, "</%s>\n    </testcase>\n", element);
	free(feedback);
	return 0;
}

/* One testsuite element: 0, or -1 when memory ran out. */
static int junit_lab(FILE *out, const struct lab *lab, const char *isolation)
{
	size_t failures = 0, errors = 0;
	int status = 0;
	double seconds = 0;

	for (size_t t = 0; t < lab->test_count; t++) {
		enum verdict verdict = lab->tests[t].result.verdict;

		failures += verdict == VERDICT_FAILED;
		errors += is_error(verdict);
		seconds += lab->tests[t].result.seconds;
	}
	fprintf(out, "  <testsuite name=\"Lab %d: ", lab->number);
	put_xml(out, lab->title);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		lab->test_count, failures, errors, seconds);
	fprintf(out, "    <properties>\n      <property name=\"score\" value=\"%d/%d\"/>\n",
		lab_score(lab), lab_max(lab));
	fputs("      <property name=\"isolation\" value=\"", out);
	put_xml(out, isolation);
	fputs("\"/>\n", out);
	if (lab_hidden_max(lab) > 0)
		fprintf(out, "      <property name=\"hidden_points\" value=\"%d\"/>\n",
			lab_hidden_max(lab));
	fputs("    </properties>\n", out);
	for (size_t t = 0; t < lab->test_count; t++)
		if (junit_testcase(out, lab, t) != 0)
			status = -1;
	fputs("  </testsuite>\n", out);
	return status;
}

int report_junit(FILE *out, const struct lab *labs, size_t count, const char *isolation)
{
	int status = 0;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mmap-labs\">\n",
	      out);
	for (size_t i = 0; i < count; i++)
		if (junit_lab(out, &labs[i], isolation) != 0)
			status = -1;
	fputs("</testsuites>\n", out);
	return ferror(out) ? -1 : status;
}
