/*
 * utf8.h — making bytes from a submission safe to put in a report.
 *
 * What a student's code prints may be any bytes. Every report format (JSON,
 * JUnit XML, TAP, the terminal) needs text, so captured bytes are turned into
 * valid UTF-8 once, as they are captured: each byte that does not start a
 * valid sequence, and each NUL, becomes U+FFFD, and each control character but
 * newline and tab becomes '?' (no terminal escape sequence reaches a report).
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/*
 * Length of the valid UTF-8 sequence at text (1 to 4), or 0 if it is not one
 * (a stray byte, an overlong form, a surrogate, a code point past U+10FFFF, or
 * U+FFFE / U+FFFF, which XML does not allow). text must be NUL-terminated.
 */
size_t utf8_sequence(const unsigned char *text);

/* A malloc'ed, NUL-terminated, valid UTF-8 copy of len bytes, as above; NULL if out of memory. */
char *utf8_sanitized(const char *data, size_t len);

#endif /* UTF8_H */
