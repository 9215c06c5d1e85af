/*
 * lab01.c — the grader's tests for lab 1, traditional I/O and the page cache.
 *
 * Each test calls the student's functions from tio.h on files it makes in the
 * current (empty, temporary) directory and proves the result from outside
 * the student's code: file bytes read back by another process, the wrapped
 * read()/write()/mmap()/munmap() calls with faults injected into them (short
 * transfers, EINTR, a chosen errno), the kernel's own count of read() and
 * write() system calls, /proc/self/fd and /proc/self/maps before and after,
 * and a data limit (RLIMIT_DATA) far below the size of a file that must
 * still be hashed. Every failure names what was expected, what was observed,
 * and the handout section to read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grader.h"
#include "labkit.h"
#include "tio.h"

/* ---- Hints: a concrete tip, then the handout section ------------------- */

#define SECTION_READ_FULL "handout §4.1 (Task 1: tio_read_full)"
#define SECTION_WRITE_FULL "handout §4.2 (Task 2: tio_write_full)"
#define SECTION_COPY_RW "handout §4.3 (Task 3: tio_copy_rw)"
#define SECTION_COPY_MMAP "handout §4.4 (Task 4: tio_copy_mmap)"
#define SECTION_CHECKSUM "handout §4.5 (Task 5: tio_checksum_mmap)"
#define SECTION_MAP_FAILED "handout §8.1.2 (Comparing mmap()'s result with NULL)"
#define SECTION_MUNMAP_LENGTH "handout §8.1.3 (munmap() with a length of its own)"
#define SECTION_CLEANUP "handout §8.2.12 (Forgetting munmap() or close() on an error path)"
#define SECTION_ERRNO "handout §8.2.13 (Clobbering errno while cleaning up)"

#define HINT_READ_EOF                                                                        \
	"read() returning 0 means end of file: stop and return the bytes read so far; "     \
	"return -1 only when read() fails — " SECTION_READ_FULL
#define HINT_READ_SHORT                                                                      \
	"read() may return fewer bytes than asked: loop until count bytes or 0 — "          \
	SECTION_READ_FULL
#define HINT_READ_REST                                                                       \
	"after a short read(), ask only for the bytes still missing (count - done), at "    \
	"buf + done: asking for count again reads past the end of buf when the file has "   \
	"more — " SECTION_READ_FULL
#define HINT_READ_EINTR                                                                      \
	"read() failing with EINTR read nothing and is not an error: call it again — "      \
	SECTION_READ_FULL
#define HINT_READ_ERROR                                                                      \
	"any other read() error ends the loop: return -1 with read()'s errno — "            \
	SECTION_READ_FULL
#define HINT_WRITE_SHORT                                                                     \
	"write() may take fewer bytes than offered: write the rest, from where it "         \
	"stopped — " SECTION_WRITE_FULL
#define HINT_WRITE_EINTR                                                                     \
	"write() failing with EINTR wrote nothing: call it again — " SECTION_WRITE_FULL
#define HINT_WRITE_ERROR                                                                     \
	"any other write() error ends the loop: return -1 with write()'s errno — "          \
	SECTION_WRITE_FULL
#define HINT_RW_COPY                                                                         \
	"read() up to bufsize bytes, write out exactly what read() returned (with "         \
	"tio_write_full), until read() returns 0 — " SECTION_COPY_RW
#define HINT_RW_SHORT                                                                        \
	"write out every byte read() returned, however many write() calls it takes "        \
	"(tio_write_full does) — " SECTION_COPY_RW
#define HINT_RW_BUFSIZE                                                                      \
	"malloc bufsize bytes and pass bufsize to read(); stdio (fread) reads in its own "  \
	"block size — " SECTION_COPY_RW
#define HINT_RW_MODE                                                                         \
	"create dst with the mode st.st_mode & 07777 from fstat() of src — " SECTION_COPY_RW
#define HINT_RW_TRUNC                                                                        \
	"open dst with O_TRUNC, or an older, longer dst keeps its tail — " SECTION_COPY_RW
#define HINT_RW_ARGS                                                                         \
	"check bufsize before opening anything; fstat() src and require S_ISREG(), else "   \
	"EINVAL — " SECTION_COPY_RW
#define HINT_RW_NO_MEMORY                                                                    \
	"when malloc(bufsize) returns NULL, return -1 with errno ENOMEM (malloc() sets it), " \
	"closing whatever is already open — " SECTION_COPY_RW
#define HINT_MMAP_COPY                                                                       \
	"ftruncate() dst to src's size before mapping it, map both whole files and "        \
	"memcpy() every byte — " SECTION_COPY_MMAP
#define HINT_MMAP_MODE                                                                       \
	"create dst with the mode st.st_mode & 07777 from fstat() of src — "                \
	SECTION_COPY_MMAP
#define HINT_MMAP_NO_RW                                                                      \
	"map src PROT_READ and dst PROT_READ|PROT_WRITE, MAP_SHARED (dst opened O_RDWR), "  \
	"then one memcpy(): no read() or write() — " SECTION_COPY_MMAP
#define HINT_MMAP_EMPTY                                                                      \
	"mmap() refuses length 0: for an empty src, create or truncate dst and return 0 "   \
	"without mapping — " SECTION_COPY_MMAP
#define HINT_MAP_FAILED                                                                      \
	"mmap() fails with MAP_FAILED, not NULL: compare with MAP_FAILED and return -1, "   \
	"keeping mmap()'s errno — " SECTION_MAP_FAILED
#define HINT_CHECKSUM                                                                        \
	"hash every byte of the mapping with labkit_fnv1a(); an empty file hashes to "      \
	"LABKIT_FNV1A_INIT without mmap() — " SECTION_CHECKSUM
#define HINT_CHECKSUM_OTHER_USER                                                             \
	"open the file with O_RDONLY alone: it must work on any file the caller may read; "  \
	"O_NOATIME, for one, fails with EPERM on a file the caller does not own — "          \
	SECTION_CHECKSUM
#define HINT_CHECKSUM_ERROR                                                                  \
	"on failure return -1 with the failing call's errno (not a regular file: EINVAL) "  \
	"and leave *sum untouched — " SECTION_CHECKSUM
#define HINT_NO_COPY                                                                         \
	"map the file PROT_READ and hash it in place: no malloc'ed copy of the data, no "   \
	"read() — " SECTION_CHECKSUM
#define HINT_FAILED_CALL                                                                     \
	"when open(), fstat(), ftruncate(), read(), write() or mmap() fails, return -1 "   \
	"with that call's errno, which a close() on the way out must not change — "         \
	SECTION_ERRNO
#define HINT_LEAK                                                                            \
	"close every descriptor and munmap every mapping on every path, errors included "   \
	"(one cleanup label at the end helps) — " SECTION_CLEANUP
#define HINT_MUNMAP                                                                          \
	"munmap() needs exactly the address mmap() returned and the length it was given "   \
	"— " SECTION_MUNMAP_LENGTH

#define MIB ((size_t)1 << 20)
#define BIG_COPY_SIZE (5 * MIB + 3)
/* 64 TiB: more than any test process may allocate, so malloc() fails with ENOMEM. */
#define UNALLOCATABLE_BUFSIZE ((size_t)1 << 46)

static size_t page(void)
{
	return labkit_page_size();
}

/* ---- Calling the student's code --------------------------------------- */

static struct grade_outcome run_read_full(int fd, void *buf, size_t count, const char *situation)
{
	struct grade_outcome out;

	GRADE_RUN(out, situation, NULL, tio_read_full(fd, buf, count),
		  "tio_read_full(fd, buf, %zu)", count);
	return out;
}

static struct grade_outcome run_write_full(int fd, const void *buf, size_t count,
					   const char *situation)
{
	struct grade_outcome out;

	GRADE_RUN(out, situation, NULL, tio_write_full(fd, buf, count),
		  "tio_write_full(fd, buf, %zu)", count);
	return out;
}

static struct grade_outcome run_copy_rw(const char *src, const char *dst, size_t bufsize,
					const char *situation)
{
	struct grade_outcome out;

	GRADE_RUN(out, situation, NULL, tio_copy_rw(src, dst, bufsize),
		  "tio_copy_rw(\"%s\", \"%s\", %zu)", src, dst, bufsize);
	return out;
}

static struct grade_outcome run_copy_mmap(const char *src, const char *dst, const char *situation)
{
	struct grade_outcome out;

	GRADE_RUN(out, situation, NULL, tio_copy_mmap(src, dst),
		  "tio_copy_mmap(\"%s\", \"%s\")", src, dst);
	return out;
}

static struct grade_outcome run_checksum(const char *path, uint64_t *sum, const char *situation)
{
	struct grade_outcome out;

	GRADE_RUN(out, situation, NULL, tio_checksum_mmap(path, sum),
		  "tio_checksum_mmap(\"%s\", &sum)", path);
	return out;
}

/* ---- Shared steps ------------------------------------------------------------ */

static int open_or_fail(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		grade_setup_failed("cannot open %s", path);
	return fd;
}

static void expect_bytes(const unsigned char *got, const unsigned char *want, size_t len,
			 const char *call, const char *hint)
{
	size_t i = 0;

	while (i < len && got[i] == want[i])
		i++;
	if (i < len)
		grade_fail(hint,
			   "expected: %s to store the file's bytes in buf\n"
			   "observed: buf[%zu] is 0x%02x instead of 0x%02x (the first %zu bytes "
			   "are right)",
			   call, i, got[i], want[i], i);
}

/*
 * Fail unless the wrappers saw at least `minimum` read()/write() calls: the
 * injected faults only reach calls made through read() and write() themselves.
 */
static void expect_visible_calls(const char *name, unsigned seen, unsigned minimum,
				 uint64_t kernel_calls, const char *call, const char *hint)
{
	if (seen >= minimum)
		return;
	if (kernel_calls > 0)
		grade_fail(hint,
			   "expected: %s to call %s() itself, at least %u time(s) here\n"
			   "observed: %u %s() calls, yet the kernel counted %" PRIu64 " %s system "
			   "call(s): they went through stdio, pread/pwrite or syscall(), which "
			   "the grader cannot slow down — call %s() directly",
			   call, name, minimum, seen, name, kernel_calls, name, name);
	grade_fail(hint,
		   "expected: %s to call %s() at least %u time(s) here\nobserved: %u %s() calls",
		   call, name, minimum, seen, name);
}

static unsigned calls_needed(size_t len, size_t chunk)
{
	return (unsigned)((len + chunk - 1) / chunk);
}

/* Fail unless the file has exactly this mode (its permission bits). */
static void expect_mode(const char *path, mode_t mode, const char *call, const char *hint)
{
	struct stat st;

	if (stat(path, &st) != 0)
		grade_fail(hint, "expected: %s to create %s with mode %04o\nobserved: %s",
			   call, path, (unsigned)mode, grade_errno_text(errno));
	if ((st.st_mode & 07777) != mode)
		grade_fail(hint,
			   "expected: %s to create %s with src's mode %04o (the umask is 0)\n"
			   "observed: it has mode %04o",
			   call, path, (unsigned)mode, (unsigned)(st.st_mode & 07777));
}

static void expect_no_file(const char *path, const char *call, const char *hint)
{
	if (access(path, F_OK) == 0)
		grade_fail(hint, "expected: %s to fail before creating %s\nobserved: %s exists",
			   call, path, path);
}

/* ---- Task 1: tio_read_full ----------------------------------------------------- */

/* tio_read_full(fd, buf, count) must return `expected` and store want[0..expected). */
static void expect_read(int fd, size_t count, const unsigned char *want, size_t expected,
			const char *situation, const char *hint)
{
	unsigned char *buf = malloc(count > 0 ? count : 1);

	if (buf == NULL)
		grade_setup_failed("out of memory");
	struct grade_outcome out = run_read_full(fd, buf, count, situation);
	grade_expect_result(out.result, out.error, (long long)expected, out.call, hint);
	expect_bytes(buf, want, expected, out.call, hint);
	free(buf);
}

static void read_full_reads_to_end_of_file(void)
{
	size_t size = 2 * page() + 100;
	unsigned char *data = grade_make_and_keep_random_file("data", size, 101, 0644);
	int fd = open_or_fail("data", O_RDONLY);

	expect_read(fd, size, data, size, "on a file of exactly that size", HINT_READ_SHORT);
	expect_read(fd, 10, data, 0, "at end of file", HINT_READ_EOF);
	if (lseek(fd, (off_t)(size - 100), SEEK_SET) < 0)
		grade_setup_failed("cannot seek in data");
	expect_read(fd, 4096, data + size - 100, 100, "from 100 bytes before end of file",
		    HINT_READ_EOF);
	close(fd);

	fd = open_or_fail("data", O_RDONLY);
	expect_read(fd, size + 500, data, size, "on a file 500 bytes shorter than that",
		    HINT_READ_EOF);
	close(fd);

	unsigned char byte;
	struct grade_outcome out = run_read_full(fd, &byte, 1, "on a closed descriptor");
	grade_expect_error(out.result, out.error, EBADF, out.call, HINT_READ_ERROR);
	free(data);
}

static void read_file_in_chunks_of_three(const unsigned char *data, size_t size)
{
	int fd = open_or_fail("data", O_RDONLY);
	unsigned char *buf = malloc(size);

	if (buf == NULL)
		grade_setup_failed("out of memory");
	grade_calls_reset();
	grade_faults.read_chunk = 3;
	struct grade_io_counts before = grade_io_counts();
	struct grade_outcome out =
		run_read_full(fd, buf, size, "with read() made to return at most 3 bytes per call");
	struct grade_io_counts after = grade_io_counts();
	unsigned seen = grade_calls.read_calls;

	grade_calls_reset();
	grade_expect_result(out.result, out.error, (long long)size, out.call, HINT_READ_SHORT);
	expect_bytes(buf, data, size, out.call, HINT_READ_SHORT);
	expect_visible_calls("read", seen, calls_needed(size, 3),
			     after.read_calls - before.read_calls, out.call, HINT_READ_SHORT);
	free(buf);
	close(fd);
}

/* A real pipe much smaller than the data: reads return what has arrived so far. */
static void read_pipe_fed_in_pieces(void)
{
	size_t size = 200 * 1024;
	unsigned char *data = grade_random_bytes(size, 202);
	unsigned char *buf = malloc(size);
	pid_t writer;
	int fd = grade_pipe_from_writer(data, size, 10007, 0, &writer);

	if (buf == NULL)
		grade_setup_failed("out of memory");
	struct grade_outcome out = run_read_full(fd, buf, size, "on a pipe another process fills "
							  "10007 bytes at a time");
	grade_close_pipe_from_writer(fd, writer);
	grade_expect_result(out.result, out.error, (long long)size, out.call, HINT_READ_SHORT);
	expect_bytes(buf, data, size, out.call, HINT_READ_SHORT);
	free(buf);
	free(data);
}

/*
 * A source with more than was asked for, delivered 600 bytes at a time: after
 * the first short read(), a loop that asks for count again (not count - done)
 * gets 600 bytes more at buf + 600, 200 of them past the buffer's end (a guard
 * page there) — and takes them from the file, so the offset moves too far.
 */
static void read_part_of_a_longer_file(void)
{
	size_t count = 1000, size = 2 * count;
	unsigned char *data = grade_make_and_keep_random_file("longer", size, 104, 0644);
	int fd = open_or_fail("longer", O_RDONLY);

	grade_calls_reset();
	grade_faults.read_chunk = 600;
	expect_read(fd, count, data, count,
		    "on a file of 2000 bytes, with read() made to return at most 600 bytes per call",
		    HINT_READ_REST);
	grade_calls_reset();
	off_t offset = lseek(fd, 0, SEEK_CUR);
	if (offset != (off_t)count)
		grade_fail(HINT_READ_REST,
			   "expected: tio_read_full(fd, buf, %zu) on a file of %zu bytes to read "
			   "exactly %zu bytes of it\nobserved: the file offset is %lld afterwards",
			   count, size, count, (long long)offset);
	close(fd);
	free(data);
}

static void read_full_retries_short_reads(void)
{
	size_t size = 1000;
	unsigned char *data = grade_make_and_keep_random_file("data", size, 102, 0644);

	read_file_in_chunks_of_three(data, size);
	read_pipe_fed_in_pieces();
	read_part_of_a_longer_file();
	free(data);
}

/* 5 reads of 1000 bytes with an EINTR between each two: at least 9 read() calls. */
static void read_file_between_interruptions(const unsigned char *data, size_t size)
{
	unsigned char buf[5000];
	int fd = open_or_fail("data", O_RDONLY);

	grade_calls_reset();
	grade_faults.read_chunk = 1000;
	grade_faults.read_eintr_every = 2;
	struct grade_io_counts before = grade_io_counts();
	struct grade_outcome out = run_read_full(fd, buf, size,
						 "with every 2nd read() failing with "
						 "EINTR and the others returning at most "
						 "1000 bytes");
	struct grade_io_counts after = grade_io_counts();
	unsigned seen = grade_calls.read_calls;

	grade_calls_reset();
	close(fd);
	grade_expect_result(out.result, out.error, (long long)size, out.call, HINT_READ_EINTR);
	expect_bytes(buf, data, size, out.call, HINT_READ_EINTR);
	expect_visible_calls("read", seen, 2 * calls_needed(size, 1000) - 1,
			     after.read_calls - before.read_calls, out.call, HINT_READ_EINTR);
}

static void read_file_until_eio(void)
{
	unsigned char buf[1000];
	int fd = open_or_fail("data", O_RDONLY);

	grade_calls_reset();
	grade_faults.read_chunk = 100;
	grade_faults.read_fail_at = 3;
	grade_faults.read_fail_errno = EIO;
	struct grade_outcome out = run_read_full(fd, buf, sizeof(buf),
					   "with the 3rd read() failing with EIO");
	grade_calls_reset();
	close(fd);
	grade_expect_error(out.result, out.error, EIO, out.call, HINT_READ_ERROR);
}

static void read_full_retries_after_eintr(void)
{
	size_t size = 5000;
	unsigned char *data = grade_make_and_keep_random_file("data", size, 103, 0644);

	read_file_between_interruptions(data, size);
	read_file_until_eio();
	free(data);
}

/* ---- Task 2: tio_write_full ------------------------------------------------------ */

/* Write all of data to a new file with the given faults; check the call and the file. */
static void write_with_faults(const char *path, const unsigned char *data, size_t size,
			      struct grade_faults faults, unsigned minimum_calls,
			      const char *situation, const char *hint)
{
	int fd = open_or_fail(path, O_WRONLY | O_CREAT | O_TRUNC);

	grade_calls_reset();
	grade_faults = faults;
	struct grade_io_counts before = grade_io_counts();
	struct grade_outcome out = run_write_full(fd, data, size, situation);
	struct grade_io_counts after = grade_io_counts();
	unsigned seen = grade_calls.write_calls;

	grade_calls_reset();
	close(fd);
	grade_expect_result(out.result, out.error, (long long)size, out.call, hint);
	expect_visible_calls("write", seen, minimum_calls, after.write_calls - before.write_calls,
			     out.call, hint);
	grade_expect_file(path, data, size, grade_format("the file written by %s", out.call),
			  hint);
}

static void write_full_fails_when_write_fails(const unsigned char *data)
{
	int fd = open_or_fail("out-error", O_WRONLY | O_CREAT | O_TRUNC);

	grade_calls_reset();
	grade_faults.write_chunk = 100;
	grade_faults.write_fail_at = 3;
	grade_faults.write_fail_errno = ENOSPC;
	struct grade_outcome out =
		run_write_full(fd, data, 1000, "with the 3rd write() failing with ENOSPC");
	grade_calls_reset();
	close(fd);
	grade_expect_error(out.result, out.error, ENOSPC, out.call, HINT_WRITE_ERROR);

	out = run_write_full(fd, data, 10, "on a closed descriptor");
	grade_expect_error(out.result, out.error, EBADF, out.call, HINT_WRITE_ERROR);
}

static void write_full_retries_short_writes(void)
{
	size_t size = 10000;
	unsigned char *data = grade_random_bytes(size, 104);

	write_with_faults("out-short", data, size, (struct grade_faults){ .write_chunk = 7 },
			  calls_needed(size, 7),
			  "with write() made to take at most 7 bytes per call", HINT_WRITE_SHORT);
	/* 10 writes of 1000 bytes, with an EINTR between each two of them */
	write_with_faults("out-eintr", data, size,
			  (struct grade_faults){ .write_chunk = 1000, .write_eintr_every = 2 }, 19,
			  "with every 2nd write() failing with EINTR and the others taking at "
			  "most 1000 bytes",
			  HINT_WRITE_EINTR);
	write_full_fails_when_write_fails(data);
	free(data);
}

/* ---- Task 3: tio_copy_rw ------------------------------------------------------------- */

static void expect_copy_rw(const char *src, const char *dst, size_t bufsize,
			   const unsigned char *data, size_t size)
{
	grade_remove_file(dst);
	struct grade_outcome out = run_copy_rw(src, dst, bufsize, NULL);
	grade_expect_result(out.result, out.error, 0, out.call, HINT_RW_COPY);
	grade_expect_file(dst, data, size, grade_format("dst after %s", out.call), HINT_RW_COPY);
}

/*
 * Whether tio_write_full() writes everything when write() takes at most 333
 * bytes a call. A tio_copy_rw() built on a tio_write_full() that does not
 * loses bytes under short writes: test 1.4 charges for that mistake, so the
 * short-transfer copy below is judged only once tio_write_full() is right.
 */
static int write_full_survives_short_writes(void)
{
	static const unsigned char bytes[1000];
	int fd = open_or_fail("write-full-probe", O_WRONLY | O_CREAT | O_TRUNC);

	grade_calls_reset();
	grade_faults = (struct grade_faults){ .write_chunk = 333 };
	struct grade_outcome out = run_write_full(fd, bytes, sizeof(bytes),
						  "with write() taking at most 333 bytes, to see "
						  "whether tio_copy_rw() can rely on it");
	grade_faults = (struct grade_faults){ 0 };
	grade_calls_reset();
	close(fd);
	grade_remove_file("write-full-probe");
	return out.result == (long long)sizeof(bytes);
}

/* Whether the file at path holds exactly these bytes. */
static int file_holds(const char *path, const unsigned char *data, size_t size)
{
	size_t got_len;
	unsigned char *got = grade_load_file(path, &got_len);
	int same = got != NULL && got_len == size && memcmp(got, data, size) == 0;

	free(got);
	return same;
}

/* Short reads and short writes, as slow devices and signals cause them. */
static void copy_with_short_transfers(void)
{
	size_t size = 100 * 1024 + 3;
	unsigned char *data = grade_make_and_keep_random_file("src-short", size, 119, 0644);
	const struct grade_faults faults = { .read_chunk = 1000, .write_chunk = 333 };

	grade_remove_file("dst");
	grade_calls_reset();
	grade_faults = faults;
	struct grade_outcome out = run_copy_rw("src-short", "dst", 4096,
					 "with read() returning at most 1000 bytes and write() "
					 "taking at most 333");
	grade_calls_reset();
	if (!file_holds("dst", data, size) && !write_full_survives_short_writes()) {
		free(data);
		return;
	}
	grade_expect_result(out.result, out.error, 0, out.call, HINT_RW_SHORT);
	grade_expect_file("dst", data, size, grade_format("dst after %s", out.call),
			  HINT_RW_SHORT);
	free(data);
}

static void copy_rw_copies_every_size(void)
{
	const size_t sizes[] = { 0, 1, page() - 1, page(), page() + 1, BIG_COPY_SIZE };
	const size_t bufsizes[] = { 1, 7, 4096, 65536 };

	for (size_t i = 0; i < GRADE_COUNT(sizes); i++) {
		char src[32];
		unsigned char *data;

		snprintf(src, sizeof(src), "src-%zu", sizes[i]);
		data = grade_make_and_keep_random_file(src, sizes[i], 105 + i, 0644);

		for (size_t j = 0; j < GRADE_COUNT(bufsizes); j++) {
			/* tiny buffers on small files only: 5 MiB 7 bytes at a time
			 * would take 1.5 million system calls */
			if (bufsizes[j] < 4096 && sizes[i] > page() + 1)
				continue;
			expect_copy_rw(src, "dst", bufsizes[j], data, sizes[i]);
		}
		free(data);
	}
	copy_with_short_transfers();
}

/* Copy with one bufsize and check what read() was asked for. */
static void expect_reads_of_bufsize(const unsigned char *data, size_t size, size_t bufsize)
{
	grade_remove_file("dst");
	grade_calls_reset();
	struct grade_io_counts before = grade_io_counts();
	struct grade_outcome out = run_copy_rw("src", "dst", bufsize, NULL);
	struct grade_io_counts after = grade_io_counts();
	struct grade_calls calls = grade_calls;
	uint64_t kernel_reads = after.read_calls - before.read_calls;
	uint64_t allowed = calls_needed(size, bufsize) + 2;

	grade_calls_reset();
	grade_expect_result(out.result, out.error, 0, out.call, HINT_RW_COPY);
	expect_visible_calls("read", calls.read_calls, 1, kernel_reads, out.call,
			     HINT_RW_BUFSIZE);
	grade_check(calls.largest_read_request == bufsize, HINT_RW_BUFSIZE,
		    "expected: %s to ask read() for bufsize = %zu bytes at a time\n"
		    "observed: its largest read() asked for %zu bytes",
		    out.call, bufsize, calls.largest_read_request);
	grade_check(kernel_reads <= allowed, HINT_RW_BUFSIZE,
		    "expected: %s to copy %zu bytes in at most %" PRIu64 " read() calls\n"
		    "observed: the kernel counted %" PRIu64 " read() system calls",
		    out.call, size, allowed, kernel_reads);
	grade_expect_file("dst", data, size, grade_format("dst after %s", out.call),
			  HINT_RW_COPY);
}

static void copy_rw_respects_bufsize(void)
{
	size_t size = 5 * 4096 + 123; /* several times each bufsize, plus a remainder */
	unsigned char *data = grade_make_and_keep_random_file("src", size, 111, 0644);

	expect_reads_of_bufsize(data, size, 1000);
	expect_reads_of_bufsize(data, size, 4096);
	free(data);
}

static void expect_copy_keeps_mode(mode_t mode)
{
	char src[32], dst[32];

	snprintf(src, sizeof(src), "src-%04o", (unsigned)mode);
	snprintf(dst, sizeof(dst), "dst-%04o", (unsigned)mode);
	free(grade_make_and_keep_random_file(src, 100, 112, mode));
	grade_remove_file(dst);
	struct grade_outcome out = run_copy_rw(src, dst, 4096, NULL);
	grade_expect_result(out.result, out.error, 0, out.call, HINT_RW_COPY);
	expect_mode(dst, mode, out.call, HINT_RW_MODE);
}

static void copy_rw_keeps_mode_and_truncates(void)
{
	mode_t old_umask = umask(0);

	expect_copy_keeps_mode(0640);
	expect_copy_keeps_mode(0600);
	expect_copy_keeps_mode(0755);

	unsigned char *data = grade_make_and_keep_random_file("src", 100, 113, 0644);
	free(grade_make_and_keep_random_file("old-dst", 10000, 114, 0644));
	struct grade_outcome out =
		run_copy_rw("src", "old-dst", 4096, "over an older 10000-byte dst");
	grade_expect_result(out.result, out.error, 0, out.call, HINT_RW_COPY);
	grade_expect_file("old-dst", data, 100, grade_format("dst after %s", out.call),
			  HINT_RW_TRUNC);
	free(data);
	umask(old_umask);
}

static void copy_rw_rejects_bad_arguments(void)
{
	free(grade_make_and_keep_random_file("src", 100, 115, 0644));
	grade_make_directory("dir");

	struct grade_outcome out = run_copy_rw("src", "dst-zero", 0, NULL);
	grade_expect_error(out.result, out.error, EINVAL, out.call, HINT_RW_ARGS);
	expect_no_file("dst-zero", out.call, HINT_RW_ARGS);

	out = run_copy_rw("dir", "dst-dir", 4096, "where src is a directory");
	grade_expect_error(out.result, out.error, EINVAL, out.call, HINT_RW_ARGS);

	out = run_copy_rw("missing", "dst-missing", 4096, "where src does not exist");
	grade_expect_error(out.result, out.error, ENOENT, out.call, HINT_RW_ARGS);

	out = run_copy_rw("src", "dst-huge", UNALLOCATABLE_BUFSIZE,
			  "with a buffer far larger than the process may allocate");
	grade_expect_error(out.result, out.error, ENOMEM, out.call, HINT_RW_NO_MEMORY);
}

/* ---- Task 4: tio_copy_mmap ------------------------------------------------------------- */

/* Copy src onto dst with tio_copy_mmap; dst must then hold data; returns the call. */
static struct grade_outcome expect_copy_mmap(const char *src, const char *dst,
					     const unsigned char *data, size_t size,
					     const char *situation)
{
	struct grade_outcome out = run_copy_mmap(src, dst, situation);

	grade_expect_result(out.result, out.error, 0, out.call, HINT_MMAP_COPY);
	grade_expect_file(dst, data, size, grade_format("dst after %s", out.call),
			  HINT_MMAP_COPY);
	return out;
}

static void copy_mmap_copies_every_size(void)
{
	const size_t sizes[] = { 1, page() - 1, page(), page() + 1, BIG_COPY_SIZE };
	mode_t old_umask = umask(0);

	for (size_t i = 0; i < GRADE_COUNT(sizes); i++) {
		char src[32];
		unsigned char *data;

		snprintf(src, sizeof(src), "src-%zu", sizes[i]);
		data = grade_make_and_keep_random_file(src, sizes[i], 120 + i, 0640);
		grade_remove_file("dst");
		struct grade_outcome out = expect_copy_mmap(src, "dst", data, sizes[i], NULL);
		expect_mode("dst", 0640, out.call, HINT_MMAP_MODE);
		free(data);
	}

	unsigned char *data = grade_make_and_keep_random_file("src", 100, 126, 0644);
	free(grade_make_and_keep_random_file("old-dst", 10000, 127, 0644));
	expect_copy_mmap("src", "old-dst", data, 100, "over an older 10000-byte dst");
	free(data);
	umask(old_umask);
}

/* Whether a recorded mmap() succeeded and covered a whole file of `size` bytes. */
static int maps_whole_file(const struct grade_mmap_record *record, size_t size)
{
	return record->result != MAP_FAILED && record->length >= size &&
	       record->length <= labkit_round_up(size, page());
}

/* Fail unless some recorded mmap() of `size` bytes is read-only / shared and writable. */
static void expect_mapping(size_t size, int writable_shared, const char *what, const char *call)
{
	unsigned count = grade_records_kept(grade_calls.mmap_count);

	for (unsigned i = 0; i < count; i++) {
		const struct grade_mmap_record *record = &grade_calls.mmaps[i];
		int writes = (record->prot & PROT_WRITE) != 0;

		if (maps_whole_file(record, size) &&
		    (writable_shared ? writes && grade_is_shared(record->flags) : !writes))
			return;
	}
	grade_fail(HINT_MMAP_NO_RW, "expected: %s to map %s (%zu bytes)\nobserved: %s", call,
		   what, size, grade_describe_mmaps());
}

static void copy_mmap_calls_no_read_or_write(void)
{
	size_t size = 3 * page() + 5;
	unsigned char *data = grade_make_and_keep_random_file("src", size, 130, 0644);

	grade_remove_file("dst");
	grade_calls_reset();
	grade_step("calling tio_copy_mmap(\"src\", \"dst\")");
	struct grade_io_counts before = grade_io_counts();
	errno = 0;
	int result = tio_copy_mmap("src", "dst");
	int error = errno;
	struct grade_io_counts after = grade_io_counts();
	const char *call = "tio_copy_mmap(\"src\", \"dst\")";
	uint64_t reads = after.read_calls - before.read_calls;
	uint64_t writes = after.write_calls - before.write_calls;

	grade_expect_result(result, error, 0, call, HINT_MMAP_COPY);
	grade_check(reads == 0 && writes == 0, HINT_MMAP_NO_RW,
		    "expected: %s to copy through mappings, with no read() or write() call\n"
		    "observed: the kernel counted %" PRIu64 " read() and %" PRIu64 " write() "
		    "system calls",
		    call, reads, writes);
	expect_mapping(size, 0, "src read-only (PROT_READ, no PROT_WRITE)", call);
	expect_mapping(size, 1, "dst MAP_SHARED with PROT_WRITE", call);
	grade_calls_reset();
	free(data);
}

/* Copy the empty file onto dst; it must end empty, with no mmap() call. */
static void expect_empty_copy(const char *dst, const char *situation)
{
	grade_calls_reset();
	struct grade_outcome out = run_copy_mmap("empty", dst, situation);
	unsigned mmaps = grade_calls.mmap_count;
	const char *recorded = grade_describe_mmaps();

	grade_calls_reset();
	grade_expect_result(out.result, out.error, 0, out.call, HINT_MMAP_EMPTY);
	grade_check(mmaps == 0, HINT_MMAP_EMPTY,
		    "expected: %s to call no mmap() for an empty src\nobserved: %s", out.call,
		    recorded);
	grade_expect_file(dst, "", 0, grade_format("dst after %s", out.call), HINT_MMAP_EMPTY);
}

static void copy_mmap_handles_empty_file(void)
{
	grade_make_file("empty", "", 0, 0644);
	grade_remove_file("dst");
	expect_empty_copy("dst", NULL);
	free(grade_make_and_keep_random_file("old-dst", 100, 131, 0644));
	expect_empty_copy("old-dst", "over an older 100-byte dst");
}

/* ---- mmap() failures ------------------------------------------------------------------ */

/* Run one call with the 1st mmap() failing with ENOMEM; it must report it and leak nothing. */
static struct grade_outcome expect_mmap_failure(int checksum, uint64_t *sum)
{
	const char *situation = "with its 1st mmap() made to fail with ENOMEM";

	grade_calls_reset();
	grade_faults = (struct grade_faults){ .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM };
	struct grade_resources before = grade_resources_now();
	struct grade_outcome out = checksum ? run_checksum("src", sum, situation)
				      : run_copy_mmap("src", "dst", situation);

	grade_expect_mmap_attempted(out.result, out.error, ENOMEM, out.call, HINT_MAP_FAILED);
	grade_calls_reset();
	grade_expect_error(out.result, out.error, ENOMEM, out.call, HINT_MAP_FAILED);
	grade_expect_no_leak(before, out.call, HINT_LEAK);
	return out;
}

static void mmap_failure_is_reported(void)
{
	uint64_t sum = 0x5eed;

	free(grade_make_and_keep_random_file("src", 2 * page() + 10, 140, 0644));
	expect_mmap_failure(0, NULL);
	struct grade_outcome out = expect_mmap_failure(1, &sum);
	grade_check(sum == 0x5eed, HINT_CHECKSUM_ERROR,
		    "expected: %s to leave sum untouched when it fails\nobserved: sum was "
		    "changed to 0x%016" PRIx64, out.call, sum);
}

/* ---- Task 5: tio_checksum_mmap --------------------------------------------------------- */

/* The call must store `expected`; returns how many mmap() calls it made. */
static unsigned expect_checksum(const char *path, uint64_t expected, const char *hint)
{
	const uint64_t untouched = expected ^ UINT64_C(0x5555555555555555);
	uint64_t sum = untouched;

	grade_calls_reset();
	struct grade_outcome out = run_checksum(path, &sum, NULL);
	unsigned mmaps = grade_calls.mmap_count;

	grade_calls_reset();
	grade_expect_result(out.result, out.error, 0, out.call, hint);
	grade_check(sum != untouched, hint,
		    "expected: %s to store the hash 0x%016" PRIx64 " in sum\n"
		    "observed: sum was left unchanged", out.call, expected);
	grade_check(sum == expected, hint,
		    "expected: %s to store the FNV-1a 64 hash 0x%016" PRIx64 "\n"
		    "observed: it stored 0x%016" PRIx64, out.call, expected, sum);
	return mmaps;
}

static void expect_checksum_of_random_file(const char *path, size_t size, uint64_t seed)
{
	unsigned char *data = grade_make_and_keep_random_file(path, size, seed, 0644);
	uint64_t expected = labkit_fnv1a(data, size);

	free(data);
	expect_checksum(path, expected, HINT_CHECKSUM);
}

/* The call must fail with expected_errno and leave sum alone. */
static void expect_checksum_error(const char *path, int expected_errno, const char *situation)
{
	uint64_t sum = 0x5eed;
	struct grade_outcome out = run_checksum(path, &sum, situation);

	grade_expect_error(out.result, out.error, expected_errno, out.call, HINT_CHECKSUM_ERROR);
	grade_check(sum == 0x5eed, HINT_CHECKSUM_ERROR,
		    "expected: %s to leave sum untouched when it fails\nobserved: sum was "
		    "changed to 0x%016" PRIx64, out.call, sum);
}

/*
 * Reading is all the function needs, so it must work on a file of another
 * user: a flag such as O_NOATIME works on the caller's own files only (EPERM).
 */
static void expect_checksum_of_someone_elses_file(void)
{
	const char *path = grade_file_of_another_user();
	size_t size;

	if (path == NULL)
		return; /* none on this machine */
	unsigned char *bytes = grade_load_file(path, &size);
	if (bytes == NULL)
		grade_setup_failed("cannot read %s", path);
	expect_checksum(path, labkit_fnv1a(bytes, size), HINT_CHECKSUM_OTHER_USER);
	free(bytes);
}

static void checksum_matches_fnv1a(void)
{
	grade_make_file("empty", "", 0, 0644);
	grade_make_file("a", "a", 1, 0644);
	grade_make_file("foobar", "foobar", 6, 0644);

	unsigned mmaps = expect_checksum("empty", UINT64_C(0xcbf29ce484222325), HINT_CHECKSUM);
	grade_check(mmaps == 0, HINT_CHECKSUM,
		    "expected: tio_checksum_mmap(\"empty\", &sum) to call no mmap() for an empty "
		    "file (mmap() refuses length 0)\nobserved: %u mmap() calls", mmaps);
	expect_checksum("a", UINT64_C(0xaf63dc4c8601ec8c), HINT_CHECKSUM);
	expect_checksum("foobar", UINT64_C(0x85944171f73967e8), HINT_CHECKSUM);
	expect_checksum_of_random_file("page-minus-1", page() - 1, 150);
	expect_checksum_of_random_file("page-plus-1", page() + 1, 151);
	expect_checksum_of_random_file("three-mib", 3 * MIB + 1, 152);

	expect_checksum_of_someone_elses_file();

	grade_make_directory("dir");
	expect_checksum_error("missing", ENOENT, "where the file does not exist");
	expect_checksum_error("dir", EINVAL, "on a directory");
}

static void checksum_makes_no_private_copy(void)
{
	const size_t size = 64 * MIB, limit = 16 * MIB;
	uint64_t expected = grade_make_random_file("big", size, 160, 0644);
	uint64_t sum = 0;

	grade_set_limit(RLIMIT_DATA, limit);
	grade_calls_reset();
	grade_step("calling tio_checksum_mmap(\"big\", &sum) on a 64 MiB file, with the data "
		   "limit (RLIMIT_DATA) at 16 MiB");
	struct grade_io_counts before = grade_io_counts();
	errno = 0;
	int result = tio_checksum_mmap("big", &sum);
	int error = errno;
	struct grade_io_counts after = grade_io_counts();
	const char *call = "tio_checksum_mmap(\"big\", &sum), on a 64 MiB file with a 16 MiB "
			   "data limit,";
	uint64_t reads = after.read_calls - before.read_calls;

	grade_expect_result(result, error, 0, call, HINT_NO_COPY);
	grade_check(reads == 0, HINT_NO_COPY,
		    "expected: %s to read the file through a mapping, with no read() call\n"
		    "observed: the kernel counted %" PRIu64 " read() system call(s)", call, reads);
	grade_check(sum == expected, HINT_CHECKSUM,
		    "expected: %s to store the FNV-1a 64 hash 0x%016" PRIx64 "\n"
		    "observed: it stored 0x%016" PRIx64, call, expected, sum);
}

/* ---- Nothing left behind ----------------------------------------------------------- */

enum lab_function { READ_FULL, WRITE_FULL, COPY_RW, COPY_MMAP, CHECKSUM };

/*
 * Calls to check for leaks (grade_expect_no_leaks): which function, on what
 * file (path), with which buffer size (number, tio_copy_rw's bufsize), with
 * which fault.
 */
static const struct grade_leak_case leak_cases[] = {
	{ .function = READ_FULL, .path = "src", .must_succeed = 1 },
	{ .function = WRITE_FULL, .path = "out", .must_succeed = 1 },
	{ .function = COPY_RW, .path = "src", .number = 4096, .must_succeed = 1 },
	{ .function = COPY_RW, .path = "missing", .number = 4096,
	  .situation = "where src does not exist" },
	{ .function = COPY_RW, .path = "dir", .number = 4096,
	  .situation = "where src is a directory" },
	{ .function = COPY_RW, .path = "src", .number = 0 },
	{ .function = COPY_RW, .path = "src", .number = UNALLOCATABLE_BUFSIZE,
	  .situation = "with a buffer too large to allocate" },
	{ .function = COPY_RW, .path = "src", .number = 4096,
	  .situation = "with the 2nd read() failing with EIO",
	  .faults = { .read_fail_at = 2, .read_fail_errno = EIO } },
	{ .function = COPY_RW, .path = "src", .number = 4096,
	  .situation = "with the 1st write() failing with ENOSPC",
	  .faults = { .write_fail_at = 1, .write_fail_errno = ENOSPC } },
	{ .function = COPY_MMAP, .path = "small", .must_succeed = 1 },
	{ .function = COPY_MMAP, .path = "src", .must_succeed = 1 },
	{ .function = COPY_MMAP, .path = "empty", .must_succeed = 1 },
	{ .function = COPY_MMAP, .path = "missing", .situation = "where src does not exist" },
	{ .function = COPY_MMAP, .path = "dir", .situation = "where src is a directory" },
	{ .function = COPY_MMAP, .path = "src", .situation = "with the 1st mmap() failing with ENOMEM",
	  .faults = { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM } },
	{ .function = COPY_MMAP, .path = "src", .situation = "with the 2nd mmap() failing with ENOMEM",
	  .faults = { .mmap_fail_at = 2, .mmap_fail_errno = ENOMEM } },
	{ .function = CHECKSUM, .path = "small", .must_succeed = 1 },
	{ .function = CHECKSUM, .path = "src", .must_succeed = 1 },
	{ .function = CHECKSUM, .path = "empty", .must_succeed = 1 },
	{ .function = CHECKSUM, .path = "missing", .situation = "where the file does not exist" },
	{ .function = CHECKSUM, .path = "dir", .situation = "on a directory" },
	{ .function = CHECKSUM, .path = "src", .situation = "with the 1st mmap() failing with ENOMEM",
	  .faults = { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM } },
};

/* The bytes of "src", which tio_read_full reads and tio_write_full writes out. */
struct src_file {
	unsigned char *data;
	size_t size;
};

static int on_descriptor(const struct grade_leak_case *test)
{
	return test->function == READ_FULL || test->function == WRITE_FULL;
}

/* read_full and write_full work on a descriptor the test opens and closes around them. */
static struct grade_outcome run_on_descriptor(const struct grade_leak_case *test,
					      const struct src_file *src)
{
	int writing = test->function == WRITE_FULL;
	int fd = open_or_fail(test->path, writing ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY);
	struct grade_outcome out = writing ? run_write_full(fd, src->data, src->size, test->situation)
				     : run_read_full(fd, src->data, src->size, test->situation);

	close(fd);
	return out;
}

static struct grade_outcome run_leak_case(const struct grade_leak_case *test, const void *context)
{
	uint64_t sum;

	switch (test->function) {
	case READ_FULL:
	case WRITE_FULL:
		return run_on_descriptor(test, context);
	case COPY_RW:
		return run_copy_rw(test->path, "dst", (size_t)test->number, test->situation);
	case COPY_MMAP:
		return run_copy_mmap(test->path, "dst", test->situation);
	default:
		return run_checksum(test->path, &sum, test->situation);
	}
}

/* A call that must succeed returns 0, or for read_full and write_full the whole size. */
static void judge_leak_case(const struct grade_leak_case *test, const struct grade_outcome *out,
			    const void *context)
{
	const struct src_file *src = context;

	if (test->must_succeed)
		grade_expect_result(out->result, out->error,
				    on_descriptor(test) ? (long long)src->size : 0, out->call,
				    HINT_LEAK);
}

/*
 * The error paths of one copy or checksum function, swept one failing call at
 * a time (grade_sweep_failures): every open(), fstat(), ftruncate(), read(),
 * write() and mmap() the function makes may fail, and the header promises -1
 * with that call's errno, nothing left behind, and *sum untouched.
 */
#define SUM_MARKER UINT64_C(0x5eed5eed5eed5eed)

struct swept_function {
	enum lab_function function;
	uint64_t *sum; /* tio_checksum_mmap's output, SUM_MARKER before each call */
};

static void sweep_prepare(const void *context)
{
	(void)context;
	grade_remove_file("dst"); /* each run starts as the first did */
}

static struct grade_outcome sweep_run(const void *context, const char *situation)
{
	const struct swept_function *swept = context;

	switch (swept->function) {
	case COPY_RW:
		return run_copy_rw("src", "dst", 1000, situation);
	case COPY_MMAP:
		return run_copy_mmap("src", "dst", situation);
	default:
		*swept->sum = SUM_MARKER;
		return run_checksum("src", swept->sum, situation);
	}
}

static void sweep_after_failure(const void *context, const char *call)
{
	const struct swept_function *swept = context;

	if (swept->function == CHECKSUM)
		grade_check(*swept->sum == SUM_MARKER, HINT_CHECKSUM_ERROR,
			    "expected: %s to leave *sum untouched when it fails\nobserved: *sum "
			    "changed from 0x%016" PRIx64 " to 0x%016" PRIx64,
			    call, SUM_MARKER, *swept->sum);
}

/*
 * judged_elsewhere: the failures whose result another test judges (a missing
 * file's ENOENT, mmap_failure_is_reported): here only their leaks count.
 */
static void sweep_error_paths(enum lab_function function, const char *error_hint,
			      unsigned judged_elsewhere)
{
	uint64_t sum;
	struct swept_function swept = { function, &sum };
	struct grade_sweep sweep = { sweep_prepare, sweep_run, sweep_after_failure, &swept,
				     error_hint, HINT_LEAK, judged_elsewhere, 0 };

	grade_sweep_failures(&sweep);
}

static void nothing_leaks(void)
{
	/* "small" is the documents' 20-byte file: munmap(p, 4) unmaps it all, yet is wrong */
	struct src_file src = { .size = 3 * page() + 20 };

	free(grade_make_and_keep_random_file("small", 20, 170, 0644));
	src.data = grade_make_and_keep_random_file("src", src.size, 171, 0644);
	grade_make_file("empty", "", 0, 0644);
	grade_make_directory("dir");
	grade_expect_no_leaks(&(struct grade_leak_table){ leak_cases, GRADE_COUNT(leak_cases),
							 run_leak_case, NULL, judge_leak_case,
							 &src, HINT_LEAK, HINT_MUNMAP });
	sweep_error_paths(COPY_RW, HINT_FAILED_CALL, GRADE_SWEEP_OPEN);
	sweep_error_paths(COPY_MMAP, HINT_FAILED_CALL, GRADE_SWEEP_MMAP);
	sweep_error_paths(CHECKSUM, HINT_CHECKSUM_ERROR, GRADE_SWEEP_OPEN | GRADE_SWEEP_MMAP);
	free(src.data);
}

/* ---- The table -------------------------------------------------------------------------- */

static const struct grade_test lab01_tests[] = {
	GRADE_TEST(read_full_reads_to_end_of_file, 5,
		   "tio_read_full: whole files, short count at end of file, 0 at EOF, EBADF"),
	GRADE_TEST(read_full_retries_short_reads, 10,
		   "tio_read_full: retries short reads (3 bytes at a time, a pipe fed in pieces, part "
		   "of a longer file), never asking for more than is missing"),
	GRADE_TEST(read_full_retries_after_eintr, 10,
		   "tio_read_full: retries after EINTR, gives up on EIO"),
	GRADE_TEST(write_full_retries_short_writes, 10,
		   "tio_write_full: retries short writes and EINTR, gives up on ENOSPC, EBADF"),
	/*
	 * About 30,000 read() and write() calls, each stopped and let through by the
	 * judge's watch: under 1 s alone, but every call waits for a processor twice,
	 * so a busy machine stretched it past 10 s. 30 s keeps a correct copy safe.
	 */
	GRADE_TEST_TIMED(copy_rw_copies_every_size, 10, 30,
			 "tio_copy_rw: exact copies of 0 B to 5 MiB through buffers of 1 B to "
			 "64 KiB, also with short reads and writes"),
	GRADE_TEST(copy_rw_respects_bufsize, 5,
		   "tio_copy_rw: every read() asks for bufsize bytes, no more read() calls "
		   "than needed"),
	GRADE_TEST(copy_rw_keeps_mode_and_truncates, 5,
		   "tio_copy_rw: dst gets src's permission bits; an older, longer dst is "
		   "truncated"),
	GRADE_TEST(copy_rw_rejects_bad_arguments, 5,
		   "tio_copy_rw: bufsize 0 and a directory give EINVAL, a missing src ENOENT, "
		   "a buffer it cannot allocate ENOMEM"),
	GRADE_TEST(copy_mmap_copies_every_size, 10,
		   "tio_copy_mmap: exact copies of 1 B to 5 MiB, src's mode, old dst truncated"),
	GRADE_TEST(copy_mmap_calls_no_read_or_write, 5,
		   "tio_copy_mmap: no read()/write() system call; src mapped read-only, dst "
		   "shared and writable"),
	GRADE_TEST(copy_mmap_handles_empty_file, 5,
		   "tio_copy_mmap: an empty src gives an empty dst without any mmap()"),
	GRADE_TEST(mmap_failure_is_reported, 5,
		   "tio_copy_mmap, tio_checksum_mmap: a failing mmap() gives -1 with its errno, "
		   "no crash, no leak"),
	GRADE_TEST(checksum_matches_fnv1a, 5,
		   "tio_checksum_mmap: FNV-1a 64 of empty, known and random files, and of "
		   "another user's file; ENOENT, EINVAL"),
	GRADE_TEST(checksum_makes_no_private_copy, 5,
		   "tio_checksum_mmap: hashes a 64 MiB file under a 16 MiB data limit, without "
		   "read()"),
	GRADE_TEST(nothing_leaks, 5,
		   "every function: no descriptor or mapping left behind, on success and on "
		   "every error path (each open, fstat, ftruncate, read, write and mmap failing "
		   "in turn, with its errno returned); exact munmap()"),
};

GRADE_SUITE(1, "01-traditional-io", "tio.c", "Traditional I/O and the page cache", lab01_tests);

/* The instructors' hidden tests, when this copy of the kit has them (grader.h). */
#if __has_include("hidden/lab01.c")
#include "hidden/lab01.c"
#endif
