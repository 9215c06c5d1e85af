/*
 * lab06.c — the grader's tests for lab 6, page boundaries: SIGBUS and SIGSEGV.
 *
 * pf_predict() and pf_usable_bytes() are pure arithmetic, so they are checked
 * against the grader's own reckoning over a grid of sizes and offsets at and
 * around every page boundary, for pages of 4, 16 and 64 KiB, for empty files,
 * zero lengths, sizes and offsets of 4 GiB and of 2^32 pages and more, and
 * sizes near SIZE_MAX. pf_probe() is checked on real file mappings that the
 * test has the subject build with a PROT_NONE guard page after them, so that
 * SIGSEGV past the mapping is certain: what it reports for reads and writes
 * (a write flag of 2 or -1 included) inside the file's pages, past them and in
 * the guard, that it leaves the bytes in memory and in the file (read back by
 * another process) as they were, that a thousand faults in a row leave neither
 * signal blocked, and that the test's own signal actions (installed after
 * earlier probes, and changed between probes), the default ones included, and
 * the signal mask are exactly as they were after every probe. Last, the two
 * halves must agree: pf_predict() says what pf_probe() finds on this machine.
 * Every failure names the case precisely, what was expected, what was
 * observed, and the handout section to read.
 *
 * pf_probe() acts on the process that calls it, the subject: the mappings, the
 * test's signal actions and the child that faults after a probe are made there
 * by the operations of calls/lab06.h, and the judge never touches a subject
 * address itself. The signal mask and which signals have a handler are read
 * from outside, in the kernel's /proc/PID/status of the subject.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls/lab06.h"
#include "grader.h"
#include "labkit.h"
#include "page_faults.h"

/* ---- Hints: a concrete tip, then the handout section ------------------- */

#define SECTION_PREDICT "handout §4.1 (Task 1: pf_predict)"
#define SECTION_USABLE "handout §4.2 (Task 2: pf_usable_bytes)"
#define SECTION_PROBE "handout §4.3 (Task 3: pf_probe)"
#define SECTION_PAGES "handout §2.1 (A mapping is made of whole pages)"
#define SECTION_REGIONS "handout §2.2 (Three kinds of byte)"
#define SECTION_CATCH "handout §2.3 (Catching a fault and carrying on)"
#define SECTION_MISTAKES "handout §8 (Common mistakes)"
#define SECTION_WIDE "handout §8.2.9 (Page numbers and masks in 32 bits)"
#define SECTION_WRITE_FLAG "handout §8.2.10 (write == 1)"
#define SECTION_SAVED_ONCE "handout §8.2.11 (The old actions saved once)"

#define HINT_PREDICT                                                                         \
	"count pages, not bytes: P = file_size rounded up to pages, M = map_len rounded "   \
	"up; the page offset / page_size is PF_OK below min(P, M), PF_SIGBUS from P up to " \
	"M, PF_SIGSEGV from M on — " SECTION_PREDICT
#define HINT_TAIL                                                                            \
	"the rest of the file's last page is mapped and reads as zeros: SIGBUS starts at "  \
	"page_size * P, not at file_size — " SECTION_REGIONS
#define HINT_SIGBUS                                                                          \
	"a page of the mapping with no byte of the file in it is SIGBUS, even when the "    \
	"offset is past map_len inside the mapping's last page — " SECTION_REGIONS
#define HINT_SIGSEGV                                                                         \
	"the mapping ends at map_len rounded up to whole pages, page_size * M: from there " \
	"on (and only from there) it is SIGSEGV — " SECTION_PAGES
#define HINT_4096                                                                            \
	"this answer, and three more the grader asked at this page size, are the answers "  \
	"for 4096-byte pages: you used 4096 (or a constant like it) instead of page_size; " \
	"count P, M and the page of offset with the page_size argument — " SECTION_PAGES
#define HINT_4096_USABLE                                                                     \
	"the answer is the one for 4096-byte pages: you used 4096 (or a constant like it) " \
	"instead of page_size, in the counts or in the product — " SECTION_PAGES
#define HINT_PAGE_SIZE                                                                       \
	"use the page_size argument everywhere: the grader also asks about 16 KiB and "     \
	"64 KiB pages, where 4096 is wrong — " SECTION_PREDICT
#define HINT_EMPTY                                                                           \
	"an empty file fills no page (P = 0): every byte of its mapping is SIGBUS; a "      \
	"length of 0 maps nothing: every offset is SIGSEGV — " SECTION_PREDICT
#define HINT_OVERFLOW                                                                        \
	"(x + page_size - 1) / page_size and round-up masks overflow when x is near "       \
	"SIZE_MAX; use x / page_size + (x % page_size != 0) and compare page numbers, not " \
	"page_size * M — " SECTION_PREDICT
#define HINT_WIDE                                                                            \
	"sizes and offsets are size_t, and 4 GiB or 2^32 pages are no limit: keep page "    \
	"numbers, page counts and masks in size_t; an unsigned int keeps 32 bits, and "     \
	"~(page_size - 1) computed in one clears the high half of every offset (if small "  \
	"sizes fail too, fix those first) — " SECTION_WIDE
#define HINT_USABLE                                                                          \
	"usable bytes are page_size * min(P, M): whole pages, so usually more than "        \
	"file_size, never more than the mapping's pages, 0 for an empty file or a zero "    \
	"length — " SECTION_USABLE
#define HINT_PROBE                                                                           \
	"install a handler for SIGBUS and SIGSEGV with sigaction(), sigsetjmp(env, 1), "    \
	"read the byte through a volatile pointer (and write it back if asked), and "      \
	"report which signal the handler saw — " SECTION_PROBE
#define HINT_VOLATILE                                                                        \
	"the read probe never touched the byte, while a write probe of the same byte does: "\
	"a read whose value is unused is removed by the compiler unless it goes through a " \
	"volatile pointer; read through a const volatile unsigned char * (and do not cast " \
	"the volatile away) — handout §8.2.6 (An access the compiler may drop)"
#define HINT_NO_ACCESS                                                                       \
	"the kernel faults on this byte, so pf_probe() never really touched it: read it "   \
	"through a const volatile unsigned char * between sigsetjmp() and the return, and " \
	"report PF_OK only when that read (and the store, if write is non-zero) came "      \
	"through — " SECTION_PROBE
#define HINT_FAULT_ON_GOOD_BYTE                                                              \
	"this byte can be touched, so the fault came from an access of the probe's own "    \
	"that it should not make: touch only the byte at addr, and store only when write "  \
	"is non-zero — " SECTION_PROBE
#define HINT_WHICH_SIGNAL                                                                    \
	"the handler must record which signal it caught (a static volatile sig_atomic_t) " \
	"and pf_probe must return PF_SIGBUS for SIGBUS and PF_SIGSEGV for SIGSEGV — "        \
	SECTION_PROBE
#define HINT_WRITE                                                                           \
	"when write is non-zero, store the byte you read back to the same address: on a "   \
	"PROT_READ page that store is SIGSEGV — " SECTION_PROBE
#define HINT_WRITE_FLAG                                                                      \
	"write is a truth value: any non-zero value, 2 or -1 as well as 1, asks for the "   \
	"write-back; test if (write), not write == 1 — " SECTION_WRITE_FLAG
#define HINT_UNCHANGED                                                                       \
	"store back exactly the value you read, through the same volatile pointer; never "  \
	"a constant, never anything else — " SECTION_PROBE
#define HINT_MASK                                                                            \
	"the kernel blocks a signal while its handler runs; only siglongjmp() to a "        \
	"sigsetjmp(env, 1) (non-zero: save the mask) unblocks it again. setjmp()/longjmp() " \
	"or sigsetjmp(env, 0) leave it blocked, and the next fault kills the process — "     \
	SECTION_CATCH
#define HINT_SIGACTION_FAILED                                                                \
	"check what sigaction() returns: if installing either handler fails, put back "     \
	"what you already changed and return -1 with sigaction()'s errno, touching "        \
	"nothing — " SECTION_PROBE
#define HINT_RESTORE                                                                         \
	"keep the old actions that sigaction() hands back each time you install yours (not " \
	"a copy from an earlier call), and pass them to sigaction() again before "          \
	"returning, on every path; do not use signal(), and do not reset to SIG_DFL — "     \
	SECTION_CATCH
#define HINT_SAVED_ONCE                                                                      \
	"save the old actions anew on every call, from the sigaction() that installs "      \
	"yours: the caller may change its handlers between two probes, and a copy kept "    \
	"from an earlier call puts back actions that are gone — " SECTION_SAVED_ONCE
#define HINT_WHOLE_MASK                                                                      \
	"leave the rest of the signal mask alone: sigsetjmp(env, 1) saves it and "          \
	"siglongjmp() restores it, so no sigprocmask() call is needed — " SECTION_CATCH
#define HINT_DEFAULT                                                                         \
	"after pf_probe() the previous actions, SIG_DFL included, must be back: a later "   \
	"fault outside pf_probe() must kill the process as usual — " SECTION_CATCH

/* What a probe that did not catch the signal looks like in the report. */
#define CRASH_NOTE                                                                           \
	"if the test was killed by SIGBUS or SIGSEGV here, pf_probe() did not catch the "   \
	"signal: install the handlers with sigaction() before touching the byte"

#define KIB 1024u

/*
 * A mistake costs the points of the test about it, once. Some mistakes of
 * pf_probe() would make nearly every probe test fail; the running test says
 * here which of them it is about, and the others work around them and go on:
 *  - JUDGES_MASK (test 6.9): SIGBUS or SIGSEGV left blocked after a caught
 *    fault fails the test; elsewhere the test unblocks it in the subject.
 *  - JUDGES_READS (test 6.6): a read probe that says PF_OK where the kernel
 *    faults, while a write probe of the same byte (which reads it first)
 *    faults as it should, fails the test: the read never happened; elsewhere
 *    the write probe's answer stands in for it.
 *  - FORGIVES_4096 (tests 6.3 and 6.4): a pf_predict() that answers as if
 *    pages were 4096 bytes at another page size is test 6.2's failure; these
 *    tests accept those answers at the larger page sizes and judge the rest.
 */
#define JUDGES_MASK 1u
#define JUDGES_READS 2u
#define FORGIVES_4096 4u
static unsigned test_policy;

/* Faults caught so far in this test, SIGBUS and SIGSEGV: for the crash notes. */
static unsigned caught_bus, caught_segv;

static size_t page(void)
{
	return labkit_page_size();
}

/* ---- The grader's own reckoning ------------------------------------------ */

static const char *outcome_name(long long outcome)
{
	switch (outcome) {
	case PF_OK:
		return "PF_OK";
	case PF_SIGBUS:
		return "PF_SIGBUS";
	case PF_SIGSEGV:
		return "PF_SIGSEGV";
	default:
		return grade_format("%lld (not an outcome)", outcome);
	}
}

/* ceil(size / page_size) in 128 bits: the grader's own arithmetic, free of overflow. */
static unsigned __int128 pages_of(size_t size, size_t page_size)
{
	return ((unsigned __int128)size + page_size - 1) / page_size;
}

static unsigned __int128 least(unsigned __int128 a, unsigned __int128 b)
{
	return a < b ? a : b;
}

/* What touching byte offset of the mapping does, by the rule in page_faults.h. */
static int truth(size_t file_size, size_t map_len, size_t offset, size_t page_size)
{
	unsigned __int128 file_end = pages_of(file_size, page_size) * page_size;
	unsigned __int128 map_end = pages_of(map_len, page_size) * page_size;

	if (offset >= map_end)
		return PF_SIGSEGV;
	if (offset >= file_end)
		return PF_SIGBUS;
	return PF_OK;
}

/* page_size * min(P, M); every case the grader asks about fits in a size_t. */
static size_t usable_truth(size_t file_size, size_t map_len, size_t page_size)
{
	return (size_t)(least(pages_of(file_size, page_size), pages_of(map_len, page_size)) *
			page_size);
}

/* The case in words, for messages: "(the file fills 2 pages, the mapping 4; ...)". */
static const char *explain_case(size_t file_size, size_t map_len, size_t offset,
				size_t page_size)
{
	unsigned __int128 file_pages = pages_of(file_size, page_size);
	unsigned __int128 map_pages = pages_of(map_len, page_size);

	return grade_format("with %zu-byte pages the file fills %llu page%s and the mapping "
			    "%llu; offset %zu is in page %zu",
			    page_size, (unsigned long long)file_pages, file_pages == 1 ? "" : "s",
			    (unsigned long long)map_pages, offset, offset / page_size);
}

/* The hint that fits a wrong prediction best. */
static const char *predict_hint(size_t file_size, size_t offset, int expected, int observed,
				const char *general)
{
	if (expected == PF_OK && observed == PF_SIGBUS && offset >= file_size)
		return HINT_TAIL;
	if (expected == PF_SIGBUS)
		return HINT_SIGBUS;
	if (expected == PF_SIGSEGV || observed == PF_SIGSEGV)
		return HINT_SIGSEGV;
	return general;
}

/* ---- Calling pf_predict and pf_usable_bytes over a grid ---------------------- */

/*
 * Whether pf_predict() answers at page_size (larger than 4096) as if pages
 * were 4096 bytes: three cases where the two page sizes disagree, asked once
 * per page size.
 */
static int predicts_with_4096(size_t page_size)
{
	static size_t asked_for;
	static int answer;

	if (page_size <= 4 * KIB)
		return 0;
	if (asked_for != page_size) {
		asked_for = page_size;
		answer = pf_predict(1, 1, 4 * KIB, page_size) == PF_SIGSEGV &&
			 pf_predict(1, 8 * KIB, 4 * KIB, page_size) == PF_SIGBUS &&
			 pf_predict(0, 1, 4 * KIB, page_size) == PF_SIGSEGV;
	}
	return answer;
}

/*
 * One call of pf_predict, judged against the rule; fails the test on a wrong
 * answer, with the hint that fits the wrong outcome best, or with `fixed_hint`
 * when it is not NULL.
 */
static void judge_prediction(size_t file_size, size_t map_len, size_t offset, size_t page_size,
			     const char *general_hint, const char *fixed_hint)
{
	int expected = truth(file_size, map_len, offset, page_size);
	int observed, error;

	const char *hint;

	errno = 0;
	observed = (int)pf_predict(file_size, map_len, offset, page_size);
	error = errno;
	if (observed == expected)
		return;
	hint = fixed_hint != NULL ? fixed_hint
				  : predict_hint(file_size, offset, expected, observed, general_hint);
	if (error != ENOSYS && observed == truth(file_size, map_len, offset, 4 * KIB) &&
	    predicts_with_4096(page_size)) {
		if (test_policy & FORGIVES_4096)
			return; /* counted by test 6.2 */
		hint = HINT_4096;
	}
	grade_fail(hint,
		   "expected: pf_predict(file_size=%zu, map_len=%zu, offset=%zu, page_size=%zu) "
		   "to return %s (%s)\nobserved: %s",
		   file_size, map_len, offset, page_size, outcome_name(expected),
		   explain_case(file_size, map_len, offset, page_size),
		   error == ENOSYS ? grade_describe_result(-1, ENOSYS)
				   : grade_format("it returned %s", outcome_name(observed)));
}

static void expect_prediction(size_t file_size, size_t map_len, size_t offset, size_t page_size,
			      const char *general_hint)
{
	judge_prediction(file_size, map_len, offset, page_size, general_hint, NULL);
}

/* Sizes at and around the first few page boundaries (and one further away). */
static size_t boundary_sizes(size_t page_size, size_t *sizes, int with_zero)
{
	size_t n = 0;

	if (with_zero)
		sizes[n++] = 0;
	sizes[n++] = 1;
	for (size_t k = 1; k <= 4; k++) {
		sizes[n++] = k * page_size - 1;
		sizes[n++] = k * page_size;
		sizes[n++] = k * page_size + 1;
	}
	sizes[n++] = page_size / 2;
	sizes[n++] = 7 * page_size + 3;
	return n;
}

/* Offsets at and around every boundary that matters for this file and mapping. */
static size_t boundary_offsets(size_t file_size, size_t map_len, size_t page_size,
			       size_t *offsets)
{
	size_t file_end = (size_t)pages_of(file_size, page_size) * page_size;
	size_t map_end = (size_t)pages_of(map_len, page_size) * page_size;
	const size_t marks[] = { 0, file_size, file_end, map_len, map_end, map_end + page_size };
	size_t n = 0;

	for (size_t i = 0; i < GRADE_COUNT(marks); i++) {
		if (marks[i] > 0)
			offsets[n++] = marks[i] - 1;
		offsets[n++] = marks[i];
		offsets[n++] = marks[i] + 1;
	}
	offsets[n++] = page_size / 2;
	return n;
}

/* pf_predict over every file size, length and offset of the grid, at one page size. */
static void predict_grid(size_t page_size, const char *general_hint)
{
	size_t file_sizes[20], map_lens[20], offsets[24];
	size_t file_count = boundary_sizes(page_size, file_sizes, 0);
	size_t len_count = boundary_sizes(page_size, map_lens, 0);

	grade_step("calling pf_predict over a grid of file sizes, lengths and offsets around "
		   "the page boundaries, with page_size=%zu", page_size);
	for (size_t f = 0; f < file_count; f++)
		for (size_t l = 0; l < len_count; l++) {
			size_t count = boundary_offsets(file_sizes[f], map_lens[l], page_size,
							offsets);

			for (size_t o = 0; o < count; o++)
				expect_prediction(file_sizes[f], map_lens[l], offsets[o],
						  page_size, general_hint);
		}
}

static void predict_at_4k_pages(void)
{
	predict_grid(4 * KIB, HINT_PREDICT);
}

static void predict_at_16k_and_64k_pages(void)
{
	predict_grid(16 * KIB, HINT_PAGE_SIZE);
	predict_grid(64 * KIB, HINT_PAGE_SIZE);
}

static const size_t page_sizes[] = { 4 * KIB, 16 * KIB, 64 * KIB };
#define PAGE_SIZE_COUNT (GRADE_COUNT(page_sizes))

static void predict_empty_file_and_zero_length(void)
{
	test_policy = FORGIVES_4096;
	for (size_t i = 0; i < PAGE_SIZE_COUNT; i++) {
		size_t p = page_sizes[i];
		const size_t lens[] = { 1, p - 1, p, p + 1, 3 * p + 1 };
		const size_t files[] = { 0, 1, p, 5 * p + 9 };
		size_t offsets[24];

		grade_step("calling pf_predict for an empty file and for a length of 0, with "
			   "page_size=%zu", p);
		for (size_t l = 0; l < GRADE_COUNT(lens); l++) {
			size_t count = boundary_offsets(0, lens[l], p, offsets);

			for (size_t o = 0; o < count; o++)
				expect_prediction(0, lens[l], offsets[o], p, HINT_EMPTY);
		}
		for (size_t f = 0; f < GRADE_COUNT(files); f++) {
			size_t count = boundary_offsets(files[f], 0, p, offsets);

			for (size_t o = 0; o < count; o++)
				expect_prediction(files[f], 0, offsets[o], p, HINT_EMPTY);
		}
	}
}

/* A file size and a mapping length, for the cases beyond 32 bits. */
struct wide_case {
	size_t file_size, map_len;
};

#define GIB ((size_t)1 << 30)

/*
 * Files and mappings of 4 GiB and more, and of 2^32 pages and more (page
 * 2^32 starts at page_size << 32): a page number kept in an unsigned int, or
 * a page mask kept in one, loses the high half there.
 */
static size_t wide_cases(size_t p, struct wide_case *cases)
{
	const size_t wide_page = p << 32;
	const struct wide_case all[] = {
		{ 5 * GIB + 1, 6 * GIB + 1 },         /* SIGBUS from 5 GiB + one page */
		{ 6 * GIB + 1, 5 * GIB + 1 },         /* SIGSEGV from 5 GiB + one page */
		{ 10 * p + 1, wide_page + 2 * p },     /* a mapping of 2^32 + 2 pages */
		{ wide_page + 1, 3 * p },              /* a file of 2^32 + 1 pages */
		{ wide_page + p + 1, wide_page + 3 * p },
	};

	memcpy(cases, all, sizeof(all));
	return GRADE_COUNT(all);
}

static void predict_beyond_32_bits(size_t p)
{
	const size_t wide_page = p << 32;
	const size_t extra[] = { 4 * GIB - 1, 4 * GIB, 4 * GIB + 1, 5 * GIB + p,
				 wide_page - 1, wide_page, wide_page + 1, wide_page + 2 * p,
				 2 * wide_page };
	struct wide_case cases[8];
	size_t count = wide_cases(p, cases), offsets[24];

	grade_step("calling pf_predict with sizes and offsets of 4 GiB and more, and of 2^32 "
		   "pages and more, page_size=%zu", p);
	for (size_t c = 0; c < count; c++) {
		size_t file_size = cases[c].file_size, map_len = cases[c].map_len;
		size_t n = boundary_offsets(file_size, map_len, p, offsets);

		for (size_t o = 0; o < n; o++)
			judge_prediction(file_size, map_len, offsets[o], p, NULL, HINT_WIDE);
		for (size_t o = 0; o < GRADE_COUNT(extra); o++)
			judge_prediction(file_size, map_len, extra[o], p, NULL, HINT_WIDE);
	}
}

static void predict_without_overflow(void)
{
	test_policy = FORGIVES_4096;
	for (size_t i = 0; i < PAGE_SIZE_COUNT; i++)
		predict_beyond_32_bits(page_sizes[i]);
	for (size_t i = 0; i < PAGE_SIZE_COUNT; i++) {
		size_t p = page_sizes[i];
		const size_t huge[] = { SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - p / 2,
					SIZE_MAX - p + 2 };

		grade_step("calling pf_predict with sizes near SIZE_MAX, page_size=%zu", p);
		for (size_t h = 0; h < GRADE_COUNT(huge); h++) {
			size_t big = huge[h];
			const size_t offsets[] = { 0, 5, 3 * p - 1, 3 * p, 10 * p, 11 * p,
						   big - 1, big, SIZE_MAX };

			for (size_t o = 0; o < GRADE_COUNT(offsets); o++) {
				expect_prediction(big, big, offsets[o], p, HINT_OVERFLOW);
				expect_prediction(10 * p + 1, big, offsets[o], p, HINT_OVERFLOW);
				expect_prediction(big, 3 * p, offsets[o], p, HINT_OVERFLOW);
			}
		}
	}
}

static void expect_usable_hinted(size_t file_size, size_t map_len, size_t page_size,
				 const char *hint)
{
	size_t expected = usable_truth(file_size, map_len, page_size);
	size_t observed;
	int error;

	errno = 0;
	observed = pf_usable_bytes(file_size, map_len, page_size);
	error = errno;
	if (observed == expected)
		return;
	if (page_size > 4 * KIB && error != ENOSYS &&
	    (observed == usable_truth(file_size, map_len, 4 * KIB) ||
	     observed == expected / page_size * 4 * KIB))
		hint = HINT_4096_USABLE;
	grade_fail(hint,
		   "expected: pf_usable_bytes(file_size=%zu, map_len=%zu, page_size=%zu) to "
		   "return %zu (with %zu-byte pages the file fills %llu page%s and the mapping "
		   "%llu)\nobserved: %s",
		   file_size, map_len, page_size, expected, page_size,
		   (unsigned long long)pages_of(file_size, page_size),
		   pages_of(file_size, page_size) == 1 ? "" : "s",
		   (unsigned long long)pages_of(map_len, page_size),
		   error == ENOSYS ? grade_describe_result(-1, ENOSYS)
				   : grade_format("it returned %zu", observed));
}

static void expect_usable(size_t file_size, size_t map_len, size_t page_size)
{
	expect_usable_hinted(file_size, map_len, page_size, HINT_USABLE);
}

/* pf_usable_bytes over every file size and length around the page boundaries of p. */
static void usable_grid(size_t p)
{
	size_t file_sizes[20], map_lens[20];
	size_t file_count = boundary_sizes(p, file_sizes, 1);
	size_t len_count = boundary_sizes(p, map_lens, 1);

	grade_step("calling pf_usable_bytes over a grid of file sizes and lengths, with "
		   "page_size=%zu", p);
	for (size_t f = 0; f < file_count; f++)
		for (size_t l = 0; l < len_count; l++)
			expect_usable(file_sizes[f], map_lens[l], p);
}

static void usable_bytes_grid(void)
{
	for (size_t i = 0; i < PAGE_SIZE_COUNT; i++) {
		size_t p = page_sizes[i];

		usable_grid(p);
		expect_usable(SIZE_MAX - 1, 3 * p, p);
		expect_usable(SIZE_MAX - p / 2, 2 * p + 1, p);
		expect_usable(5 * p + 1, SIZE_MAX, p);
		expect_usable(0, SIZE_MAX, p);
		/* Answers of 4 GiB and more: no 32-bit variable may hold them on the way. */
		expect_usable(((size_t)5 << 30) + 1, (size_t)6 << 30, p);
		expect_usable((size_t)6 << 30, ((size_t)4 << 30) + p + 1, p);
	}
	for (size_t i = 0; i < PAGE_SIZE_COUNT; i++) {
		size_t p = page_sizes[i];
		struct wide_case cases[8];
		size_t count = wide_cases(p, cases);

		grade_step("calling pf_usable_bytes with sizes of 4 GiB and more, and of 2^32 pages "
			   "and more, page_size=%zu", p);
		for (size_t c = 0; c < count; c++)
			expect_usable_hinted(cases[c].file_size, cases[c].map_len, p, HINT_WIDE);
		/* The largest answer there is: every page but the last that a size_t can count. */
		expect_usable_hinted(SIZE_MAX - p + 1, SIZE_MAX, p, HINT_OVERFLOW);
		expect_usable_hinted(SIZE_MAX, SIZE_MAX - p + 1, p, HINT_OVERFLOW);
	}
}

/* ---- Real mappings with a guard page --------------------------------------- */

/*
 * A file mapped MAP_SHARED from offset 0 at the start of a PROT_NONE area one
 * page longer than the mapping's pages, in the subject: the page after the
 * mapping is certainly inaccessible, so touching it is SIGSEGV.
 */
struct guarded_map {
	unsigned char *map; /* a SUBJECT address: passed to pf_probe, never dereferenced */
	size_t map_len;
	size_t area_len;
	size_t file_size;
	char what[200];   /* "a 6146-byte file mapped PROT_READ with length 16379, ..." */
};

static const char *describe_prot(int prot)
{
	if (prot == PROT_NONE)
		return "PROT_NONE";
	if (prot == PROT_READ)
		return "PROT_READ";
	return "PROT_READ|PROT_WRITE";
}

static struct guarded_map map_with_guard(const char *path, size_t map_len, int prot)
{
	struct guarded_map out = { .map_len = map_len };
	struct stat st;
	void *map;

	out.area_len = labkit_round_up(map_len, page()) + page();
	if (stat(path, &st) != 0)
		grade_setup_failed("cannot find %s", path);
	map = subject_map_file_with_guard(path, map_len, prot);
	if (map == MAP_FAILED)
		grade_setup_failed("the subject cannot map %s with a guard page after it", path);
	out.map = map;
	out.file_size = (size_t)st.st_size;
	snprintf(out.what, sizeof(out.what),
		 "a %zu-byte file mapped %s with length %zu, %zu-byte pages, a PROT_NONE guard "
		 "page after the mapping",
		 out.file_size, describe_prot(prot), map_len, page());
	/*
	 * The runner keeps only so much of what a test reports, so the step is
	 * announced once per mapping, not once per probe.
	 */
	grade_step("calling pf_probe on %s (%s)", out.what, CRASH_NOTE);
	return out;
}

static void unmap_guarded(const struct guarded_map *guarded)
{
	if (subject_unmap(guarded->map, guarded->area_len) != 0)
		grade_setup_failed("the subject cannot unmap the mapping of %s", guarded->what);
}

/* A file of size bytes of random data, kept to compare with; the bytes are returned. */
static unsigned char *make_data_file(const char *path, size_t size, uint64_t seed)
{
	if (size == 0) {
		grade_make_file(path, "", 0, 0644);
		return NULL;
	}
	return grade_make_and_keep_random_file(path, size, seed, 0644);
}

/* ---- Calling pf_probe -------------------------------------------------------- */

static const char *signal_name(int signal_number)
{
	return signal_number == SIGBUS ? "SIGBUS" : signal_number == SIGSEGV ? "SIGSEGV"
									      : "a signal";
}

/*
 * A set of signals of the subject as the kernel shows it, from outside: the
 * hexadecimal bits of one line of /proc/PID/status ("SigBlk", the blocked
 * signals; "SigIgn", the ignored ones; "SigCgt", those with a handler). Bit
 * s - 1 is signal s, as SUBJECT_SIGNAL_BIT() counts.
 */
static uint64_t subject_signal_set(const char *field)
{
	char path[64], line[256];
	size_t field_len = strlen(field);
	FILE *status;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)grade_subject_pid());
	status = fopen(path, "r");
	if (status == NULL)
		grade_setup_failed("cannot open %s", path);
	while (fgets(line, sizeof(line), status) != NULL)
		if (strncmp(line, field, field_len) == 0 && line[field_len] == ':') {
			fclose(status);
			return (uint64_t)strtoull(line + field_len + 1, NULL, 16);
		}
	fclose(status);
	grade_setup_failed("no %s line in %s", field, path);
}

static int has_signal(uint64_t set, int signal_number)
{
	return (set & SUBJECT_SIGNAL_BIT(signal_number)) != 0;
}

/*
 * SIGBUS or SIGSEGV blocked now in the subject, after the probe `after`: the
 * test about the mask (JUDGES_MASK) fails; any other unblocks it in the
 * subject and goes on, so that the mistake is counted once.
 */
static void expect_not_blocked(const char *after)
{
	static const int signals[] = { SIGBUS, SIGSEGV };
	uint64_t blocked = subject_signal_set("SigBlk");

	for (size_t i = 0; i < 2; i++) {
		if (!has_signal(blocked, signals[i]))
			continue;
		grade_check(!(test_policy & JUDGES_MASK), HINT_MASK,
			    "expected: %s to be unblocked after %s\nobserved: it is still "
			    "blocked; the next %s would kill the process instead of reaching a "
			    "handler (this is the test that counts it: the other probe tests "
			    "unblock it and go on)",
			    signal_name(signals[i]), after, signal_name(signals[i]));
		if (subject_unblock_signal(signals[i]) != 0)
			grade_setup_failed("cannot unblock %s in the subject",
					   signal_name(signals[i]));
	}
}

/*
 * What a crash during the next probe most likely means, for its step line:
 * it depends on whether the byte faults at all and on whether this test has
 * seen pf_probe() catch that signal already.
 */
static const char *crash_note(int expected)
{
	const char *name = expected == PF_SIGBUS ? "SIGBUS" : "SIGSEGV";
	unsigned before = expected == PF_SIGBUS ? caught_bus : caught_segv;

	if (expected == PF_OK)
		return "this byte can be touched: if the test was killed here, the probe made an "
		       "access of its own that faulted, a store on a read probe (write 0) or an "
		       "access to another address than addr";
	if (before == 0)
		return grade_format("if the test was killed by %s here, pf_probe() did not catch "
				    "it: install the handlers for SIGBUS and SIGSEGV with "
				    "sigaction() on every call, before touching the byte", name);
	return grade_format("earlier probes of this test caught %s %u time%s, and the test "
			    "made sure it was not left blocked: if the test was killed by %s "
			    "here, pf_probe() stopped catching it; install the handlers on "
			    "every call, not only the first, and siglongjmp() only to the "
			    "sigsetjmp() of the running call",
			    name, before, before == 1 ? "" : "s", name);
}

/*
 * Judge what a probe, the call described by `call`, returned (observed, with
 * errno `error`): fail the test unless it is `expected`; a caught signal must
 * not stay blocked afterwards.
 */
static void judge_probe_result(const char *call, int observed, int error, int expected,
			       const char *why, const char *hint)
{
	int fault_expected = expected == PF_SIGBUS || expected == PF_SIGSEGV;
	int fault_observed = observed == PF_SIGBUS || observed == PF_SIGSEGV;

	if (observed == expected) {
		if (observed != PF_OK) {
			caught_bus += observed == PF_SIGBUS;
			caught_segv += observed == PF_SIGSEGV;
			expect_not_blocked(grade_format("%s which caught %s", call,
							observed == PF_SIGBUS ? "SIGBUS"
									      : "SIGSEGV"));
		}
		return;
	}
	if (observed == -1)
		grade_fail(HINT_PROBE, "expected: %s to return %s (%s)\nobserved: %s", call,
			   outcome_name(expected), why, grade_describe_result(-1, error));
	/*
	 * The hint by symptom: a probe's answer is the kernel's, never a matter
	 * of page arithmetic. The caller's hint stays where it names a specific
	 * rule (the write flag, the write-back).
	 */
	if (fault_expected && fault_observed)
		hint = HINT_WHICH_SIGNAL;
	else if (fault_expected && observed == PF_OK && strcmp(hint, HINT_PROBE) == 0)
		hint = HINT_NO_ACCESS;
	else if (expected == PF_OK && fault_observed && strcmp(hint, HINT_PROBE) == 0)
		hint = HINT_FAULT_ON_GOOD_BYTE;
	grade_fail(hint, "expected: %s to return %s (%s)\nobserved: it returned %s", call,
		   outcome_name(expected), why, outcome_name(observed));
}

/* Announce a probe as the test's step: the call (without its closing comma) and a crash note. */
static void announce_probe(const char *call, int expected)
{
	size_t len = strlen(call);

	if (len > 0 && call[len - 1] == ',')
		len--;
	grade_step("%.*s (%s)", (int)len, call, crash_note(expected));
}

/*
 * Probe addr, a subject address, and judge the result as judge_probe_result()
 * does. A read probe that says PF_OK where the kernel faults is probed again
 * as a write, which reads first: if that one faults as it should, the read
 * never happened (JUDGES_READS), or the write's answer stands in for it.
 */
static void expect_probe_result(const char *call, const volatile void *addr, int write,
				int expected, const char *why, const char *hint)
{
	int observed, error;

	announce_probe(call, expected);
	errno = 0;
	observed = pf_probe(addr, write);
	error = errno;
	if (observed == PF_OK && write == 0 && (expected == PF_SIGBUS || expected == PF_SIGSEGV)) {
		const char *again_call = grade_format("%s, probed again with write 1,", call);
		int again;

		announce_probe(again_call, expected);
		errno = 0;
		again = pf_probe(addr, 1);
		error = errno;
		if (again == expected) {
			grade_check(!(test_policy & JUDGES_READS), HINT_VOLATILE,
				    "expected: %s to return %s (%s)\nobserved: it returned PF_OK; "
				    "the same byte probed with write 1, which reads it first, gives "
				    "%s: the read probe did not read it",
				    call, outcome_name(expected), why, outcome_name(again));
			judge_probe_result(again_call, again, error, expected, why, hint);
			return;
		}
	}
	judge_probe_result(call, observed, error, expected, why, hint);
}

/* One probe of map + offset; fails the test unless it returns `expected`. */
static void expect_probe(const struct guarded_map *guarded, size_t offset, int write,
			 int expected, const char *why, const char *hint)
{
	char call[400];

	snprintf(call, sizeof(call), "pf_probe(map + %zu, %d), on %s,", offset, write,
		 guarded->what);
	expect_probe_result(call, guarded->map + offset, write, expected, why, hint);
}

/* The layout of the read and write tests: P = 2 file pages, M = 4 mapped pages. */
static size_t two_page_file_size(void)
{
	return page() + page() / 2 + 3;
}

static size_t four_page_length(void)
{
	return 4 * page() - 5;
}

/* Probe one access at every boundary of a 2-page file in a 4-page mapping. */
static void probe_layout(const struct guarded_map *guarded, int write)
{
	size_t p = page(), size = guarded->file_size;

	expect_probe(guarded, 0, write, PF_OK, "the first byte of the file", HINT_PROBE);
	expect_probe(guarded, size - 1, write, PF_OK, "the last byte of the file", HINT_PROBE);
	expect_probe(guarded, size, write, PF_OK,
		     "past the end of the file, in the zero-filled rest of its last page",
		     HINT_PROBE);
	expect_probe(guarded, 2 * p - 1, write, PF_OK, "the last byte of the file's last page",
		     HINT_PROBE);
	expect_probe(guarded, 2 * p, write, PF_SIGBUS,
		     "the first byte of a mapped page past the file's last page", HINT_PROBE);
	expect_probe(guarded, 3 * p + 7, write, PF_SIGBUS, "a mapped page past the file",
		     HINT_PROBE);
	expect_probe(guarded, 4 * p - 1, write, PF_SIGBUS,
		     "past map_len but inside the mapping's last page, with no file behind it",
		     HINT_PROBE);
	expect_probe(guarded, 4 * p, write, PF_SIGSEGV,
		     "the first byte of the PROT_NONE guard page after the mapping", HINT_PROBE);
	expect_probe(guarded, 5 * p - 1, write, PF_SIGSEGV, "the last byte of the guard page",
		     HINT_PROBE);
	expect_probe(guarded, 2 * p + 1, write, PF_SIGBUS, "a mapped page past the file, again",
		     HINT_PROBE);
	expect_probe(guarded, 1, write, PF_OK, "the second byte of the file, after the faults",
		     HINT_PROBE);
}

static void probe_reads_real_mapping(void)
{
	size_t p = page();
	unsigned char *data = make_data_file("data", two_page_file_size(), 601);
	struct guarded_map guarded = map_with_guard("data", four_page_length(), PROT_READ);

	test_policy = JUDGES_READS;
	probe_layout(&guarded, 0);
	unmap_guarded(&guarded);

	make_data_file("empty", 0, 0);
	guarded = map_with_guard("empty", 2 * p, PROT_READ);
	expect_probe(&guarded, 0, 0, PF_SIGBUS,
		     "the file is empty: every page of its mapping is past its end", HINT_PROBE);
	expect_probe(&guarded, p + 3, 0, PF_SIGBUS, "the file is empty", HINT_PROBE);
	expect_probe(&guarded, 2 * p, 0, PF_SIGSEGV, "the guard page after the mapping",
		     HINT_PROBE);
	unmap_guarded(&guarded);

	guarded = map_with_guard("data", 3 * p, PROT_NONE);
	expect_probe(&guarded, 0, 0, PF_SIGSEGV,
		     "the page is PROT_NONE: the kernel refuses the access before it looks at the "
		     "file", HINT_WHICH_SIGNAL);
	expect_probe(&guarded, 2 * p + 1, 0, PF_SIGSEGV,
		     "a PROT_NONE page past the file is SIGSEGV too, not SIGBUS",
		     HINT_WHICH_SIGNAL);
	unmap_guarded(&guarded);
	free(data);
}

static void probe_writes_real_mapping(void)
{
	unsigned char *data = make_data_file("data", two_page_file_size(), 611);
	struct guarded_map guarded = map_with_guard("data", four_page_length(),
						    PROT_READ | PROT_WRITE);

	probe_layout(&guarded, 1);
	expect_probe(&guarded, 9, 2, PF_OK,
		     "write is 2, non-zero: a write-back to a writable byte of the file", HINT_WRITE_FLAG);
	unmap_guarded(&guarded);

	guarded = map_with_guard("data", four_page_length(), PROT_READ);
	expect_probe(&guarded, 0, 0, PF_OK, "reading a PROT_READ page is allowed", HINT_PROBE);
	expect_probe(&guarded, 0, 1, PF_SIGSEGV,
		     "writing to a PROT_READ page is SIGSEGV: the read works, the store faults",
		     HINT_WRITE);
	expect_probe(&guarded, guarded.file_size + 1, 1, PF_SIGSEGV,
		     "writing to the zero-filled tail of a PROT_READ page is SIGSEGV too",
		     HINT_WRITE);
	expect_probe(&guarded, 17, 0, PF_OK, "reading it again", HINT_PROBE);
	expect_probe(&guarded, 3, 2, PF_SIGSEGV,
		     "write is 2, non-zero: the byte is written back, and on a PROT_READ page that "
		     "store is SIGSEGV", HINT_WRITE_FLAG);
	expect_probe(&guarded, 4, -1, PF_SIGSEGV,
		     "write is -1, non-zero: the byte is written back, and on a PROT_READ page "
		     "that store is SIGSEGV", HINT_WRITE_FLAG);
	unmap_guarded(&guarded);
	free(data);
}

static void probe_leaves_bytes_unchanged(void)
{
	size_t p = page(), size = 2 * p + 100, step = 61, loaded_size;
	unsigned char *data = make_data_file("data", size, 621);
	struct guarded_map guarded = map_with_guard("data", 3 * p + 1, PROT_READ | PROT_WRITE);
	unsigned char *loaded, *mapped = malloc(3 * p);
	size_t i;

	if (mapped == NULL)
		grade_setup_failed("out of memory");

	/* Reads and write-backs all over the file's 3 pages, with faults in between. */
	for (i = 0; i < 3 * p; i += step) {
		expect_probe(&guarded, i, (int)(i / step) % 2, PF_OK,
			     i < size ? "a byte of the file" : "the zero-filled tail of the last "
							     "page", HINT_PROBE);
		if (i / step % 16 == 5)
			expect_probe(&guarded, 3 * p + i % p, 1, PF_SIGBUS,
				     "a mapped page past the file", HINT_PROBE);
	}
	expect_probe(&guarded, size - 1, 1, PF_OK, "the last byte of the file", HINT_PROBE);
	expect_probe(&guarded, 3 * p - 1, 1, PF_OK, "the last byte of the file's last page",
		     HINT_PROBE);
	grade_step("comparing the mapping with the file's original bytes");
	if (grade_subject_read(guarded.map, mapped, 3 * p) != 0)
		grade_fail(HINT_UNCHANGED,
			   "expected: the mapping of %s to be there after the probes, as it was\n"
			   "observed: the grader cannot read it (%s)",
			   guarded.what, grade_errno_text(errno));
	for (i = 0; i < 3 * p; i++) {
		unsigned char want = i < size ? data[i] : 0;

		grade_check(mapped[i] == want, HINT_UNCHANGED,
			    "expected: byte %zu of the mapping to be 0x%02x after reading and "
			    "writing back bytes with pf_probe(map + offset, 0 or 1) on %s\n"
			    "observed: it is 0x%02x",
			    i, want, guarded.what, mapped[i]);
	}
	free(mapped);
	unmap_guarded(&guarded);
	loaded = grade_load_file("data", &loaded_size);
	if (loaded == NULL)
		grade_setup_failed("cannot read data back");
	grade_check(loaded_size == size, HINT_UNCHANGED,
		    "expected: the file to keep its %zu bytes after the probes\nobserved: another "
		    "process reads %zu bytes", size, loaded_size);
	for (i = 0; i < size; i++)
		grade_check(loaded[i] == data[i], HINT_UNCHANGED,
			    "expected: byte %zu of the file, read by another process after the "
			    "probes, to be 0x%02x as before\nobserved: it is 0x%02x",
			    i, data[i], loaded[i]);
	free(loaded);
	free(data);
}

/* ---- Signal actions and the mask ------------------------------------------------ */

static void thousand_faulting_probes(void)
{
	size_t p = page();
	unsigned char *data = make_data_file("data", p / 2, 631);
	struct guarded_map guarded = map_with_guard("data", 2 * p, PROT_READ | PROT_WRITE);

	test_policy = JUDGES_MASK;
	for (int i = 0; i < 1000; i++) {
		int bus = i % 2 == 0, write = i % 4 < 2;
		size_t offset = (bus ? p : 2 * p) + (size_t)(i * 37) % p;

		expect_probe(&guarded, offset, write, bus ? PF_SIGBUS : PF_SIGSEGV,
			     grade_format("faulting probe %d of 1000, alternating SIGBUS (past the "
					  "file) and SIGSEGV (the guard page)", i + 1),
			     HINT_PROBE);
		expect_not_blocked(grade_format("faulting probe %d of 1000, pf_probe(map + %zu, "
						"%d), which caught %s", i + 1, offset, write,
						bus ? "SIGBUS" : "SIGSEGV"));
	}
	expect_probe(&guarded, 5, 1, PF_OK, "a byte of the file, after 1000 faults", HINT_PROBE);
	unmap_guarded(&guarded);
	free(data);
}

/* The flags a program sets, by name (glibc adds SA_RESTORER itself: left out). */
static const char *describe_flags(int64_t flags)
{
	static const struct {
		int flag;
		const char *name;
	} names[] = { { SA_SIGINFO, "SA_SIGINFO" },   { SA_RESETHAND, "SA_RESETHAND" },
		      { SA_RESTART, "SA_RESTART" },   { SA_NODEFER, "SA_NODEFER" },
		      { SA_ONSTACK, "SA_ONSTACK" } };
	char text[120] = "";

	for (size_t i = 0; i < GRADE_COUNT(names); i++)
		if (flags & names[i].flag)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
				 text[0] != '\0' ? "|" : "", names[i].name);
	return grade_format("flags %s", text[0] != '\0' ? text : "0");
}

/* What a signal action of the subject is, in words. */
static const char *describe_action(const struct subject_signal_action *action)
{
	switch (action->handler) {
	case SUBJECT_HANDLER_KIT:
		return grade_format("the test's handler (%s)", describe_flags(action->flags));
	case SUBJECT_HANDLER_DEFAULT:
		return grade_format("SIG_DFL (%s)", describe_flags(action->flags));
	case SUBJECT_HANDLER_IGNORE:
		return "SIG_IGN";
	default:
		return grade_format("another handler, %p (%s)",
				    (void *)(uintptr_t)action->address,
				    describe_flags(action->flags));
	}
}

static struct subject_signal_action current_action(int signal_number)
{
	struct subject_signal_action action;

	memset(&action, 0, sizeof(action));
	if (subject_signal_action(signal_number, &action) != 0)
		grade_setup_failed("cannot read the subject's action of signal %d", signal_number);
	return action;
}

static int same_action(const struct subject_signal_action *a,
		       const struct subject_signal_action *b)
{
	/* The flags and mask of SIG_DFL do not matter: the kernel ignores them. */
	if (a->handler == SUBJECT_HANDLER_DEFAULT && b->handler == SUBJECT_HANDLER_DEFAULT)
		return 1;
	return a->handler == b->handler && a->address == b->address && a->flags == b->flags &&
	       a->mask == b->mask;
}

/* What the test expects to find after every probe. */
struct signal_state {
	struct subject_signal_action bus, segv; /* read by sigaction() in the subject */
	uint64_t mask;                          /* SigBlk, read from outside */
};

static struct signal_state signal_state_now(void)
{
	struct signal_state state = { current_action(SIGBUS), current_action(SIGSEGV),
				      subject_signal_set("SigBlk") };

	return state;
}

/*
 * The kernel's own record of an action, from outside: whether the subject's
 * /proc/PID/status lists the signal as caught (SigCgt) or ignored (SigIgn).
 * It must agree with what sigaction() said in the subject.
 */
static void expect_kernel_agrees(int signal_number, const struct subject_signal_action *before,
				 const char *after, const char *hint)
{
	int caught = has_signal(subject_signal_set("SigCgt"), signal_number);
	int ignored = has_signal(subject_signal_set("SigIgn"), signal_number);
	int agrees = before->handler == SUBJECT_HANDLER_DEFAULT ? !caught && !ignored
		     : before->handler == SUBJECT_HANDLER_IGNORE ? ignored
								  : caught;

	grade_check(agrees, hint,
		    "expected: the action of %s to be what it was before, %s, after %s\n"
		    "observed: the kernel's record of the process (/proc/PID/status) says it is %s",
		    signal_name(signal_number), describe_action(before), after,
		    caught ? "a handler" : ignored ? "SIG_IGN" : "SIG_DFL");
}

static void expect_signal_state(const struct signal_state *before, const char *after,
				const char *hint)
{
	struct signal_state now;

	expect_not_blocked(after); /* first: it may unblock SIGBUS or SIGSEGV (test_policy) */
	now = signal_state_now();

	grade_check(same_action(&now.bus, &before->bus), hint,
		    "expected: the action of SIGBUS to be what it was before, %s, after %s\n"
		    "observed: it is %s",
		    describe_action(&before->bus), after, describe_action(&now.bus));
	grade_check(same_action(&now.segv, &before->segv), hint,
		    "expected: the action of SIGSEGV to be what it was before, %s, after %s\n"
		    "observed: it is %s",
		    describe_action(&before->segv), after, describe_action(&now.segv));
	expect_kernel_agrees(SIGBUS, &before->bus, after, hint);
	expect_kernel_agrees(SIGSEGV, &before->segv, after, hint);
	grade_check(has_signal(now.mask, SIGUSR1), HINT_WHOLE_MASK,
		    "expected: SIGUSR1, which the test had blocked, to be still blocked after "
		    "%s\nobserved: it has been unblocked", after);
	grade_check(now.mask == before->mask, HINT_WHOLE_MASK,
		    "expected: the signal mask after %s to be the one the test had set\n"
		    "observed: it is different", after);
}

/* The probes of the handler tests: ok, SIGBUS and SIGSEGV, reads and writes. */
struct probe_case {
	size_t offset_pages; /* in pages from the start of the mapping, plus offset_bytes */
	size_t offset_bytes;
	int write;
	int expected;
	const char *what;
};

static const struct probe_case handler_cases[] = {
	{ 0, 10, 0, PF_OK, "a read of the file" },
	{ 1, 3, 0, PF_SIGBUS, "a read past the file" },
	{ 2, 0, 0, PF_SIGSEGV, "a read of the guard page" },
	{ 0, 20, 1, PF_OK, "a write-back in the file" },
	{ 1, 99, 1, PF_SIGBUS, "a write past the file" },
	{ 2, 5, 1, PF_SIGSEGV, "a write to the guard page" },
	{ 0, 30, 0, PF_OK, "a read of the file once more" },
};

static void run_handler_cases(const struct guarded_map *guarded,
			      const struct signal_state *before, const char *hint)
{
	for (size_t i = 0; i < GRADE_COUNT(handler_cases); i++) {
		const struct probe_case *c = &handler_cases[i];
		size_t offset = c->offset_pages * page() + c->offset_bytes;

		expect_probe(guarded, offset, c->write, c->expected, c->what, HINT_PROBE);
		expect_signal_state(before,
				    grade_format("pf_probe(map + %zu, %d), %s", offset, c->write,
						 c->what),
				    hint);
	}
}

/*
 * The n-th sigaction() of a probe fails (EINVAL, as for a signal that cannot
 * be caught): the probe must return -1 with that errno, without touching the
 * byte, and leave both actions and the mask as they were. Ignoring the result
 * touches the byte with only one handler, or none, installed; a second failure
 * that does not put the first handler back leaves it installed.
 */
static void expect_sigaction_failure(const struct guarded_map *guarded,
				     const struct signal_state *before, unsigned failing)
{
	char call[400];
	size_t offset = 10; /* a byte of the file: a probe that goes on regardless says PF_OK */
	int observed, error;

	snprintf(call, sizeof(call), "pf_probe(map + %zu, 0), on %s, with its %s sigaction() "
		 "failing with EINVAL,", offset, guarded->what, failing == 1 ? "1st" : "2nd");
	grade_calls_reset();
	grade_faults.sigaction_fail_at = failing;
	grade_faults.sigaction_fail_errno = EINVAL;
	errno = 0;
	observed = pf_probe(guarded->map + offset, 0);
	error = errno;
	grade_calls_reset();
	grade_check(observed == -1 && error == EINVAL, HINT_SIGACTION_FAILED,
		    "expected: %s to return -1 with errno EINVAL, the handlers not installed\n"
		    "observed: %s", call, observed == -1 ? grade_describe_result(-1, error)
							  : grade_format("it returned %s",
									 outcome_name(observed)));
	expect_signal_state(before, call, HINT_SIGACTION_FAILED);
}

static void probe_restores_handlers(void)
{
	size_t p = page();
	unsigned char *data = make_data_file("data", 100, 641);
	struct guarded_map guarded = map_with_guard("data", 2 * p, PROT_READ | PROT_WRITE);

	/*
	 * Probes before the test has handlers of its own: what a probe puts back
	 * must be what is installed when it is called, not what was there at its
	 * first call.
	 */
	expect_probe(&guarded, 10, 0, PF_OK, "a read of the file, before the test's handlers",
		     HINT_PROBE);
	expect_probe(&guarded, p + 3, 0, PF_SIGBUS, "a read past the file, before the test's "
		     "handlers", HINT_PROBE);

	/*
	 * Handlers of the test's own in the subject, unlike anything a probe
	 * would install, and SIGUSR1 blocked there. If one of them ever runs, the
	 * probe did not catch the fault: it puts the default action back, the
	 * access is retried and the subject dies of it (calls/lab06.h).
	 */
	if (subject_set_signal_action(SIGSEGV, SUBJECT_HANDLER_KIT, SA_SIGINFO | SA_RESETHAND,
				      SUBJECT_SIGNAL_BIT(SIGUSR2)) != 0 ||
	    subject_set_signal_action(SIGBUS, SUBJECT_HANDLER_KIT, SA_RESTART,
				      SUBJECT_SIGNAL_BIT(SIGTERM)) != 0 ||
	    subject_block_signal(SIGUSR1) != 0)
		grade_setup_failed("cannot install the test's own handlers");

	struct signal_state before = signal_state_now();
	run_handler_cases(&guarded, &before, HINT_RESTORE);
	expect_sigaction_failure(&guarded, &before, 1);
	expect_sigaction_failure(&guarded, &before, 2);

	/*
	 * Other handlers now, the SIGSEGV one without SA_RESTART or any flag: the
	 * probes must put these back, not the first ones.
	 */
	if (subject_set_signal_action(SIGSEGV, SUBJECT_HANDLER_KIT, 0,
				      SUBJECT_SIGNAL_BIT(SIGHUP)) != 0 ||
	    subject_set_signal_action(SIGBUS, SUBJECT_HANDLER_KIT, SA_SIGINFO | SA_NODEFER,
				      SUBJECT_SIGNAL_BIT(SIGUSR2) | SUBJECT_SIGNAL_BIT(SIGALRM)) != 0)
		grade_setup_failed("cannot change the test's own handlers");
	before = signal_state_now();
	run_handler_cases(&guarded, &before, HINT_SAVED_ONCE);
	unmap_guarded(&guarded);
	free(data);
}

/*
 * A child of the subject probes (caught), then faults for real: the child must
 * die of it. The subject waits for it and reports its wait status.
 */
static void expect_child_killed(const struct guarded_map *guarded, size_t fault_at,
				int signal_number)
{
	struct subject_child_outcome child;

	grade_step("a child of the test calls pf_probe twice, then reads map + %zu itself: "
		   "it must be killed by %s", fault_at, signal_name(signal_number));
	if (subject_fork_probe_then_fault(guarded->map + 2 * page(), guarded->map + page(),
					  guarded->map + fault_at, 3000, &child) != 0)
		grade_setup_failed("the subject cannot fork a child and wait for it");
	int status = (int)child.status;
	grade_check(child.ended && WIFSIGNALED(status) && WTERMSIG(status) == signal_number,
		    HINT_DEFAULT,
		    "expected: a process whose actions are SIG_DFL, after two probes, to be "
		    "killed by %s when it reads map + %zu itself (%s)\nobserved: %s",
		    signal_name(signal_number), fault_at, guarded->what,
		    child.ended ? grade_describe_status(status)
				: "it was still running after 3 seconds (killed): the fault jumped back "
				  "into a pf_probe() that had already returned");
}

static void probe_restores_default_action(void)
{
	size_t p = page();
	unsigned char *data = make_data_file("data", 100, 651);
	struct guarded_map guarded = map_with_guard("data", 2 * p, PROT_READ | PROT_WRITE);

	if (subject_set_signal_action(SIGSEGV, SUBJECT_HANDLER_DEFAULT, 0, 0) != 0 ||
	    subject_set_signal_action(SIGBUS, SUBJECT_HANDLER_DEFAULT, 0, 0) != 0 ||
	    subject_block_signal(SIGUSR1) != 0)
		grade_setup_failed("cannot set the default actions");

	struct signal_state before = signal_state_now();
	run_handler_cases(&guarded, &before, HINT_DEFAULT);
	expect_child_killed(&guarded, 2 * p + 1, SIGSEGV);
	expect_child_killed(&guarded, p + 1, SIGBUS);
	unmap_guarded(&guarded);
	free(data);
}

/* ---- pf_predict against pf_probe on this machine ----------------------------------- */

static void expect_agreement(const struct guarded_map *guarded, size_t offset, int write)
{
	size_t p = page();
	int kernel = truth(guarded->file_size, guarded->map_len, offset, p);
	int predicted, error;

	errno = 0;
	predicted = (int)pf_predict(guarded->file_size, guarded->map_len, offset, p);
	error = errno;
	grade_check(predicted == kernel,
		    predict_hint(guarded->file_size, offset, kernel, predicted, HINT_PREDICT),
		    "expected: pf_predict(file_size=%zu, map_len=%zu, offset=%zu, page_size=%zu) "
		    "to return %s, what this machine's kernel does (%s)\nobserved: %s",
		    guarded->file_size, guarded->map_len, offset, p, outcome_name(kernel),
		    explain_case(guarded->file_size, guarded->map_len, offset, p),
		    error == ENOSYS ? grade_describe_result(-1, ENOSYS)
				    : grade_format("it returned %s", outcome_name(predicted)));
	expect_probe(guarded, offset, write, kernel,
		     grade_format("as pf_predict(%zu, %zu, %zu, %zu) said, and as the kernel does",
				  guarded->file_size, guarded->map_len, offset, p),
		     HINT_PROBE);
}

static void predict_agrees_with_probe(void)
{
	size_t p = page();
	const size_t files[] = { 0, 1, p - 1, p, p + 1, 2 * p - 1, 2 * p + 1, 3 * p };
	const size_t lens[] = { 1, p - 1, p, p + 1, 2 * p, 3 * p - 1, 4 * p + 1 };
	size_t offsets[24];

	for (size_t f = 0; f < GRADE_COUNT(files); f++) {
		char path[32];
		unsigned char *data;

		snprintf(path, sizeof(path), "file-%zu", files[f]);
		data = make_data_file(path, files[f], 661 + f);
		for (size_t l = 0; l < GRADE_COUNT(lens); l++) {
			struct guarded_map guarded = map_with_guard(path, lens[l],
								    PROT_READ | PROT_WRITE);
			size_t count = boundary_offsets(files[f], lens[l], p, offsets);

			for (size_t o = 0; o < count; o++)
				if (offsets[o] < guarded.area_len)
					expect_agreement(&guarded, offsets[o], (int)o % 2);
			unmap_guarded(&guarded);
		}
		free(data);
	}
}

/* ---- The table -------------------------------------------------------------------- */

static const struct grade_test lab06_tests[] = {
	GRADE_TEST(predict_at_4k_pages, 10,
		   "pf_predict: every file size, length and offset around the page boundaries, "
		   "4 KiB pages"),
	GRADE_TEST(predict_at_16k_and_64k_pages, 8,
		   "pf_predict: the same grid with 16 KiB and 64 KiB pages (page_size is a "
		   "parameter)"),
	GRADE_TEST(predict_empty_file_and_zero_length, 5,
		   "pf_predict: an empty file is SIGBUS in every mapped page; a length of 0 is "
		   "SIGSEGV everywhere"),
	GRADE_TEST(predict_without_overflow, 4,
		   "pf_predict: file sizes, lengths and offsets of 4 GiB and more, of 2^32 pages "
		   "and more, and near SIZE_MAX"),
	GRADE_TEST(usable_bytes_grid, 8,
		   "pf_usable_bytes: page_size * min(P, M) over the grid, empty files, zero "
		   "lengths, sizes of 4 GiB and 2^32 pages and more, huge sizes"),
	GRADE_TEST(probe_reads_real_mapping, 12,
		   "pf_probe reads: PF_OK in the file's pages, PF_SIGBUS past them, PF_SIGSEGV in "
		   "the guard page and on PROT_NONE"),
	GRADE_TEST(probe_writes_real_mapping, 10,
		   "pf_probe writes: the same boundaries; a write to a PROT_READ page is "
		   "PF_SIGSEGV, with write 1, 2 or -1"),
	GRADE_TEST(probe_leaves_bytes_unchanged, 8,
		   "pf_probe: reads and write-backs leave the mapping and the file (read by "
		   "another process) as they were"),
	GRADE_TEST(thousand_faulting_probes, 10,
		   "pf_probe: 1000 faults in a row, SIGBUS and SIGSEGV in turn; neither signal is "
		   "left blocked"),
	GRADE_TEST(probe_restores_handlers, 10,
		   "pf_probe: the test's own SIGBUS and SIGSEGV handlers, installed after earlier "
		   "probes and changed between probes, and the signal mask are exactly as before; "
		   "a failing sigaction() gives -1"),
	GRADE_TEST(probe_restores_default_action, 5,
		   "pf_probe: SIG_DFL comes back; a later real fault kills the process with the "
		   "right signal"),
	GRADE_TEST(predict_agrees_with_probe, 10,
		   "pf_predict agrees with pf_probe on real mappings of this machine, around every "
		   "boundary"),
};

GRADE_SUITE(6, "06-page-faults", "page_faults.c", "Page boundaries: SIGBUS and SIGSEGV",
	    lab06_tests);

/* The instructors' hidden tests, when this copy of the kit has them (grader.h). */
#if __has_include("hidden/lab06.c")
#include "hidden/lab06.c"
#endif
