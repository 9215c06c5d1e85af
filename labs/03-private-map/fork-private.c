/*
 * fork-private.c — a parent and its child store into the same private mapping.
 *
 * The program writes a two-page file, maps it with your pm_map_private() and
 * forks. The child inherits the mapping, and at first both processes see the
 * same pages. Then the child stores "CHILD" over the word "ORIGIN" that
 * starts the file, and the parent, once the child has done so, stores
 * "PARENT" at the same place. Each process prints what it sees and its pm_cow_pages(): each
 * store made a private copy of the page for the process that made it, so each
 * sees only its own change, and the file, read back with read() at the end,
 * has neither. The two processes take turns through two pipes, so the output
 * comes in a fixed order without any sleeping. Usage: `fork-private [FILE]`;
 * FILE (fork-private.dat in the current directory unless given) must not
 * exist yet, and is removed at the end. Exit status 0 when every process saw
 * what a private mapping promises, 1 otherwise, 2 for a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "labkit.h"
#include "private_map.h"

#define DEFAULT_PATH "fork-private.dat"
#define FIRST_LINE "ORIGIN: the first line of the file, as written before mmap()\n"
/* What the child and the parent store over "ORIGIN": each exactly as long. */
#define CHILD_TEXT "CHILD "
#define PARENT_TEXT "PARENT"

static const char *program = "fork-private";

/* Write all of len bytes, retrying short writes and EINTR; 0 or -1. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *next = data;

	while (len > 0) {
		ssize_t put = write(fd, next, len);

		if (put == -1 && errno == EINTR)
			continue;
		if (put == -1)
			return -1;
		next += put;
		len -= (size_t)put;
	}
	return 0;
}

/* Read exactly len bytes; 0, or -1 with errno set (EPIPE if the other side went away). */
static int read_exactly(int fd, void *buf, size_t len)
{
	char *next = buf;

	while (len > 0) {
		ssize_t got = read(fd, next, len);

		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			return -1;
		if (got == 0) {
			errno = EPIPE;
			return -1;
		}
		next += got;
		len -= (size_t)got;
	}
	return 0;
}

/* Write the file: a first line, then dots and newlines up to size bytes. */
static int fill_file(int fd, size_t size)
{
	char *text = malloc(size);
	int result, saved_errno;

	if (text == NULL)
		return -1;
	memset(text, '.', size);
	for (size_t i = 63; i < size; i += 64)
		text[i] = '\n';
	memcpy(text, FIRST_LINE, strlen(FIRST_LINE));
	result = write_all(fd, text, size);
	saved_errno = errno;
	free(text);
	errno = saved_errno;
	return result;
}

/* Create the file, which must not exist yet, and fill it; 0 or -1. */
static int create_file(const char *path, size_t size)
{
	int saved_errno;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd == -1)
		return -1;
	if (fill_file(fd, size) == -1) {
		saved_errno = errno;
		close(fd);
		unlink(path);
		errno = saved_errno;
		return -1;
	}
	/* close() of a file we wrote may report a late write error */
	if (close(fd) == -1) {
		saved_errno = errno;
		unlink(path);
		errno = saved_errno;
		return -1;
	}
	return 0;
}

/* "who sees: <first line>   (pages copied on write: N)"; -1 if pm_cow_pages fails. */
static int report(const char *who, const char *what, const char *map)
{
	long pages = pm_cow_pages(map);
	int len = (int)(strchr(FIRST_LINE, '\n') - FIRST_LINE);

	if (pages == -1) {
		fprintf(stderr, "%s: %s: pm_cow_pages: %s\n", program, who, strerror(errno));
		return -1;
	}
	printf("  %-6s %-22s \"%.*s\"   pages copied on write: %ld\n", who, what, len, map,
	       pages);
	return fflush(stdout) == EOF ? -1 : 0;
}

static int starts_with(const char *map, const char *text)
{
	return strncmp(map, text, strlen(text)) == 0;
}

/* The child: store, report, let the parent go on, wait for its store, look again. */
static _Noreturn void child_main(char *map, int from_parent, int to_parent)
{
	char token;
	int ok;

	memcpy(map, CHILD_TEXT, strlen(CHILD_TEXT));
	if (report("child", "stored CHILD, sees:", map) == -1 ||
	    write_all(to_parent, "c", 1) == -1 || read_exactly(from_parent, &token, 1) == -1) {
		fprintf(stderr, "%s: child: %s\n", program, strerror(errno));
		_exit(EXIT_FAILURE);
	}
	if (report("child", "after PARENT, sees:", map) == -1)
		_exit(EXIT_FAILURE);
	ok = starts_with(map, CHILD_TEXT);
	if (!ok)
		printf("  -> the child sees the parent's store: the mapping is not private!\n");
	_exit(fflush(stdout) == EOF || !ok ? EXIT_FAILURE : EXIT_SUCCESS);
}

/* The parent's turn, after the child's store: look, store, look, let the child look. */
static int parent_turn(char *map, int from_child, int to_child)
{
	char token;
	int ok;

	if (read_exactly(from_child, &token, 1) == -1) {
		fprintf(stderr, "%s: waiting for the child: %s\n", program, strerror(errno));
		return -1;
	}
	if (report("parent", "after CHILD, sees:", map) == -1)
		return -1;
	ok = starts_with(map, FIRST_LINE);
	if (!ok)
		printf("  -> the parent sees the child's store: the mapping is not private!\n");
	memcpy(map, PARENT_TEXT, strlen(PARENT_TEXT));
	if (report("parent", "stored PARENT, sees:", map) == -1)
		return -1;
	if (write_all(to_child, "p", 1) == -1) {
		fprintf(stderr, "%s: telling the child: %s\n", program, strerror(errno));
		return -1;
	}
	return ok ? 0 : -1;
}

/* Wait for the child; -1 unless it exited with status 0. */
static int reap(pid_t child)
{
	int status;

	while (waitpid(child, &status, 0) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", program, strerror(errno));
			return -1;
		}
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void close_pair(int pair[2])
{
	close(pair[0]);
	close(pair[1]);
}

/* Fork, take turns through two pipes, reap the child; 0 if both saw what they should. */
static int run_both(char *map)
{
	int to_child[2], to_parent[2];
	int result;
	pid_t child;

	if (pipe(to_child) == -1) {
		fprintf(stderr, "%s: pipe: %s\n", program, strerror(errno));
		return -1;
	}
	if (pipe(to_parent) == -1) {
		fprintf(stderr, "%s: pipe: %s\n", program, strerror(errno));
		close_pair(to_child);
		return -1;
	}
	/* Flushed now, or the child would print the parent's buffered lines again. */
	child = fflush(stdout) == EOF ? -1 : fork();
	if (child == -1) {
		fprintf(stderr, "%s: fork: %s\n", program, strerror(errno));
		close_pair(to_child);
		close_pair(to_parent);
		return -1;
	}
	if (child == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		child_main(map, to_child[0], to_parent[1]);
	}
	close(to_child[0]);
	close(to_parent[1]);
	result = parent_turn(map, to_parent[0], to_child[1]);
	close(to_child[1]); /* a child still waiting for us sees end of file and stops */
	close(to_parent[0]);
	if (reap(child) == -1)
		result = -1;
	return result;
}

/* Read the file's first bytes with read(): neither store may be there. */
static int check_file(const char *path)
{
	char first[sizeof(FIRST_LINE) - 1];
	int fd = open(path, O_RDONLY);
	int ok;

	if (fd == -1 || read_exactly(fd, first, sizeof(first)) == -1) {
		fprintf(stderr, "%s: reading %s: %s\n", program, path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	ok = memcmp(first, FIRST_LINE, sizeof(first)) == 0;
	printf("  %-6s %-22s \"%.*s\"\n", "file", "read() returns:", (int)sizeof(first) - 1,
	       first);
	printf("  -> %s\n", ok ? "each process saw only its own store; the file has neither."
			       : "a store reached the file: the mapping is not private!");
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *path = argc == 2 ? argv[1] : DEFAULT_PATH;
	size_t len;
	char *map;
	int status = EXIT_FAILURE;

	program = argv[0];
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [FILE]   (FILE must not exist; default %s)\n", program,
			DEFAULT_PATH);
		return 2;
	}
	if (create_file(path, 2 * labkit_page_size()) == -1) {
		fprintf(stderr, "%s: creating %s: %s\n", program, path, strerror(errno));
		return EXIT_FAILURE;
	}
	map = pm_map_private(path, &len);
	if (map == NULL) {
		fprintf(stderr, "%s: pm_map_private %s: %s\n", program, path, strerror(errno));
		goto remove_file;
	}
	printf("%s: %s (%zu bytes) mapped privately, then fork()\n", program, path, len);
	if (report("parent", "before fork(), sees:", map) == 0 && run_both(map) == 0 &&
	    check_file(path) == 0)
		status = EXIT_SUCCESS;
	if (pm_unmap(map, len) == -1) {
		fprintf(stderr, "%s: pm_unmap: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
remove_file:
	if (unlink(path) == -1) {
		fprintf(stderr, "%s: removing %s: %s\n", program, path, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
