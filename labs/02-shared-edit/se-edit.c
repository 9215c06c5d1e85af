/*
 * se-edit.c — change one byte of a file in place, with your se_set_byte().
 *
 * `se-edit FILE OFFSET CHAR` prints FILE, stores the character CHAR at byte
 * OFFSET (counted from 0) through se_set_byte(), which maps the whole file
 * MAP_SHARED, stores, msync()s and unmaps, and prints the file again. With
 * --page it calls se_write_at() instead, which maps only the page that holds
 * the byte; `se-edit --append FILE TEXT` adds TEXT at the end of FILE with
 * se_append(). It is the editor of the source articles' first example with
 * every call checked: an offset outside the file is refused rather than
 * stored past the end, and the file is printed with its length, never as a C
 * string. A file of up to 1 KiB is printed whole; of a larger one, 64 bytes
 * around OFFSET (or at the end, for --append). Exit status: 0 on success, 1
 * if the edit or the printing failed, 2 for a bad command line. Run it under
 * `strace -e trace=mmap,msync,munmap` to see the calls your functions make,
 * and while `se-watch FILE` runs in another terminal to see a second process
 * notice the change.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "shared_edit.h"

#define SHOW_WHOLE_UP_TO 1024 /* bytes: print smaller files whole */
#define WINDOW 64             /* bytes shown around the offset of a larger file */

static const char *program = "se-edit";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s FILE OFFSET CHAR           store CHAR at byte OFFSET (from 0)\n"
		"       %s --page FILE OFFSET CHAR    the same, mapping only that page\n"
		"       %s --append FILE TEXT         add TEXT at the end of FILE\n"
		"  FILE is edited through a shared mapping and printed before and after\n",
		program, program, program);
}

/* A whole decimal number, possibly negative (se_set_byte decides what is allowed). */
static int parse_offset(const char *text, off_t *offset)
{
	char *end;
	long long value;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0')
		return -1;
	*offset = (off_t)value;
	return 0;
}

/*
 * Copy len bytes to stdout, with '.' for bytes that would upset a terminal;
 * newlines pass only if keep_lines (a whole file), not in a window.
 */
static void print_visible(const unsigned char *bytes, size_t len, int keep_lines)
{
	for (size_t i = 0; i < len; i++) {
		int printable = bytes[i] >= 0x20 && bytes[i] < 0x7f;
		int visible = printable || (keep_lines && bytes[i] == '\n');

		putchar(visible ? bytes[i] : '.');
	}
}

/* Read len bytes of the open file at offset `from`; 0 or -1 with errno set. */
static int read_at(FILE *file, off_t from, unsigned char *bytes, size_t len)
{
	if (fseeko(file, from, SEEK_SET) != 0)
		return -1;
	if (fread(bytes, 1, len, file) != len) {
		if (!ferror(file))
			errno = EIO; /* the file shrank while we looked */
		return -1;
	}
	return 0;
}

/* The part of the file to show: all of it, or a window around `offset` or at the end. */
static void choose_window(off_t size, off_t offset, int at_end, off_t *from, size_t *len)
{
	if (size <= SHOW_WHOLE_UP_TO) {
		*from = 0;
		*len = (size_t)size;
		return;
	}
	*from = at_end ? size - WINDOW : offset - WINDOW / 2;
	if (*from > size - WINDOW)
		*from = size - WINDOW;
	if (*from < 0)
		*from = 0;
	*len = WINDOW;
}

/* Print what FILE holds now, as read() sees it; 0 or -1 with a message. */
static int show_file(const char *path, off_t offset, int at_end, const char *when)
{
	unsigned char bytes[SHOW_WHOLE_UP_TO];
	FILE *file = fopen(path, "rb");
	off_t size, from;
	size_t len;
	int result = -1;

	if (file == NULL || fseeko(file, 0, SEEK_END) != 0 || (size = ftello(file)) == -1)
		goto done;
	choose_window(size, offset, at_end, &from, &len);
	if (read_at(file, from, bytes, len) != 0)
		goto done;
	if (len == (size_t)size)
		printf("--- %s %s (%jd bytes) ---\n", path, when, (intmax_t)size);
	else
		printf("--- %s %s: bytes %jd to %jd of %jd ---\n", path, when, (intmax_t)from,
		       (intmax_t)from + (intmax_t)len - 1, (intmax_t)size);
	print_visible(bytes, len, len == (size_t)size);
	if (len == 0 || bytes[len - 1] != '\n')
		putchar('\n');
	result = 0;
done:
	if (result != 0)
		fprintf(stderr, "%s: reading %s: %s\n", program, path, strerror(errno));
	if (file != NULL)
		fclose(file); /* opened for reading only: nothing to lose */
	return result;
}

/* What the command line asks for. */
enum edit_mode { SET_BYTE, WRITE_AT, APPEND };

struct request {
	enum edit_mode mode;
	const char *path;
	off_t offset;     /* SET_BYTE, WRITE_AT: where CHAR goes */
	const char *text; /* CHAR (one character), or the TEXT to append */
};

/* Fill req from the command line; -1 means print the usage message. */
static int parse_request(int argc, char **argv, struct request *req)
{
	int first = 1;

	req->mode = SET_BYTE;
	if (argc > 1 && strcmp(argv[1], "--page") == 0)
		req->mode = WRITE_AT;
	else if (argc > 1 && strcmp(argv[1], "--append") == 0)
		req->mode = APPEND;
	if (req->mode != SET_BYTE)
		first = 2;
	if (req->mode == APPEND) {
		if (argc - first != 2)
			return -1;
		req->path = argv[first];
		req->offset = 0;
		req->text = argv[first + 1];
		return 0;
	}
	if (argc - first != 3 || parse_offset(argv[first + 1], &req->offset) != 0)
		return -1;
	if (strlen(argv[first + 2]) != 1) {
		fprintf(stderr, "%s: CHAR must be exactly one character\n", program);
		return -1;
	}
	req->path = argv[first];
	req->text = argv[first + 2];
	return 0;
}

/* Make the edit with the lab's function; prints what failed and returns -1, or 0. */
static int perform(const struct request *req)
{
	unsigned char value = (unsigned char)req->text[0];
	size_t len = strlen(req->text);
	int result;

	if (req->mode == SET_BYTE)
		result = se_set_byte(req->path, req->offset, value);
	else if (req->mode == WRITE_AT)
		result = se_write_at(req->path, req->offset, &value, 1);
	else
		result = se_append(req->path, req->text, len);
	if (result == 0)
		return 0;
	if (req->mode == APPEND)
		fprintf(stderr, "%s: se_append(\"%s\", \"%s\", %zu): %s\n", program, req->path,
			req->text, len, strerror(errno));
	else
		fprintf(stderr, "%s: %s(\"%s\", %jd, '%c'%s): %s\n", program,
			req->mode == SET_BYTE ? "se_set_byte" : "se_write_at", req->path,
			(intmax_t)req->offset, value, req->mode == SET_BYTE ? "" : ", 1",
			strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	struct request req;
	int at_end;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (parse_request(argc, argv, &req) != 0) {
		usage(stderr);
		return 2;
	}
	at_end = req.mode == APPEND;

	if (show_file(req.path, req.offset, at_end, "before") != 0 || perform(&req) != 0)
		return EXIT_FAILURE;
	if (req.mode == APPEND)
		printf("appended %zu bytes\n", strlen(req.text));
	else
		printf("stored '%c' at byte %jd\n", req.text[0], (intmax_t)req.offset);
	if (show_file(req.path, req.offset, at_end, "after") != 0)
		return EXIT_FAILURE;
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
