/*
 * fault-map.c — the articles' experiment: which bytes of a file mapping are fine,
 * which give SIGBUS and which SIGSEGV.
 *
 * `fault-map [--no-guard] [FILE_SIZE MAP_LEN]` makes a file of FILE_SIZE bytes
 * (5000 unless told) in the current directory, maps it MAP_SHARED with length
 * MAP_LEN (15000 unless told) and puts an inaccessible guard page right after
 * the mapping, so that touching the byte after the mapping's last page is
 * certainly SIGSEGV and not some other mapping's memory. With --no-guard it
 * maps the file wherever the kernel chooses, with no guard page, and says
 * what lies after the mapping's last page: the pages past it are not ours,
 * so what touching them does is reported, not predicted. Then it touches the
 * bytes at and around every boundary with your pf_probe(), prints what your
 * pf_predict() said and what really happened, and draws the pages: file data,
 * the zero-filled rest of the file's last page, the pages that give SIGBUS, and
 * the guard. The file is removed before the program ends. Exit status: 0 when
 * every prediction about the mapping's own pages came true, 1 on an error or a
 * wrong prediction, 2 for a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "labkit.h"
#include "page_faults.h"

#define DEFAULT_FILE_SIZE 5000
#define DEFAULT_MAP_LEN 15000
#define MAX_OFFSETS 32
#define MAX_DRAWN_PAGES 16

static const char *program = "fault-map";
static const char *const outcome_names[] = { "ok", "SIGBUS", "SIGSEGV" };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--no-guard] [FILE_SIZE MAP_LEN]\n"
		"  map a FILE_SIZE-byte file (default %d) with length MAP_LEN (default %d, at\n"
		"  least 1), touch the bytes around every page boundary, and compare with\n"
		"  pf_predict(); --no-guard: no PROT_NONE guard page after the mapping\n",
		program, DEFAULT_FILE_SIZE, DEFAULT_MAP_LEN);
}

/* A whole decimal number from 0 up; -1 if text is anything else. */
static int parse_size(const char *text, size_t *size)
{
	unsigned long long value;

	if (labkit_parse_unsigned(text, SIZE_MAX / 4, &value) == -1)
		return -1;
	*size = (size_t)value;
	return 0;
}

/* A file of size bytes of printable text, unlinked at once: the descriptor keeps it. */
static int make_file(size_t size)
{
	char path[] = "fault-map.XXXXXX";
	char chunk[4096];
	int fd = mkstemp(path);

	if (fd == -1)
		return -1;
	unlink(path);
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	for (size_t done = 0; done < size;) {
		size_t want = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
		ssize_t put = write(fd, chunk, want);

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
	return fd;
}

/* Add offset to the list unless it is there already or lies past the guard page. */
static void add_offset(size_t *offsets, size_t *count, size_t offset, size_t limit)
{
	size_t i = 0;

	if (offset >= limit || *count == MAX_OFFSETS)
		return;
	while (i < *count && offsets[i] < offset)
		i++;
	if (i < *count && offsets[i] == offset)
		return;
	memmove(offsets + i + 1, offsets + i, (*count - i) * sizeof(*offsets));
	offsets[i] = offset;
	(*count)++;
}

/*
 * What /proc/self/maps says lies at address: "nothing is mapped there", or the
 * line of the mapping that holds it (its range, permissions and name).
 */
static const char *what_is_at(const void *address)
{
	static char line[512];
	uintptr_t at = (uintptr_t)address;
	FILE *maps = fopen("/proc/self/maps", "r");

	if (maps == NULL)
		return "(cannot read /proc/self/maps)";
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long long start, end;

		if (sscanf(line, "%llx-%llx", &start, &end) == 2 && at >= start && at < end) {
			fclose(maps);
			line[strcspn(line, "\n")] = '\0';
			return line;
		}
	}
	fclose(maps);
	return "nothing is mapped there";
}

/* One row of the picture per page: what it holds and what touching it does. */
static void draw_pages(size_t file_size, size_t map_len, size_t page, int guarded)
{
	size_t file_pages = file_size / page + (file_size % page != 0);
	size_t map_pages = map_len / page + (map_len % page != 0);

	printf("\nthe pages (%zu bytes each):\n", page);
	if (map_pages + 1 > MAX_DRAWN_PAGES) {
		printf("  (%zu pages: too many to draw)\n", map_pages + 1);
		return;
	}
	for (size_t i = 0; i <= map_pages; i++) {
		const char *cells, *what;

		if (i == map_pages) {
			cells = guarded ? "################" : "????????????????";
			what = guarded ? "guard page, not mapped: SIGSEGV"
				       : "not ours: whatever the kernel put there";
		} else if (i >= file_pages) {
			cells = "BBBBBBBBBBBBBBBB";
			what = "mapped, no file behind it: SIGBUS";
		} else if ((i + 1) * page > file_size) {
			size_t data = (file_size - i * page) * 16 / page;

			printf("  page %2zu  |%.*s%.*s|  file data to byte %zu, then zeros: ok\n",
			       i, (int)(data > 0 ? data : 1), "DDDDDDDDDDDDDDDD",
			       (int)(16 - (data > 0 ? data : 1)), "0000000000000000",
			       file_size - 1);
			continue;
		} else {
			cells = "DDDDDDDDDDDDDDDD";
			what = "file data: ok";
		}
		printf("  page %2zu  |%s|  %s\n", i, cells, what);
	}
	printf("  (D file data, 0 zero-filled tail, B SIGBUS, %s)\n",
	       guarded ? "# SIGSEGV" : "? not part of the mapping");
}

/*
 * Probe every offset and compare with the prediction; 0 if all agree. Without
 * a guard page, the offsets past the mapping's last page (from map_end) are
 * not ours: what happens there is shown, not judged.
 */
static int run_probes(unsigned char *map, size_t file_size, size_t map_len, size_t page,
		      const size_t *offsets, size_t count, int guarded)
{
	size_t map_end = labkit_round_up(map_len, page);

	int wrong = 0;

	printf("%10s  %5s  %-12s %s\n", "offset", "page", "predicted", "observed");
	for (size_t i = 0; i < count; i++) {
		int predicted, observed;

		errno = 0;
		predicted = (int)pf_predict(file_size, map_len, offsets[i], page);
		if (predicted < PF_OK || predicted > PF_SIGSEGV) {
			fprintf(stderr, "%s: pf_predict: %s\n", program,
				errno != 0 ? strerror(errno) : "not an outcome");
			return -1;
		}
		observed = pf_probe(map + offsets[i], 0);
		if (observed < PF_OK || observed > PF_SIGSEGV) {
			fprintf(stderr, "%s: pf_probe: %s\n", program,
				observed == -1 ? strerror(errno) : "not an outcome");
			return -1;
		}
		if (!guarded && offsets[i] >= map_end) {
			printf("%10zu  %5zu  %-12s %s  (not ours: no guard page)\n", offsets[i],
			       offsets[i] / page, "-", outcome_names[observed]);
			continue;
		}
		printf("%10zu  %5zu  %-12s %s%s\n", offsets[i], offsets[i] / page,
		       outcome_names[predicted], outcome_names[observed],
		       predicted == observed ? "" : "  <- wrong prediction");
		wrong |= predicted != observed;
	}
	return wrong ? -1 : 0;
}

int main(int argc, char **argv)
{
	size_t file_size = DEFAULT_FILE_SIZE, map_len = DEFAULT_MAP_LEN;
	size_t page = labkit_page_size(), offsets[MAX_OFFSETS], count = 0;
	size_t file_end, map_end, area_len, usable;
	unsigned char *area, *map;
	int fd, status, guarded = 1;

	program = argv[0];
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (argc >= 2 && strcmp(argv[1], "--no-guard") == 0) {
		guarded = 0;
		argv++;
		argc--;
	}
	if ((argc != 1 && argc != 3) ||
	    (argc == 3 && (parse_size(argv[1], &file_size) == -1 ||
			   parse_size(argv[2], &map_len) == -1 || map_len == 0))) {
		usage(stderr);
		return 2;
	}

	file_end = labkit_round_up(file_size, page);
	map_end = labkit_round_up(map_len, page);
	area_len = map_end + page;
	fd = make_file(file_size);
	if (fd == -1) {
		fprintf(stderr, "%s: creating the file: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	if (guarded) {
		/*
		 * Reserve the mapping's pages and one more, inaccessible, then map
		 * the file over the start of the reservation. MAP_FIXED replaces
		 * whatever is mapped there without a word, which is safe only
		 * because the reservation is ours.
		 */
		area = mmap(NULL, area_len, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (area == MAP_FAILED) {
			fprintf(stderr, "%s: reserving %zu bytes: %s\n", program, area_len,
				strerror(errno));
			close(fd);
			return EXIT_FAILURE;
		}
		map = mmap(area, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	} else {
		/* Wherever the kernel likes; the page after it is not ours to unmap. */
		map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		area = map;
		area_len = map_end;
	}
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", program, strerror(errno));
		if (guarded)
			munmap(area, area_len);
		return EXIT_FAILURE;
	}

	printf("%s: a %zu-byte file mapped with length %zu; pages of %zu bytes\n", program,
	       file_size, map_len, page);
	errno = 0;
	usable = pf_usable_bytes(file_size, map_len, page);
	if (errno == ENOSYS) {
		fprintf(stderr, "%s: pf_usable_bytes: %s\n", program, strerror(errno));
		munmap(area, area_len);
		return EXIT_FAILURE;
	}
	printf("pf_usable_bytes() says the first %zu bytes can be touched\n", usable);
	if (!guarded)
		printf("no guard page; after the mapping's last page (map + %zu): %s\n", map_end,
		       what_is_at(map + map_end));
	printf("\n");

	const size_t marks[] = { 0, file_size, file_end, map_len, map_end, map_end + page };
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (marks[i] > 0)
			add_offset(offsets, &count, marks[i] - 1, map_end + page);
		add_offset(offsets, &count, marks[i], map_end + page);
	}
	status = run_probes(map, file_size, map_len, page, offsets, count, guarded) == 0
			 ? EXIT_SUCCESS
			 : EXIT_FAILURE;
	draw_pages(file_size, map_len, page, guarded);
	if (munmap(area, area_len) == -1) {
		fprintf(stderr, "%s: munmap: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing to standard output: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
