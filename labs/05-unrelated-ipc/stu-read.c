/*
 * stu-read.c — the reader of the "pass a struct through a file" example, done right.
 *
 * `stu-read FILE` loads the records that stu-write (or anything else that
 * calls fi_publish) left in FILE, with your fi_load(), and prints one line per
 * student. It asks fi_load() how many records the file holds first (with no
 * room at all), allocates exactly that much, and loads again. A damaged or
 * foreign file is refused with a message, never a crash: fi_load() checks the
 * file before it touches a record. Exit status: 0 on success, 1 if the file
 * cannot be loaded, 2 for a bad command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_ipc.h"

/* Print one student; the name may fill all 20 bytes with no NUL. */
static void print_student(const struct fi_student *student)
{
	printf("id=%d\tname=%.*s\tsex=%c\n", (int)student->id, (int)sizeof(student->name),
	       student->name, student->sex);
}

int main(int argc, char **argv)
{
	const char *program = argv[0];
	struct fi_student *students;
	ssize_t count, loaded;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s FILE\n  print the students published in FILE\n",
			program);
		return 2;
	}
	count = fi_load(argv[1], NULL, 0);
	if (count == -1) {
		fprintf(stderr, "%s: fi_load %s: %s\n", program, argv[1], strerror(errno));
		return EXIT_FAILURE;
	}
	students = calloc(count > 0 ? (size_t)count : 1, sizeof(*students));
	if (students == NULL) {
		fprintf(stderr, "%s: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	loaded = fi_load(argv[1], students, (size_t)count);
	if (loaded == -1) {
		fprintf(stderr, "%s: fi_load %s: %s\n", program, argv[1], strerror(errno));
		free(students);
		return EXIT_FAILURE;
	}
	/* The file may have been published again in between: print what fits. */
	for (ssize_t i = 0; i < loaded && i < count; i++)
		print_student(&students[i]);
	free(students);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
