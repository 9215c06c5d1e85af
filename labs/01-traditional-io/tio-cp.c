/*
 * tio-cp.c — a small cp built on your lab 1 functions.
 *
 * `tio-cp [--rw | --mmap] [--bufsize N] SRC DST` copies SRC to DST either
 * the traditional way, with tio_copy_rw() and a buffer of N bytes (65536
 * unless told otherwise), or through two mappings with tio_copy_mmap(), and
 * says how long it took. Run both under `strace -c` to count the system
 * calls each way makes, and time them on a large file with a cold and a
 * warm page cache (see the handout's Experiments section).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "labkit.h"
#include "tio.h"

#define DEFAULT_BUFSIZE 65536

enum copy_method { COPY_RW, COPY_MMAP };

struct options {
	enum copy_method method;
	size_t bufsize;
	const char *src;
	const char *dst;
};

static void usage(FILE *out, const char *program)
{
	fprintf(out,
		"usage: %s [--rw | --mmap] [--bufsize N] SRC DST\n"
		"  --rw         copy with read()/write() through a buffer (the default)\n"
		"  --mmap       copy through two mappings, with no read() or write()\n"
		"  --bufsize N  buffer size in bytes for --rw (default %d)\n",
		program, DEFAULT_BUFSIZE);
}

/* A whole decimal number of at least 1; anything else is refused. */
static int parse_size(const char *text, size_t *size)
{
	unsigned long long value;

	if (labkit_parse_unsigned(text, SIZE_MAX, &value) == -1 || value == 0)
		return -1;
	*size = (size_t)value;
	return 0;
}

/* Fill opts from the command line; -1 means print the usage message. */
static int parse_options(int argc, char **argv, struct options *opts)
{
	int i;
	int bufsize_given = 0;

	opts->method = COPY_RW;
	opts->bufsize = DEFAULT_BUFSIZE;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--rw") == 0) {
			opts->method = COPY_RW;
		} else if (strcmp(argv[i], "--mmap") == 0) {
			opts->method = COPY_MMAP;
		} else if (strcmp(argv[i], "--bufsize") == 0) {
			if (i + 1 == argc) {
				fprintf(stderr, "%s: --bufsize needs a number\n", argv[0]);
				return -1;
			}
			if (parse_size(argv[++i], &opts->bufsize) == -1) {
				fprintf(stderr, "%s: bad buffer size '%s'\n", argv[0], argv[i]);
				return -1;
			}
			bufsize_given = 1;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", argv[0], argv[i]);
			return -1;
		}
	}
	if (argc - i != 2)
		return -1;
	if (bufsize_given && opts->method == COPY_MMAP)
		fprintf(stderr, "%s: --bufsize has no effect with --mmap\n", argv[0]);
	opts->src = argv[i];
	opts->dst = argv[i + 1];
	return 0;
}

static double seconds_between(const struct timespec *start, const struct timespec *end)
{
	double whole = (double)(end->tv_sec - start->tv_sec);

	return whole + (double)(end->tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct timespec start, end;
	struct stat st;
	double seconds;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout, argv[0]);
		return EXIT_SUCCESS;
	}
	if (parse_options(argc, argv, &opts) == -1) {
		usage(stderr, argv[0]);
		return 2;
	}

	if (clock_gettime(CLOCK_MONOTONIC, &start) == -1) {
		fprintf(stderr, "%s: clock_gettime: %s\n", argv[0], strerror(errno));
		return EXIT_FAILURE;
	}
	if (opts.method == COPY_RW)
		rc = tio_copy_rw(opts.src, opts.dst, opts.bufsize);
	else
		rc = tio_copy_mmap(opts.src, opts.dst);
	if (rc == -1) {
		fprintf(stderr, "%s: %s: copying %s to %s: %s\n", argv[0],
			opts.method == COPY_RW ? "tio_copy_rw" : "tio_copy_mmap",
			opts.src, opts.dst, strerror(errno));
		return EXIT_FAILURE;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &end) == -1) {
		fprintf(stderr, "%s: clock_gettime: %s\n", argv[0], strerror(errno));
		return EXIT_FAILURE;
	}
	if (stat(opts.dst, &st) == -1) {
		fprintf(stderr, "%s: stat %s: %s\n", argv[0], opts.dst, strerror(errno));
		return EXIT_FAILURE;
	}

	seconds = seconds_between(&start, &end);
	if (opts.method == COPY_RW)
		printf("copied %s to %s with read()/write() through a %zu-byte buffer\n",
		       opts.src, opts.dst, opts.bufsize);
	else
		printf("copied %s to %s through two mappings (mmap + memcpy)\n",
		       opts.src, opts.dst);
	printf("%jd bytes in %.6f s", (intmax_t)st.st_size, seconds);
	if (seconds > 0 && st.st_size > 0)
		printf(" (%.1f MiB/s)", (double)st.st_size / (1024.0 * 1024.0) / seconds);
	printf("\n");
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", argv[0], strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
