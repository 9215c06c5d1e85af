/*
 * verdict_protocol.h — how the runner and a judge talk; both sides include it.
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
#ifndef VERDICT_PROTOCOL_H
#define VERDICT_PROTOCOL_H

#define VERDICT_CHANNEL_FD 63
#define VERDICT_CHANNEL_FD_TEXT "63"
#define VERDICT_CHANNEL_OPTION "--channel"

#define VERDICT_TOKEN_BYTES 16
/* Room for the token line the judge reads: the hexadecimal token and more. */
#define VERDICT_TOKEN_MAX 128

#define VERDICT_STEP "STEP"
#define VERDICT_FAIL "FAIL"
#define VERDICT_CRASH "CRASH"
#define VERDICT_TIMEOUT "TIMEOUT"
#define VERDICT_GRADER "GRADER"
#define VERDICT_PASS "PASS"

#endif /* VERDICT_PROTOCOL_H */
