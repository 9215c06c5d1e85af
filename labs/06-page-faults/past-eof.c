/*
 * past-eof.c — bytes stored past the end of a file, inside its last page, never reach it.
 *
 * `past-eof [FILE]` writes a short line of text to FILE ("past-eof.dat" in the
 * current directory unless told; it is created or truncated), maps it
 * MAP_SHARED, checks with your pf_usable_bytes() and pf_probe() that the bytes
 * after its end, in the rest of its last page, can be touched, and stores a
 * message there. After msync() and munmap() it asks the file itself, through
 * fstat() and a fresh read() on a new descriptor, and shows that the size and
 * the content are exactly what they were: a mapping cannot make a file longer.
 * (It does not look through a second mapping: what that shows in the tail of
 * the page depends on the file system.) The default file is removed at the end.
 * Exit status: 0 when the file is unchanged, 1 on an error or if it changed, 2
 * for a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labkit.h"
#include "page_faults.h"

#define DEFAULT_FILE "past-eof.dat"

static const char *program = "past-eof";
static const char content[] = "only this line is in the file.\n";
static const char extra[] = "...and these bytes live past the end";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [FILE]\n"
		"  store bytes past the end of FILE (default %s, created or truncated) through\n"
		"  a shared mapping, and show that the file does not change\n",
		program, DEFAULT_FILE);
}

/* Write all of len bytes to a new FILE; 0 or -1. */
static int create_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	size_t done = 0;

	if (fd == -1)
		return -1;
	while (done < len) {
		ssize_t put = write(fd, data + done, len - done);

		if (put == -1 && errno == EINTR)
			continue;
		if (put == -1) {
			int saved_errno = errno;

			close(fd);
			errno = saved_errno;
			return -1;
		}
		done += (size_t)put;
	}
	return close(fd);
}

/* Map the file, store extra right after its end, msync and unmap; 0 or -1. */
static int store_past_end(const char *path, size_t size)
{
	size_t page = labkit_page_size(), usable;
	unsigned char *map;
	int fd, result = -1;

	errno = 0;
	usable = pf_usable_bytes(size, size, page);
	if (errno == ENOSYS) {
		fprintf(stderr, "%s: pf_usable_bytes: %s\n", program, strerror(errno));
		return -1;
	}
	printf("the file has %zu bytes; pf_usable_bytes() says %zu can be touched\n", size,
	       usable);
	if (usable < size + sizeof(extra)) {
		fprintf(stderr, "%s: no room for %zu bytes after the end of the file\n", program,
			sizeof(extra));
		return -1;
	}
	fd = open(path, O_RDWR);
	if (fd == -1) {
		fprintf(stderr, "%s: %s: %s\n", program, path, strerror(errno));
		return -1;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", program, strerror(errno));
		return -1;
	}
	int touched = pf_probe(map + size + sizeof(extra) - 1, 1);
	if (touched != PF_OK) {
		fprintf(stderr, "%s: pf_probe(map + %zu, 1): %s\n", program,
			size + sizeof(extra) - 1,
			touched == -1 ? strerror(errno) : "the tail of the page cannot be written");
		goto unmap;
	}
	memcpy(map + size, extra, sizeof(extra));
	printf("stored %zu bytes at offsets %zu to %zu of the mapping: \"%s\"\n", sizeof(extra),
	       size, size + sizeof(extra) - 1, (char *)map + size);
	if (msync(map, size, MS_SYNC) == -1) {
		fprintf(stderr, "%s: msync: %s\n", program, strerror(errno));
		goto unmap;
	}
	result = 0;
unmap:
	if (munmap(map, size) == -1) {
		fprintf(stderr, "%s: munmap: %s\n", program, strerror(errno));
		result = -1;
	}
	return result;
}

/* Ask the file, not a mapping: its size, and every byte read() returns. 0 if unchanged. */
static int file_is_unchanged(const char *path, size_t size)
{
	char buffer[4096];
	size_t got = 0;
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd == -1 || fstat(fd, &st) == -1) {
		fprintf(stderr, "%s: %s: %s\n", program, path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	for (;;) {
		ssize_t part = read(fd, buffer + got, sizeof(buffer) - got);

		if (part == -1 && errno == EINTR)
			continue;
		if (part == -1) {
			fprintf(stderr, "%s: read: %s\n", program, strerror(errno));
			close(fd);
			return -1;
		}
		if (part == 0 || got + (size_t)part == sizeof(buffer)) {
			got += (size_t)part;
			break;
		}
		got += (size_t)part;
	}
	close(fd);
	printf("fstat() says the file has %jd bytes; read() returns %zu: \"%.*s\"\n",
	       (intmax_t)st.st_size, got, (int)(got > 0 ? got - 1 : 0), buffer);
	if ((size_t)st.st_size != size || got != size || memcmp(buffer, content, size) != 0) {
		printf("-> the file changed: that should never happen\n");
		return -1;
	}
	printf("-> the file is exactly as it was: the bytes past its end never reached it\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_FILE;
	size_t size = sizeof(content) - 1;
	int status;

	program = argv[0];
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		usage(stderr);
		return 2;
	}
	if (argc == 2)
		path = argv[1];
	if (create_file(path, content, size) == -1) {
		fprintf(stderr, "%s: creating %s: %s\n", program, path, strerror(errno));
		return EXIT_FAILURE;
	}
	status = store_past_end(path, size) == 0 && file_is_unchanged(path, size) == 0
			 ? EXIT_SUCCESS
			 : EXIT_FAILURE;
	if (argc == 1 && unlink(path) == -1) {
		fprintf(stderr, "%s: removing %s: %s\n", program, path, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
