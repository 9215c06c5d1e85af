/*
 * judge_protocol.h — how the runner and a lab's judge talk; both sides include it.
 *
 * Everything the two programs must agree on is defined here once: the judge's
 * command line, the keys of the test list it prints, the channel's descriptor,
 * the token and the records. A test program of make check (grader/selftest/
 * protocol-check.c) feeds what the judge's library writes to the runner's
 * parser, so that a change on one side the other does not follow is caught.
 *
 * `judge --list` prints the lab and its tests as JSON (the runner reads it
 * from the kit's build as lab.json): an object with the keys LAB_JSON_NUMBER,
 * LAB_JSON_FOLDER, LAB_JSON_STUDENT_FILE, LAB_JSON_TITLE and LAB_JSON_TESTS, an
 * array of objects with the keys LAB_JSON_TEST_*.
 *
 * The runner starts `judge --run TEST --subject PROGRAM --channel FD` with one
 * end of a socket pair as descriptor VERDICT_CHANNEL_FD, and first writes a
 * line holding a fresh random token (VERDICT_TOKEN_BYTES random bytes in
 * hexadecimal). The judge answers with records:
 *
 *   STEP <n>\n<n bytes>   what the test is doing now (shown on a crash or time-out)
 *   FAIL <n>\n<n bytes>   the test failed: expected / observed / hint
 *   CRASH <n>\n<n bytes>  the subject, running the student's code, was killed by
 *                         the signal whose number the bytes give in decimal
 *   TIMEOUT <n>\n<n bytes> the judge ended the test because a call of the student's
 *                         code had not returned in time: the bytes say which call,
 *                         how long it waited and what the processes waited on
 *   GRADER <n>\n<n bytes> the grader cannot run this test on this machine (a kernel
 *                         feature missing or refused): the bytes say which; the
 *                         test counts as the grader's error, never the student's
 *   PASS <token>\n        the test passed; counted only with the right token and
 *                         the judge's exit status 0
 *
 * Only the judge holds the channel: the subject, which runs the student's
 * code, never gets the descriptor, the token or a copy of the judge's memory.
 */
#ifndef JUDGE_PROTOCOL_H
#define JUDGE_PROTOCOL_H

/* ---- The judge's command line ---- */

#define JUDGE_LIST_OPTION "--list"
#define JUDGE_RUN_OPTION "--run"
#define JUDGE_SUBJECT_OPTION "--subject"
#define VERDICT_CHANNEL_OPTION "--channel"

/* ---- The test list (`judge --list`, lab.json) ---- */

#define LAB_JSON_NUMBER "number"
#define LAB_JSON_FOLDER "folder"
#define LAB_JSON_STUDENT_FILE "student_file"
#define LAB_JSON_TITLE "title"
#define LAB_JSON_TESTS "tests"
#define LAB_JSON_TEST_NAME "name"
#define LAB_JSON_TEST_TITLE "title"
#define LAB_JSON_TEST_POINTS "points"
#define LAB_JSON_TEST_SECONDS "seconds" /* optional: a default applies when absent or 0 */
#define LAB_JSON_TEST_HIDDEN "hidden"   /* optional: false when absent */

/* ---- The verdict channel ---- */

#define VERDICT_CHANNEL_FD 63
#define VERDICT_CHANNEL_FD_TEXT "63"

/* The token: this many random bytes, sent as twice as many hexadecimal digits. */
#define VERDICT_TOKEN_BYTES 16
#define VERDICT_TOKEN_LENGTH (2 * VERDICT_TOKEN_BYTES)
/* Room for the token's line as the judge reads it: the digits, the newline, a NUL. */
#define VERDICT_TOKEN_LINE_SIZE (VERDICT_TOKEN_LENGTH + 2)

/* The kinds of record. */
#define VERDICT_STEP "STEP"
#define VERDICT_FAIL "FAIL"
#define VERDICT_CRASH "CRASH"
#define VERDICT_TIMEOUT "TIMEOUT"
#define VERDICT_GRADER "GRADER"
#define VERDICT_PASS "PASS"

/* A record's first line, from its kind and the length of the bytes that follow it. */
#define VERDICT_RECORD_HEADER_FORMAT "%s %zu\n"
/* The verdict's line, from the token. */
#define VERDICT_PASS_FORMAT VERDICT_PASS " %s\n"
/* The longest first line the runner reads: a kind, a space, a length or the token. */
#define VERDICT_RECORD_LINE_MAX 255

/* By hand (no channel), the judge says so on standard error in the words of a record. */
#define VERDICT_PASSED_BY_HAND "PASSED"

#endif /* JUDGE_PROTOCOL_H */
