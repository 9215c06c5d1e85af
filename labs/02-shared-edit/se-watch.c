/*
 * se-watch.c — a second process that watches a file through a mapping of its own.
 *
 * `se-watch [--changes N] FILE` maps FILE read-only and MAP_SHARED, prints the
 * line of /proc/self/maps that describes the mapping, and then compares the
 * mapping with a private copy of the bytes ten times a second, printing every
 * byte that changed. Run se-edit or se-replace on the same file in another
 * terminal: the change shows up here at once, although se-watch makes no
 * system call to read the file, because both processes reach the same
 * page-cache page. A store into a mapping raises no event anywhere (inotify
 * reports write() calls, not stores through mappings), so looking again and
 * again is the only way for a watcher to notice one; the timing decides only
 * when it looks, never what it sees. It stops after N rounds that found a
 * change (it runs until interrupted without --changes), or when the file's
 * size changes, which a mapping does not follow. Exit status: 0, 1 after an
 * error, 2 for a bad command line. This program does not use shared_edit.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "labkit.h"

#define POLL_NANOSECONDS 100000000L /* look ten times a second */
#define MAX_REPORTED 16             /* changed bytes listed per round */

static const char *program = "se-watch";

/* The watched file: its descriptor (for fstat), our mapping of it and a private copy. */
struct watch {
	const char *path;
	int fd;
	size_t size;
	const unsigned char *map;
	unsigned char *copy; /* the bytes as they were when we last looked */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--changes N] FILE\n"
		"  map FILE read-only and shared, and print every byte that another process\n"
		"  changes in it; stop after N rounds that found changes (default: never)\n",
		program);
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "%s: %s %s: %s\n", program, what, path, strerror(errno));
	return -1;
}

/* Map the file and take the first copy; 0, or -1 after a message. */
static int start_watching(struct watch *watch)
{
	struct stat st;

	watch->fd = open(watch->path, O_RDONLY);
	if (watch->fd == -1)
		return fail("cannot open", watch->path);
	if (fstat(watch->fd, &st) == -1)
		return fail("cannot fstat", watch->path);
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		fprintf(stderr, "%s: %s is not a non-empty regular file\n", program, watch->path);
		return -1;
	}
	watch->size = (size_t)st.st_size;
	watch->map = mmap(NULL, watch->size, PROT_READ, MAP_SHARED, watch->fd, 0);
	if (watch->map == MAP_FAILED)
		return fail("cannot map", watch->path);
	watch->copy = malloc(watch->size);
	if (watch->copy == NULL)
		return fail("no memory for a copy of", watch->path);
	memcpy(watch->copy, watch->map, watch->size);
	return 0;
}

static void stop_watching(struct watch *watch)
{
	if (watch->map != MAP_FAILED)
		munmap((void *)watch->map, watch->size);
	if (watch->fd != -1)
		close(watch->fd);
	free(watch->copy);
}

/* Print the line of /proc/self/maps that holds our mapping: what the kernel recorded. */
static void show_mapping(const struct watch *watch)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];

	if (maps == NULL) {
		fail("cannot open", "/proc/self/maps");
		return;
	}
	while (fgets(line, sizeof(line), maps) != NULL) {
		uintptr_t start, end;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &start, &end) == 2 &&
		    start <= (uintptr_t)watch->map && (uintptr_t)watch->map < end)
			printf("our mapping in /proc/%ld/maps:\n  %s", (long)getpid(), line);
	}
	fclose(maps);
}

static void print_byte(unsigned char byte)
{
	if (byte >= 0x20 && byte < 0x7f)
		printf("'%c'", byte);
	else
		printf("\\x%02x", byte);
}

/* Report the bytes that differ from the copy, then update the copy; returns how many. */
static size_t report_changes(struct watch *watch)
{
	size_t changed = 0;

	for (size_t i = 0; i < watch->size; i++) {
		if (watch->map[i] == watch->copy[i])
			continue;
		if (++changed <= MAX_REPORTED) {
			printf("byte %zu: ", i);
			print_byte(watch->copy[i]);
			printf(" -> ");
			print_byte(watch->map[i]);
			putchar('\n');
		}
		watch->copy[i] = watch->map[i];
	}
	if (changed > MAX_REPORTED)
		printf("... and %zu more bytes\n", changed - MAX_REPORTED);
	return changed;
}

/* A whole decimal number of at least 1. */
static int parse_count(const char *text, unsigned long *count)
{
	unsigned long long value;

	if (labkit_parse_unsigned(text, ULONG_MAX, &value) == -1 || value == 0)
		return -1;
	*count = (unsigned long)value;
	return 0;
}

/* Look until `rounds` rounds found changes (0: forever) or the size changes. */
static int watch_loop(struct watch *watch, unsigned long rounds)
{
	const struct timespec pause = { 0, POLL_NANOSECONDS };
	unsigned long seen = 0;
	struct stat st;

	while (rounds == 0 || seen < rounds) {
		if (nanosleep(&pause, NULL) == -1 && errno != EINTR)
			return fail("nanosleep while watching", watch->path);
		/* A shrunken file would make our mapping's last pages raise SIGBUS. */
		if (fstat(watch->fd, &st) == -1)
			return fail("cannot fstat", watch->path);
		if ((size_t)st.st_size != watch->size) {
			printf("the size of %s changed from %zu to %jd bytes; a mapping does not "
			       "follow that: stopping\n", watch->path, watch->size,
			       (intmax_t)st.st_size);
			return 0;
		}
		if (report_changes(watch) > 0) {
			seen++;
			fflush(stdout);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct watch watch = { .fd = -1, .map = MAP_FAILED };
	unsigned long rounds = 0;
	int status;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (argc == 4 && strcmp(argv[1], "--changes") == 0 && parse_count(argv[2], &rounds) == 0)
		watch.path = argv[3];
	else if (argc == 2 && argv[1][0] != '-')
		watch.path = argv[1];
	if (watch.path == NULL) {
		usage(stderr);
		return 2;
	}

	status = start_watching(&watch);
	if (status == 0) {
		show_mapping(&watch);
		printf("watching %s (%zu bytes) as process %ld; Ctrl-C stops\n", watch.path,
		       watch.size, (long)getpid());
		fflush(stdout);
		status = watch_loop(&watch, rounds);
	}
	stop_watching(&watch);
	return status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
