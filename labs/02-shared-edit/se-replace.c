/*
 * se-replace.c — a tiny sed that edits a file in place, with your se_replace_all().
 *
 * `se-replace FILE NEEDLE REPLACEMENT` replaces every occurrence of NEEDLE in
 * FILE by REPLACEMENT, from left to right and without overlaps, through one
 * shared mapping of the file, and says how many it replaced. Both strings
 * must have the same length, and it must not be 0: a mapping can change the
 * bytes of a file but not its size, so this is `sed -i 's/NEEDLE/REPLACEMENT/g'`
 * for the one case a mapping can do. Exit status: 0 on success (even when
 * nothing was found), 1 if se_replace_all() failed, 2 for a bad command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared_edit.h"

static const char *program = "se-replace";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s FILE NEEDLE REPLACEMENT\n"
		"  replace every NEEDLE in FILE by REPLACEMENT, which must be exactly as\n"
		"  long (a mapping cannot change the size of a file)\n",
		program);
}

int main(int argc, char **argv)
{
	long count;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (argc != 4) {
		usage(stderr);
		return 2;
	}

	const char *path = argv[1], *needle = argv[2], *replacement = argv[3];

	count = se_replace_all(path, needle, replacement);
	if (count == -1) {
		int error = errno;

		fprintf(stderr, "%s: se_replace_all(\"%s\", \"%s\", \"%s\"): %s\n", program, path,
			needle, replacement, strerror(error));
		if (error == EINVAL && (needle[0] == '\0' || strlen(needle) != strlen(replacement)))
			fprintf(stderr, "%s: NEEDLE and REPLACEMENT must have the same length, "
				"and it must not be 0\n", program);
		return EXIT_FAILURE;
	}
	printf("replaced %ld occurrence%s of \"%s\" by \"%s\" in %s\n", count,
	       count == 1 ? "" : "s", needle, replacement, path);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
