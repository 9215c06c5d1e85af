/*
 * ledger.c — the subject's mmap/munmap/msync/read/write calls as the judge saw them.
 *
 * The judge's watch (watch.c) writes here every watched call the subject's
 * main thread makes while the student's code runs: its arguments as the
 * kernel received them, and, for mmap(), the address it returned, found
 * from /proc. A separate table follows every successful mmap() until a
 * munmap() with exactly its address and length undoes it, so that a test can
 * prove that every mapping was released the way munmap(2) asks. The
 * subject's fork() and sleep calls, from every one of its processes, are
 * counted here too (grade_process_calls). Tests read grade_calls and set
 * grade_faults (grader.h); the watch applies the faults. One lock guards all
 * of it: the watch's thread writes while the test's thread reads. This file
 * calls no other of the support library: everything else builds on it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "grader.h"
#include "support_internal.h"

struct grade_calls grade_calls;
struct grade_faults grade_faults;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The process calls, from every process of the subject. */
static struct grade_process_calls process_calls;
static int subject_forked; /* ever, in this test */

/* 1 + the index of the mmap() whose result is not known yet, or 0. */
static unsigned pending_mmap;

/* The order of the last mmap(), munmap() or msync() call (see grader.h). */
static unsigned last_order;

/* Where an mmap() past GRADE_MAX_RECORDS is kept until its result is known. */
static struct grade_mmap_record overflow_record;

/* ---- Mappings not yet released ---------------------------------------- */

/* A successful mmap() and what became of it. */
struct tracked_mapping {
	struct grade_mmap_record mmap;
	int unmapped_with_wrong_length;
	size_t munmap_length; /* the length munmap() was given, when it was wrong */
};

/* In the order the mappings were made; released ones are removed. */
static struct tracked_mapping tracked[LEDGER_MAX_TRACKED_MAPPINGS];
static size_t tracked_count;
static int tracked_overflow; /* more mappings alive at once than the table holds */

static void track_mapping(const struct grade_mmap_record *record)
{
	if (tracked_count == LEDGER_MAX_TRACKED_MAPPINGS) {
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

void ledger_lock(void)
{
	pthread_mutex_lock(&lock);
}

void ledger_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

void grade_calls_reset(void)
{
	ledger_lock();
	memset(&grade_calls, 0, sizeof(grade_calls));
	memset(&grade_faults, 0, sizeof(grade_faults));
	tracked_count = 0;
	tracked_overflow = 0;
	last_order = 0;
	pending_mmap = 0;
	memset(&process_calls, 0, sizeof(process_calls));
	ledger_unlock();
}

void ledger_new_subject(void)
{
	ledger_lock();
	subject_forked = 0;
	memset(&process_calls, 0, sizeof(process_calls));
	ledger_unlock();
}

int ledger_unreleased_mapping(const struct grade_mmap_record **mmap, size_t *munmap_length)
{
	if (tracked_overflow)
		return -1;
	if (tracked_count == 0)
		return 0;
	*mmap = &tracked[0].mmap;
	*munmap_length = tracked[0].unmapped_with_wrong_length ? tracked[0].munmap_length : 0;
	return 1;
}

/* ---- The process calls ------------------------------------------------------ */

const struct grade_process_calls *grade_process_calls(void)
{
	static struct grade_process_calls copy;

	ledger_lock();
	copy = process_calls;
	ledger_unlock();
	return &copy;
}

int ledger_subject_forked(void)
{
	ledger_lock();
	int forked = subject_forked;
	ledger_unlock();
	return forked;
}

void ledger_note_exit_handlers(void)
{
	ledger_lock();
	process_calls.children_ran_exit_handlers++;
	ledger_unlock();
}

unsigned ledger_add_fork(void)
{
	subject_forked = 1;
	return ++process_calls.fork_calls;
}

void ledger_add_failed_fork(void)
{
	process_calls.failed_forks++;
}

void ledger_add_sleep(const char *call_name)
{
	if (++process_calls.sleep_calls == 1)
		snprintf(process_calls.first_sleep, sizeof(process_calls.first_sleep), "%s",
			 call_name);
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

void ledger_await_mmap_result(unsigned index)
{
	pending_mmap = index + 1;
}

const struct grade_mmap_record *ledger_pending_mmap(void)
{
	return pending_mmap != 0 ? ledger_mmap(pending_mmap - 1) : NULL;
}

void ledger_resolve_mmap(void *result)
{
	if (pending_mmap == 0)
		return;
	unsigned index = pending_mmap - 1;
	struct grade_mmap_record *record =
		index < GRADE_MAX_RECORDS ? &grade_calls.mmaps[index] : &overflow_record;

	pending_mmap = 0;
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
