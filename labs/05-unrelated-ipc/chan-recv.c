/*
 * chan-recv.c — messages from a channel to standard output.
 *
 * `chan-recv [-l] [-c CAPACITY] FILE` receives every message of the channel
 * FILE with your fi_chan_recv() until the sender ends the stream, and writes
 * each to standard output: as it is, or with -l framed as a uint32_t length
 * in host byte order followed by the bytes, the format `chan-send -l` reads.
 * With -c it first creates the channel, a ring of CAPACITY bytes (a power of
 * two from 4096), with fi_chan_create(); otherwise it opens an existing one
 * with fi_chan_open(). It starts with a small buffer and, when fi_chan_recv()
 * says EMSGSIZE, doubles it and asks again: the message waits in the channel
 * meanwhile. Exit status: 0 at the end of the stream, 1 on any error, 2 for a
 * bad command line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "labkit.h"
#include "file_ipc.h"

/* Where the buffer starts: many messages fit, the largest ones do not. */
#define FIRST_BUFFER 1024

static const char *program = "chan-recv";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [-l] [-c CAPACITY] FILE\n"
		"  write every message of the channel FILE to standard output\n"
		"  -l           frame each message as a uint32_t length and the bytes\n"
		"  -c CAPACITY  create the channel first, with a ring of CAPACITY bytes\n",
		program);
}

/* A capacity in bytes, decimal; 0 if the text is not a number. */
static size_t parse_capacity(const char *text)
{
	unsigned long long value;

	if (labkit_parse_unsigned(text, SIZE_MAX, &value) == -1)
		return 0;
	return (size_t)value;
}

static int write_message(const void *msg, size_t len, int framed)
{
	uint32_t length = (uint32_t)len;

	if (framed && fwrite(&length, sizeof(length), 1, stdout) != 1)
		return -1;
	return fwrite(msg, 1, len, stdout) == len ? 0 : -1;
}

/* Receive until the end of the stream; 0, or -1 after a message. */
static int receive_all(fi_chan *ch, int framed)
{
	size_t room = FIRST_BUFFER;
	char *buffer = malloc(room);
	int result = -1;

	if (buffer == NULL) {
		fprintf(stderr, "%s: %s\n", program, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t got = fi_chan_recv(ch, buffer, room);

		if (got == -1 && errno == EMSGSIZE) {
			/* Too small: the message is still there, for a bigger buffer. */
			char *bigger = realloc(buffer, room * 2);

			if (bigger == NULL) {
				fprintf(stderr, "%s: %s\n", program, strerror(errno));
				break;
			}
			buffer = bigger;
			room *= 2;
			continue;
		}
		if (got == -1) {
			fprintf(stderr, "%s: fi_chan_recv: %s\n", program, strerror(errno));
			break;
		}
		if (got == 0) {
			result = 0;
			break;
		}
		if (write_message(buffer, (size_t)got, framed) == -1) {
			fprintf(stderr, "%s: writing to standard output: %s\n", program,
				strerror(errno));
			break;
		}
	}
	free(buffer);
	return result;
}

int main(int argc, char **argv)
{
	int framed = 0, status = EXIT_SUCCESS, arg = 1;
	size_t capacity = 0;
	fi_chan *ch;

	program = argv[0];
	for (; arg < argc - 1 && argv[arg][0] == '-'; arg++) {
		if (strcmp(argv[arg], "-l") == 0 && !framed) {
			framed = 1;
		} else if (strcmp(argv[arg], "-c") == 0 && capacity == 0 && arg + 1 < argc - 1) {
			capacity = parse_capacity(argv[++arg]);
			if (capacity == 0) {
				usage();
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (arg != argc - 1 || argv[arg][0] == '-') {
		usage();
		return 2;
	}
	ch = capacity > 0 ? fi_chan_create(argv[arg], capacity) : fi_chan_open(argv[arg]);
	if (ch == NULL) {
		fprintf(stderr, "%s: %s %s: %s\n", program,
			capacity > 0 ? "fi_chan_create" : "fi_chan_open", argv[arg],
			strerror(errno));
		return EXIT_FAILURE;
	}
	if (receive_all(ch, framed) == -1)
		status = EXIT_FAILURE;
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (fi_chan_close(ch) == -1) {
		fprintf(stderr, "%s: fi_chan_close: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
