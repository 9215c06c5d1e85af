/*
 * channel.h — the runner's side of the verdict channel (judge_protocol.h).
 *
 * The runner makes each test's random token and reads the judge's records
 * into the test's result. Kept apart from the sandbox that carries them so
 * that make check can feed it what the judge's library really writes.
 */
#ifndef CHANNEL_H
#define CHANNEL_H

#include <stddef.h>

#include "judge_protocol.h"
#include "sandbox.h"

/* A fresh random token in hexadecimal, NUL-terminated; aborts without randomness. */
void channel_make_token(char token[VERDICT_TOKEN_LENGTH + 1]);

/*
 * Take the complete records at the start of data[len] into result, and set
 * *passed when one is the verdict with this token. Returns how many bytes the
 * complete records take; what follows them is an unfinished record (or
 * garbage, which is never consumed).
 */
size_t channel_parse(const char *data, size_t len, const char *token,
		     struct sandbox_result *result, int *passed);

#endif /* CHANNEL_H */
