/*
 * hidden/lab03.c — lab 3's hidden tests, included at the end of lab03.c.
 *
 * Edge cases the visible tests leave open: a private mapping of a file that
 * ends inside its last page, where a store past the end of the file is
 * legal, copies the page, and still never reaches the file; and
 * /proc/self/smaps far longer than any one buffer, with the mapping to count
 * near its end. They use the suite's own helpers and hints; the student
 * release does not ship them.
 */

#define HINT_LONG_SMAPS                                                                      \
	"read /proc/self/smaps line by line to its end (getline() or fgets() in a loop): "  \
	"with many mappings it is hundreds of kB, far more than one read() returns — "     \
	SECTION_COW

/* A file of 2 pages and 10 bytes: its third page is mostly past the end of the file. */
static void cow_pages_counts_the_tail_page(void)
{
	struct test_file file = make_test_file("tail", 2 * page() + 10, 921, 0644);
	struct map_outcome out = map_or_fail(&file, NULL, HINT_MAP_WHOLE);
	unsigned char *map = out.map;
	size_t last = 3 * page() - 1; /* the last byte of the mapping's last page */

	grade_step("storing into byte %zu of the private mapping, past the end of the "
		   "%zu-byte file but inside its last page", last, file.size);
	store_byte(map, last, 0x7e, out.call);
	expect_cow(map + last, "map + 3 * page - 1", 1,
		   "storing one byte past the end of the file, inside its last page",
		   HINT_COW_COUNT);
	store_byte(map, 0, 0x7f, out.call);
	store_byte(map, file.size - 1, (unsigned char)~file.data[file.size - 1], out.call);
	expect_cow(map + file.size, "map + 2 * page + 10", 2,
		   "storing into the first page and into the last page again",
		   HINT_COW_COUNT);
	expect_file_untouched(&file, "stores into its private mapping, past its end included",
			      HINT_STAYS_PRIVATE);
	unmap_or_fail(&out);
	free(file.data);
}

/*
 * Map `count` one-page anonymous regions in the subject whose protections
 * alternate, so none merge.
 */
static unsigned char **many_mappings(size_t count)
{
	unsigned char **regions = malloc(count * sizeof(*regions));

	if (regions == NULL)
		grade_setup_failed("out of memory");
	grade_step("mapping %zu one-page regions in the subject", count);
	for (size_t i = 0; i < count; i++) {
		regions[i] = subject_map(NULL, page(), i % 2 ? PROT_READ : PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS);
		if (regions[i] == MAP_FAILED)
			grade_setup_failed("cannot map region %zu of %zu", i, count);
	}
	return regions;
}

static void release_mappings(unsigned char **regions, size_t count)
{
	for (size_t i = 0; i < count; i++)
		unmap_in_subject(regions[i], page());
	free(regions);
}

static void cow_pages_reads_a_long_smaps(void)
{
	const size_t fillers = 600, stored[] = { 1, 4 };
	struct test_file file = make_test_file("far", 6 * page(), 922, 0644);
	unsigned char *map = map_privately(&file);
	/* Made after it, they lie below it: smaps lists them first. */
	unsigned char **regions = many_mappings(fillers);

	store_in_pages(map, stored, 2, 0xc3);
	long copied_kib = grade_smaps_kib(map, "Anonymous:");
	if (copied_kib != 2 * page_kib())
		grade_setup_failed("the kernel counts %ld kB copied on write, not 2 pages",
				   copied_kib);
	char call[200];
	int error;
	long result = run_cow(map + 5 * page(), "map + 5 * page",
			      "with 600 other mappings listed before it in /proc/self/smaps",
			      &error, call, sizeof(call));
	release_mappings(regions, fillers);
	grade_check(result != -1, HINT_LONG_SMAPS,
		    "expected: %s to return 2 (two pages stored into)\nobserved: %s", call,
		    grade_describe_result(-1, error));
	grade_check(result == 2, HINT_LONG_SMAPS,
		    "expected: %s to return 2 (two pages stored into)\nobserved: it returned %ld",
		    call, result);
	unmap_in_subject(map, file.size);
	free(file.data);
}

static const struct grade_test lab03_hidden_tests[] = {
	GRADE_TEST(cow_pages_counts_the_tail_page, 5,
		   "pm_map_private, pm_cow_pages: a store past the end of the file, inside its "
		   "last page, is copied on write and never reaches the file"),
	GRADE_TEST(cow_pages_reads_a_long_smaps, 5,
		   "pm_cow_pages: finds its entry after 600 others, in a /proc/self/smaps of "
		   "hundreds of kB"),
};

GRADE_HIDDEN_TESTS(lab03_hidden_tests);
