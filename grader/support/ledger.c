/*
 * ledger.c — the subject's mmap/munmap/msync/read/write calls as the judge saw them.
 *
 * The judge's watch (watch.c) writes here every watched call the subject's
 * main thread makes while the student's code runs: its arguments as the
 * kernel received them, and, for mmap(), the address it returned, found
 * from /proc. A separate table follows every successful mmap() until a
 * munmap() with exactly its address and length undoes it, so that a test can
 * prove that every mapping was released the way munmap(2) asks. Tests read
 * grade_calls and set grade_faults (grader.h); the watch applies the faults.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "grader.h"
#include "labkit.h"
#include "support_internal.h"

struct grade_calls grade_calls;
struct grade_faults grade_faults;

/* The order of the last mmap(), munmap() or msync() call (see grader.h). */
static unsigned last_order;

/* Where an mmap() past GRADE_MAX_RECORDS is kept until its result is known. */
static struct grade_mmap_record overflow_record;

/* ---- Mappings not yet released ---------------------------------------- */

#define MAX_TRACKED_MAPPINGS 256

/* A successful mmap() and what became of it. */
struct tracked_mapping {
	struct grade_mmap_record mmap;
	int unmapped_with_wrong_length;
	size_t munmap_length; /* the length munmap() was given, when it was wrong */
};

/* In the order the mappings were made; released ones are removed. */
static struct tracked_mapping tracked[MAX_TRACKED_MAPPINGS];
static size_t tracked_count;
static int tracked_overflow; /* more mappings alive at once than the table holds */

static void track_mapping(const struct grade_mmap_record *record)
{
	if (tracked_count == MAX_TRACKED_MAPPINGS) {
		tracked_overflow = 1;
		return;
	}
	tracked[tracked_count++] = (struct tracked_mapping){ .mmap = *record };
}

static void forget_tracked(size_t index)
{
	memmove(&tracked[index], &tracked[index + 1],
		(tracked_count - index - 1) * sizeof(tracked[0]));
	tracked_count--;
}

/* A successful munmap(addr, length): release the newest live mapping at addr. */
static void untrack_mapping(void *addr, size_t length)
{
	for (size_t i = tracked_count; i-- > 0;) {
		struct tracked_mapping *mapping = &tracked[i];

		if (mapping->mmap.result != addr || mapping->unmapped_with_wrong_length)
			continue;
		if (mapping->mmap.length == length) {
			forget_tracked(i);
		} else {
			mapping->unmapped_with_wrong_length = 1;
			mapping->munmap_length = length;
		}
		return;
	}
}

void grade_calls_reset(void)
{
	watch_lock();
	memset(&grade_calls, 0, sizeof(grade_calls));
	memset(&grade_faults, 0, sizeof(grade_faults));
	tracked_count = 0;
	tracked_overflow = 0;
	last_order = 0;
	watch_unlock();
	watch_reset_counts();
}

/* ---- Entries, made by the watch with its lock held ----------------------- */

unsigned ledger_add_mmap(const struct grade_mmap_record *record)
{
	unsigned index = grade_calls.mmap_count++;
	struct grade_mmap_record numbered = *record;

	numbered.order = ++last_order;
	if (index < GRADE_MAX_RECORDS)
		grade_calls.mmaps[index] = numbered;
	else
		overflow_record = numbered;
	return index;
}

const struct grade_mmap_record *ledger_mmap(unsigned index)
{
	return index < GRADE_MAX_RECORDS ? &grade_calls.mmaps[index] : &overflow_record;
}

void ledger_resolve_mmap(unsigned index, void *result)
{
	struct grade_mmap_record *record =
		index < GRADE_MAX_RECORDS ? &grade_calls.mmaps[index] : &overflow_record;

	record->result = result;
	if (result != MAP_FAILED)
		track_mapping(record);
}

void ledger_add_munmap(void *addr, size_t length, int result)
{
	unsigned index = grade_calls.munmap_count++;

	if (index < GRADE_MAX_RECORDS)
		grade_calls.munmaps[index] =
			(struct grade_munmap_record){ ++last_order, addr, length, result };
	if (result == 0)
		untrack_mapping(addr, length);
}

void ledger_add_msync(void *addr, size_t length, int flags, int result,
		      const uint64_t *content_hash)
{
	unsigned index = grade_calls.msync_count++;

	if (index < GRADE_MAX_RECORDS)
		grade_calls.msyncs[index] = (struct grade_msync_record){
			++last_order, addr, length, flags, result, content_hash != NULL,
			content_hash != NULL ? *content_hash : 0
		};
}

/* ---- Describing and checking -------------------------------------------- */

int grade_msync_saw(const struct grade_msync_record *record, const void *bytes, size_t len)
{
	static const unsigned char zeros[4096];
	size_t shown = len < record->length ? len : record->length;
	uint64_t hash = labkit_fnv1a_update(LABKIT_FNV1A_INIT, bytes, shown);

	if (!record->content_known)
		return 1;
	for (size_t at = shown; at < record->length; at += sizeof(zeros)) {
		size_t take = record->length - at < sizeof(zeros) ? record->length - at
								 : sizeof(zeros);
		hash = labkit_fnv1a_update(hash, zeros, take);
	}
	return hash == record->content_hash;
}

struct flag_name {
	int flag;
	const char *name;
};

/* "PROT_READ|PROT_WRITE", with any unnamed bits in hexadecimal. */
static const char *describe_flags(int value, const struct flag_name *names, size_t count,
				  const char *none)
{
	char text[256] = "";
	int rest = value;

	for (size_t i = 0; i < count; i++) {
		if (names[i].flag != 0 && (rest & names[i].flag) == names[i].flag) {
			strcat(strcat(text, text[0] != '\0' ? "|" : ""), names[i].name);
			rest &= ~names[i].flag;
		}
	}
	if (rest != 0)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%#x",
			 text[0] != '\0' ? "|" : "", (unsigned)rest);
	return grade_format("%s", text[0] != '\0' ? text : none);
}

static const char *describe_prot(int prot)
{
	static const struct flag_name names[] = {
		{ PROT_READ, "PROT_READ" },
		{ PROT_WRITE, "PROT_WRITE" },
		{ PROT_EXEC, "PROT_EXEC" },
	};

	return describe_flags(prot, names, sizeof(names) / sizeof(names[0]), "PROT_NONE");
}

static const char *describe_map_flags(int flags)
{
	static const struct flag_name names[] = {
		{ MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE" },
		{ MAP_SHARED, "MAP_SHARED" },
		{ MAP_PRIVATE, "MAP_PRIVATE" },
		{ MAP_ANONYMOUS, "MAP_ANONYMOUS" },
		{ MAP_FIXED, "MAP_FIXED" },
		{ MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
		{ MAP_POPULATE, "MAP_POPULATE" },
		{ MAP_NORESERVE, "MAP_NORESERVE" },
	};

	return describe_flags(flags, names, sizeof(names) / sizeof(names[0]), "0");
}

const char *grade_describe_mmap(const struct grade_mmap_record *record)
{
	const char *hint = record->addr_hint == NULL ? "NULL"
						     : grade_format("%p", record->addr_hint);
	const char *result = record->result == MAP_FAILED ? "MAP_FAILED"
							  : grade_format("%p", record->result);

	return grade_format("mmap(%s, %zu, %s, %s, %d, %jd) = %s", hint, record->length,
			    describe_prot(record->prot), describe_map_flags(record->flags),
			    record->fd, (intmax_t)record->offset, result);
}

const char *grade_describe_mmaps(void)
{
	static char text[1024];
	unsigned count = grade_records_kept(grade_calls.mmap_count);

	if (count == 0)
		return "no mmap() call at all";
	text[0] = '\0';
	for (unsigned i = 0; i < count && strlen(text) < sizeof(text) - 200; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
			 i > 0 ? "; " : "", grade_describe_mmap(&grade_calls.mmaps[i]));
	return text;
}

unsigned grade_records_kept(unsigned count)
{
	return count < GRADE_MAX_RECORDS ? count : GRADE_MAX_RECORDS;
}

int grade_is_shared(int flags)
{
	return (flags & MAP_SHARED_VALIDATE) == MAP_SHARED ||
	       (flags & MAP_SHARED_VALIDATE) == MAP_SHARED_VALIDATE;
}

void grade_expect_mmap_attempted(long long result, int error, int expected_errno,
				 const char *call, const char *hint)
{
	if (result == -1 && error == ENOSYS)
		return;
	grade_check(grade_calls.mmap_count > 0, hint,
		    "expected: %s to fail, returning -1 with errno %s\nobserved: it made no "
		    "mmap() call, so the injected failure never happened (it returned %lld)",
		    call, grade_errno_text(expected_errno), result);
}

void grade_expect_mappings_released(const char *call, const char *hint)
{
	if (tracked_overflow)
		grade_fail(hint,
			   "expected: %s to munmap every mapping it made\n"
			   "observed: more than %d mappings were never unmapped",
			   call, MAX_TRACKED_MAPPINGS);
	if (tracked_count == 0)
		return;

	const struct tracked_mapping *first = &tracked[0];
	const char *observed =
		first->unmapped_with_wrong_length
			? grade_format("munmap was called with length %zu (munmap needs "
				       "the length mmap was given)",
				       first->munmap_length)
			: "it was never unmapped (no munmap() with that address)";

	grade_fail(hint, "expected: %s to undo %s with munmap(%p, %zu)\nobserved: %s", call,
		   grade_describe_mmap(&first->mmap), first->mmap.result, first->mmap.length,
		   observed);
}
