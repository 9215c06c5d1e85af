/*
 * hidden/lab02.c — lab 2's hidden tests, included at the end of lab02.c.
 *
 * Edge cases the visible tests leave open: edits that end exactly where a
 * file of whole pages ends (the last byte of the last page, the whole last
 * page), a needle longer than the file (where size - len underflows), and
 * lengths so large that offset + len or old_size + len overflow (handout
 * Steps 3.2 and 4.2). They use the suite's own helpers and hints; the
 * student release does not ship them.
 */

/* One se_write_at of fresh bytes at offset; the file and the pages mapped must be right. */
static void expect_exact_write(unsigned char *data, size_t size, size_t offset, size_t len,
			       const char *situation)
{
	struct grade_outcome out = expect_small_edit("pages", data, offset, len, situation);

	expect_file_after("pages", data, size, &out, HINT_WRITE_AT);
}

static void edits_at_the_end_of_whole_pages(void)
{
	size_t size = 2 * page();
	unsigned char *data = random_letters(size, 911);

	memcpy(data + size - NEEDLE_LEN, NEEDLE, NEEDLE_LEN);
	grade_make_file("pages", data, size, 0644);
	expect_byte_set("pages", data, size, size - 1);
	expect_exact_write(data, size, size - 1, 1,
			   "on a file of exactly 2 pages, at its very last byte");
	expect_exact_write(data, size, page(), page(),
			   "on a file of exactly 2 pages, over the whole last page");

	memcpy(data + size - NEEDLE_LEN, NEEDLE, NEEDLE_LEN);
	grade_make_file("pages", data, size, 0644);
	struct grade_outcome out = run_replace("pages", NEEDLE, "SPLICE",
					 "on a file of exactly 2 pages that ends with it");
	expect_success(&out, 1, HINT_REPLACE);
	memcpy(data + size - NEEDLE_LEN, "SPLICE", NEEDLE_LEN);
	expect_file_after("pages", data, size, &out, HINT_REPLACE);
	free(data);
}

static void replace_all_needle_longer_than_file(void)
{
	expect_replaced("short", "abc", "abcd", "wxyz", 0, "abc", HINT_REPLACE);
	expect_replaced("short", "abc", "abc", "xyz", 1, "xyz", HINT_REPLACE);
	expect_replaced("short", "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0, "a", HINT_REPLACE);
}

#define HINT_APPEND_SIZE                                                                     \
	"check len > OFF_T_MAX - old_size (old_size + len could overflow) and fail with "  \
	"EFBIG before ftruncate(): a wrapped size would shrink the file — " SECTION_APPEND

/* The call must fail with expected_errno and leave "data" as the articles' text. */
static void expect_too_large(struct grade_outcome out, int expected_errno, const char *hint)
{
	expect_refused(&out, expected_errno, "data.txt", ARTICLE_TEXT, ARTICLE_SIZE, hint);
}

/*
 * The data is two bytes whatever len says: the subject gets just those two,
 * right before a guard page (run_write_at_holding), so code that reads the
 * data before refusing the length dies of SIGSEGV.
 */
static void huge_lengths_are_refused(void)
{
	const off_t off_t_max = (off_t)(((uintmax_t)1 << (sizeof(off_t) * CHAR_BIT - 1)) - 1);
	const char bytes[2] = { 'X', 'Y' };

	make_text_file("data.txt", ARTICLE_TEXT);
	expect_too_large(run_write_at_holding("data.txt", 10, bytes, sizeof(bytes), SIZE_MAX,
					      "where offset + len wraps around to 9"),
			 EINVAL, HINT_WRITE_AT_RANGE);
	expect_too_large(run_write_at("data.txt", off_t_max, bytes, 2,
				      "where offset + len overflows an off_t"),
			 EINVAL, HINT_WRITE_AT_RANGE);
	expect_too_large(run_append_holding("data.txt", bytes, sizeof(bytes), SIZE_MAX,
					    "where the new size would not fit in an off_t"),
			 EFBIG, HINT_APPEND_SIZE);
	expect_too_large(run_append_holding("data.txt", bytes, sizeof(bytes), (size_t)off_t_max,
					    "where old size + len passes the largest off_t"),
			 EFBIG, HINT_APPEND_SIZE);
}

static const struct grade_test lab02_hidden_tests[] = {
	GRADE_TEST(edits_at_the_end_of_whole_pages, 4,
		   "se_set_byte, se_write_at, se_replace_all: the last byte and the whole last "
		   "page of a file of exactly 2 pages"),
	GRADE_TEST(replace_all_needle_longer_than_file, 3,
		   "se_replace_all: a needle longer than the file matches nothing, one as long "
		   "as the file matches once"),
	GRADE_TEST(huge_lengths_are_refused, 3,
		   "se_write_at, se_append: lengths where offset + len or the new size overflow "
		   "give EINVAL or EFBIG, the file unchanged"),
};

GRADE_HIDDEN_TESTS(lab02_hidden_tests);
