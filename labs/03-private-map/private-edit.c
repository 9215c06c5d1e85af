/*
 * private-edit.c — "a private mapping cannot change the file", shown step by step.
 *
 * `private-edit FILE [OFFSET [CHAR]]` maps FILE with your pm_map_private(),
 * stores CHAR ('9' unless told) at byte OFFSET (20 unless told) of the
 * mapping, and shows three things: the mapping now holds the new byte, the
 * file read back with read() through a descriptor of its own still holds the
 * old one, and pm_cow_pages() went from 0 to 1, because the store made the
 * kernel copy exactly one page for this process. FILE is never written; try
 * it on a file of mode 0444 too. With --wait, the program stops before and
 * after the store until you press Enter, so that you can read its
 * /proc/PID/smaps from another terminal. Exit status: 0 when the file is
 * unchanged, 1 on any error or if the file did change, 2 for a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "labkit.h"
#include "private_map.h"

#define DEFAULT_OFFSET 20
#define DEFAULT_CHAR '9'
#define WINDOW 12 /* bytes shown on each side of OFFSET */

static const char *program = "private-edit";
static int wait_for_enter; /* --wait: stop before and after the store */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--wait] FILE [OFFSET [CHAR]]\n"
		"  map FILE privately, store CHAR (default '%c') at byte OFFSET (default %d),\n"
		"  and show that the mapping changed while the file did not\n"
		"  --wait  stop before and after the store until Enter is pressed\n",
		program, DEFAULT_CHAR, DEFAULT_OFFSET);
}

/* With --wait: say where to look, and wait for a line on standard input. */
static int pause_here(const char *moment, const void *map)
{
	char line[80];

	if (!wait_for_enter)
		return 0;
	printf("  (%s: look at /proc/%ld/smaps, the entry of %p; press Enter to go on)\n",
	       moment, (long)getpid(), map);
	if (fflush(stdout) == EOF)
		return -1;
	if (fgets(line, sizeof(line), stdin) == NULL && ferror(stdin)) {
		fprintf(stderr, "%s: reading standard input: %s\n", program, strerror(errno));
		return -1;
	}
	return 0;
}

/* A whole decimal number from 0 up; -1 if text is anything else. */
static int parse_offset(const char *text, off_t *offset)
{
	unsigned long long value;

	if (labkit_parse_unsigned(text, LLONG_MAX, &value) == -1)
		return -1;
	*offset = (off_t)value;
	return 0;
}

/* Print the bytes around offset, "." for anything that is not printable. */
static void show_window(const char *label, const unsigned char *bytes, size_t len, size_t offset)
{
	size_t first = offset > WINDOW ? offset - WINDOW : 0;
	size_t last = offset + WINDOW < len ? offset + WINDOW : len - 1;

	printf("  %-28s \"", label);
	for (size_t i = first; i <= last; i++) {
		int c = bytes[i] >= 0x20 && bytes[i] < 0x7f ? bytes[i] : '.';

		printf(i == offset ? "[%c]" : "%c", c);
	}
	printf("\"  (byte %zu is 0x%02x)\n", offset, bytes[offset]);
}

/* Read up to len bytes of the file from its start with read(), however many calls it takes. */
static ssize_t read_file(const char *path, unsigned char *buf, size_t len)
{
	size_t done = 0;
	int saved_errno;
	int fd = open(path, O_RDONLY);

	if (fd == -1)
		return -1;
	while (done < len) {
		ssize_t got = read(fd, buf + done, len - done);

		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			saved_errno = errno;
			close(fd);
			errno = saved_errno;
			return -1;
		}
		if (got == 0)
			break;
		done += (size_t)got;
	}
	close(fd);
	return (ssize_t)done;
}

static int report_cow(const char *when, const void *map)
{
	long pages = pm_cow_pages(map);

	if (pages == -1) {
		fprintf(stderr, "%s: pm_cow_pages: %s\n", program, strerror(errno));
		return -1;
	}
	printf("  %-28s %ld\n", when, pages);
	return 0;
}

/* The experiment itself, on a mapping of len bytes; 0 if the file stayed as it was. */
static int edit_privately(const char *path, unsigned char *map, size_t len, size_t offset,
			  unsigned char value)
{
	unsigned char *from_file = malloc(len);
	unsigned char old = map[offset];
	ssize_t got;
	int result = -1;

	if (from_file == NULL) {
		fprintf(stderr, "%s: %s\n", program, strerror(errno));
		return -1;
	}
	if (report_cow("pm_cow_pages() before:", map) == -1)
		goto cleanup;
	show_window("the mapping before:", map, len, offset);
	if (pause_here("before the store", map) == -1)
		goto cleanup;
	map[offset] = value; /* the kernel copies this page for us, now */
	show_window("the mapping after the store:", map, len, offset);
	if (report_cow("pm_cow_pages() after:", map) == -1)
		goto cleanup;
	if (pause_here("after the store", map) == -1)
		goto cleanup;

	got = read_file(path, from_file, len);
	if (got == -1) {
		fprintf(stderr, "%s: reading %s: %s\n", program, path, strerror(errno));
		goto cleanup;
	}
	if ((size_t)got != len) {
		fprintf(stderr, "%s: %s changed size while we looked\n", program, path);
		goto cleanup;
	}
	show_window("the file, read with read():", from_file, len, offset);
	if (old == value) {
		printf("  -> the byte already was 0x%02x: pick another CHAR to see a difference\n",
		       value);
		result = 0;
	} else if (from_file[offset] != old) {
		printf("  -> the store reached the file: is the mapping really MAP_PRIVATE?\n");
	} else {
		printf("  -> the mapping changed, the file did not: the store went to a private "
		       "copy.\n");
		result = 0;
	}
cleanup:
	free(from_file);
	return result;
}

int main(int argc, char **argv)
{
	off_t offset = DEFAULT_OFFSET;
	unsigned char value = DEFAULT_CHAR;
	unsigned char *map;
	size_t len;
	int status;

	program = argv[0];
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (argc >= 2 && strcmp(argv[1], "--wait") == 0) {
		wait_for_enter = 1;
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 4 || argv[1][0] == '-' ||
	    (argc >= 3 && parse_offset(argv[2], &offset) == -1) ||
	    (argc == 4 && strlen(argv[3]) != 1)) {
		usage(stderr);
		return 2;
	}
	if (argc == 4)
		value = (unsigned char)argv[3][0];

	map = pm_map_private(argv[1], &len);
	if (map == NULL) {
		fprintf(stderr, "%s: pm_map_private %s: %s\n", program, argv[1], strerror(errno));
		return EXIT_FAILURE;
	}
	printf("%s: %s mapped privately, %zu bytes at %p\n", program, argv[1], len, (void *)map);
	if ((uintmax_t)offset >= len) {
		fprintf(stderr, "%s: offset %jd is not inside the %zu-byte file\n", program,
			(intmax_t)offset, len);
		status = EXIT_FAILURE;
	} else {
		status = edit_privately(argv[1], map, len, (size_t)offset, value) == 0
				 ? EXIT_SUCCESS
				 : EXIT_FAILURE;
	}
	if (pm_unmap(map, len) == -1) {
		fprintf(stderr, "%s: pm_unmap: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
