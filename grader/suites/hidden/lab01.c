/*
 * hidden/lab01.c — lab 1's hidden tests, included at the end of lab01.c.
 *
 * Edge cases the visible tests leave open, from read(2), write(2) and open(2):
 * a count of 0 is a call that does nothing; a pipe whose writer closes early
 * ends the file before count bytes; and a destination that cannot be created
 * must fail with open()'s errno after src was already opened (and, for
 * tio_copy_mmap, possibly mapped), leaving nothing behind. They use the
 * suite's own helpers and hints; the student release does not ship them.
 */

#define HINT_DST_REFUSED(section)                                                            \
	"when open() of dst fails, return -1 with open()'s errno, after closing src (and "  \
	"unmapping it, if it was mapped) — " section

/* count 0: both loops must return 0 at once, reading and writing nothing. */
static void zero_count_does_nothing(void)
{
	unsigned char *data = grade_make_and_keep_random_file("data", 100, 901, 0644);
	unsigned char buf[1] = { 0x5a };
	int fd = open_or_fail("data", O_RDWR);

	if (lseek(fd, 40, SEEK_SET) != 40)
		grade_setup_failed("cannot seek in data");
	struct grade_outcome out = run_read_full(fd, buf, 0, "at file offset 40 of 100");
	grade_expect_result(out.result, out.error, 0, out.call, HINT_READ_EOF);
	grade_check(lseek(fd, 0, SEEK_CUR) == 40 && buf[0] == 0x5a, HINT_READ_SHORT,
		    "expected: %s to read nothing (the file offset stays 40, buf untouched)\n"
		    "observed: the offset is %lld and buf[0] is 0x%02x",
		    out.call, (long long)lseek(fd, 0, SEEK_CUR), buf[0]);

	out = run_write_full(fd, "x", 0, "at file offset 40 of 100");
	grade_expect_result(out.result, out.error, 0, out.call, HINT_WRITE_SHORT);
	close(fd);
	grade_expect_file("data", data, 100, grade_format("data after %s", out.call),
			  HINT_WRITE_SHORT);
	free(data);
}

/*
 * A writer that sends 700 bytes, 250 at a time 50 ms apart, and closes: asking
 * for 1000 gives 700, then 0. The pauses make every read() return one piece.
 */
static void read_full_stops_where_a_pipe_ends(void)
{
	unsigned char *data = grade_random_bytes(700, 902);
	unsigned char buf[1000];
	pid_t writer;
	int fd = grade_pipe_from_writer(data, 700, 250, 50, &writer);

	struct grade_outcome first = run_read_full(fd, buf, sizeof(buf),
						   "on a pipe whose writer sends 700 bytes, 250 "
						   "at a time 50 ms apart, then closes it");
	/* Only a call that stopped at the end can be asked again without blocking. */
	struct grade_outcome again = first;
	if (first.result == 700)
		again = run_read_full(fd, buf + 700, 300, "again, after the writer has closed "
							  "the pipe");
	grade_close_pipe_from_writer(fd, writer);
	grade_expect_result(first.result, first.error, 700, first.call, HINT_READ_EOF);
	expect_bytes(buf, data, 700, first.call, HINT_READ_EOF);
	grade_expect_result(again.result, again.error, 0, again.call, HINT_READ_EOF);
	free(data);
}

/* One copy into a dst that open() refuses: open()'s errno, no leak, src intact. */
static void expect_dst_refused(int mmap_copy, const char *dst, int expected_errno,
			       const unsigned char *src_data, size_t size, const char *situation)
{
	struct grade_resources before = grade_leak_watch_start(NULL);
	struct grade_outcome out = mmap_copy ? run_copy_mmap("src", dst, situation)
				     : run_copy_rw("src", dst, 512, situation);

	grade_expect_error(out.result, out.error, expected_errno, out.call,
			   mmap_copy ? HINT_DST_REFUSED(SECTION_COPY_MMAP)
				     : HINT_DST_REFUSED(SECTION_COPY_RW));
	grade_leak_watch_finish(before, out.call, HINT_LEAK, HINT_MUNMAP);
	grade_expect_file("src", src_data, size, grade_format("src after %s", out.call),
			  HINT_LEAK);
}

static void copy_reports_a_dst_it_cannot_create(void)
{
	size_t size = 2 * page() + 33;
	unsigned char *data = grade_make_and_keep_random_file("src", size, 903, 0644);

	grade_make_directory("dir");
	for (int mmap_copy = 0; mmap_copy <= 1; mmap_copy++) {
		expect_dst_refused(mmap_copy, "dir", EISDIR, data, size,
				   "where dst is a directory");
		expect_dst_refused(mmap_copy, "no-such-folder/dst", ENOENT, data, size,
				   "where dst's folder does not exist");
	}
	free(data);
}

static const struct grade_test lab01_hidden_tests[] = {
	GRADE_TEST(zero_count_does_nothing, 4,
		   "tio_read_full, tio_write_full: a count of 0 returns 0, reading and writing "
		   "nothing"),
	GRADE_TEST(read_full_stops_where_a_pipe_ends, 3,
		   "tio_read_full: a pipe closed after 700 bytes gives 700 for 1000 asked, then 0"),
	GRADE_TEST(copy_reports_a_dst_it_cannot_create, 3,
		   "tio_copy_rw, tio_copy_mmap: a dst that is a directory or in a missing folder "
		   "gives EISDIR or ENOENT, no leak, src intact"),
};

GRADE_HIDDEN_TESTS(lab01_hidden_tests);
