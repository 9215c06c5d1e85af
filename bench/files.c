/*
 * files.c — scanning and copying a file that sits in the page cache.
 *
 * The source file is written once (pseudo-random 64-bit words) and then read
 * so that every page is cached: what is measured is what each method costs
 * on top of the page cache, not the disk. A scan adds up the file's 64-bit
 * words, through read() into a 64 KiB buffer or through a mapping; the sum
 * must be the source's, so no scan can skip a byte. A copy makes a new file
 * by read()/write() with a 64 KiB buffer, by memcpy() between two mappings,
 * or by copy_file_range(), where the kernel copies page to page itself; each
 * copy is compared with the source afterwards (not timed) and removed. The
 * MAP_POPULATE variants fault every page in at mmap() time instead of on
 * first touch. The second-pass scan maps the file, scans it once untimed and
 * times a second scan of the same mapping: what reading mapped memory costs
 * once every page is in the page table, apart from the price of mapping it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "transfer.h"

#define BUFFER_SIZE ((size_t)64 * 1024)

static const char *const method_names[FILE_METHODS] = {
	[FILE_READ] = "read",
	[FILE_MMAP] = "mmap",
	[FILE_MMAP_POPULATE] = "mmap-populate",
	[FILE_MMAP_SECOND_PASS] = "mmap-second-pass",
	[FILE_COPY_RW] = "copy-rw",
	[FILE_COPY_MMAP] = "copy-mmap",
	[FILE_COPY_MMAP_POPULATE] = "copy-mmap-populate",
	[FILE_COPY_FILE_RANGE] = "copy_file_range",
};

const char *file_method_name(enum file_method method)
{
	return method_names[method];
}

/* The sum of the 64-bit words of data (len a multiple of 8); the compiler vectorises it. */
static uint64_t sum_words(const void *data, size_t len)
{
	const unsigned char *bytes = data;
	uint64_t sum = 0, word;

	for (size_t at = 0; at < len; at += sizeof(word)) {
		memcpy(&word, bytes + at, sizeof(word));
		sum += word;
	}
	return sum;
}

/* Write the source file: size bytes of xorshift64 words; its sum in fb. */
static int write_source(struct file_bench *fb, int fd, char *why, size_t why_size)
{
	uint64_t buffer[BUFFER_SIZE / sizeof(uint64_t)], state = 0x2545f4914f6cdd1du;

	fb->source_sum = 0;
	for (size_t done = 0; done < fb->size; done += BUFFER_SIZE) {
		for (size_t i = 0; i < BUFFER_SIZE / sizeof(uint64_t); i++) {
			buffer[i] = bench_xorshift64(&state);
			fb->source_sum += buffer[i];
		}
		if (write(fd, buffer, BUFFER_SIZE) != (ssize_t)BUFFER_SIZE) {
			snprintf(why, why_size, "writing %s: %s", fb->source,
				 errno ? strerror(errno) : "short write");
			return -1;
		}
	}
	return 0;
}

int files_prepare(struct file_bench *fb, const char *dir, size_t size, char *why, size_t why_size)
{
	struct outcome warm;
	int fd;

	fb->size = size;
	snprintf(fb->source, sizeof(fb->source), "%s/source", dir);
	snprintf(fb->copy, sizeof(fb->copy), "%s/copy", dir);
	fd = open(fb->source, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1) {
		snprintf(why, why_size, "creating %s: %s", fb->source, strerror(errno));
		return -1;
	}
	errno = 0;
	if (write_source(fb, fd, why, why_size) == -1) {
		close(fd);
		unlink(fb->source);
		return -1;
	}
	if (close(fd) == -1) {
		snprintf(why, why_size, "closing %s: %s", fb->source, strerror(errno));
		unlink(fb->source);
		return -1;
	}
	/* One scan brings back any page that was already written out and dropped. */
	files_measure(fb, FILE_READ, &warm);
	if (warm.kind != OUTCOME_OK) {
		snprintf(why, why_size, "%s", warm.why);
		unlink(fb->source);
		return -1;
	}
	return 0;
}

void files_cleanup(struct file_bench *fb)
{
	unlink(fb->copy);
	unlink(fb->source);
}

/* ---- Scans ---- */

static int scan_by_read(struct file_bench *fb, uint64_t *sum, struct outcome *out)
{
	static unsigned char buffer[BUFFER_SIZE];
	ssize_t got;
	int fd = open(fb->source, O_RDONLY);

	if (fd == -1) {
		outcome_fail_errno(out, "open");
		return -1;
	}
	*sum = 0;
	while ((got = read(fd, buffer, sizeof(buffer))) > 0)
		*sum += sum_words(buffer, (size_t)got);
	if (got == -1)
		outcome_fail_errno(out, "read");
	close(fd);
	return got == -1 ? -1 : 0;
}

/*
 * Scan through a mapping. With second_pass, the first scan makes every page
 * table entry, and only the second is timed: the clock restarts (*start)
 * before it and stops (*stop) before munmap() tears the entries down again.
 */
static int scan_by_mmap(struct file_bench *fb, int flags, int second_pass, double *start,
			double *stop, uint64_t *sum, struct outcome *out)
{
	int fd = open(fb->source, O_RDONLY);
	void *map;

	if (fd == -1) {
		outcome_fail_errno(out, "open");
		return -1;
	}
	map = mmap(NULL, fb->size, PROT_READ, MAP_SHARED | flags, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		outcome_fail_errno(out, "mmap");
		return -1;
	}
	if (second_pass) {
		*sum = sum_words(map, fb->size);
		*start = bench_now();
	}
	*sum = sum_words(map, fb->size);
	if (second_pass)
		*stop = bench_now();
	munmap(map, fb->size);
	return 0;
}

/* ---- Copies ---- */

static int copy_by_read_write(int in, int out_fd)
{
	static unsigned char buffer[BUFFER_SIZE];
	ssize_t got;

	while ((got = read(in, buffer, sizeof(buffer))) > 0)
		if (write(out_fd, buffer, (size_t)got) != got)
			return -1;
	return got == -1 ? -1 : 0;
}

static int copy_by_mappings(int in, int out_fd, size_t size, int flags)
{
	void *from, *to;

	if (ftruncate(out_fd, (off_t)size) == -1)
		return -1;
	from = mmap(NULL, size, PROT_READ, MAP_SHARED, in, 0);
	if (from == MAP_FAILED)
		return -1;
	to = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | flags, out_fd, 0);
	if (to == MAP_FAILED) {
		munmap(from, size);
		return -1;
	}
	memcpy(to, from, size);
	munmap(to, size);
	munmap(from, size);
	return 0;
}

static int copy_in_kernel(int in, int out_fd, size_t size)
{
	while (size > 0) {
		ssize_t done = copy_file_range(in, NULL, out_fd, NULL, size, 0);

		if (done <= 0)
			return -1;
		size -= (size_t)done;
	}
	return 0;
}

static int copy_file(struct file_bench *fb, enum file_method method, struct outcome *out)
{
	int in = open(fb->source, O_RDONLY), to = -1, status = -1;

	if (in == -1 || (to = open(fb->copy, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1) {
		outcome_fail_errno(out, "open");
	} else {
		errno = EIO; /* for a short write, which sets no errno */
		if (method == FILE_COPY_RW)
			status = copy_by_read_write(in, to);
		else if (method == FILE_COPY_FILE_RANGE)
			status = copy_in_kernel(in, to, fb->size);
		else
			status = copy_by_mappings(in, to, fb->size,
						  method == FILE_COPY_MMAP_POPULATE ? MAP_POPULATE : 0);
		if (status == -1)
			outcome_fail_errno(out, file_method_name(method));
	}
	if (to != -1 && close(to) == -1 && status == 0) {
		outcome_fail_errno(out, "close");
		status = -1;
	}
	if (in != -1)
		close(in);
	return status;
}

/* The copy must be the source, byte for byte; compared through two mappings. */
static int copy_is_exact(struct file_bench *fb, struct outcome *out)
{
	struct stat st;
	int a = open(fb->source, O_RDONLY), b = open(fb->copy, O_RDONLY), same = 0;
	void *x = MAP_FAILED, *y = MAP_FAILED;

	if (a != -1 && b != -1 && fstat(b, &st) == 0 && (size_t)st.st_size == fb->size) {
		x = mmap(NULL, fb->size, PROT_READ, MAP_SHARED, a, 0);
		y = mmap(NULL, fb->size, PROT_READ, MAP_SHARED, b, 0);
		same = x != MAP_FAILED && y != MAP_FAILED && memcmp(x, y, fb->size) == 0;
	}
	if (x != MAP_FAILED)
		munmap(x, fb->size);
	if (y != MAP_FAILED)
		munmap(y, fb->size);
	if (a != -1)
		close(a);
	if (b != -1)
		close(b);
	if (!same)
		outcome_fail(out, "the copy is not the same as the source");
	return same ? 0 : -1;
}

void files_measure(struct file_bench *fb, enum file_method method, struct outcome *out)
{
	double start = bench_now(), stop = 0;
	uint64_t sum = 0;
	int status;

	out->kind = OUTCOME_OK;
	if (method == FILE_READ)
		status = scan_by_read(fb, &sum, out);
	else if (method == FILE_MMAP || method == FILE_MMAP_POPULATE ||
		 method == FILE_MMAP_SECOND_PASS)
		status = scan_by_mmap(fb, method == FILE_MMAP_POPULATE ? MAP_POPULATE : 0,
				      method == FILE_MMAP_SECOND_PASS, &start, &stop, &sum, out);
	else
		status = copy_file(fb, method, out);
	out->seconds = (stop > 0 ? stop : bench_now()) - start;
	if (status == -1)
		return;
	if (method < FILE_COPY_RW && sum != fb->source_sum)
		outcome_fail(out, "the scan did not see the file's bytes");
	if (method >= FILE_COPY_RW && copy_is_exact(fb, out) == 0 && unlink(fb->copy) == -1)
		outcome_fail_errno(out, "unlink");
}
