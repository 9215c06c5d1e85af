/*
 * stu-write.c — the writer of the "pass a struct through a file" example, done right.
 *
 * `stu-write FILE` publishes a small class of students in FILE with your
 * fi_publish(): a header (the magic "STU1" and the count), then the records,
 * through a shared mapping that is synced and unmapped before the program
 * exits. Run stu-read afterwards, in another terminal or after this program
 * has long gone: the records are in the file, not in this process. Exit
 * status: 0 on success, 1 if publishing failed, 2 for a bad command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_ipc.h"

/* The class: ids, names, sexes, as in the example the lab starts from. */
static const struct fi_student class_list[] = {
	{ 10, "xiaoming", 'M' },
	{ 11, "xiaohong", 'F' },
	{ 12, "Li Lei", 'M' },
	{ 13, "Han Meimei", 'F' },
	{ 14, "Zhang Wei", 'M' },
};

int main(int argc, char **argv)
{
	const char *program = argv[0];
	size_t count = sizeof(class_list) / sizeof(class_list[0]);

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s FILE\n  publish a class of %zu students in FILE\n",
			program, count);
		return 2;
	}
	if (fi_publish(argv[1], class_list, count) == -1) {
		fprintf(stderr, "%s: fi_publish %s: %s\n", program, argv[1], strerror(errno));
		return EXIT_FAILURE;
	}
	printf("%s: published %zu students in %s\n", program, count, argv[1]);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
