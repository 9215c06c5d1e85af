/*
 * hidden/lab06.c — lab 6's hidden tests, included at the end of lab06.c.
 *
 * Edge cases the visible tests leave open: page sizes of real machines other
 * than the three the visible grid uses (8 KiB pages of SPARC and Alpha, the
 * 2 MiB and 1 GiB huge pages of x86-64), and pf_probe on memory the program
 * already has rather than a file mapping: its stack and heap (fine to read
 * and write), its read-only data (a write is SIGSEGV) and address 0 (SIGSEGV).
 * They use the suite's own helpers and hints; the student release does not
 * ship them.
 */

#define HINT_ANY_PAGE_SIZE                                                                   \
	"nothing may assume a page size: compute P and M from the page_size argument, "     \
	"whatever power of two it is (2 MiB and 1 GiB huge pages included) — "             \
	SECTION_PREDICT

static void predict_at_huge_page_sizes(void)
{
	const size_t sizes[] = { 8 * KIB, 2 * KIB * KIB, (size_t)KIB * KIB * KIB };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		predict_grid(sizes[i], HINT_ANY_PAGE_SIZE);
		usable_grid(sizes[i]);
	}
}

/* Text the program keeps in read-only memory: reading it is fine, storing is SIGSEGV. */
static const char read_only_text[] = "a constant of the program, kept in read-only pages";

/* One probe of addr (named `what`) in the suite's way, announced in case it crashes. */
static void expect_probe_of(const volatile void *addr, const char *what, int write,
			    int expected, const char *why)
{
	char call[200];

	grade_announce_call(call, sizeof(call), NULL, CRASH_NOTE, "pf_probe(%s, %d)", what,
			    write);
	expect_probe_result(call, addr, write, expected, why,
			    expected == PF_OK ? HINT_PROBE : HINT_WRITE);
}

static void probe_ordinary_memory(void)
{
	volatile unsigned char local = 0x3c;
	unsigned char *heap = malloc(64);

	if (heap == NULL)
		grade_setup_failed("out of memory");
	heap[63] = 0xc3;
	expect_probe_of(&local, "&local", 1, PF_OK, "a variable on the stack");
	expect_probe_of(heap + 63, "heap + 63", 1, PF_OK, "a byte malloc() returned");
	expect_probe_of(read_only_text, "read_only_text", 0, PF_OK,
			"reading a constant of the program");
	expect_probe_of(read_only_text + 10, "read_only_text + 10", 1, PF_SIGSEGV,
			"storing into a read-only page of the program's constants");
	expect_probe_of(NULL, "NULL", 0, PF_SIGSEGV, "nothing is ever mapped at address 0");
	grade_check(local == 0x3c && heap[63] == 0xc3, HINT_UNCHANGED,
		    "expected: the probed stack and heap bytes to keep 0x3c and 0xc3\n"
		    "observed: they hold 0x%02x and 0x%02x",
		    local, heap[63]);
	free(heap);
}

static const struct grade_test lab06_hidden_tests[] = {
	GRADE_TEST(predict_at_huge_page_sizes, 5,
		   "pf_predict, pf_usable_bytes: the grid with 8 KiB, 2 MiB and 1 GiB pages"),
	GRADE_TEST(probe_ordinary_memory, 5,
		   "pf_probe: stack and heap PF_OK for writes, read-only constants PF_SIGSEGV for "
		   "a write, NULL PF_SIGSEGV"),
};

GRADE_HIDDEN_TESTS(lab06_hidden_tests);
