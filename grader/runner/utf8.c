/*
 * utf8.c — making bytes from a submission safe to put in a report (utf8.h).
 *
 * Jansson refuses a string that is not valid UTF-8, and an XML parser refuses
 * the whole document for one bad byte: so a student who prints 0xff must not be
 * able to lose a verdict or break a report. Everything captured from a test
 * passes through utf8_sanitized() before anything else sees it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD, three bytes */

size_t utf8_sequence(const unsigned char *text)
{
	static const uint32_t smallest[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	uint32_t code;

	if (text[0] < 0x80)
		return 1;
	if ((text[0] & 0xE0) == 0xC0) {
		len = 2;
		code = text[0] & 0x1F;
	} else if ((text[0] & 0xF0) == 0xE0) {
		len = 3;
		code = text[0] & 0x0F;
	} else if ((text[0] & 0xF8) == 0xF0) {
		len = 4;
		code = text[0] & 0x07;
	} else {
		return 0;
	}
	/* A NUL among the continuation bytes stops here: text is NUL-terminated. */
	for (size_t i = 1; i < len; i++) {
		if ((text[i] & 0xC0) != 0x80)
			return 0;
		code = code << 6 | (text[i] & 0x3F);
	}
	if (code < smallest[len] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF ||
	    code == 0xFFFE || code == 0xFFFF)
		return 0;
	return len;
}

char *utf8_sanitized(const char *data, size_t len)
{
	/* Work on a NUL-terminated copy, so that a sequence cut off at the end is seen. */
	unsigned char *input = malloc(len + 1);
	char *out = malloc(3 * len + 1); /* every byte may become three */
	size_t used = 0;

	if (input == NULL || out == NULL) {
		free(input);
		free(out);
		return NULL;
	}
	memcpy(input, data, len);
	input[len] = '\0';
	for (size_t at = 0; at < len;) {
		size_t sequence = input[at] == '\0' ? 0 : utf8_sequence(input + at);

		if (sequence == 1 && input[at] != '\n' && input[at] != '\t' &&
		    (input[at] < 0x20 || input[at] == 0x7f)) {
			out[used++] = '?'; /* a control character: escape sequences stay out of reports */
			at++;
		} else if (sequence == 0) {
			memcpy(out + used, REPLACEMENT, 3);
			used += 3;
			at++;
		} else {
			memcpy(out + used, input + at, sequence);
			used += sequence;
			at += sequence;
		}
	}
	out[used] = '\0';
	free(input);
	return out;
}
