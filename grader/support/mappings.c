/*
 * mappings.c — the subject's mmap/munmap/msync calls in words, and the checks made on them.
 *
 * What the ledger (ledger.c) recorded, told the way a student writes it:
 * "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0) = 0x7f...", with the flags by
 * name. And the checks a test makes on those records: that the content an
 * msync() saw was the expected one, that mmap() was tried at all before an
 * injected failure is looked for, and that every mapping the call made was
 * undone by a munmap() with exactly its address and length.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "grader.h"
#include "labkit.h"
#include "support_internal.h"

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

	return describe_flags(prot, names, GRADE_COUNT(names), "PROT_NONE");
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

	return describe_flags(flags, names, GRADE_COUNT(names), "0");
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
	const struct grade_mmap_record *first;
	size_t munmap_length;
	int unreleased = ledger_unreleased_mapping(&first, &munmap_length);

	if (unreleased < 0)
		grade_fail(hint,
			   "expected: %s to munmap every mapping it made\n"
			   "observed: more than %d mappings were never unmapped",
			   call, LEDGER_MAX_TRACKED_MAPPINGS);
	if (unreleased == 0)
		return;

	const char *observed =
		munmap_length != 0
			? grade_format("munmap was called with length %zu (munmap needs "
				       "the length mmap was given)",
				       munmap_length)
			: "it was never unmapped (no munmap() with that address)";

	grade_fail(hint, "expected: %s to undo %s with munmap(%p, %zu)\nobserved: %s", call,
		   grade_describe_mmap(first), first->result, first->length, observed);
}
