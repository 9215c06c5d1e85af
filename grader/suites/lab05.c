/*
 * lab05.c — the grader's tests for lab 5, unrelated processes share a mapped file.
 *
 * The tests run in the judge; every call of a function of file_ipc.h is
 * carried out by the subject (calls/lab05.c), and a channel handle is a
 * subject address the judge only passes back. The first tests call
 * fi_publish() and fi_load() on files the test makes in the current (empty,
 * temporary) directory and prove the result from outside: the file's bytes
 * read back by another process after the writer, a child of the subject, has
 * exited; its mode; the subject's mmap()/msync()/munmap() calls in order, as
 * the judge's watch saw them; mode-0444 files that only a read-only open can
 * load; damaged and foreign files that a trusting reader would crash on. The
 * channel is proved the way it is used: the kit's own programs chan-send and
 * chan-recv, built on the student's file and started as separate processes,
 * stream tens of MiB of random-sized messages through a small ring while the
 * test compares the output with the input; a receiver left waiting is timed
 * by the kernel's account of its CPU time; a child of the subject sends or
 * receives while the subject waits in the student's code, with every call of
 * the sleep family counted. Every failure says what was expected, what was
 * observed, and which handout section to read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls/lab05.h"
#include "file_ipc.h"
#include "grader.h"
#include "labkit.h"

/* ---- Hints: a concrete tip, then the handout section ------------------- */

#define SECTION_PUBLISH "handout §4.1 (Task 1: fi_publish)"
#define SECTION_LOAD "handout §4.2 (Task 2: fi_load)"
#define SECTION_OPEN "handout §4.3 (Task 3: fi_chan_create and fi_chan_open)"
#define SECTION_SEND "handout §4.4 (Task 4: fi_chan_send)"
#define SECTION_RECV "handout §4.5 (Task 5: fi_chan_recv)"
#define SECTION_FINISH "handout §4.6 (Task 6: fi_chan_finish and fi_chan_close)"
#define SECTION_FORMAT "handout §2.2 (A file format a reader can check)"
#define SECTION_RING "handout §2.4 (A channel: a ring buffer in a file)"
#define SECTION_FUTEX "handout §2.5 (Waiting in the kernel: futexes)"
#define SECTION_MISTAKES "handout §8 (Common mistakes)"

#define HINT_LAYOUT                                                                          \
	"open O_RDWR|O_CREAT|O_TRUNC with mode 0644, ftruncate() to 8 + n * "               \
	"sizeof(struct fi_student) before mapping, map MAP_SHARED, then store the magic, "  \
	"the count and the records — " SECTION_PUBLISH
#define HINT_PUBLISH_ARGS                                                                    \
	"check the arguments first: n above UINT32_MAX, or recs NULL with n > 0, is "       \
	"EINVAL; recs NULL with n = 0 is allowed (a header alone) — " SECTION_PUBLISH
#define HINT_MSYNC                                                                           \
	"msync(map, size, MS_SYNC) the whole mapping after the last store and before "      \
	"munmap(): it is what puts the records on the disk — " SECTION_PUBLISH
#define HINT_SHARED                                                                          \
	"map the file MAP_SHARED: the stores must reach the file's pages, where every "     \
	"other process finds them, even after the writer is gone — " SECTION_PUBLISH
#define HINT_LOAD                                                                            \
	"map the file, check it, then copy min(count, max) records into out and return "    \
	"the count the file holds — " SECTION_LOAD
#define HINT_LOAD_READ_ONLY                                                                  \
	"open the file O_RDONLY and map it PROT_READ: loading needs no write permission, "  \
	"and O_RDWR fails with EACCES on a file you may not write — " SECTION_LOAD
#define HINT_LOAD_CHECKS                                                                     \
	"before touching a record: at least 8 bytes, the magic \"STU1\", and a size of "    \
	"exactly 8 + count * sizeof(struct fi_student); anything else is EBADMSG. A count "  \
	"that promises more than the file holds leads past its end: SIGBUS — "              \
	SECTION_FORMAT
#define HINT_MAP_FAILED                                                                      \
	"mmap() fails with MAP_FAILED, not NULL: compare with MAP_FAILED, release what you " \
	"hold and return -1 keeping mmap()'s errno — " SECTION_MISTAKES
#define HINT_CAPACITY                                                                        \
	"accept a capacity only if it is a power of two from 4096 to 1 GiB "                \
	"((c & (c - 1)) == 0); anything else is EINVAL — " SECTION_OPEN
#define HINT_CREATE                                                                          \
	"create or truncate the file, ftruncate() it to the header plus the ring, map it "  \
	"MAP_SHARED, initialise the header and store the magic \"MMLCHAN1\" at its start — " \
	SECTION_OPEN
#define HINT_OPEN_CHECKS                                                                     \
	"before using a channel file, check its size (at least the header), the magic, "    \
	"the capacity and that the size is exactly the header plus the capacity; "          \
	"otherwise unmap and fail with EBADMSG — " SECTION_OPEN
#define HINT_SEND_ARGS                                                                       \
	"a message has 1 to capacity/2 bytes: 0 (or a NULL pointer) is EINVAL, more is "     \
	"EMSGSIZE, checked before anything is copied; after fi_chan_finish it is EPIPE — "   \
	SECTION_SEND
#define HINT_NULL                                                                            \
	"check the pointers first, before any other use: a NULL ch (or msg, or buf) is "    \
	"EINVAL, and fi_chan_close(NULL) returns 0 and does nothing — " SECTION_FINISH
#define HINT_RECV_SIZE                                                                       \
	"peek at the message's length first; if it is more than cap, fail with EMSGSIZE "   \
	"and leave the read position alone, so that the message is still there — "          \
	SECTION_RECV
#define HINT_END                                                                             \
	"fi_chan_recv returns 0 only when the ring is empty and the sender has finished: "  \
	"look for a message first, then at the finished flag — " SECTION_RECV
#define HINT_STREAM                                                                          \
	"each record is a length and the payload at position % capacity; when it crosses "  \
	"the ring's end, copy the first part up to the end and the rest from the ring's "   \
	"start, and move a position only after the bytes are copied — " SECTION_RING
#define HINT_SENDER_WAITS                                                                    \
	"when the ring has no room, fi_chan_send must wait for the receiver (spin briefly, " \
	"then sleep on a futex) rather than fail — " SECTION_SEND
#define HINT_SLEEP                                                                           \
	"after a short spin, announce the sleep (store 1 in your *_sleeping word), check "  \
	"again, then FUTEX_WAIT on that word; never loop on the positions for long — "       \
	SECTION_FUTEX
#define HINT_WAKE                                                                            \
	"fi_chan_finish must wake a sleeping receiver (FUTEX_WAKE on its word), and the "   \
	"futex must be shared: no FUTEX_PRIVATE_FLAG, since the receiver is another "       \
	"process — " SECTION_FUTEX
#define HINT_HANG                                                                            \
	"after publishing a position, wake the partner if its *_sleeping word is 1; the "   \
	"futex must be shared between processes (no FUTEX_PRIVATE_FLAG), and a side must "  \
	"check its condition again after announcing its sleep — " SECTION_FUTEX
#define HINT_NO_SLEEP_CALLS                                                                  \
	"wait on a futex in the shared header, never with sleep(), usleep() or "            \
	"nanosleep(): a timed nap wakes too late or too often — " SECTION_FUTEX
#define HINT_LEAK                                                                            \
	"close every descriptor and munmap every mapping on every path, errors included; "  \
	"fi_chan_close unmaps the channel and frees the handle — " SECTION_MISTAKES
#define HINT_FAILED_CALL                                                                     \
	"check every call: when open(), fstat(), ftruncate(), mmap() or msync() fails, "    \
	"undo what is done (munmap, close), keep that call's errno and return -1 or NULL — " \
	SECTION_MISTAKES
#define HINT_MUNMAP                                                                          \
	"munmap() needs exactly the address mmap() returned and the length it was given "   \
	"— " SECTION_MISTAKES

#define RECORD sizeof(struct fi_student)
#define HEADER FI_STUDENT_HEADER_SIZE

/* A byte the buffers given to the code under test start with: untouched if still there. */
#define UNTOUCHED 0xa5

/* ---- Records and published files ------------------------------------------- */

/* n students with varied ids, names (some filling all 20 bytes) and sexes; zeroed padding. */
static struct fi_student *make_class(size_t n, uint64_t seed)
{
	struct fi_student *class_list = calloc(n > 0 ? n : 1, RECORD);
	unsigned char random[32];

	if (class_list == NULL)
		grade_setup_failed("out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t name_len;

		grade_fill_random(random, sizeof(random), seed * 1000003 + i);
		class_list[i].id = (int32_t)(1000 + i * 7 + random[0]);
		name_len = i % 5 == 4 ? sizeof(class_list[i].name) : 3 + (size_t)random[1] % 15;
		for (size_t c = 0; c < name_len; c++)
			class_list[i].name[c] = (char)('a' + random[2 + c] % 26);
		class_list[i].sex = random[31] & 1 ? 'F' : 'M';
	}
	return class_list;
}

/* The bytes a published file of these records holds, malloc'ed; its size in *size. */
static unsigned char *published_bytes(const struct fi_student *records, size_t n,
				      uint32_t count, size_t *size)
{
	unsigned char *bytes = malloc(HEADER + n * RECORD);

	if (bytes == NULL)
		grade_setup_failed("out of memory");
	memcpy(bytes, FI_STUDENT_MAGIC, 4);
	memcpy(bytes + 4, &count, sizeof(count));
	if (n > 0)
		memcpy(bytes + HEADER, records, n * RECORD);
	*size = HEADER + n * RECORD;
	return bytes;
}

/* A published file made by the test itself (so that Task 2 is graded on its own). */
static void make_published_file(const char *path, const struct fi_student *records, size_t n,
				uint32_t count, mode_t mode)
{
	size_t size;
	unsigned char *bytes = published_bytes(records, n, count, &size);

	grade_make_file(path, bytes, size, mode);
	free(bytes);
}

/* ---- Calling the student's code ---------------------------------------------- */

/* fi_publish with only `given` of the n records in memory (calls/lab05.h). */
static struct grade_outcome run_publish_given(const char *path,
					      const struct fi_student *records, size_t given,
					      size_t n, const char *situation)
{
	struct grade_outcome out;

	GRADE_RUN(out, situation, NULL, fi_publish_given(path, records, given, n),
		  "fi_publish(\"%s\", %s, %zu)", path, records != NULL ? "recs" : "NULL", n);
	return out;
}

static struct grade_outcome run_publish(const char *path, const struct fi_student *records,
					size_t n, const char *situation)
{
	return run_publish_given(path, records, n, n, situation);
}

static struct grade_outcome run_load(const char *path, struct fi_student *records, size_t max,
				     const char *situation)
{
	struct grade_outcome out;

	GRADE_RUN(out, situation, "a crash here means the file was trusted before it was checked",
		  fi_load(path, records, max), "fi_load(\"%s\", %s, %zu)", path,
		  records != NULL ? "out" : "NULL", max);
	return out;
}

/* fi_chan_create or fi_chan_open; the handle, NULL with *error set. */
static fi_chan *run_create(const char *path, size_t capacity, const char *situation,
			   int *error, char *call, size_t size)
{
	grade_announce_call(call, size, situation, NULL, "fi_chan_create(\"%s\", %zu)", path,
			    capacity);
	fi_chan *ch = fi_chan_create(path, capacity);
	*error = errno;
	return ch;
}

static fi_chan *run_open(const char *path, const char *situation, int *error, char *call,
			 size_t size)
{
	grade_announce_call(call, size, situation, NULL, "fi_chan_open(\"%s\")", path);
	fi_chan *ch = fi_chan_open(path);
	*error = errno;
	return ch;
}

/* A channel the test needs in order to go on: fail unless it is made. */
static fi_chan *create_or_fail(const char *path, size_t capacity)
{
	char call[200];
	int error;
	fi_chan *ch = run_create(path, capacity, NULL, &error, call, sizeof(call));

	grade_check(ch != NULL, HINT_CREATE,
		    "expected: %s to create a channel and return a handle\nobserved: %s", call,
		    grade_describe_null(error));
	return ch;
}

static fi_chan *open_or_fail(const char *path)
{
	char call[200];
	int error;
	fi_chan *ch = run_open(path, NULL, &error, call, sizeof(call));

	grade_check(ch != NULL, HINT_OPEN_CHECKS,
		    "expected: %s, on a channel fi_chan_create made, to return a handle\n"
		    "observed: %s",
		    call, grade_describe_null(error));
	return ch;
}

static void close_or_fail(fi_chan *ch, const char *what)
{
	char call[200];

	grade_announce_call(call, sizeof(call), NULL, NULL, "fi_chan_close(%s)", what);
	int result = fi_chan_close(ch);
	int error = errno;
	grade_expect_result(result, error, 0, call, HINT_LEAK);
}

static void send_or_fail(fi_chan *ch, const void *msg, size_t len, const char *what)
{
	char call[200];

	grade_announce_call(call, sizeof(call), NULL,
			    "if it hangs here: the ring had room, so send must not wait",
			    "fi_chan_send(ch, %s, %zu)", what, len);
	int result = fi_chan_send(ch, msg, len);
	int error = errno;
	grade_expect_result(result, error, 0, call, HINT_SEND_ARGS);
}

/* ---- Task 1: fi_publish -------------------------------------------------------------- */

/* Publish n records into path and fail unless the file holds exactly the layout. */
static void expect_published(const char *path, size_t n, uint64_t seed, const char *situation)
{
	struct fi_student *records = make_class(n, seed);
	size_t size;
	unsigned char *expected = published_bytes(records, n, (uint32_t)n, &size);
	struct grade_outcome out = run_publish(path, records, n, situation);

	grade_expect_result(out.result, out.error, 0, out.call, HINT_LAYOUT);
	grade_expect_file(path, expected, size,
			  grade_format("\"%s\" after %s (\"STU1\", the count %zu, then %zu "
				       "records of %zu bytes)",
				       path, out.call, n, n, RECORD),
			  HINT_LAYOUT);
	free(expected);
	free(records);
}

static void publish_writes_layout(void)
{
	struct fi_student some[3];
	struct stat st;
	char call[200];

	/* Every call runs under the judge's umask: 0 here, so the mode is fi_publish's own. */
	mode_t old_umask = umask(0);
	expect_published("class", 5, 501, NULL);
	umask(old_umask);
	if (stat("class", &st) != 0)
		grade_setup_failed("cannot stat class");
	snprintf(call, sizeof(call), "fi_publish(\"class\", recs, 5)");
	grade_check((st.st_mode & 07777) == 0644, HINT_LAYOUT,
		    "expected: %s to create the file with mode 0644 (the umask is 0)\n"
		    "observed: its mode is %04o",
		    call, (unsigned)(st.st_mode & 07777));
	expect_published("empty-class", 0, 502, "with no records (a header alone)");
	expect_published("big-class", 400, 503, "with 400 records over several pages");
	free(grade_make_and_keep_random_file("old-class", 3 * labkit_page_size() + 11, 504,
					     0644));
	expect_published("old-class", 2, 505, "over an older file of 3 pages and 11 bytes");

	/* recs may be NULL when n is 0: a header alone, not EINVAL. */
	size_t header_size;
	unsigned char *header_only = published_bytes(NULL, 0, 0, &header_size);
	struct grade_outcome out = run_publish("null-empty", NULL, 0,
					       "with recs NULL and no records (allowed)");
	grade_expect_result(out.result, out.error, 0, out.call, HINT_PUBLISH_ARGS);
	grade_expect_file("null-empty", header_only, header_size,
			  grade_format("\"null-empty\" after %s (\"STU1\" and the count 0)",
				       out.call),
			  HINT_LAYOUT);
	free(header_only);

	memset(some, 0, sizeof(some));
	out = run_publish("null-class", NULL, 3, "with recs NULL");
	grade_expect_error(out.result, out.error, EINVAL, out.call, HINT_PUBLISH_ARGS);
	if (sizeof(size_t) > sizeof(uint32_t)) {
		out = run_publish_given("huge-class", some, GRADE_COUNT(some),
					(size_t)UINT32_MAX + 1,
					"with n = 2^32, which does not fit in the header's count");
		grade_expect_error(out.result, out.error, EINVAL, out.call, HINT_PUBLISH_ARGS);
	}
}

/*
 * The msync() must come after the last store: the bytes it was asked to write,
 * as the judge read them while the subject waited in the call, must be the
 * file's final bytes (zeros after them to the end of the range).
 */
static void expect_synced_after_stores(const struct grade_msync_record *synced,
				       const struct grade_mmap_record *map,
				       const unsigned char *expected, size_t size, const char *call)
{
	if (synced->addr != map->result || synced->length < size)
		return; /* a range the other checks judge */
	grade_check(grade_msync_saw(synced, expected, size), HINT_MSYNC,
		    "expected: %s to msync() after its last store: when it called msync(%p, "
		    "%zu, MS_SYNC), the mapping should have held the header and every record\n"
		    "observed: it held other bytes then: what was stored after the msync() is "
		    "not on the disk when fi_publish returns",
		    call, synced->addr, synced->length);
}

/* The recorded msync() that covers [map, map + size), MS_SYNC, between mmap and munmap. */
static void expect_synced(const struct grade_mmap_record *map, const unsigned char *expected,
			  size_t size, const char *call)
{
	const struct grade_msync_record *synced = NULL;
	unsigned unmapped_at = 0;
	unsigned char *start = map->result;

	for (unsigned i = 0; i < grade_records_kept(grade_calls.munmap_count); i++)
		if (grade_calls.munmaps[i].addr == map->result && unmapped_at == 0)
			unmapped_at = grade_calls.munmaps[i].order;
	for (unsigned i = 0; i < grade_records_kept(grade_calls.msync_count); i++) {
		const struct grade_msync_record *sync = &grade_calls.msyncs[i];
		unsigned char *from = sync->addr;

		if (from <= start && from + sync->length >= start + map->length &&
		    sync->order > map->order && (unmapped_at == 0 || sync->order < unmapped_at))
			synced = sync;
	}
	grade_check(synced != NULL, HINT_MSYNC,
		    "expected: %s to msync() all %zu bytes of its mapping at %p between its "
		    "mmap() and its munmap()\nobserved: %s",
		    call, map->length, map->result,
		    grade_calls.msync_count == 0
			    ? "it made no msync() call"
			    : grade_format("none of its %u msync() calls covered the whole mapping "
					   "in between", grade_calls.msync_count));
	grade_check((synced->flags & MS_SYNC) != 0, HINT_MSYNC,
		    "expected: %s to msync() its mapping with MS_SYNC\nobserved: msync(%p, %zu, "
		    "%s): MS_ASYNC only starts the writing, and returns before it is done",
		    call, synced->addr, synced->length,
		    (synced->flags & MS_ASYNC) != 0 ? "MS_ASYNC" : "0");
	grade_check(synced->result == 0, HINT_MSYNC,
		    "expected: the msync() of %s to succeed\nobserved: it returned %d", call,
		    synced->result);
	expect_synced_after_stores(synced, map, expected, size, call);
}

static void expect_sync_and_unmap(size_t n, uint64_t seed)
{
	struct fi_student *records = make_class(n, seed);
	const struct grade_mmap_record *map = NULL;
	size_t size;
	unsigned char *expected = published_bytes(records, n, (uint32_t)n, &size);

	grade_calls_reset();
	struct grade_outcome out = run_publish("class", records, n, NULL);
	grade_expect_result(out.result, out.error, 0, out.call, HINT_LAYOUT);
	for (unsigned i = 0; i < grade_records_kept(grade_calls.mmap_count); i++)
		if (grade_calls.mmaps[i].result != MAP_FAILED && map == NULL)
			map = &grade_calls.mmaps[i];
	grade_check(map != NULL, HINT_LAYOUT,
		    "expected: %s to write the file through a mapping\nobserved: it made no "
		    "successful mmap() call",
		    out.call);
	grade_check(grade_is_shared(map->flags) && (map->prot & PROT_WRITE) != 0, HINT_SHARED,
		    "expected: %s to map the file MAP_SHARED and PROT_WRITE\nobserved: %s",
		    out.call, grade_describe_mmap(map));
	expect_synced(map, expected, size, out.call);
	grade_expect_mappings_released(out.call, HINT_MUNMAP);
	grade_calls_reset();
	free(expected);
	free(records);
}

static void publish_syncs_before_unmap(void)
{
	expect_sync_and_unmap(7, 511);
	expect_sync_and_unmap(0, 512);
	expect_sync_and_unmap(500, 513);
}

/* ---- A reader after the writer has gone ------------------------------------------------ */

static void reader_sees_records_after_writer_exits(void)
{
	const size_t n = 300;
	struct fi_student *records = make_class(n, 521);
	size_t size;
	unsigned char *expected = published_bytes(records, n, (uint32_t)n, &size);
	char call[200];
	int status;
	uint64_t hash;

	snprintf(call, sizeof(call), "fi_publish(\"class\", recs, %zu)", n);
	grade_step("calling %s in a child of the test, which then exits", call);
	pid_t writer = subject_fork_publisher("class", records, n);
	if (writer < 0)
		grade_setup_failed("cannot fork");
	int ended = subject_wait_child(writer, 5000, &status);
	if (ended < 0)
		grade_setup_failed("cannot wait for the writer");
	if (!ended)
		grade_fail(HINT_LAYOUT,
			   "expected: %s in a child process to return\nobserved: it was still "
			   "running after 5 seconds",
			   call);
	grade_check(WIFEXITED(status) && WEXITSTATUS(status) == SUBJECT_CHILD_DONE, HINT_LAYOUT,
		    "expected: %s in a child process to return 0\nobserved: %s", call,
		    WIFEXITED(status) && WEXITSTATUS(status) == SUBJECT_CHILD_NOT_WRITTEN
			    ? "it returned -1 with errno ENOSYS: not written yet"
			    : WIFEXITED(status) ? "it failed (returned -1)"
						: grade_describe_status(status));

	/* The writer is gone: one process reads the file, another maps it. */
	grade_expect_file("class", expected, size,
			  grade_format("\"class\", read by another process after the writer (%s) "
				       "exited",
				       call),
			  HINT_SHARED);
	if (grade_hash_mapped_elsewhere("class", &hash) != 0)
		grade_setup_failed("cannot map class in another process");
	grade_check(hash == labkit_fnv1a(expected, size), HINT_SHARED,
		    "expected: a process that maps \"class\" after the writer (%s) exited to see "
		    "the published records\nobserved: it sees other bytes",
		    call);
	free(expected);
	free(records);
}

/* ---- Task 2: fi_load ------------------------------------------------------------------- */

/* Fill room records with UNTOUCHED bytes. */
static struct fi_student *untouched_records(size_t room)
{
	struct fi_student *records = malloc((room > 0 ? room : 1) * RECORD);

	if (records == NULL)
		grade_setup_failed("out of memory");
	memset(records, UNTOUCHED, (room > 0 ? room : 1) * RECORD);
	return records;
}

/* Fail unless out holds `copied` records equal to expected and the rest of room is untouched. */
static void expect_records(const struct fi_student *out, size_t room,
			   const struct fi_student *expected, size_t copied, const char *call)
{
	const unsigned char *bytes = (const unsigned char *)out;

	for (size_t i = 0; i < copied; i++)
		grade_check(memcmp(&out[i], &expected[i], RECORD) == 0, HINT_LOAD,
			    "expected: %s to copy record %zu of the file into out[%zu] (id %d, "
			    "name \"%.20s\")\nobserved: out[%zu] holds id %d, name \"%.20s\"",
			    call, i, i, (int)expected[i].id, expected[i].name, i, (int)out[i].id,
			    out[i].name);
	for (size_t i = copied * RECORD; i < room * RECORD; i++)
		grade_check(bytes[i] == UNTOUCHED, HINT_LOAD,
			    "expected: %s to copy only %zu record%s and leave the rest of out "
			    "alone\nobserved: byte %zu of out (in out[%zu]) was changed",
			    call, copied, copied == 1 ? "" : "s", i, i / RECORD);
}

/* Load path (n records) with room for `room` records, out of NULL if asked. */
static void expect_loaded(const char *path, const struct fi_student *records, size_t n,
			  size_t room, int null_out, const char *situation)
{
	struct fi_student *out = null_out ? NULL : untouched_records(room);
	struct grade_outcome result = run_load(path, out, room, situation);
	size_t copied = n < room ? n : room;

	grade_check(result.result != -1 || result.error != EACCES, HINT_LOAD_READ_ONLY,
		    "expected: %s, on a file of mode 0444, to return %zu\nobserved: %s",
		    result.call, n, grade_describe_result(-1, EACCES));
	grade_expect_result(result.result, result.error, (long long)n, result.call, HINT_LOAD);
	if (out != NULL)
		expect_records(out, room, records, copied, result.call);
	free(out);
}

static void load_reads_records(void)
{
	if (geteuid() == 0)
		grade_setup_failed("this test must run as an unprivileged user: as root, "
				   "open(O_RDWR) of a mode-0444 file succeeds, so the test could "
				   "not tell a read-only open from a read-write one");

	struct fi_student *six = make_class(6, 531), *many = make_class(1000, 532);

	make_published_file("six", six, 6, 6, 0444);
	make_published_file("none", NULL, 0, 0, 0444);
	make_published_file("many", many, 1000, 1000, 0444);
	expect_loaded("six", six, 6, 6, 0, "on a file of 6 records, mode 0444");
	expect_loaded("six", six, 6, 10, 0, "with room for 10 records, on a file of 6");
	expect_loaded("six", six, 6, 0, 1, "asking only for the count");
	expect_loaded("none", NULL, 0, 4, 0, "on a file of 0 records");
	expect_loaded("none", NULL, 0, 0, 1, "on a file of 0 records, asking only for the count");
	expect_loaded("many", many, 1000, 1000, 0, "on a file of 1000 records");

	/* Room for 3 records, right before an inaccessible page: a 4th is a crash. */
	struct fi_student *three = grade_guarded_buffer(3 * RECORD);
	memset(three, UNTOUCHED, 3 * RECORD);
	struct grade_outcome out = run_load("six", three, 3,
				      "with room for only 3 records, right before an inaccessible "
				      "page");
	grade_expect_result(out.result, out.error, 6, out.call, HINT_LOAD);
	expect_records(three, 3, six, 3, out.call);
	grade_free_guarded(three, 3 * RECORD);
	free(six);
	free(many);
}

/* A file that is not a published file: fi_load must say EBADMSG and copy nothing. */
static void expect_refused(const char *path, const void *bytes, size_t size, size_t room,
			   const char *what)
{
	struct fi_student *out = untouched_records(room);

	grade_make_file(path, bytes, size, 0644);
	struct grade_outcome result = run_load(path, out, room, what);
	grade_expect_error(result.result, result.error, EBADMSG, result.call, HINT_LOAD_CHECKS);
	expect_records(out, room < 4 ? room : 4, NULL, 0, result.call);
	free(out);
}

static void load_refuses_bad_files(void)
{
	struct fi_student *three = make_class(3, 541);
	size_t size;
	unsigned char *good = published_bytes(three, 3, 3, &size);
	unsigned char *bad = malloc(size + 1);

	if (bad == NULL)
		grade_setup_failed("out of memory");
	expect_refused("empty", "", 0, 4, "on an empty file");
	expect_refused("short", "STU", 3, 4, "on a 3-byte file, shorter than the header");
	expect_refused("header-only", good, HEADER, 4,
		       "on a file of 8 bytes whose header counts 3 records");
	expect_refused("truncated", good, size - RECORD, 4,
		       "on a file that counts 3 records and holds 2");
	expect_refused("cut", good, size - 1, 4,
		       "on a file that counts 3 records and lacks the last byte");
	memcpy(bad, good, size);
	bad[size] = 'x';
	expect_refused("longer", bad, size + 1, 4,
		       "on a file that counts 3 records and has one byte more");
	memcpy(bad, "STU2", 4);
	expect_refused("foreign", bad, size, 4,
		       "on a file with the magic \"STU2\" and the right size");
	memcpy(bad, "stu1", 4);
	expect_refused("lowercase", bad, size, 4,
		       "on a file with the magic \"stu1\" and the right size");
	memcpy(bad, "\177ELF", 4);
	expect_refused("elf", bad, size, 4, "on a file that starts like a program (\\177ELF)");

	/* A count of a million in a file of one record: trusting it reads 28 MB past the end. */
	const uint32_t million = 1000000;
	size_t one_size;
	unsigned char *one = published_bytes(three, 1, million, &one_size);
	expect_refused("lying", one, one_size, million,
		       "on a file of 8 + 1 record bytes whose header counts 1000000 records, "
		       "with room for 1000000");
	free(one);

	struct grade_outcome out = run_load("missing", NULL, 0, "where the file does not exist");
	grade_expect_error(out.result, out.error, ENOENT, out.call, HINT_LOAD);

	grade_make_file("good", good, size, 0644);
	grade_calls_reset();
	grade_faults.mmap_fail_at = 1;
	grade_faults.mmap_fail_errno = ENOMEM;
	struct fi_student *room = untouched_records(3);
	out = run_load("good", room, 3, "with its mmap() made to fail with ENOMEM");
	grade_faults.mmap_fail_at = 0;
	grade_expect_mmap_attempted(out.result, out.error, ENOMEM, out.call, HINT_MAP_FAILED);
	grade_expect_error(out.result, out.error, ENOMEM, out.call, HINT_MAP_FAILED);
	grade_calls_reset();
	free(room);
	free(bad);
	free(good);
	free(three);
}

/* ---- Task 3: creating and opening channels ------------------------------------------ */

static void expect_capacity_refused(size_t capacity, const char *why)
{
	char call[200];
	int error;
	fi_chan *ch = run_create("chan", capacity, why, &error, call, sizeof(call));

	if (ch != NULL)
		fi_chan_close(ch);
	grade_check(ch == NULL && error == EINVAL, HINT_CAPACITY,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: %s", call,
		    grade_errno_text(EINVAL),
		    ch != NULL ? "it returned a channel" : grade_describe_null(error));
}

static void expect_capacity_accepted(size_t capacity)
{
	fi_chan *ch = create_or_fail("chan", capacity);
	size_t size = 0;
	unsigned char *bytes = grade_load_file("chan", &size);
	char call[200];

	snprintf(call, sizeof(call), "fi_chan_create(\"chan\", %zu)", capacity);
	grade_check(bytes != NULL && size >= 8 + capacity &&
			    memcmp(bytes, FI_CHAN_MAGIC, 8) == 0,
		    HINT_CREATE,
		    "expected: after %s, a file of at least %zu bytes (a header and the ring) that "
		    "starts with \"MMLCHAN1\"\nobserved: %s",
		    call, 8 + capacity,
		    bytes == NULL ? "another process cannot read it"
		    : size < 8 + capacity
			    ? grade_format("the file has %zu bytes", size)
			    : grade_format("it starts with \"%.8s\"", (const char *)bytes));
	free(bytes);
	close_or_fail(ch, grade_format("the channel made by %s", call));
}

/*
 * The largest capacity, 1 GiB, must pass the check; a file of 1 GiB is more
 * than a test may write, so the channel goes in a folder that does not exist:
 * past the check, open() fails with ENOENT, while a check that refuses 1 GiB
 * says EINVAL.
 */
static void expect_largest_capacity_accepted(void)
{
	char call[200];
	int error;
	fi_chan *ch = run_create("no-such-folder/chan", FI_CHAN_MAX_CAPACITY,
				 "with the largest capacity, 1 GiB (2^30), in a folder that does "
				 "not exist",
				 &error, call, sizeof(call));

	if (ch != NULL)
		fi_chan_close(ch);
	grade_check(ch == NULL && error == ENOENT, HINT_CAPACITY,
		    "expected: %s to accept the capacity (1 GiB is allowed) and fail only when "
		    "open() finds no folder: NULL with errno %s\nobserved: %s",
		    call, grade_errno_text(ENOENT),
		    ch != NULL ? "it returned a channel" : grade_describe_null(error));
}

/*
 * A capacity beyond 32 bits whose low 32 bits are a valid capacity: a check
 * made on a 32-bit copy accepts it. Should the check let it through, the
 * first ftruncate() and mmap() of a file fail (injected), so that no file of
 * 4 GiB is made.
 */
static void expect_wide_capacity_refused(size_t capacity)
{
	char situation[160];

	snprintf(situation, sizeof(situation),
		 "a capacity of 2^32 + %zu, whose low 32 bits alone look valid",
		 capacity - ((size_t)1 << 32));
	grade_calls_reset();
	grade_faults.ftruncate_fail_at = 1;
	grade_faults.ftruncate_fail_errno = EFBIG;
	grade_faults.mmap_fail_at = 1;
	grade_faults.mmap_fail_errno = ENOMEM;
	grade_faults.mmap_fail_only_files = 1;
	expect_capacity_refused(capacity, situation);
	grade_calls_reset();
}

static void chan_create_checks_capacity(void)
{
	expect_capacity_accepted(FI_CHAN_MIN_CAPACITY);
	expect_capacity_accepted(65536);
	expect_capacity_accepted(1 << 20);
	expect_largest_capacity_accepted();
	expect_capacity_refused(0, "a capacity of 0");
	expect_capacity_refused(1, "a capacity of 1 byte");
	expect_capacity_refused(FI_CHAN_MIN_CAPACITY / 2,
				grade_format("a capacity below %zu", FI_CHAN_MIN_CAPACITY));
	expect_capacity_refused(4095, "a capacity that is not a power of two");
	expect_capacity_refused(4097, "a capacity that is not a power of two");
	expect_capacity_refused(6144, "a capacity that is not a power of two");
	expect_capacity_refused(100000, "a capacity that is not a power of two");
	expect_capacity_refused((size_t)1 << 31, "a capacity of 2 GiB, above 1 GiB");
	expect_capacity_refused(SIZE_MAX, "a capacity of SIZE_MAX");
	if (sizeof(size_t) > sizeof(uint32_t)) {
		expect_wide_capacity_refused(((size_t)1 << 32) + FI_CHAN_MIN_CAPACITY);
		expect_wide_capacity_refused(((size_t)1 << 32) + 65536);
	}
}

/* fi_chan_open on path must fail with expected_errno and leave nothing behind. */
static void expect_open_refused(const char *path, int expected_errno, const char *situation)
{
	char call[200];
	int error;
	struct grade_resources before = grade_resources_now();
	fi_chan *ch = run_open(path, situation, &error, call, sizeof(call));

	if (ch != NULL)
		fi_chan_close(ch);
	grade_check(ch == NULL && error == expected_errno, HINT_OPEN_CHECKS,
		    "expected: %s to fail, returning NULL with errno %s\nobserved: %s", call,
		    grade_errno_text(expected_errno),
		    ch != NULL ? "it returned a channel" : grade_describe_null(error));
	grade_expect_no_leak(before, call, HINT_LEAK);
}

/* A copy of the channel file "chan", changed by the test. */
static void make_variant(const char *path, const unsigned char *bytes, size_t size)
{
	grade_make_file(path, bytes, size, 0600);
}

static void chan_open_refuses_bad_files(void)
{
	fi_chan *ch = create_or_fail("chan", 8192);
	size_t size = 0;
	unsigned char *bytes;

	close_or_fail(ch, "the channel made by fi_chan_create(\"chan\", 8192)");
	ch = open_or_fail("chan");
	close_or_fail(ch, "the channel opened by fi_chan_open(\"chan\")");

	bytes = grade_load_file("chan", &size);
	if (bytes == NULL || size < 8192 + 8)
		grade_fail(HINT_CREATE,
			   "expected: fi_chan_create(\"chan\", 8192) to make a file of at least "
			   "8200 bytes\nobserved: %s",
			   bytes == NULL ? "it cannot be read"
					 : grade_format("it has %zu bytes", size));
	make_variant("short", bytes, size - 4096);
	expect_open_refused("short", EBADMSG,
			    grade_format("on a channel of %zu bytes cut to %zu (truncate)", size,
					 size - 4096));
	make_variant("stub", bytes, 100);
	expect_open_refused("stub", EBADMSG, "on a channel cut to its first 100 bytes");
	make_variant("magic-only", bytes, 8);
	expect_open_refused("magic-only", EBADMSG, "on a file of the 8 bytes \"MMLCHAN1\"");
	make_variant("empty", bytes, 0);
	expect_open_refused("empty", EBADMSG, "on an empty file");
	bytes[7] = '2';
	make_variant("foreign", bytes, size);
	expect_open_refused("foreign", EBADMSG,
			    "on a copy of a channel whose magic says \"MMLCHAN2\"");
	bytes[7] = '1';
	unsigned char *longer = calloc(1, size + 4096);
	if (longer == NULL)
		grade_setup_failed("out of memory");
	memcpy(longer, bytes, size);
	make_variant("longer", longer, size + 4096);
	expect_open_refused("longer", EBADMSG,
			    "on a copy of a channel with 4096 bytes more than its capacity needs");
	free(longer);
	free(grade_make_and_keep_random_file("random", size, 551, 0600));
	expect_open_refused("random", EBADMSG, "on a file of random bytes");
	expect_open_refused("missing", ENOENT, "where the file does not exist");
	free(bytes);
}

/* ---- Tasks 4 to 6 in one process: the rules of the channel ------------------------ */

/* Receive into a buffer of exactly cap bytes that ends at an inaccessible page. */
static long long recv_guarded(fi_chan *ch, size_t cap, unsigned char *copy, int *error,
			      char *call, size_t size, const char *situation)
{
	unsigned char *buf = grade_guarded_buffer(cap);

	grade_announce_call(call, size, situation,
			    "if it hangs here: a message was sent and not yet received, or the "
			    "sender has finished",
			    "fi_chan_recv(ch, buf, %zu)", cap);
	long long got = fi_chan_recv(ch, buf, cap);
	*error = errno;
	if (got > 0 && (size_t)got <= cap)
		memcpy(copy, buf, (size_t)got);
	grade_free_guarded(buf, cap);
	return got;
}

/* Receive one message that must be exactly msg. */
static void expect_message(fi_chan *ch, size_t cap, const unsigned char *msg, size_t len,
			   const char *situation, const char *hint)
{
	unsigned char *copy = malloc(cap + 1);
	char call[200];
	int error;

	if (copy == NULL)
		grade_setup_failed("out of memory");
	long long got = recv_guarded(ch, cap, copy, &error, call, sizeof(call), situation);
	grade_expect_result(got, error, (long long)len, call, hint);
	size_t at = 0;
	while (at < len && copy[at] == msg[at])
		at++;
	grade_check(at == len, hint,
		    "expected: %s to copy the %zu bytes that were sent\nobserved: byte %zu is "
		    "0x%02x instead of 0x%02x",
		    call, len, at, copy[at], msg[at]);
	free(copy);
}

static void expect_send_error(fi_chan *ch, const void *msg, size_t len, int expected_errno,
			      const char *what, const char *situation)
{
	char call[200];

	grade_announce_call(call, sizeof(call), situation, NULL, "fi_chan_send(ch, %s, %zu)",
			    what, len);
	int result = fi_chan_send(ch, msg, len);
	int error = errno;
	grade_expect_error(result, error, expected_errno, call, HINT_SEND_ARGS);
}

static void chan_message_rules(void)
{
	static const size_t lengths[] = { 1, 7, 100, 1000, 13 };
	unsigned char *big = grade_random_bytes(4097, 561);
	unsigned char marker = 'Z';
	fi_chan *tx = create_or_fail("chan", 8192);
	fi_chan *rx = open_or_fail("chan");
	char call[200];
	int error;

	expect_send_error(tx, big, 0, EINVAL, "msg", "with a length of 0");
	expect_send_error(tx, NULL, 5, EINVAL, "NULL", NULL);
	expect_send_error(tx, big, 4097, EMSGSIZE, "msg",
			  "on a ring of 8192 bytes, one byte more than half of it");

	/* A message of the largest size, then a marker, both still in the ring. */
	send_or_fail(tx, big, 4096, "msg");
	send_or_fail(tx, &marker, 1, "\"Z\"");
	unsigned char scratch[8];
	long long got = recv_guarded(rx, 100, scratch, &error, call, sizeof(call),
				     "while the next message has 4096 bytes");
	grade_expect_error(got, error, EMSGSIZE, call, HINT_RECV_SIZE);
	got = recv_guarded(rx, 4095, scratch, &error, call, sizeof(call),
			   "while the next message still has 4096 bytes");
	grade_expect_error(got, error, EMSGSIZE, call, HINT_RECV_SIZE);
	expect_message(rx, 4096, big, 4096,
		       "after two EMSGSIZE failures: the 4096-byte message must still be there",
		       HINT_RECV_SIZE);
	expect_message(rx, 100, &marker, 1, "for the 1-byte message sent after it", HINT_RECV_SIZE);

	/* End of stream: every message, then 0, and 0 again. */
	for (size_t i = 0; i < GRADE_COUNT(lengths); i++)
		send_or_fail(tx, big + i, lengths[i], grade_format("msg + %zu", i));
	grade_announce_call(call, sizeof(call), NULL, NULL, "fi_chan_finish(ch)");
	int result = fi_chan_finish(tx);
	error = errno;
	grade_expect_result(result, error, 0, call, HINT_END);
	expect_send_error(tx, big, 10, EPIPE, "msg", "after fi_chan_finish(ch)");
	for (size_t i = 0; i < GRADE_COUNT(lengths); i++)
		expect_message(rx, 2000, big + i, lengths[i],
			       grade_format("after 5 messages and fi_chan_finish were sent, for "
					    "message %zu of %zu bytes", i + 1, lengths[i]),
			       HINT_END);
	for (int again = 0; again < 2; again++) {
		got = recv_guarded(rx, 100, scratch, &error, call, sizeof(call),
				   again == 0 ? "after every message was received and the sender "
						"finished"
					      : "once more, after it returned 0");
		grade_expect_result(got, error, 0, call, HINT_END);
	}
	close_or_fail(tx, "the sender's handle");
	close_or_fail(rx, "the receiver's handle");
	free(big);
}

/* ---- NULL arguments ------------------------------------------------------------- */

/* One call with a NULL argument that the header says fails with EINVAL (or does nothing). */
static void expect_null_handled(long long result, int error, int expected_errno,
				const char *call, const char *hint)
{
	if (expected_errno == 0)
		grade_expect_result(result, error, 0, call, hint);
	else
		grade_expect_error(result, error, expected_errno, call, hint);
}

/*
 * Every NULL the header names: the channel argument of each function, send's
 * msg and recv's buf. A message waits in the channel the whole time, so a
 * receiver that does not check buf copies it to NULL (a crash) instead of
 * waiting, and one that does not check ch crashes on its first look at it.
 */
static void chan_null_arguments(void)
{
	static const unsigned char message[] = "waiting";
	unsigned char buf[16];
	fi_chan *tx = create_or_fail("chan", 8192);
	fi_chan *rx = open_or_fail("chan");
	char call[200];
	long long result;
	int error;

	send_or_fail(tx, message, sizeof(message), "\"waiting\"");
	grade_announce_call(call, sizeof(call), NULL, "a crash here means ch was not checked",
			    "fi_chan_send(NULL, msg, 5)");
	result = fi_chan_send(NULL, message, 5);
	error = errno;
	expect_null_handled(result, error, EINVAL, call, HINT_NULL);
	grade_announce_call(call, sizeof(call), "while a message waits",
			    "a crash here means ch was not checked", "fi_chan_recv(NULL, buf, %zu)",
			    sizeof(buf));
	result = fi_chan_recv(NULL, buf, sizeof(buf));
	error = errno;
	expect_null_handled(result, error, EINVAL, call, HINT_NULL);
	grade_announce_call(call, sizeof(call), "while a message waits",
			    "a crash here means buf was not checked before the copy",
			    "fi_chan_recv(ch, NULL, %zu)", sizeof(buf));
	result = fi_chan_recv(rx, NULL, sizeof(buf));
	error = errno;
	expect_null_handled(result, error, EINVAL, call, HINT_NULL);
	grade_announce_call(call, sizeof(call), NULL, "a crash here means ch was not checked",
			    "fi_chan_finish(NULL)");
	result = fi_chan_finish(NULL);
	error = errno;
	expect_null_handled(result, error, EINVAL, call, HINT_NULL);
	grade_announce_call(call, sizeof(call), NULL,
			    "a crash here means NULL was not let through: it does nothing",
			    "fi_chan_close(NULL)");
	result = fi_chan_close(NULL);
	error = errno;
	expect_null_handled(result, error, 0, call, HINT_NULL);
	close_or_fail(tx, "the sender's handle");
	close_or_fail(rx, "the receiver's handle");
}

/* ---- Streams through the kit's programs ------------------------------------------- */

struct stream {
	unsigned char *input; /* what chan-send reads */
	size_t size;
	size_t messages;
	int framed;
};

/* Messages of min to max bytes, total at least `total`, framed as chan-send -l reads them. */
static struct stream framed_stream(size_t total, size_t min, size_t max, uint64_t seed)
{
	size_t room = total + total / 8 + 4 + max;
	struct stream s = { malloc(room), 0, 0, 1 };
	uint64_t state = seed * 0x9e3779b97f4a7c15u + 1;
	size_t payload = 0;

	while (s.input != NULL && payload < total) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		uint32_t len = (uint32_t)(min + state % (max - min + 1));
		if (s.size + 4 + len > room) {
			room *= 2;
			unsigned char *bigger = realloc(s.input, room);
			free(bigger == NULL ? s.input : NULL);
			s.input = bigger;
			continue;
		}
		memcpy(s.input + s.size, &len, sizeof(len));
		grade_fill_random(s.input + s.size + 4, len, seed + s.messages);
		s.size += 4 + len;
		payload += len;
		s.messages++;
	}
	if (s.input == NULL)
		grade_setup_failed("out of memory");
	return s;
}

/* Lines of 0 to max_line printable characters (long ones become several messages). */
static struct stream line_stream(size_t total, size_t max_line, uint64_t seed)
{
	struct stream s = { grade_random_bytes(total, seed), total, 0, 0 };

	for (size_t i = 0, line = 0; i < total; i++) {
		size_t limit = 1 + (s.input[i] * 7919u + i) % max_line;

		if (line >= limit || i == total - 1) {
			s.input[i] = '\n';
			line = 0;
			s.messages++;
		} else {
			s.input[i] = (unsigned char)(' ' + s.input[i] % 95);
			line++;
		}
	}
	return s;
}

/* "chan-recv -l -c 65536 chan", for messages. */
static const char *command_text(const char *name, const char *const args[])
{
	char text[200];
	size_t used = (size_t)snprintf(text, sizeof(text), "%s", name);

	for (size_t i = 0; args[i] != NULL && used < sizeof(text); i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, " %s", args[i]);
	return grade_format("%s", text);
}

/* A program still running: 1; one that ended: 0, with its status. */
static int still_running(pid_t pid, int *status)
{
	return waitpid(pid, status, WNOHANG) == 0;
}

static int open_file(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		grade_setup_failed("cannot open %s", path);
	return fd;
}

/* Wait until fi_chan_open accepts the channel the receiver creates, or fail. */
static void wait_for_channel(const char *path, pid_t receiver, const char *receiver_text)
{
	int status;

	grade_step("waiting until %s has created the channel (until fi_chan_open(\"%s\") "
		   "accepts it)", receiver_text, path);
	for (long waited = 0; waited < 5000; waited += 2) {
		int saved = errno;
		fi_chan *ch = fi_chan_open(path);

		errno = saved;
		if (ch != NULL) {
			fi_chan_close(ch);
			return;
		}
		if (!still_running(receiver, &status))
			grade_fail(HINT_CREATE,
				   "expected: %s to create the channel and wait for messages\n"
				   "observed: it %s before the channel could be opened (see what "
				   "it printed, below)",
				   receiver_text, grade_describe_status(status));
		grade_pause_ms(2);
	}
	grade_fail(HINT_CREATE,
		   "expected: fi_chan_open(\"%s\") to accept the channel that %s creates\n"
		   "observed: it still fails after 5 seconds", path, receiver_text);
}

/*
 * Wait for sender and receiver, which must both exit with status 0. The first
 * to fail is the one reported: the other is then usually stuck waiting for it.
 */
static void expect_both_exit(pid_t sender, const char *send_text, pid_t receiver,
			     const char *recv_text, long milliseconds)
{
	pid_t pids[2] = { sender, receiver };
	const char *texts[2] = { send_text, recv_text };
	int running[2] = { 1, 1 }, status;
	struct grade_progress_clock progress;
	const char *stuck = NULL;

	grade_step("waiting for %s and %s to finish", send_text, recv_text);
	grade_progress_start(&progress, 0);
	/* Waiting ends early when the two show no progress: they will never finish. */
	for (long waited = 0; (running[0] || running[1]) && waited < milliseconds && stuck == NULL;
	     waited++) {
		for (int i = 0; i < 2; i++) {
			if (!running[i] || waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			running[i] = 0;
			grade_check(WIFEXITED(status) && WEXITSTATUS(status) == 0, HINT_STREAM,
				    "expected: %s to exit with status 0\nobserved: it %s (see what "
				    "it printed, below)",
				    texts[i], grade_describe_status(status));
		}
		grade_pause_ms(1);
		stuck = grade_progress_stalled(&progress);
	}
	for (int i = 0; i < 2; i++)
		grade_check(!running[i], HINT_HANG,
			    "expected: %s and %s to finish\nobserved: %s was still running after "
			    "%.1f seconds%s: %s",
			    send_text, recv_text, texts[i],
			    grade_progress_elapsed_ms(&progress) / 1000.0,
			    running[1 - i] ? ", and so was the other" : "",
			    stuck != NULL ? stuck
					  : "it waits for something that never comes (a lost "
					    "wake-up, or a wake that cannot reach it)");
}

/* The message of a framed stream that holds byte `offset`, for explaining a difference. */
static const char *locate(const struct stream *s, size_t offset)
{
	size_t at = 0, index = 0;

	if (!s->framed)
		return "";
	while (at < s->size) {
		uint32_t len;

		memcpy(&len, s->input + at, sizeof(len));
		if (offset < at + 4 + len)
			return grade_format(", in message %zu of %zu (%u bytes)", index + 1,
					    s->messages, (unsigned)len);
		at += 4 + len;
		index++;
	}
	return ", after the last message";
}

/* Fail unless the output file holds exactly the stream's input. */
static void expect_same_stream(const struct stream *s, const char *output, const char *sender,
			       const char *receiver)
{
	uint64_t hash;

	if (grade_hash_mapped_elsewhere(output, &hash) != 0)
		grade_setup_failed("cannot map %s in another process", output);
	if (hash == labkit_fnv1a(s->input, s->size))
		return;

	size_t size = 0, at = 0;
	unsigned char *seen = grade_load_file(output, &size);
	if (seen == NULL)
		grade_setup_failed("cannot read %s", output);
	while (at < size && at < s->size && seen[at] == s->input[at])
		at++;
	free(seen);
	grade_fail(HINT_STREAM,
		   "expected: what %s wrote to be byte for byte what %s read (%zu bytes, %zu "
		   "messages): nothing lost, duplicated, reordered or cut\nobserved: it wrote %zu "
		   "bytes, and the first difference is at byte %zu%s",
		   receiver, sender, s->size, s->messages, size, at, locate(s, at));
}

/* Where the programs' standard input and output go. */
static void write_input(const struct stream *s)
{
	grade_make_file("input", s->input, s->size, 0644);
}

/*
 * Stream s from chan-send to chan-recv. Receiver first: it creates the channel
 * with -c; sender first: the test creates it and the sender must wait for room.
 */
/* How long a sender, with no receiver yet, must wait for room. */
#define SENDER_ALONE_MS 150

static void run_stream(const struct stream *s, size_t capacity, int receiver_first)
{
	char capacity_text[32];
	const char *framing = s->framed ? "-l" : NULL;
	const char *recv_create[] = { "-c", capacity_text, "chan", NULL, NULL, NULL };
	const char *recv_open[] = { "chan", NULL, NULL };
	const char *send_args[] = { "chan", NULL, NULL };
	const char **recv_args = receiver_first ? recv_create : recv_open;
	int status;

	snprintf(capacity_text, sizeof(capacity_text), "%zu", capacity);
	if (framing != NULL) {
		memmove(recv_args + 1, recv_args, (receiver_first ? 3 : 1) * sizeof(char *));
		recv_args[0] = framing;
		send_args[0] = framing;
		send_args[1] = "chan";
	}
	const char *recv_text = command_text("chan-recv", recv_args);
	const char *send_text = command_text("chan-send", send_args);
	grade_remove_file("chan"); /* a channel left by an earlier run must not be opened */
	write_input(s);
	int in_fd = open_file("input", O_RDONLY);
	int out_fd = open_file("output", O_WRONLY | O_CREAT | O_TRUNC);
	pid_t receiver = 0, sender;

	if (receiver_first) {
		grade_step("starting %s > output", recv_text);
		receiver = grade_start_program("chan-recv", recv_args, -1, out_fd);
		wait_for_channel("chan", receiver, recv_text);
	} else {
		fi_chan *ch = create_or_fail("chan", capacity);
		close_or_fail(ch, grade_format("the channel made by fi_chan_create(\"chan\", %zu)",
					       capacity));
	}
	grade_step("starting %s < input (%zu bytes, %zu messages)", send_text, s->size,
		   s->messages);
	sender = grade_start_program("chan-send", send_args, in_fd, -1);
	if (!receiver_first) {
		grade_pause_ms(SENDER_ALONE_MS);
		grade_check(still_running(sender, &status), HINT_SENDER_WAITS,
			    "expected: %s, with no receiver yet, to fill the %zu-byte ring and "
			    "wait\nobserved: it %s before any receiver started",
			    send_text, capacity, grade_describe_status(status));
		grade_step("starting %s > output, %d ms after the sender", recv_text,
			   SENDER_ALONE_MS);
		receiver = grade_start_program("chan-recv", recv_args, -1, out_fd);
	}
	close(in_fd);
	close(out_fd);
	expect_both_exit(sender, send_text, receiver, recv_text, 8000);
	expect_same_stream(s, "output", send_text, recv_text);
}

#define STREAM_BYTES ((size_t)24 << 20)
#define SMALL_RING ((size_t)65536)

static void stream_receiver_first(void)
{
	struct stream s = framed_stream(STREAM_BYTES, 1, SMALL_RING / 2, 571);

	run_stream(&s, SMALL_RING, 1);
	free(s.input);
}

static void stream_sender_first(void)
{
	struct stream s = framed_stream(STREAM_BYTES, 1, SMALL_RING / 2, 581);

	run_stream(&s, SMALL_RING, 0);
	free(s.input);
}

static void stream_smallest_ring(void)
{
	struct stream framed = framed_stream((size_t)3 << 20, 1990, 2048, 591);
	struct stream lines = line_stream((size_t)1 << 20, 5000, 592);

	run_stream(&framed, FI_CHAN_MIN_CAPACITY, 1);
	run_stream(&lines, FI_CHAN_MIN_CAPACITY, 1);
	free(framed.input);
	free(lines.input);
}

/* ---- Waiting: in the kernel, not on the CPU --------------------------------------- */

/*
 * A receiver left waiting for a second must have slept, not spun. Two witnesses:
 * its CPU time, and its state sampled from /proc while it waits. On a machine
 * busy with other work a spinning receiver may get little CPU time, but it is
 * always runnable; a sleeping one almost never is.
 */
#define IDLE_MS 500
#define IDLE_CPU_LIMIT_MS 150
#define IDLE_RUNNABLE_LIMIT_PERCENT 50

static void idle_receiver_sleeps(void)
{
	const char *args[] = { "chan", NULL };
	fi_chan *ch = create_or_fail("chan", SMALL_RING);
	int out_fd = open_file("output", O_WRONLY | O_CREAT | O_TRUNC);
	int status;
	struct stat st;

	grade_step("starting chan-recv chan on an empty channel, then watching it for %d ms",
		   IDLE_MS);
	pid_t receiver = grade_start_program("chan-recv", args, -1, out_fd);
	close(out_fd);
	int runnable = grade_runnable_percent(receiver, IDLE_MS);
	grade_check(still_running(receiver, &status), HINT_SLEEP,
		    "expected: chan-recv chan, on an empty channel, to wait for a message\n"
		    "observed: it %s within %d ms (see what it printed, below)",
		    grade_describe_status(status), IDLE_MS);
	long cpu = grade_process_cpu_ms(receiver);
	if (cpu >= IDLE_CPU_LIMIT_MS || runnable >= IDLE_RUNNABLE_LIMIT_PERCENT) {
		kill(receiver, SIGKILL);
		grade_fail(HINT_SLEEP,
			   "expected: chan-recv chan, waiting %d ms on an empty channel, to sleep "
			   "in the kernel: less than %d ms of CPU time, and running or runnable "
			   "in less than %d%% of the moments /proc was looked at\nobserved: it used "
			   "%ld ms and was runnable in %d%% of them: it kept checking the positions "
			   "instead of sleeping",
			   IDLE_MS, IDLE_CPU_LIMIT_MS, IDLE_RUNNABLE_LIMIT_PERCENT, cpu, runnable);
	}

	char call[200];
	grade_announce_call(call, sizeof(call), "from the test, while chan-recv waits", NULL,
			    "fi_chan_finish(ch)");
	int result = fi_chan_finish(ch);
	int error = errno;
	grade_expect_result(result, error, 0, call, HINT_WAKE);
	grade_step("waiting for chan-recv chan to see the end of the stream and exit");
	grade_check(grade_wait_child(receiver, 2000, &status), HINT_WAKE,
		    "expected: chan-recv chan, asleep on an empty channel, to exit once %s "
		    "ended the stream\nobserved: it was still waiting 2 seconds later (it was "
		    "killed): the finish never woke it",
		    call);
	grade_check(WIFEXITED(status) && WEXITSTATUS(status) == 0, HINT_END,
		    "expected: chan-recv chan to exit with status 0 at the end of an empty "
		    "stream\nobserved: it %s",
		    grade_describe_status(status));
	if (stat("output", &st) != 0)
		grade_setup_failed("cannot stat output");
	grade_check(st.st_size == 0, HINT_END,
		    "expected: chan-recv chan to write nothing for an empty stream\nobserved: it "
		    "wrote %jd bytes",
		    (intmax_t)st.st_size);
	close_or_fail(ch, "the test's handle");
}

#define HELPER_PAUSE_MS 250
#define WAIT_CPU_LIMIT_MS 100
#define BLOCK 2048

/*
 * The other end of the channel at path, in a child of the subject (calls/lab05.h):
 * it opens the channel, pauses HELPER_PAUSE_MS, then sends or receives `count`
 * messages of BLOCK bytes (message i all i + 1) and the end of the stream.
 */
static pid_t start_helper(enum subject_channel_role role, const char *path, int count)
{
	pid_t child = subject_fork_channel_end(path, role, count, BLOCK, HELPER_PAUSE_MS);

	if (child < 0)
		grade_setup_failed("cannot fork");
	return child;
}

static void expect_helper_done(pid_t child, const char *what)
{
	int status;
	int ended = subject_wait_child(child, 3000, &status);

	if (ended < 0)
		grade_setup_failed("cannot wait for %s", what);
	grade_check(ended, HINT_WAKE,
		    "expected: %s to finish\nobserved: it was still running 3 seconds later",
		    what);
	grade_check(WIFEXITED(status) && WEXITSTATUS(status) == SUBJECT_CHILD_DONE, HINT_STREAM,
		    "expected: %s to see every message, then the end of the stream\nobserved: "
		    "it %s",
		    what,
		    WIFEXITED(status) && WEXITSTATUS(status) == SUBJECT_CHILD_CANNOT_OPEN
			    ? "could not open the channel"
		    : WIFEXITED(status) && WEXITSTATUS(status) == SUBJECT_CHILD_WRONG_MESSAGE
			    ? "saw a wrong message or a failed call"
			    : grade_describe_status(status));
}

/* `before` and the CPU time now are the subject's: the process that ran the calls. */
static void expect_little_cpu(long before, const char *what)
{
	long used = grade_process_cpu_ms(grade_subject_pid()) - before;

	grade_check(used < WAIT_CPU_LIMIT_MS, HINT_SLEEP,
		    "expected: %s, which had to wait about %d ms for the other process, to sleep "
		    "in the kernel and use less than %d ms of CPU time\nobserved: it used %ld ms",
		    what, HELPER_PAUSE_MS, WAIT_CPU_LIMIT_MS, used);
}

static void chan_waits_in_kernel(void)
{
	const int count = 6;
	unsigned char block[BLOCK];
	const char *sending = "fi_chan_send of 6 messages of 2048 bytes into a ring of 4096";
	const char *receiving = "fi_chan_recv of 6 messages of 2048 bytes";

	grade_calls_reset();
	fi_chan *tx = create_or_fail("out", FI_CHAN_MIN_CAPACITY);
	pid_t receiver = start_helper(SUBJECT_CHANNEL_RECEIVES, "out", count);
	long before = grade_process_cpu_ms(grade_subject_pid());
	for (int i = 0; i < count; i++) {
		memset(block, i + 1, sizeof(block));
		char call[200];
		grade_announce_call(call, sizeof(call),
				    grade_format("while a receiver in another process waits %d "
						 "ms before receiving",
						 HELPER_PAUSE_MS),
				    NULL, "fi_chan_send(ch, msg, %d) (message %d of %d)", BLOCK,
				    i + 1, count);
		int result = fi_chan_send(tx, block, sizeof(block));
		int error = errno;
		grade_expect_result(result, error, 0, call, HINT_SENDER_WAITS);
	}
	expect_little_cpu(before, sending);
	grade_check(fi_chan_finish(tx) == 0, HINT_END,
		    "expected: fi_chan_finish(ch) to return 0\nobserved: %s",
		    grade_describe_result(-1, errno));
	expect_helper_done(receiver, "the receiving child");
	close_or_fail(tx, "the sender's handle");

	fi_chan *rx = create_or_fail("back", FI_CHAN_MIN_CAPACITY);
	pid_t sender = start_helper(SUBJECT_CHANNEL_SENDS, "back", count);
	before = grade_process_cpu_ms(grade_subject_pid());
	for (int i = 0; i <= count; i++) {
		memset(block, i + 1, sizeof(block));
		expect_message(rx, BLOCK, block, i < count ? BLOCK : 0,
			       i < count ? grade_format("while a sender in another process waits "
							"%d ms before sending",
							HELPER_PAUSE_MS)
					 : "after the sender finished",
			       HINT_STREAM);
	}
	expect_little_cpu(before, receiving);
	expect_helper_done(sender, "the sending child");
	close_or_fail(rx, "the receiver's handle");

	const struct grade_process_calls *calls = grade_process_calls();
	grade_check(calls->sleep_calls == 0, HINT_NO_SLEEP_CALLS,
		    "expected: fi_chan_send and fi_chan_recv to wait without the sleep family\n"
		    "observed: %u call%s, the first to %s()",
		    calls->sleep_calls, calls->sleep_calls == 1 ? "" : "s", calls->first_sleep);
}

/* ---- The documents' writer and reader ------------------------------------------------ */

/* Run a program to its end; its exit status. */
static int run_program(const char *name, const char *const args[], int stdout_fd, int *status)
{
	pid_t pid = grade_start_program(name, args, -1, stdout_fd);

	return grade_wait_child(pid, 5000, status);
}

/* Fail unless each record of the file has its line, in order, with its id and name. */
static void expect_class_printed(const unsigned char *file, uint32_t count, const char *text)
{
	char *line = (char *)text;

	for (uint32_t i = 0; i < count; i++) {
		struct fi_student record;
		char id[16], name[21];
		char *end = line != NULL ? strchr(line, '\n') : NULL;

		memcpy(&record, file + HEADER + i * RECORD, RECORD);
		snprintf(id, sizeof(id), "%d", (int)record.id);
		snprintf(name, sizeof(name), "%.20s", record.name);
		if (end != NULL)
			*end = '\0';
		grade_check(end != NULL && strstr(line, id) != NULL && strstr(line, name) != NULL,
			    HINT_LOAD,
			    "expected: stu-read class.stu to print %u lines, line %u with the id "
			    "%s and the name \"%s\"\nobserved: %s",
			    count, i + 1, id, name,
			    end == NULL ? grade_format("it printed %u lines", i)
					: grade_format("line %u is \"%s\"", i + 1, line));
		line = end + 1;
	}
}

static void expect_reader_refuses(const char *path, const char *what)
{
	const char *args[] = { path, NULL };
	int status;

	grade_step("running stu-read %s, %s", path, what);
	grade_check(run_program("stu-read", args, -1, &status), HINT_LOAD_CHECKS,
		    "expected: stu-read %s, %s, to fail\nobserved: it was still running after 5 "
		    "seconds", path, what);
	grade_check(WIFEXITED(status) && WEXITSTATUS(status) == 1, HINT_LOAD_CHECKS,
		    "expected: stu-read %s, %s, to print a message and exit with status 1 (fi_load "
		    "fails)\nobserved: it %s",
		    path, what, grade_describe_status(status));
}

static void stu_write_then_stu_read(void)
{
	const char *args[] = { "class.stu", NULL };
	int status;
	size_t size = 0, text_size = 0;

	grade_step("running stu-write class.stu");
	grade_check(run_program("stu-write", args, -1, &status) && WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0,
		    HINT_LAYOUT,
		    "expected: stu-write class.stu to exit with status 0\nobserved: it %s (see "
		    "what it printed, below)", grade_describe_status(status));
	unsigned char *file = grade_load_file("class.stu", &size);
	uint32_t count = 0;
	if (file != NULL && size >= HEADER)
		memcpy(&count, file + 4, sizeof(count));
	grade_check(file != NULL && size >= HEADER && memcmp(file, FI_STUDENT_MAGIC, 4) == 0 &&
			    count > 0 && size == HEADER + count * RECORD,
		    HINT_LAYOUT,
		    "expected: stu-write class.stu, now gone, to have left a published file: "
		    "\"STU1\", a count, then that many records\nobserved: %s",
		    file == NULL ? "the file cannot be read"
				 : grade_format("a file of %zu bytes that starts with \"%.4s\"",
						size, (const char *)file));

	int out_fd = open_file("printed", O_WRONLY | O_CREAT | O_TRUNC);
	grade_step("running stu-read class.stu > printed, after stu-write has exited");
	grade_check(run_program("stu-read", args, out_fd, &status) && WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0,
		    HINT_LOAD,
		    "expected: stu-read class.stu to exit with status 0\nobserved: it %s (see what "
		    "it printed, below)", grade_describe_status(status));
	close(out_fd);
	char *text = grade_load_file("printed", &text_size);
	if (text == NULL)
		grade_setup_failed("cannot read printed");
	char *terminated = realloc(text, text_size + 1);
	if (terminated == NULL)
		grade_setup_failed("out of memory");
	terminated[text_size] = '\0';
	expect_class_printed(file, count, terminated);
	free(terminated);

	grade_make_file("cut.stu", file, size - 5, 0644);
	expect_reader_refuses("cut.stu", "on a copy of class.stu without its last 5 bytes");
	memcpy(file, "ELF!", 4);
	grade_make_file("foreign.stu", file, size, 0644);
	expect_reader_refuses("foreign.stu", "on a copy of class.stu with the magic \"ELF!\"");
	expect_reader_refuses("missing.stu", "where the file does not exist");
	free(file);
}

/* ---- Nothing left behind ------------------------------------------------------------ */

enum lab_function { PUBLISH, LOAD, CREATE_AND_CLOSE, OPEN_AND_CLOSE, TRAFFIC };

/*
 * Calls to check for leaks (grade_expect_no_leaks): which function, on what
 * file (path), with how many records, how much room or which capacity
 * (number), with which fault.
 */
#define MMAP_FAILS { .mmap_fail_at = 1, .mmap_fail_errno = ENOMEM }

static const struct grade_leak_case leak_cases[] = {
	{ .function = PUBLISH, .path = "class", .number = 5, .must_succeed = 1 },
	{ .function = PUBLISH, .path = "class", .number = 0, .situation = "with no records",
	  .must_succeed = 1 },
	{ .function = PUBLISH, .path = "no-such-folder/class", .number = 5,
	  .situation = "in a folder that does not exist" },
	{ .function = PUBLISH, .path = "class-2", .number = 5,
	  .situation = "with its mmap() failing with ENOMEM", .faults = MMAP_FAILS },
	{ .function = LOAD, .path = "class", .number = 5, .must_succeed = 1 },
	{ .function = LOAD, .path = "cut", .number = 5, .situation = "on a file one byte short" },
	{ .function = LOAD, .path = "foreign", .number = 5,
	  .situation = "on a file with another magic" },
	{ .function = LOAD, .path = "empty", .number = 5, .situation = "on an empty file" },
	{ .function = LOAD, .path = "missing", .number = 5,
	  .situation = "where the file does not exist" },
	{ .function = LOAD, .path = "class", .number = 5,
	  .situation = "with its mmap() failing with ENOMEM", .faults = MMAP_FAILS },
	{ .function = CREATE_AND_CLOSE, .path = "new-chan", .number = FI_CHAN_MIN_CAPACITY,
	  .must_succeed = 1 },
	{ .function = CREATE_AND_CLOSE, .path = "bad-chan", .number = 5000,
	  .situation = "with a bad capacity" },
	{ .function = CREATE_AND_CLOSE, .path = "no-such-folder/chan",
	  .number = FI_CHAN_MIN_CAPACITY, .situation = "in a folder that does not exist" },
	{ .function = CREATE_AND_CLOSE, .path = "nomem-chan", .number = FI_CHAN_MIN_CAPACITY,
	  .situation = "with its mmap() failing with ENOMEM", .faults = MMAP_FAILS },
	{ .function = OPEN_AND_CLOSE, .path = "chan", .must_succeed = 1 },
	{ .function = OPEN_AND_CLOSE, .path = "short-chan", .situation = "on a channel cut short" },
	{ .function = OPEN_AND_CLOSE, .path = "foreign",
	  .situation = "on a file that is not a channel" },
	{ .function = OPEN_AND_CLOSE, .path = "empty", .situation = "on an empty file" },
	{ .function = OPEN_AND_CLOSE, .path = "missing", .situation = "where the file does not exist" },
	{ .function = OPEN_AND_CLOSE, .path = "chan", .situation = "with its mmap() failing with ENOMEM",
	  .faults = MMAP_FAILS },
	{ .function = TRAFFIC, .path = "chan", .must_succeed = 1 },
};

/* The channel TRAFFIC uses: opened before the watch starts. */
static fi_chan *traffic_channel;

/* A pair of calls (make, then release) as one: 0 if both worked, -1 otherwise. */
static long long channel_pair(fi_chan *ch, int *error)
{
	*error = errno;
	if (ch == NULL)
		return -1;
	int closed = fi_chan_close(ch);
	*error = errno;
	return closed == 0 ? 0 : -1;
}

/* Make one case's call: 0 if it (or the pair) worked, -1 otherwise. */
static struct grade_outcome make_leak_call(const struct grade_leak_case *test,
					   const struct fi_student *records)
{
	struct fi_student room[5];
	struct grade_outcome out;
	unsigned char buf[64];

	switch (test->function) {
	case PUBLISH:
		out = run_publish(test->path, records, (size_t)test->number, test->situation);
		break;
	case LOAD:
		out = run_load(test->path, room, (size_t)test->number, test->situation);
		break;
	case CREATE_AND_CLOSE:
		grade_announce_call(out.call, sizeof(out.call), test->situation, NULL,
				    "fi_chan_create(\"%s\", %lld), then fi_chan_close", test->path,
				    test->number);
		out.result = channel_pair(fi_chan_create(test->path, (size_t)test->number),
					  &out.error);
		break;
	case OPEN_AND_CLOSE:
		grade_announce_call(out.call, sizeof(out.call), test->situation, NULL,
				    "fi_chan_open(\"%s\"), then fi_chan_close", test->path);
		out.result = channel_pair(fi_chan_open(test->path), &out.error);
		break;
	default:
		grade_announce_call(out.call, sizeof(out.call), NULL, NULL,
				    "fi_chan_send, fi_chan_recv and fi_chan_finish on an open "
				    "channel");
		memset(buf, 'x', sizeof(buf));
		out.result = -1;
		if (fi_chan_send(traffic_channel, buf, 10) == 0 &&
		    fi_chan_recv(traffic_channel, buf, sizeof(buf)) == 10 &&
		    fi_chan_finish(traffic_channel) == 0 &&
		    fi_chan_recv(traffic_channel, buf, sizeof(buf)) == 0)
			out.result = 0;
		out.error = errno;
		break;
	}
	out.result = out.result >= 0 ? 0 : -1;
	return out;
}

/* What the table's cases need besides the files "nothing_leaks" makes. */
struct leak_context {
	const struct fi_student *records;
	unsigned char **chan_bytes; /* the channel file "chan" as made, read back */
	size_t *chan_size;
};

static struct grade_outcome run_leak_case(const struct grade_leak_case *test, const void *context)
{
	const struct leak_context *leaks = context;

	return make_leak_call(test, leaks->records);
}

/* The channel cases need channel files: made before the first of them, after the others. */
static void prepare_leak_case(const struct grade_leak_case *test, const void *context)
{
	const struct leak_context *leaks = context;

	if (test->function != CREATE_AND_CLOSE || traffic_channel != NULL)
		return;
	fi_chan *made = create_or_fail("chan", FI_CHAN_MIN_CAPACITY);
	close_or_fail(made, grade_format("the channel made by fi_chan_create(\"chan\", %zu)",
					 FI_CHAN_MIN_CAPACITY));
	*leaks->chan_bytes = grade_load_file("chan", leaks->chan_size);
	if (*leaks->chan_bytes == NULL || *leaks->chan_size < FI_CHAN_MIN_CAPACITY)
		grade_setup_failed("cannot read the channel file back");
	/* Cut short by the length of its ring. */
	grade_make_file("short-chan", *leaks->chan_bytes, *leaks->chan_size - FI_CHAN_MIN_CAPACITY,
			0600);
	traffic_channel = open_or_fail("chan");
}

/*
 * The error paths of each function, swept one failing call at a time
 * (grade_sweep_failures): every open(), fstat(), ftruncate(), mmap() and
 * msync() it makes may fail, and the header promises NULL or -1 with that
 * call's errno and nothing left behind. The channel functions run as a pair
 * with fi_chan_close, as in the table above.
 */
struct swept_function {
	enum lab_function function;
	const struct fi_student *records;
	const unsigned char *file; /* what "swept" holds before each run of LOAD or OPEN */
	size_t file_size;
	mode_t file_mode;
};

static void sweep_prepare(const void *context)
{
	const struct swept_function *swept = context;

	if (swept->file != NULL)
		grade_make_file("swept", swept->file, swept->file_size, swept->file_mode);
	else
		grade_remove_file("swept"); /* each run starts as the first did */
}

static struct grade_outcome sweep_run(const void *context, const char *situation)
{
	const struct swept_function *swept = context;
	struct grade_leak_case test = { .function = swept->function, .path = "swept", .number = 5,
					.situation = situation };

	if (swept->function == CREATE_AND_CLOSE)
		test.number = 8192;
	return make_leak_call(&test, swept->records);
}

static void sweep_error_paths(const struct swept_function *swept, unsigned judged_elsewhere)
{
	int returns_pointer = swept->function == CREATE_AND_CLOSE ||
			      swept->function == OPEN_AND_CLOSE;
	struct grade_sweep sweep = { sweep_prepare, sweep_run, NULL, swept, HINT_FAILED_CALL,
				     HINT_LEAK, judged_elsewhere, returns_pointer };

	grade_sweep_failures(&sweep);
}

static void nothing_leaks(void)
{
	struct fi_student *records = make_class(5, 601);
	size_t size, chan_size = 0;
	unsigned char *good = published_bytes(records, 5, 5, &size);
	unsigned char *chan_bytes = NULL;

	grade_make_file("class", good, size, 0644);
	grade_make_file("cut", good, size - 1, 0644);
	grade_make_file("empty", "", 0, 0644);
	memcpy(good, "XXXX", 4);
	grade_make_file("foreign", good, size, 0644);

	struct leak_context leaks = { records, &chan_bytes, &chan_size };
	grade_expect_no_leaks(&(struct grade_leak_table){ leak_cases, GRADE_COUNT(leak_cases),
							 run_leak_case, prepare_leak_case, NULL,
							 &leaks, HINT_LEAK, HINT_MUNMAP });
	close_or_fail(traffic_channel, "the channel opened by fi_chan_open(\"chan\")");

	struct swept_function publish = { PUBLISH, records, NULL, 0, 0 };
	struct swept_function create = { CREATE_AND_CLOSE, records, NULL, 0, 0 };
	struct swept_function open_channel = { OPEN_AND_CLOSE, records, chan_bytes, chan_size,
					       0600 };
	memcpy(good, FI_STUDENT_MAGIC, 4);
	struct swept_function load = { LOAD, records, good, size, 0644 };
	sweep_error_paths(&publish, 0);
	/* fi_load's ENOENT and mmap()'s ENOMEM are judged by load_refuses_bad_files. */
	sweep_error_paths(&load, GRADE_SWEEP_OPEN | GRADE_SWEEP_MMAP);
	sweep_error_paths(&create, 0);
	sweep_error_paths(&open_channel, 0);
	free(chan_bytes);
	free(good);
	free(records);
}

/* ---- The table -------------------------------------------------------------------- */

static const struct grade_test lab05_tests[] = {
	GRADE_TEST(publish_writes_layout, 9,
		   "fi_publish: \"STU1\", the count, the records, exact size (n = 0, 400, over "
		   "a longer file); mode 0644; EINVAL"),
	GRADE_TEST(publish_syncs_before_unmap, 5,
		   "fi_publish: a MAP_SHARED mapping, msync(MS_SYNC) over all of it after the "
		   "stores, before an exact munmap()"),
	GRADE_TEST(reader_sees_records_after_writer_exits, 6,
		   "fi_publish in a child that exits: other processes then read and map the "
		   "records"),
	GRADE_TEST(load_reads_records, 10,
		   "fi_load: the count and min(count, max) records, from mode-0444 files; "
		   "max 0, out NULL, 0 records"),
	GRADE_TEST(load_refuses_bad_files, 8,
		   "fi_load: EBADMSG for empty, short, truncated, longer, foreign and lying "
		   "files, no crash; ENOENT; mmap()'s ENOMEM"),
	GRADE_TEST(chan_create_checks_capacity, 4,
		   "fi_chan_create: \"MMLCHAN1\" file for 4 KiB to 1 MiB rings, 1 GiB allowed; "
		   "EINVAL for other capacities, beyond 32 bits too"),
	GRADE_TEST(chan_open_refuses_bad_files, 5,
		   "fi_chan_open: opens a channel; EBADMSG for truncated, grown, empty and "
		   "foreign files; ENOENT"),
	GRADE_TEST(chan_message_rules, 5,
		   "send: EINVAL, EMSGSIZE, EPIPE; recv: EMSGSIZE keeps the message; every "
		   "message, then 0, and 0 again"),
	GRADE_TEST_TIMED(stream_receiver_first, 9, 25,
			 "chan-recv -l -c, then chan-send -l: 24 MiB of random-sized messages "
			 "through a 64 KiB ring, byte for byte"),
	GRADE_TEST_TIMED(stream_sender_first, 8, 25,
			 "chan-send -l fills a 64 KiB ring and waits; chan-recv -l started later: "
			 "24 MiB byte for byte"),
	GRADE_TEST_TIMED(stream_smallest_ring, 6, 20,
			 "a 4096-byte ring: messages of 1990 to 2048 bytes, and text lines cut "
			 "into 2048-byte pieces"),
	GRADE_TEST(idle_receiver_sleeps, 7,
		   "chan-recv on an empty channel for 0.5 s uses almost no CPU, and exits at "
		   "once when the test finishes the stream"),
	GRADE_TEST(chan_waits_in_kernel, 5,
		   "send into a full ring and recv from an empty one sleep (little CPU), with "
		   "no call of the sleep family"),
	GRADE_TEST(stu_write_then_stu_read, 5,
		   "stu-write, then stu-read after it exited, print the class; damaged and "
		   "foreign files make stu-read fail cleanly"),
	GRADE_TEST(nothing_leaks, 5,
		   "every function: no descriptor or mapping left behind, on success and "
		   "error paths (each call failing in turn), the failed call's errno; exact "
		   "munmap()"),
	GRADE_TEST(chan_null_arguments, 3,
		   "send, recv, finish: EINVAL for a NULL ch, msg or buf (a message waiting); "
		   "fi_chan_close(NULL) returns 0"),
};

GRADE_SUITE(5, "05-unrelated-ipc", "file_ipc.c", "Unrelated processes share a mapped file",
	    lab05_tests);

/* The instructors' hidden tests, when this copy of the kit has them (grader.h). */
#if __has_include("hidden/lab05.c")
#include "hidden/lab05.c"
#endif
