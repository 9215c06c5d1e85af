/*
 * chan-send.c — standard input into a channel, one message at a time.
 *
 * `chan-send [-l] FILE` opens the channel FILE (made by `chan-recv -c` or by
 * anything that calls fi_chan_create) with your fi_chan_open() and sends its
 * standard input through it with fi_chan_send(). Without -l, each line is one
 * message, newline included; a line longer than 2048 bytes (half the smallest
 * ring) goes as several messages of 2048 bytes and a last piece. With -l the
 * input is already cut into messages: each is a uint32_t length in host byte
 * order followed by that many bytes (`chan-recv -l` writes that format). At
 * the end of the input, or on any error, the program calls fi_chan_finish(),
 * so that the receiver ends too, and fi_chan_close(). Exit status: 0 when
 * everything was sent, 1 on any error, 2 for a bad command line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_ipc.h"

/* The longest message a line becomes: half the smallest ring. */
#define LINE_PIECE 2048

/* The longest framed message accepted: half the largest ring. */
#define FRAME_MAX (FI_CHAN_MAX_CAPACITY / 2)

static const char *program = "chan-send";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [-l] FILE\n"
		"  send standard input through the channel FILE: one message per line,\n"
		"  or with -l, messages framed as a uint32_t length and the bytes\n",
		program);
}

static int send_one(fi_chan *ch, const void *msg, size_t len, unsigned long long number)
{
	if (fi_chan_send(ch, msg, len) == 0)
		return 0;
	fprintf(stderr, "%s: fi_chan_send of message %llu (%zu bytes): %s\n", program, number,
		len, strerror(errno));
	return -1;
}

/* Lines, each cut into pieces of at most LINE_PIECE bytes. */
static int send_lines(fi_chan *ch)
{
	char piece[LINE_PIECE];
	unsigned long long number = 0;
	size_t used = 0;
	int c;

	while ((c = getchar()) != EOF) {
		piece[used++] = (char)c;
		if (c == '\n' || used == sizeof(piece)) {
			if (send_one(ch, piece, used, ++number) == -1)
				return -1;
			used = 0;
		}
	}
	if (used > 0 && send_one(ch, piece, used, ++number) == -1)
		return -1;
	return 0;
}

/* Read exactly len bytes of standard input: 1, 0 at a clean end of input, -1 otherwise. */
static int read_exactly(void *buf, size_t len, int end_allowed)
{
	size_t got = fread(buf, 1, len, stdin);

	if (got == len)
		return 1;
	if (ferror(stdin)) {
		fprintf(stderr, "%s: reading standard input: %s\n", program, strerror(errno));
		return -1;
	}
	if (got == 0 && end_allowed)
		return 0;
	fprintf(stderr, "%s: standard input ends inside a message\n", program);
	return -1;
}

/* Messages framed as a uint32_t length and that many bytes. */
static int send_frames(fi_chan *ch)
{
	unsigned char *buffer = NULL;
	size_t room = 0;
	unsigned long long number = 0;
	uint32_t length;
	int status, result = -1;

	while ((status = read_exactly(&length, sizeof(length), 1)) == 1) {
		number++;
		if (length == 0 || length > FRAME_MAX) {
			fprintf(stderr, "%s: message %llu has length %lu\n", program, number,
				(unsigned long)length);
			goto done;
		}
		if (length > room) {
			unsigned char *bigger = realloc(buffer, length);

			if (bigger == NULL) {
				fprintf(stderr, "%s: %s\n", program, strerror(errno));
				goto done;
			}
			buffer = bigger;
			room = length;
		}
		if (read_exactly(buffer, length, 0) != 1 ||
		    send_one(ch, buffer, length, number) == -1)
			goto done;
	}
	result = status;
done:
	free(buffer);
	return result;
}

int main(int argc, char **argv)
{
	int framed = argc == 3 && strcmp(argv[1], "-l") == 0;
	const char *path = argv[argc - 1];
	int status = EXIT_SUCCESS;
	fi_chan *ch;

	program = argv[0];
	if (argc != 2 + framed || path[0] == '-') {
		usage();
		return 2;
	}
	ch = fi_chan_open(path);
	if (ch == NULL) {
		fprintf(stderr, "%s: fi_chan_open %s: %s\n", program, path, strerror(errno));
		return EXIT_FAILURE;
	}
	if ((framed ? send_frames(ch) : send_lines(ch)) == -1)
		status = EXIT_FAILURE;
	/* Even after an error: the receiver must not wait forever. */
	if (fi_chan_finish(ch) == -1) {
		fprintf(stderr, "%s: fi_chan_finish: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (fi_chan_close(ch) == -1) {
		fprintf(stderr, "%s: fi_chan_close: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
