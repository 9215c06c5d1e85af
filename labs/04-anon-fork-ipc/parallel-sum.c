/*
 * parallel-sum.c — add up 1, 2, ..., COUNT with WORKERS child processes.
 *
 * `parallel-sum WORKERS [COUNT]` fills an array with the numbers 1 to COUNT
 * (1000000 unless given), shows how the array splits into one contiguous
 * slice per worker (the first COUNT % WORKERS slices one element longer), and
 * calls your ai_parallel_sum(). Each worker is a child process that writes
 * its partial sum into its own slot of a shared anonymous mapping; the
 * parent adds up the slots once it has reaped every child. The program
 * compares the result with COUNT * (COUNT + 1) / 2. Try WORKERS larger than
 * COUNT, COUNT 0, and WORKERS 65 (refused: EINVAL). Exit status 0 when the
 * sum is right, 1 on any error, 2 for a bad command line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anon_ipc.h"

#define DEFAULT_COUNT 1000000
#define MAX_COUNT 50000000
#define SLICES_SHOWN 8

static const char *program = "parallel-sum";

/* A whole decimal number from min to max, or -1 (the limits here are never negative). */
static long parse_number(const char *text, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0 || value < min || value > max)
		return -1;
	return value;
}

/* The slices the handout describes: as long as possible, the longer ones first. */
static void show_slices(size_t count, long workers)
{
	size_t each = count / (size_t)workers, extra = count % (size_t)workers, first = 0;

	for (long i = 0; i < workers; i++) {
		size_t length = each + ((size_t)i < extra ? 1 : 0);

		if (i < SLICES_SHOWN || i == workers - 1) {
			if (length == 0)
				printf("  worker %2ld: an empty slice\n", i);
			else
				printf("  worker %2ld: elements %zu to %zu (%zu numbers)\n", i,
				       first, first + length - 1, length);
		} else if (i == SLICES_SHOWN) {
			printf("  ...\n");
		}
		first += length;
	}
}

int main(int argc, char **argv)
{
	long workers, count = DEFAULT_COUNT;
	int64_t *data, sum, expected;
	int status = EXIT_FAILURE;

	program = argv[0];
	/* Any int goes through, so that out-of-range worker counts reach ai_parallel_sum(). */
	if (argc < 2 || argc > 3 || (workers = parse_number(argv[1], 0, 1000)) == -1 ||
	    (argc == 3 && (count = parse_number(argv[2], 0, MAX_COUNT)) == -1)) {
		fprintf(stderr, "usage: %s WORKERS [COUNT]   (WORKERS 0 to 1000, tried as given; "
			"COUNT 0 to %d, default %d)\n", program, MAX_COUNT, DEFAULT_COUNT);
		return 2;
	}
	data = malloc(count > 0 ? (size_t)count * sizeof(*data) : 1);
	if (data == NULL) {
		fprintf(stderr, "%s: malloc: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	for (long i = 0; i < count; i++)
		data[i] = i + 1;
	expected = (int64_t)count * (count + 1) / 2;

	printf("%s: 1 + 2 + ... + %ld with %ld worker%s\n", program, count, workers,
	       workers == 1 ? "" : "s");
	if (workers >= 1 && workers <= AI_MAX_WORKERS)
		show_slices((size_t)count, workers);
	if (ai_parallel_sum(data, (size_t)count, (int)workers, &sum) == -1) {
		fprintf(stderr, "%s: ai_parallel_sum: %s\n", program, strerror(errno));
	} else {
		printf("  sum %" PRId64 ", expected %" PRId64 ": %s\n", sum, expected,
		       sum == expected ? "right" : "WRONG");
		if (sum == expected)
			status = EXIT_SUCCESS;
	}
	free(data);
	return status;
}
