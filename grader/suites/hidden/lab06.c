/*
 * hidden/lab06.c — lab 6's hidden tests, included at the end of lab06.c.
 *
 * Edge cases the visible tests leave open: page sizes of real machines other
 * than the three the visible grid uses (8 KiB pages of SPARC and Alpha, the
 * 2 MiB and 1 GiB huge pages of x86-64), and pf_probe on memory the program
 * already has rather than a file mapping: its stack and heap (fine to read
 * and write), its read-only data (a write is SIGSEGV) and address 0 (SIGSEGV).
 * They use the suite's own helpers and hints; the student release does not
 * ship them. The stack, heap and read-only bytes are the subject's own, probed
 * there by subject_probe_own_memory() (calls/lab06.h), which reports the byte
 * as the probe left it.
 */

#define HINT_ANY_PAGE_SIZE                                                                   \
	"nothing may assume a page size: compute P and M from the page_size argument, "     \
	"whatever power of two it is (2 MiB and 1 GiB huge pages included) — "             \
	SECTION_PREDICT

static void predict_at_huge_page_sizes(void)
{
	const size_t sizes[] = { 8 * KIB, 2 * KIB * KIB, (size_t)KIB * KIB * KIB };

	for (size_t i = 0; i < GRADE_COUNT(sizes); i++) {
		predict_grid(sizes[i], HINT_ANY_PAGE_SIZE);
		usable_grid(sizes[i]);
	}
}

/*
 * One probe of a byte of the subject's own memory (`which`, enum
 * subject_own_memory, named `what`) in the suite's way, announced in case it
 * crashes; the byte as the probe left it goes to *value_after.
 */
static void expect_probe_of(int which, size_t offset, const char *what, int write, int expected,
			    const char *why, unsigned char *value_after)
{
	char call[200];
	int observed;

	grade_announce_call(call, sizeof(call), NULL, CRASH_NOTE, "pf_probe(%s, %d)", what,
			    write);
	observed = subject_probe_own_memory(which, offset, write, value_after);
	judge_probe_result(call, observed, errno, expected, why,
			   expected == PF_OK ? HINT_PROBE : HINT_WRITE);
}

static void probe_ordinary_memory(void)
{
	unsigned char local = 0, heap = 0, text = 0;
	char call[200];

	expect_probe_of(SUBJECT_MEMORY_STACK, 0, "&local", 1, PF_OK, "a variable on the stack",
			&local);
	expect_probe_of(SUBJECT_MEMORY_HEAP, SUBJECT_HEAP_BLOCK - 1, "heap + 63", 1, PF_OK,
			"a byte malloc() returned", &heap);
	expect_probe_of(SUBJECT_MEMORY_READ_ONLY, 0, "read_only_text", 0, PF_OK,
			"reading a constant of the program", &text);
	expect_probe_of(SUBJECT_MEMORY_READ_ONLY, 10, "read_only_text + 10", 1, PF_SIGSEGV,
			"storing into a read-only page of the program's constants", &text);
	grade_announce_call(call, sizeof(call), NULL, CRASH_NOTE, "pf_probe(NULL, 0)");
	expect_probe_result(call, NULL, 0, PF_SIGSEGV, "nothing is ever mapped at address 0",
			    HINT_WRITE);
	grade_check(local == SUBJECT_STACK_BYTE && heap == SUBJECT_HEAP_BYTE, HINT_UNCHANGED,
		    "expected: the probed stack and heap bytes to keep 0x%02x and 0x%02x\n"
		    "observed: they hold 0x%02x and 0x%02x",
		    SUBJECT_STACK_BYTE, SUBJECT_HEAP_BYTE, local, heap);
}

static const struct grade_test lab06_hidden_tests[] = {
	GRADE_TEST(predict_at_huge_page_sizes, 5,
		   "pf_predict, pf_usable_bytes: the grid with 8 KiB, 2 MiB and 1 GiB pages"),
	GRADE_TEST(probe_ordinary_memory, 5,
		   "pf_probe: stack and heap PF_OK for writes, read-only constants PF_SIGSEGV for "
		   "a write, NULL PF_SIGSEGV"),
};

GRADE_HIDDEN_TESTS(lab06_hidden_tests);
