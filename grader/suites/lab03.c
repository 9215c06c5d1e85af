/*
 * lab03.c — the grader's tests for lab 3, private mappings and copy-on-write.
 *
 * Each test calls the student's functions from private_map.h on files it makes
 * in the current (empty, temporary) directory and proves the result from
 * outside the student's code: the file's bytes read back by another process,
 * its modification time to the nanosecond, its content as a third process sees
 * it through a mapping of its own, the subject's mmap()/munmap() calls with
 * their flags and lengths as the judge watched them, the judge's own reading
 * of the subject's /proc/PID/smaps, a mode-0444 file that only a read-only
 * open can map, and a child forked in the subject that stores into the same
 * private mapping as its parent. Every failure names what was expected, what
 * was observed, and the handout section to read.
 *
 * The mappings live in the subject: the tests read and store through them
 * with grade_subject_read() and grade_subject_write(), which go through the
 * subject's page tables, so a store is copied on write as the subject's own
 * store would be. What a test must build inside the subject (a mapping of its
 * own, a hole, a child) is done by the operations of calls/lab03.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls/lab03.h"
#include "grader.h"
#include "labkit.h"
#include "private_map.h"

/* ---- Hints: a concrete tip, then the handout section ------------------- */

#define SECTION_MAP "handout §4.1 (Task 1: pm_map_private)"
#define SECTION_UNMAP "handout §4.2 (Task 2: pm_unmap)"
#define SECTION_COW "handout §4.3 (Task 3: pm_cow_pages)"
#define SECTION_PATCHED "handout §4.4 (Task 4: pm_patched_checksum)"
#define SECTION_FORK "handout §2.5 (Mappings across fork() and exec())"
#define SECTION_MISTAKES "handout §8 (Common mistakes)"

#define HINT_MAP_WHOLE                                                                       \
	"open the file O_RDONLY, fstat() it, and map st_size bytes from offset 0 with "     \
	"PROT_READ|PROT_WRITE and MAP_PRIVATE — " SECTION_MAP
#define HINT_MAP_PRIVATE                                                                     \
	"map with MAP_PRIVATE, not MAP_SHARED: a shared mapping stores into the file's "    \
	"page cache, and so into the file — " SECTION_MAP
#define HINT_MAP_CLOSE                                                                       \
	"close the descriptor as soon as mmap() has succeeded: the mapping keeps the file " \
	"open by itself — " SECTION_MAP
#define HINT_STAYS_PRIVATE                                                                   \
	"stores into a MAP_PRIVATE mapping land in private copies of the pages and never "  \
	"reach the file; with MAP_SHARED they do, and the file's modification time "        \
	"changes — " SECTION_MAP
#define HINT_READ_ONLY                                                                       \
	"open the file O_RDONLY: a private mapping may be PROT_WRITE on a read-only "       \
	"descriptor, while O_RDWR fails with EACCES on a file you may not write — "         \
	SECTION_MAP
#define HINT_SWEEP                                                                           \
	"when a call fails, return failure (NULL or -1) with that call's errno: do not "    \
	"set errno yourself afterwards, close what you opened first (saving errno), and "   \
	"leave len and sum alone — " SECTION_MISTAKES
#define HINT_OTHER_OWNER                                                                     \
	"open the file with O_RDONLY alone: it must work on any file the caller may read; "  \
	"O_NOATIME, for one, fails with EPERM on a file the caller does not own — "          \
	SECTION_MAP
#define HINT_BAD_FILE                                                                        \
	"fstat() the descriptor: not a regular file, or st_size 0, is EINVAL (mmap() "      \
	"refuses length 0); return NULL and leave *len alone — " SECTION_MAP
#define HINT_DIRECTORY_OPENED_FOR_WRITING                                                    \
	"EISDIR comes from open() asking to write a directory (O_RDWR or O_WRONLY): open "  \
	"O_RDONLY, which a directory allows, then fstat() the descriptor and refuse what "  \
	"is not a regular file with EINVAL — " SECTION_MAP
#define HINT_MAP_FAILED                                                                      \
	"mmap() fails with MAP_FAILED, not NULL: compare with MAP_FAILED, close the "       \
	"descriptor and return NULL, keeping mmap()'s errno — " SECTION_MISTAKES
#define HINT_UNMAP                                                                           \
	"give munmap() exactly the address and length you were given and return its "       \
	"result: an address that is not page-aligned is EINVAL, not something to round — "  \
	SECTION_UNMAP
#define HINT_COW_COUNT                                                                       \
	"read the Anonymous: line of the entry whose range holds addr and divide its kB "   \
	"by the page size in kB; Rss and Private_Dirty also count pages that were never "   \
	"copied — " SECTION_COW
#define HINT_COW_ENTRY                                                                       \
	"an entry holds addr when start <= addr < end, and its fields are the lines up to " \
	"the next start-end line; if no entry holds addr, return -1 with ENOENT — "         \
	SECTION_COW
#define HINT_FORK                                                                            \
	"after fork() a MAP_PRIVATE mapping is copied on write in the parent and the child " \
	"alike, so each sees only its own stores; a MAP_SHARED one is the same pages in "   \
	"both — " SECTION_FORK
#define HINT_PATCHED                                                                         \
	"map the file with pm_map_private(), store value at offset in the mapping, then "   \
	"hash all len bytes with labkit_fnv1a() — " SECTION_PATCHED
#define HINT_PATCHED_UNTOUCHED                                                               \
	"store the byte into a private mapping only: through a shared one it reaches the "  \
	"file and changes its modification time, even if you put the old byte back — "      \
	SECTION_PATCHED
#define HINT_PATCHED_ARGS                                                                    \
	"offset < 0 or offset >= the file's size is EINVAL, checked before the store; "     \
	"leave *sum untouched on every failure — " SECTION_PATCHED
#define HINT_PATCHED_WIDE                                                                    \
	"compare the whole off_t with the file's size, never a copy in an int or unsigned: " \
	"4 GiB + 5 in 32 bits is 5, inside the file — " SECTION_PATCHED
#define HINT_LEAK                                                                            \
	"close every descriptor and stream and munmap every mapping on every path, errors " \
	"included — " SECTION_MISTAKES
#define HINT_MUNMAP                                                                          \
	"munmap() needs exactly the address mmap() returned and the length it was given "   \
	"— " SECTION_MISTAKES

/* What *len and *sum start as: a function that fails must leave them so. */
#define LEN_UNTOUCHED ((size_t)0x5eed)
#define SUM_UNTOUCHED UINT64_C(0x5eed5eed5eed5eed)

/* The modification time test files are given, nanoseconds included: 2001-09-09. */
static const struct timespec OLD_TIME = { 1000000000, 123456789 };

static size_t page(void)
{
	return labkit_page_size();
}

static long page_kib(void)
{
	return (long)(page() / 1024);
}

/* ---- The subject's memory ---------------------------------------------------- */

/*
 * Every mapping a test looks into lives in the subject. These copy bytes out
 * of it and store bytes into it from the judge: a store goes through the
 * subject's page tables, so it copies the page on write exactly as a store of
 * the subject's own would. `owner` is the call that made the mapping, for the
 * message; NULL for a mapping the test made itself, where a failure is the
 * grader's problem.
 */
static void read_mapping(const unsigned char *map, size_t offset, void *out, size_t len,
			 const char *owner)
{
	if (grade_subject_read(map + offset, out, len) == 0)
		return;
	if (owner == NULL)
		grade_setup_failed("cannot read %zu bytes at offset %zu of the test's own mapping",
				   len, offset);
	grade_fail(HINT_MAP_WHOLE,
		   "expected: the mapping returned by %s to be readable from its first byte to "
		   "the end of its last page\n"
		   "observed: %zu byte%s from offset %zu cannot be read (%s): that part is not "
		   "mapped, or not readable",
		   owner, len, len == 1 ? "" : "s", offset, grade_errno_text(errno));
}

static void store_into_mapping(unsigned char *map, size_t offset, const void *data, size_t len,
			       const char *owner)
{
	if (grade_subject_write(map + offset, data, len) == 0)
		return;
	if (owner == NULL)
		grade_setup_failed("cannot store %zu bytes at offset %zu of the test's own mapping",
				   len, offset);
	grade_fail(HINT_MAP_WHOLE,
		   "expected: the mapping returned by %s to be writable from its first byte to "
		   "the end of its last page\n"
		   "observed: storing %zu byte%s at offset %zu fails (%s): that part is not "
		   "mapped, or not writable",
		   owner, len, len == 1 ? "" : "s", offset, grade_errno_text(errno));
}

static unsigned char read_byte(const unsigned char *map, size_t offset, const char *owner)
{
	unsigned char value;

	read_mapping(map, offset, &value, 1, owner);
	return value;
}

static void store_byte(unsigned char *map, size_t offset, unsigned char value, const char *owner)
{
	store_into_mapping(map, offset, &value, 1, owner);
}

/* len bytes of the mapping from offset 0, in a malloc'ed buffer. */
static unsigned char *copy_of_mapping(const unsigned char *map, size_t len, const char *owner)
{
	unsigned char *copy = malloc(len);

	if (copy == NULL)
		grade_setup_failed("out of memory");
	read_mapping(map, 0, copy, len, owner);
	return copy;
}

/* ---- Test files ------------------------------------------------------------ */

/* A file that remembers its bytes and the modification time it was given. */
struct test_file {
	const char *path;
	unsigned char *data;
	size_t size;
};

/* A file of size random bytes with this mode, its timestamps set to OLD_TIME. */
static struct test_file make_test_file(const char *path, size_t size, uint64_t seed,
				       mode_t mode)
{
	struct test_file file = { path, grade_random_bytes(size, seed), size };
	const struct timespec times[2] = { OLD_TIME, OLD_TIME };

	grade_make_file(path, file.data, size, mode);
	if (utimensat(AT_FDCWD, path, times, 0) != 0)
		grade_setup_failed("cannot set the timestamps of %s", path);
	return file;
}

/*
 * Fail unless the file still holds its bytes and its modification time, and
 * a separate process that maps it sees those bytes: whatever `call` stored,
 * it stored in private copies only.
 */
static void expect_file_untouched(const struct test_file *file, const char *call,
				  const char *hint)
{
	struct stat st;
	uint64_t seen, original = labkit_fnv1a(file->data, file->size);

	grade_expect_file(file->path, file->data, file->size,
			  grade_format("\"%s\" after %s", file->path, call), hint);
	if (stat(file->path, &st) != 0)
		grade_setup_failed("cannot stat %s", file->path);
	grade_check(st.st_mtim.tv_sec == OLD_TIME.tv_sec && st.st_mtim.tv_nsec == OLD_TIME.tv_nsec,
		    hint,
		    "expected: the modification time of \"%s\" to stay %jd.%09ld after %s\n"
		    "observed: it is now %jd.%09ld: something stored into the file",
		    file->path, (intmax_t)OLD_TIME.tv_sec, OLD_TIME.tv_nsec, call,
		    (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (grade_hash_mapped_elsewhere(file->path, &seen) != 0)
		grade_setup_failed("cannot map %s in another process", file->path);
	grade_check(seen == original, hint,
		    "expected: another process that maps \"%s\" after %s to see the original "
		    "bytes (FNV-1a 0x%016" PRIx64 ")\nobserved: it sees other bytes (FNV-1a "
		    "0x%016" PRIx64 ")",
		    file->path, call, original, seen);
}

/* ---- Calling the student's code --------------------------------------------- */

/* What one pm_map_private() call gave back, with errno right after it. */
struct map_outcome {
	unsigned char *map;
	size_t len;
	int error;
	char call[200];
};

static struct map_outcome run_map(const char *path, const char *situation)
{
	struct map_outcome out = { .len = LEN_UNTOUCHED };

	grade_announce_call(out.call, sizeof(out.call), situation, NULL,
			    "pm_map_private(\"%s\", &len)", path);
	out.map = pm_map_private(path, &out.len);
	out.error = errno;
	return out;
}

static long run_cow(const void *addr, const char *where, const char *situation, int *error,
		    char *call, size_t size)
{
	long result;

	grade_announce_call(call, size, situation, NULL,
			    "pm_cow_pages(%s)", where);
	result = pm_cow_pages(addr);
	*error = errno;
	return result;
}

struct patched_outcome {
	long long result;
	int error;
	uint64_t sum;
	char call[200];
};

static struct patched_outcome run_patched(const char *path, off_t offset, unsigned char value,
					  const char *situation)
{
	struct patched_outcome out = { .sum = SUM_UNTOUCHED };

	GRADE_RUN(out, situation, NULL, pm_patched_checksum(path, offset, value, &out.sum),
		  "pm_patched_checksum(\"%s\", %jd, 0x%02x, &sum)", path, (intmax_t)offset, value);
	return out;
}

/* Fail unless the call returned a mapping and stored the file's size in len. */
static void expect_mapped(const struct map_outcome *out, size_t size, const char *hint)
{
	grade_check(out->map != NULL, hint,
		    "expected: %s to return the address of a mapping of the whole %zu-byte "
		    "file\nobserved: %s",
		    out->call, size, grade_describe_null(out->error));
	grade_check(out->map != MAP_FAILED, HINT_MAP_FAILED,
		    "expected: %s to return the address of a mapping\nobserved: it returned "
		    "MAP_FAILED ((void *)-1) with errno %s",
		    out->call, grade_errno_text(out->error));
	grade_check(out->len == size, HINT_MAP_WHOLE,
		    "expected: %s to store the file's size, %zu, in len\nobserved: len is %zu%s",
		    out->call, size, out->len,
		    out->len == LEN_UNTOUCHED ? " (left unchanged)" : "");
}

/* Fail unless the call returned NULL with expected_errno and left len alone. */
static void expect_map_refused(const struct map_outcome *out, int expected_errno,
			       const char *hint)
{
	grade_check(out->map != MAP_FAILED, HINT_MAP_FAILED,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: it returned "
		    "MAP_FAILED ((void *)-1), which is not NULL: a caller that checks for NULL "
		    "goes on to use address -1",
		    out->call, grade_errno_text(expected_errno));
	grade_check(out->map == NULL, hint,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: it returned "
		    "%p",
		    out->call, grade_errno_text(expected_errno), (void *)out->map);
	grade_check(out->error == expected_errno, hint,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: %s", out->call,
		    grade_errno_text(expected_errno), grade_describe_null(out->error));
	grade_check(out->len == LEN_UNTOUCHED, hint,
		    "expected: %s to leave len untouched when it fails\nobserved: len was "
		    "changed to %zu",
		    out->call, out->len);
}

/* Map the whole file, failing the test unless it works; len is then its size. */
static struct map_outcome map_or_fail(const struct test_file *file, const char *situation,
				      const char *hint)
{
	struct map_outcome out = run_map(file->path, situation);

	expect_mapped(&out, file->size, hint);
	return out;
}

/* Unmap what pm_map_private gave, failing if pm_unmap does not work. */
static void unmap_or_fail(const struct map_outcome *out)
{
	char call[200];
	int error;

	grade_announce_call(call, sizeof(call), NULL, NULL,
			    "pm_unmap(map, %zu) on the mapping of %s", out->len, out->call);
	int result = pm_unmap(out->map, out->len);
	error = errno;
	grade_expect_result(result, error, 0, call, HINT_UNMAP);
}

static int is_private(int flags)
{
	return (flags & MAP_SHARED_VALIDATE) == MAP_PRIVATE;
}

/* Fail unless the mapping at map came from one mmap() of the whole file, private and writable. */
static void expect_private_mmap(const struct map_outcome *out, size_t size)
{
	const struct grade_mmap_record *record = NULL;

	for (unsigned i = 0; i < grade_records_kept(grade_calls.mmap_count); i++)
		if (grade_calls.mmaps[i].result == out->map)
			record = &grade_calls.mmaps[i];
	grade_check(record != NULL, HINT_MAP_WHOLE,
		    "expected: %s to return the address an mmap() call returned\nobserved: it "
		    "returned %p; %s",
		    out->call, (void *)out->map, grade_describe_mmaps());
	grade_check(is_private(record->flags), HINT_MAP_PRIVATE,
		    "expected: %s to map the file MAP_PRIVATE\nobserved: %s", out->call,
		    grade_describe_mmap(record));
	grade_check(record->prot == (PROT_READ | PROT_WRITE), HINT_MAP_WHOLE,
		    "expected: %s to map the file PROT_READ|PROT_WRITE\nobserved: %s", out->call,
		    grade_describe_mmap(record));
	grade_check(record->offset == 0 && record->length >= size &&
			    record->length <= labkit_round_up(size, page()),
		    HINT_MAP_WHOLE,
		    "expected: %s to map all %zu bytes of the file from offset 0\nobserved: %s",
		    out->call, size, grade_describe_mmap(record));
}

/* Fail unless the mapping shows exactly the file's bytes. */
static void expect_mapping_holds(const struct map_outcome *out, const struct test_file *file)
{
	unsigned char *seen = copy_of_mapping(out->map, file->size, out->call);
	size_t i = 0;

	while (i < file->size && seen[i] == file->data[i])
		i++;
	grade_check(i == file->size, HINT_MAP_WHOLE,
		    "expected: the mapping returned by %s to hold the file's bytes\nobserved: "
		    "byte %zu is 0x%02x instead of 0x%02x",
		    out->call, i, seen[i], file->data[i]);
	free(seen);
}

/* ---- Task 1: pm_map_private ------------------------------------------------------- */

/*
 * Map one file and check the call from outside: the bytes, len, the mmap()
 * it made, and that it kept no descriptor. The mapping itself is expected to
 * stay, so the leak check allows for exactly its pages.
 */
static void expect_whole_private_mapping(const struct test_file *file)
{
	grade_calls_reset();
	struct grade_resources before = grade_resources_now();
	struct map_outcome out = map_or_fail(file, NULL, HINT_MAP_WHOLE);

	before.mapped_bytes += labkit_round_up(file->size, page());
	grade_expect_no_leak(before, out.call, HINT_MAP_CLOSE);
	expect_private_mmap(&out, file->size);
	expect_mapping_holds(&out, file);
	grade_calls_reset();
	unmap_or_fail(&out);
}

static void map_private_maps_whole_file(void)
{
	const size_t sizes[] = { 1, page() - 1, page(), 3 * page() + 17 };

	for (size_t i = 0; i < GRADE_COUNT(sizes); i++) {
		char path[32];

		snprintf(path, sizeof(path), "file-%zu", sizes[i]);
		struct test_file file = make_test_file(path, sizes[i], 301 + i, 0644);
		expect_whole_private_mapping(&file);
		free(file.data);
	}
}

/* Every byte of the mapping must now be the complement of the file's byte. */
static void expect_stores_visible(const struct map_outcome *out, const struct test_file *file)
{
	unsigned char *seen = copy_of_mapping(out->map, file->size, out->call);

	for (size_t i = 0; i < file->size; i++)
		grade_check(seen[i] == (unsigned char)~file->data[i], HINT_STAYS_PRIVATE,
			    "expected: the mapping returned by %s to show the bytes the test "
			    "stored into it\nobserved: byte %zu reads 0x%02x, not the 0x%02x "
			    "stored there",
			    out->call, i, seen[i], (unsigned char)~file->data[i]);
	free(seen);
}

/* Map the file, store into every byte, and prove the file never saw it. */
static void expect_stores_stay_private(const struct test_file *file, const char *situation,
				       const char *hint)
{
	struct map_outcome out = map_or_fail(file, situation, hint);
	const char *stored = grade_format("storing into every byte of the mapping made by %s",
					  out.call);

	grade_step("%s", stored);
	unsigned char *bytes = copy_of_mapping(out.map, out.len, out.call);
	for (size_t i = 0; i < out.len; i++)
		bytes[i] = (unsigned char)~bytes[i];
	store_into_mapping(out.map, 0, bytes, out.len, out.call);
	free(bytes);
	expect_stores_visible(&out, file);
	expect_file_untouched(file, stored, hint);
	unmap_or_fail(&out);
	expect_file_untouched(file, grade_format("%s and unmapping it", stored), hint);
}

static void writes_stay_private(void)
{
	struct test_file file = make_test_file("data", 5 * page() + 123, 311, 0644);

	expect_stores_stay_private(&file, NULL, HINT_STAYS_PRIVATE);
	free(file.data);
}

/* ---- A read-only file ------------------------------------------------------------- */

/*
 * A file of another user that every user may read: opened read-only, it maps
 * and hashes like the test's own; a flag such as O_NOATIME, which only the
 * owner may use, makes open() fail with EPERM there.
 */
static void expect_file_of_another_user_mapped(void)
{
	struct test_file file = { grade_file_of_another_user(), NULL, 0 };

	if (file.path == NULL)
		return; /* none on this machine */
	file.data = grade_load_file(file.path, &file.size);
	if (file.data == NULL)
		grade_setup_failed("cannot read %s", file.path);
	struct map_outcome out = map_or_fail(&file, "on a file of another user that every "
						    "user may read", HINT_OTHER_OWNER);
	expect_mapping_holds(&out, &file);
	unmap_or_fail(&out);

	unsigned char value = (unsigned char)(file.data[0] ^ 0xff);
	struct patched_outcome patched = run_patched(file.path, 0, value, "on the same file");
	grade_expect_result(patched.result, patched.error, 0, patched.call, HINT_OTHER_OWNER);
	file.data[0] = value;
	grade_check(patched.sum == labkit_fnv1a(file.data, file.size), HINT_PATCHED,
		    "expected: %s to store the hash of the patched bytes, 0x%016" PRIx64 "\n"
		    "observed: it stored 0x%016" PRIx64,
		    patched.call, labkit_fnv1a(file.data, file.size), patched.sum);
	free(file.data);
}

static void read_only_file_can_be_mapped(void)
{
	if (geteuid() == 0)
		grade_setup_failed("this test must run as an unprivileged user: as root, "
				   "open(O_RDWR) of a mode-0444 file succeeds, so the test could "
				   "not tell a read-only open from a read-write one (start the "
				   "grader as root, which runs tests unprivileged, or as an "
				   "ordinary user)");

	struct test_file file = make_test_file("read-only", 3 * page() + 5, 321, 0444);
	const off_t offset = (off_t)(2 * page() + 1);
	unsigned char *patched = malloc(file.size);

	if (patched == NULL)
		grade_setup_failed("out of memory");
	expect_stores_stay_private(&file, "on a file of mode 0444", HINT_READ_ONLY);
	memcpy(patched, file.data, file.size);
	patched[offset] ^= 0xff;
	struct patched_outcome out = run_patched(file.path, offset, patched[offset],
						 "on a file of mode 0444");
	grade_expect_result(out.result, out.error, 0, out.call, HINT_READ_ONLY);
	grade_check(out.sum == labkit_fnv1a(patched, file.size), HINT_PATCHED,
		    "expected: %s to store the hash of the patched bytes, 0x%016" PRIx64 "\n"
		    "observed: it stored 0x%016" PRIx64,
		    out.call, labkit_fnv1a(patched, file.size), out.sum);
	expect_file_untouched(&file, out.call, HINT_PATCHED_UNTOUCHED);
	free(patched);
	free(file.data);
	expect_file_of_another_user_mapped();
}

/* ---- Files that cannot be mapped ------------------------------------------------ */

static void expect_map_error(const char *path, int expected_errno, const char *situation,
			     struct grade_faults faults, const char *hint)
{
	grade_calls_reset();
	grade_faults = faults;
	struct grade_resources before = grade_resources_now();
	struct map_outcome out = run_map(path, situation);

	grade_calls_reset();
	/* The symptom first: EISDIR for a directory names the open mode. */
	if (expected_errno == EINVAL && out.error == EISDIR)
		hint = HINT_DIRECTORY_OPENED_FOR_WRITING;
	expect_map_refused(&out, expected_errno, hint);
	grade_expect_no_leak(before, out.call, HINT_LEAK);
}

static void map_private_rejects_bad_files(void)
{
	struct test_file file = make_test_file("data", 2 * page() + 10, 331, 0644);
	const struct grade_faults none = { 0 };
	const struct grade_faults mmap_fails = { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM };

	grade_make_file("empty", "", 0, 0644);
	grade_make_directory("dir");
	expect_map_error("empty", EINVAL, "on an empty file", none, HINT_BAD_FILE);
	expect_map_error("dir", EINVAL, "on a directory", none, HINT_BAD_FILE);
	expect_map_error("missing", ENOENT, "where the file does not exist", none, HINT_BAD_FILE);
	expect_map_error(file.path, ENOMEM, "with its mmap() made to fail with ENOMEM",
			 mmap_fails, HINT_MAP_FAILED);
	free(file.data);
}

/* ---- Mappings the test makes itself, in the subject ------------------------------ */

/*
 * A private writable mapping of the whole file made in the subject without the
 * student's code (subject_map), so that Tasks 2 and 3 are graded on their own.
 */
static unsigned char *map_privately(const struct test_file *file)
{
	grade_step("mapping \"%s\" privately in the subject, without your code", file->path);
	unsigned char *map = subject_map(file->path, file->size, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE);
	if (map == MAP_FAILED)
		grade_setup_failed("cannot map %s in the subject", file->path);
	return map;
}

/* Undo a mapping the test made in the subject. */
static void unmap_in_subject(void *map, size_t length)
{
	if (subject_unmap(map, length) != 0)
		grade_setup_failed("cannot unmap %zu bytes at %p in the subject", length, map);
}

/* ---- Task 2: pm_unmap ---------------------------------------------------------- */

/* Whether any mapping of the subject holds addr, from the grader's own smaps reading. */
static int is_mapped(const void *addr)
{
	return grade_smaps_kib(addr, "Anonymous:") >= 0;
}

static void unmap_releases_exactly(void)
{
	struct test_file file = make_test_file("data", 4 * page() + 1, 341, 0644);
	char call[200];

	grade_calls_reset();
	struct grade_resources before = grade_resources_now();
	/*
	 * The grader's own mmap() in the subject: the watch records it like the
	 * student's, so that the munmap() of pm_unmap is checked against it.
	 */
	unsigned char *map = map_privately(&file);

	grade_announce_call(call, sizeof(call), "where map + 1 is not page-aligned", NULL,
			    "pm_unmap(map + 1, %zu)", file.size);
	int result = pm_unmap(map + 1, file.size);
	int error = errno;
	grade_expect_error(result, error, EINVAL, call, HINT_UNMAP);
	grade_check(is_mapped(map), HINT_UNMAP,
		    "expected: %s to fail and leave the mapping alone\nobserved: the mapping "
		    "is gone",
		    call);

	grade_announce_call(call, sizeof(call), NULL, NULL, "pm_unmap(map, %zu)", file.size);
	result = pm_unmap(map, file.size);
	error = errno;
	grade_expect_result(result, error, 0, call, HINT_UNMAP);
	grade_expect_mappings_released(call, HINT_MUNMAP);
	grade_expect_no_leak(before, call, HINT_UNMAP);
	grade_check(!is_mapped(map) && !is_mapped(map + file.size - 1), HINT_UNMAP,
		    "expected: %s to unmap every page of the mapping\nobserved: part of it is "
		    "still mapped",
		    call);
	grade_calls_reset();
	free(file.data);
}

/* ---- Task 3: pm_cow_pages ------------------------------------------------------- */

/* What the kernel says about the mapping holding addr, to explain a wrong count. */
static const char *kernel_view(const void *addr)
{
	return grade_format("/proc/self/smaps for that mapping: Anonymous %ld kB, Rss %ld kB, "
			    "Private_Dirty %ld kB; a page is %ld kB",
			    grade_smaps_kib(addr, "Anonymous:"), grade_smaps_kib(addr, "Rss:"),
			    grade_smaps_kib(addr, "Private_Dirty:"), page_kib());
}

/*
 * pm_cow_pages(addr) must return `pages`, and so must the grader's own reading
 * of the kernel's account; `after` says what the test did to get there.
 */
static void expect_cow(const void *addr, const char *where, long pages, const char *after,
		       const char *hint)
{
	long kernel = grade_smaps_kib(addr, "Anonymous:");
	char call[200];
	int error;

	if (kernel != pages * page_kib())
		grade_setup_failed("after %s, the kernel counts %ld kB copied on write where the "
				   "test expected %ld pages",
				   after, kernel, pages);
	long result = run_cow(addr, where, NULL, &error, call, sizeof(call));
	grade_check(result != -1, hint, "expected: %s to return %ld, after %s\nobserved: %s",
		    call, pages, after, grade_describe_result(-1, error));
	grade_check(result == pages, hint,
		    "expected: %s to return %ld, after %s\nobserved: it returned %ld (%s)", call,
		    pages, after, result, kernel_view(addr));
}

/*
 * Read every byte of the first len bytes of the mapping: each page is faulted
 * in for reading, which maps the file's page and copies nothing.
 */
static void read_bytes(const unsigned char *map, size_t len, const char *owner)
{
	free(copy_of_mapping(map, len, owner));
}

/* Store one byte into each listed page of the test's own mapping. */
static void store_in_pages(unsigned char *map, const size_t *pages, size_t count,
			   unsigned char value)
{
	for (size_t i = 0; i < count; i++)
		store_byte(map, pages[i] * page() + 100 + i, value, NULL);
}

static void cow_pages_counts_copied_pages(void)
{
	const size_t pages = 8;
	struct test_file file = make_test_file("pages", pages * page(), 351, 0644);
	unsigned char *map = map_privately(&file);
	const size_t first[] = { 3 }, more[] = { 0, 6 }, again[] = { 0, 3, 6 };

	grade_step("reading every byte of an 8-page private mapping the test made");
	expect_cow(map, "map", 0, "mapping the 8-page file, before touching it", HINT_COW_COUNT);
	read_bytes(map, file.size, NULL);
	expect_cow(map + file.size - 1, "map + 8 * page - 1", 0,
		   "reading every byte of its 8 pages", HINT_COW_COUNT);
	store_in_pages(map, first, 1, 0xa1);
	expect_cow(map + 7 * page() + 5, "map + 7 * page + 5", 1,
		   "reading every page, then storing one byte into page 3", HINT_COW_COUNT);
	store_in_pages(map, more, 2, 0xa2);
	expect_cow(map + 3 * page(), "map + 3 * page", 3,
		   "storing one byte into page 3, then one into pages 0 and 6", HINT_COW_COUNT);
	store_in_pages(map, again, 3, 0xa3);
	expect_cow(map + 17, "map + 17", 3,
		   "storing into pages 0, 3 and 6, then into the same three pages again",
		   HINT_COW_COUNT);
	unmap_in_subject(map, file.size);
	free(file.data);
}

/* pm_cow_pages(addr) must fail with ENOENT: no mapping holds addr. */
static void expect_cow_enoent(const void *addr, const char *where, const char *situation)
{
	char call[200];
	int error;
	long result = run_cow(addr, where, situation, &error, call, sizeof(call));

	grade_expect_error(result, error, ENOENT, call, HINT_COW_ENTRY);
}

/*
 * An address no mapping of the subject holds: one page into a reservation the
 * test has just made and unmapped there. The kernel places new mappings at
 * the top of the highest gap that fits them, so a mapping made meanwhile (by
 * stdio, say, or the buffers the grader hands a call) would have to be almost
 * 16 MiB long to reach the address used.
 */
static void *unmapped_address(void)
{
	const size_t length = (size_t)16 << 20;

	grade_step("making an unmapped hole of %zu bytes in the subject", length);
	unsigned char *hole = subject_map(NULL, length, PROT_NONE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);

	if (hole == MAP_FAILED || subject_unmap(hole, length) != 0)
		grade_setup_failed("cannot make an unmapped hole of %zu bytes", length);
	return hole + page();
}

/*
 * Two private mappings side by side, A (2 pages) and right after it B (1
 * page), placed with MAP_FIXED_NOREPLACE in a reservation that is free
 * afterwards: A's end is B's start, and B's end has nothing after it. A range
 * check with "addr <= end" takes A's entry for B's first byte, and finds B's
 * entry for the byte just past B. The same file at offset 0 twice, so the
 * kernel cannot merge the two into one entry.
 */
static void expect_entries_end_where_they_end(const struct test_file *file)
{
	const size_t p = page(), reserved = 16 * p;
	const size_t stored_a[] = { 0, 1 }, stored_b[] = { 0 };

	grade_step("placing two private mappings side by side in the subject");
	unsigned char *area = subject_map(NULL, reserved, PROT_NONE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
	if (area == MAP_FAILED || subject_unmap(area, reserved) != 0)
		grade_setup_failed("cannot reserve %zu bytes in the subject", reserved);
	unsigned char *a = subject_map_at(area + 4 * p, file->path, 2 * p, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_FIXED_NOREPLACE);
	unsigned char *b = subject_map_at(area + 6 * p, file->path, p, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_FIXED_NOREPLACE);
	if (a != area + 4 * p || b != area + 6 * p)
		grade_setup_failed("cannot place two mappings side by side in the subject");
	store_in_pages(a, stored_a, 2, 0xc1);
	store_in_pages(b, stored_b, 1, 0xc2);
	expect_cow(b, "next", 1,
		   "storing into both pages of a private mapping that ends at next, and into the "
		   "1 page of the private mapping that starts there",
		   HINT_COW_ENTRY);
	expect_cow_enoent(b + p, "next + page",
			  "where the 1-page mapping at next ends and nothing is mapped after it");
	unmap_in_subject(a, 2 * p);
	unmap_in_subject(b, p);
}

static void cow_pages_finds_the_right_mapping(void)
{
	struct test_file file = make_test_file("twice", 6 * page(), 361, 0644);
	unsigned char *first = map_privately(&file);
	unsigned char *second = map_privately(&file);
	const size_t three[] = { 1, 2, 4 }, one[] = { 5 };
	void *hole = unmapped_address();

	store_in_pages(first, three, 3, 0xb1);
	store_in_pages(second, one, 1, 0xb2);
	expect_cow(first + 4 * page() + 1, "first + 4 * page + 1", 3,
		   "storing into 3 pages of this mapping and 1 page of another private mapping "
		   "of the same file",
		   HINT_COW_ENTRY);
	expect_cow(second + file.size - 1, "second + 6 * page - 1", 1,
		   "storing into 1 page of this mapping and 3 pages of another private mapping "
		   "of the same file",
		   HINT_COW_ENTRY);
	expect_cow_enoent((const void *)(uintptr_t)0x1000, "(void *)0x1000",
			  "an address no process maps");
	expect_cow_enoent(hole, "hole", "an address in a range the test has just unmapped");
	expect_entries_end_where_they_end(&file);
	unmap_in_subject(first, file.size);
	unmap_in_subject(second, file.size);
	free(file.data);
}

/* ---- A private mapping across fork() --------------------------------------------- */

/* What the parent stores before fork(), at offset 0, and what each process stores after. */
enum { BEFORE_FORK_BYTE = 'S', CHILD_BYTE = 'C', PARENT_BYTE = 'P' };

/* The child stores in page 1, the parent in page 2: each page is copied by one of them. */
static size_t child_offset(void)
{
	return page() + 7;
}

static size_t parent_offset(void)
{
	return 2 * page() + 9;
}

/* What one process sees at the three offsets. */
struct view {
	unsigned char before_fork, child, parent;
};

/* The offsets of a view, in its order, for subject_fork_and_store() to look at. */
enum { VIEW_OFFSETS = 3 };

static struct view view_of(const unsigned char *seen)
{
	return (struct view){ seen[0], seen[1], seen[2] };
}

/* What the test learns from one run of parent and child. */
struct fork_run {
	int child_reported;
	struct view child_view, parent_view;
	long cow_pages;
	int cow_error;
	long kernel_kib; /* the grader's own reading of Anonymous: at the same moment */
	char kernel_text[256];
	char cow_call[200];
	int status;
};

/*
 * In the subject (subject_fork_and_store): fork; the child stores, then the
 * parent; each reports what it sees. Then, while the child still runs and
 * shares the copies made before fork(), count the parent's copies, and only
 * then let the child end and reap it (subject_end_child).
 */
static struct fork_run run_parent_and_child(unsigned char *map)
{
	struct fork_run run = { 0 };
	const uint64_t look[VIEW_OFFSETS] = { 0, child_offset(), parent_offset() };
	unsigned char views[2 * VIEW_OFFSETS] = { 0 };

	grade_step("forking a child; the child stores '%c' at offset %zu of the private "
		   "mapping, the parent '%c' at offset %zu",
		   CHILD_BYTE, child_offset(), PARENT_BYTE, parent_offset());
	long reported = subject_fork_and_store(map, child_offset(), CHILD_BYTE, parent_offset(),
					       PARENT_BYTE, look, VIEW_OFFSETS, views);
	if (reported < 0)
		grade_setup_failed("cannot fork a child in the subject");
	run.child_reported = reported == 1;
	run.child_view = view_of(views);
	run.parent_view = view_of(views + VIEW_OFFSETS);
	if (run.child_reported) {
		run.cow_pages = run_cow(map + 2 * page(), "map + 2 * page", NULL,
					&run.cow_error, run.cow_call, sizeof(run.cow_call));
		run.kernel_kib = grade_smaps_kib(map, "Anonymous:");
		snprintf(run.kernel_text, sizeof(run.kernel_text), "%s", kernel_view(map));
	}
	grade_step("letting the child end, and reaping it");
	if (subject_end_child(&run.status) != 0)
		grade_setup_failed("cannot reap the child forked in the subject");
	return run;
}

static const char *describe_status(int status)
{
	if (WIFSIGNALED(status))
		return grade_format("the child was killed by signal %d (%s)", WTERMSIG(status),
				    strsignal(WTERMSIG(status)));
	return grade_format("the child exited with status %d", WEXITSTATUS(status));
}

/* `who` must see `expected` at `offset`, where `seen` is what it saw. */
static void expect_seen(const char *who, unsigned char seen, unsigned char expected,
			size_t offset, const char *why, const char *call)
{
	grade_check(seen == expected, HINT_FORK,
		    "expected: the %s to read 0x%02x at offset %zu of the mapping made by %s "
		    "(%s)\nobserved: it reads 0x%02x",
		    who, expected, offset, call, why, seen);
}

static void fork_copies_diverge(void)
{
	struct test_file file = make_test_file("data", 4 * page(), 371, 0644);
	struct map_outcome out = map_or_fail(&file, NULL, HINT_MAP_WHOLE);
	size_t child_at = child_offset(), parent_at = parent_offset();

	/*
	 * Before fork(), read every page and store into pages 0 and 3. The child
	 * inherits that view: the file's pages and the two copies are mapped in
	 * both processes, so they count as shared, not private. The parent then
	 * holds 3 copies (pages 0, 2 and 3), but fewer private dirty pages: a
	 * count of Private_Dirty or Rss cannot pass for the count of copies.
	 */
	grade_step("reading every page of the mapping made by %s, then storing '%c' into "
		   "pages 0 and 3", out.call, BEFORE_FORK_BYTE);
	read_bytes(out.map, out.len, out.call);
	store_byte(out.map, 0, BEFORE_FORK_BYTE, out.call);
	store_byte(out.map, 3 * page() + 11, BEFORE_FORK_BYTE, out.call);
	struct fork_run run = run_parent_and_child(out.map);

	grade_check(run.child_reported && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0,
		    HINT_FORK,
		    "expected: the child to store into the mapping made by %s and report what it "
		    "sees\nobserved: %s", out.call, describe_status(run.status));
	expect_seen("child", run.child_view.before_fork, BEFORE_FORK_BYTE, 0,
		    "the parent stored it before fork(): the child inherits that copy", out.call);
	expect_seen("child", run.child_view.child, CHILD_BYTE, child_at, "its own store",
		    out.call);
	expect_seen("child", run.child_view.parent, file.data[parent_at], parent_at,
		    "the file's byte: the parent's later store must not reach the child", out.call);
	expect_seen("parent", run.parent_view.parent, PARENT_BYTE, parent_at, "its own store",
		    out.call);
	expect_seen("parent", run.parent_view.child, file.data[child_at], child_at,
		    "the file's byte: the child's store must not reach the parent", out.call);
	expect_seen("parent", run.parent_view.before_fork, BEFORE_FORK_BYTE, 0,
		    "its own store, made before fork()", out.call);
	if (run.kernel_kib != 3 * page_kib())
		grade_setup_failed("the kernel counts %ld kB copied on write in the parent where "
				   "the test expected 3 pages", run.kernel_kib);
	grade_check(run.cow_pages == 3, HINT_COW_COUNT,
		    "expected: %s in the parent to return 3 (pages 0 and 3, copied before fork() "
		    "and now shared with the child, and page 2), while the child is still "
		    "running\n"
		    "observed: %s",
		    run.cow_call,
		    run.cow_pages == -1 ? grade_describe_result(-1, run.cow_error)
					: grade_format("it returned %ld (%s)", run.cow_pages,
						       run.kernel_text));
	unmap_or_fail(&out);
	expect_file_untouched(&file, "the stores of parent and child", HINT_FORK);
	free(file.data);
}

/* ---- Task 4: pm_patched_checksum --------------------------------------------------- */

/* The call must store the hash of the file with byte `offset` set to `value`. */
static void expect_patched_hash(const struct test_file *file, size_t offset,
				unsigned char value)
{
	unsigned char *patched = malloc(file->size);

	if (patched == NULL)
		grade_setup_failed("out of memory");
	memcpy(patched, file->data, file->size);
	patched[offset] = value;
	uint64_t expected = labkit_fnv1a(patched, file->size);
	free(patched);

	struct patched_outcome out = run_patched(file->path, (off_t)offset, value, NULL);
	grade_expect_result(out.result, out.error, 0, out.call, HINT_PATCHED);
	grade_check(out.sum != SUM_UNTOUCHED, HINT_PATCHED,
		    "expected: %s to store the hash 0x%016" PRIx64 " in sum\nobserved: sum was "
		    "left unchanged", out.call, expected);
	grade_check(out.sum == expected, HINT_PATCHED,
		    "expected: %s to store 0x%016" PRIx64 ", the FNV-1a hash of the file with "
		    "byte %zu set to 0x%02x\nobserved: it stored 0x%016" PRIx64 "%s",
		    out.call, expected, offset, value, out.sum,
		    out.sum == labkit_fnv1a(file->data, file->size) ? " (the hash of the file "
								     "as it is)" : "");
}

static void patched_checksum_hashes_patched_copy(void)
{
	struct test_file one = make_test_file("one-byte", 1, 381, 0644);
	struct test_file whole = make_test_file("one-page", page(), 382, 0644);
	struct test_file big = make_test_file("big", 5 * page() + 7, 383, 0644);

	expect_patched_hash(&one, 0, (unsigned char)~one.data[0]);
	expect_patched_hash(&whole, page() - 1, (unsigned char)~whole.data[page() - 1]);
	expect_patched_hash(&big, 0, 0x00);
	expect_patched_hash(&big, 2 * page() + 300, 0xff);
	expect_patched_hash(&big, big.size - 1, (unsigned char)~big.data[big.size - 1]);
	expect_patched_hash(&big, 4 * page(), big.data[4 * page()]); /* the same byte */
	free(one.data);
	free(whole.data);
	free(big.data);
}

static void patched_checksum_leaves_file_untouched(void)
{
	struct test_file file = make_test_file("data", 6 * page() + 50, 391, 0644);
	const size_t offsets[] = { 0, 3 * page() + 1, 6 * page() + 49 };

	for (size_t i = 0; i < GRADE_COUNT(offsets); i++) {
		size_t offset = offsets[i];
		struct patched_outcome out = run_patched(file.path, (off_t)offset,
							 (unsigned char)~file.data[offset], NULL);

		grade_expect_result(out.result, out.error, 0, out.call, HINT_PATCHED);
		expect_file_untouched(&file, out.call, HINT_PATCHED_UNTOUCHED);
	}
	free(file.data);
}

/* The call must fail with expected_errno, leave sum alone and leave nothing behind. */
static void expect_patched_error(const char *path, off_t offset, int expected_errno,
				 const char *situation, const char *hint)
{
	struct grade_resources before = grade_resources_now();
	struct patched_outcome out = run_patched(path, offset, 0x42, situation);

	if (expected_errno == EINVAL && out.error == EISDIR)
		hint = HINT_DIRECTORY_OPENED_FOR_WRITING;
	grade_expect_error(out.result, out.error, expected_errno, out.call, hint);
	grade_check(out.sum == SUM_UNTOUCHED, hint,
		    "expected: %s to leave sum untouched when it fails\nobserved: sum was "
		    "changed to 0x%016" PRIx64, out.call, out.sum);
	grade_expect_no_leak(before, out.call, HINT_LEAK);
}

static void patched_checksum_rejects_bad_offsets(void)
{
	struct test_file file = make_test_file("data", 2 * page() + 100, 401, 0644);
	off_t size = (off_t)file.size;

	grade_make_file("empty", "", 0, 0644);
	grade_make_directory("dir");
	expect_patched_error(file.path, -1, EINVAL, "a negative offset", HINT_PATCHED_ARGS);
	expect_patched_error(file.path, size, EINVAL,
			     "at the file's size (the first byte past its end)", HINT_PATCHED_ARGS);
	expect_patched_error(file.path, size + 1, EINVAL, "past the end of the file",
			     HINT_PATCHED_ARGS);
	expect_patched_error(file.path, size + (off_t)(4 * page()), EINVAL,
			     "4 pages past the end of the file", HINT_PATCHED_ARGS);
	/* Offsets whose low 32 bits are inside the file: only the whole off_t tells. */
	expect_patched_error(file.path, ((off_t)1 << 32) + 5, EINVAL,
			     "4 GiB + 5, far past the end of the file", HINT_PATCHED_WIDE);
	expect_patched_error(file.path, -((off_t)1 << 32) + 5, EINVAL,
			     "-4 GiB + 5, a negative offset", HINT_PATCHED_WIDE);
	expect_patched_error(file.path, (off_t)INT64_MAX, EINVAL, "the largest off_t",
			     HINT_PATCHED_WIDE);
	expect_patched_error("empty", 0, EINVAL, "on an empty file", HINT_PATCHED_ARGS);
	expect_patched_error("dir", 0, EINVAL, "on a directory", HINT_PATCHED_ARGS);
	expect_patched_error("missing", 0, ENOENT, "where the file does not exist",
			     HINT_PATCHED_ARGS);
	expect_file_untouched(&file, "the failed calls", HINT_PATCHED_ARGS);
	free(file.data);
}

/* ---- Nothing left behind ------------------------------------------------------------ */

enum lab_function { MAP_AND_UNMAP, COW_PAGES, PATCHED };

/*
 * Calls to check for leaks (grade_expect_no_leaks): which function, on what
 * file (path; for COW_PAGES, NULL for an address no mapping holds), at which
 * offset (number, for pm_patched_checksum), with which fault.
 */
#define MMAP_FAILS { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM }

static const struct grade_leak_case leak_cases[] = {
	{ .function = MAP_AND_UNMAP, .path = "data", .must_succeed = 1 },
	{ .function = MAP_AND_UNMAP, .path = "small", .must_succeed = 1 },
	{ .function = MAP_AND_UNMAP, .path = "empty", .situation = "on an empty file" },
	{ .function = MAP_AND_UNMAP, .path = "dir", .situation = "on a directory" },
	{ .function = MAP_AND_UNMAP, .path = "missing", .situation = "where the file does not exist" },
	{ .function = MAP_AND_UNMAP, .path = "data", .situation = "with its mmap() failing with ENOMEM",
	  .faults = MMAP_FAILS },
	{ .function = COW_PAGES, .path = "data", .must_succeed = 1 },
	{ .function = COW_PAGES, .path = NULL, .situation = "on an address no mapping holds" },
	{ .function = PATCHED, .path = "data", .number = 5, .must_succeed = 1 },
	{ .function = PATCHED, .path = "small", .number = 19, .must_succeed = 1 },
	{ .function = PATCHED, .path = "data", .number = -1 },
	{ .function = PATCHED, .path = "data", .number = 1 << 20 },
	{ .function = PATCHED, .path = "empty", .situation = "on an empty file" },
	{ .function = PATCHED, .path = "dir", .situation = "on a directory" },
	{ .function = PATCHED, .path = "missing", .situation = "where the file does not exist" },
	{ .function = PATCHED, .path = "data", .number = 5,
	  .situation = "with its mmap() failing with ENOMEM", .faults = MMAP_FAILS },
};

/* pm_map_private, then pm_unmap if it worked: the pair must leave nothing behind. */
static struct grade_outcome map_and_unmap(const struct grade_leak_case *test)
{
	struct map_outcome map = run_map(test->path, test->situation);
	struct grade_outcome out = { .error = map.error };

	snprintf(out.call, sizeof(out.call), "%s", map.call);
	out.result = map.map == NULL || map.map == MAP_FAILED ? -1 : 0;
	grade_check(out.result == 0 || !test->must_succeed, HINT_MAP_WHOLE,
		    "expected: %s to return the address of a mapping of the whole file\n"
		    "observed: %s",
		    map.call,
		    map.map == NULL ? grade_describe_null(map.error) : "it returned MAP_FAILED");
	if (out.result == 0) {
		grade_announce_call(out.call, sizeof(out.call), NULL, NULL,
				    "pm_map_private(\"%s\", &len) then pm_unmap(map, len)",
				    test->path);
		out.result = pm_unmap(map.map, map.len);
		out.error = errno;
	}
	return out;
}

/* context: the test's own private mapping of "data", for pm_cow_pages. */
static struct grade_outcome run_leak_case(const struct grade_leak_case *test, const void *context)
{
	struct grade_outcome out;

	if (test->function == MAP_AND_UNMAP)
		return map_and_unmap(test);
	if (test->function == COW_PAGES) {
		out.result = run_cow(test->path != NULL ? context : (void *)(uintptr_t)0x1000,
				     test->path != NULL ? "map" : "(void *)0x1000", test->situation,
				     &out.error, out.call, sizeof(out.call));
		if (test->path != NULL && out.result >= 0)
			out.result = 0;
		return out;
	}
	struct patched_outcome patched = run_patched(test->path, (off_t)test->number, 0x42,
						     test->situation);

	snprintf(out.call, sizeof(out.call), "%s", patched.call);
	out.result = patched.result;
	out.error = patched.error;
	return out;
}

/*
 * The error paths of each function, one failing call at a time
 * (grade_sweep_failures): every open(), fstat(), read() and mmap() it makes
 * may fail, and the header promises failure with that call's errno, len and
 * sum untouched, and nothing left behind. pm_map_private's mapping, when it
 * works, is removed by the test itself (subject_unmap), so that only what the
 * student's code kept counts.
 */
struct swept_call {
	enum lab_function function;
	const void *mapped;   /* for pm_cow_pages: an address in the test's mapping */
	size_t len;           /* pm_map_private's output, LEN_UNTOUCHED before each call */
	uint64_t sum;         /* pm_patched_checksum's, SUM_UNTOUCHED before each call */
};

static struct grade_outcome sweep_run(const void *context, const char *situation)
{
	struct swept_call *swept = (struct swept_call *)context;
	struct grade_outcome out = { 0 };

	if (swept->function == MAP_AND_UNMAP) {
		struct map_outcome map = run_map("data", situation);
		swept->len = map.len;
		snprintf(out.call, sizeof(out.call), "%s", map.call);
		out.result = map.map == NULL || map.map == MAP_FAILED ? -1 : 0;
		out.error = map.error;
		if (out.result == 0 && subject_unmap(map.map, map.len) != 0)
			grade_setup_failed("cannot unmap what pm_map_private returned");
	} else if (swept->function == COW_PAGES) {
		out.result = run_cow(swept->mapped, "mapped", situation, &out.error, out.call,
				     sizeof(out.call));
	} else {
		struct patched_outcome patched = run_patched("data", 5, 0x42, situation);
		swept->sum = patched.sum;
		snprintf(out.call, sizeof(out.call), "%s", patched.call);
		out.result = patched.result;
		out.error = patched.error;
	}
	return out;
}

static void sweep_after_failure(const void *context, const char *call)
{
	const struct swept_call *swept = context;

	grade_check(swept->len == LEN_UNTOUCHED, HINT_SWEEP,
		    "expected: %s to leave len untouched when it fails\nobserved: len was "
		    "changed to %zu", call, swept->len);
	grade_check(swept->sum == SUM_UNTOUCHED, HINT_SWEEP,
		    "expected: %s to leave sum untouched when it fails\nobserved: sum was "
		    "changed to 0x%016" PRIx64, call, swept->sum);
}

static void sweep_prepare(const void *context)
{
	struct swept_call *swept = (struct swept_call *)context;

	swept->len = LEN_UNTOUCHED;
	swept->sum = SUM_UNTOUCHED;
}

/*
 * judged_elsewhere: failures another test judges already (mmap()'s ENOMEM),
 * or that need not fail the call at all (stdio's own fstat() of smaps: it
 * only picks a buffer size): here only their leaks count.
 */
static void sweep_error_paths(enum lab_function function, const void *mapped,
			      unsigned judged_elsewhere)
{
	struct swept_call swept = { function, mapped, LEN_UNTOUCHED, SUM_UNTOUCHED };
	struct grade_sweep sweep = { sweep_prepare, sweep_run, sweep_after_failure, &swept,
				     HINT_SWEEP, HINT_LEAK, judged_elsewhere,
				     function == MAP_AND_UNMAP };

	grade_sweep_failures(&sweep);
}

static void nothing_leaks(void)
{
	struct test_file data = make_test_file("data", 3 * page() + 20, 411, 0644);
	struct test_file small = make_test_file("small", 20, 412, 0644);
	unsigned char *mapped = map_privately(&data);

	grade_make_file("empty", "", 0, 0644);
	grade_make_directory("dir");
	store_byte(mapped, page(), (unsigned char)(read_byte(mapped, page(), NULL) ^ 1), NULL);
	grade_expect_no_leaks(&(struct grade_leak_table){ leak_cases, GRADE_COUNT(leak_cases),
							 run_leak_case, NULL, NULL, mapped,
							 HINT_LEAK, HINT_MUNMAP });
	sweep_error_paths(MAP_AND_UNMAP, NULL, GRADE_SWEEP_MMAP);
	sweep_error_paths(COW_PAGES, mapped + page(), GRADE_SWEEP_STAT);
	sweep_error_paths(PATCHED, NULL, GRADE_SWEEP_MMAP);
	unmap_in_subject(mapped, data.size);
	free(data.data);
	free(small.data);
}

/* ---- The table -------------------------------------------------------------------- */

static const struct grade_test lab03_tests[] = {
	GRADE_TEST(map_private_maps_whole_file, 10,
		   "pm_map_private: one MAP_PRIVATE, PROT_READ|PROT_WRITE mmap() of the whole "
		   "file, its bytes, len set, descriptor closed"),
	GRADE_TEST(writes_stay_private, 15,
		   "pm_map_private: stores into every page leave the file's bytes, modification "
		   "time and other processes' view unchanged"),
	GRADE_TEST(read_only_file_can_be_mapped, 10,
		   "pm_map_private, pm_patched_checksum: work on a mode-0444 file as an "
		   "unprivileged user, and on a file of another user"),
	GRADE_TEST(map_private_rejects_bad_files, 5,
		   "pm_map_private: NULL with EINVAL (empty file, directory), ENOENT, mmap()'s "
		   "ENOMEM; never MAP_FAILED; len untouched"),
	GRADE_TEST(unmap_releases_exactly, 5,
		   "pm_unmap: unmaps exactly the mapping; a misaligned address gives EINVAL"),
	GRADE_TEST(cow_pages_counts_copied_pages, 15,
		   "pm_cow_pages: 0 after reading every page, 1 and 3 after storing into 1 and 3 "
		   "pages, unchanged by storing again"),
	GRADE_TEST(cow_pages_finds_the_right_mapping, 5,
		   "pm_cow_pages: the entry that holds the address, among two mappings of one "
		   "file and two side by side; ENOENT where nothing is mapped"),
	GRADE_TEST(fork_copies_diverge, 10,
		   "pm_map_private after fork(): parent and child each see only their own "
		   "stores; pm_cow_pages counts shared copies"),
	GRADE_TEST(patched_checksum_hashes_patched_copy, 10,
		   "pm_patched_checksum: the FNV-1a hash of the file with one byte changed, "
		   "first, middle and last byte"),
	GRADE_TEST(patched_checksum_leaves_file_untouched, 5,
		   "pm_patched_checksum: the file's bytes, modification time and other "
		   "processes' view stay the same"),
	GRADE_TEST(patched_checksum_rejects_bad_offsets, 5,
		   "pm_patched_checksum: EINVAL for offsets < 0, = size, > size, past 4 GiB, empty files "
		   "and directories; ENOENT; sum untouched"),
	GRADE_TEST(nothing_leaks, 5,
		   "every function: no descriptor, stream or mapping left behind, on success "
		   "and error paths (each open, fstat, read and mmap failing in turn, with its "
		   "errno returned); exact munmap()"),
};

GRADE_SUITE(3, "03-private-map", "private_map.c", "Private mappings and copy-on-write",
	    lab03_tests);

/* The instructors' hidden tests, when this copy of the kit has them (grader.h). */
#if __has_include("hidden/lab03.c")
#include "hidden/lab03.c"
#endif
