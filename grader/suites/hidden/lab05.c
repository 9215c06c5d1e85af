/*
 * hidden/lab05.c — lab 5's hidden tests, included at the end of lab05.c.
 *
 * Edge cases the visible tests leave open: a header whose count makes
 * 8 + count * 28 wrap around to the file's true size in 32-bit arithmetic
 * (a reader that computes the size in uint32_t trusts it and reads a gigabyte
 * past the end), and a channel whose state lives in its file, not in a
 * handle: messages sent and finished through one handle are all there for a
 * handle opened after it was closed. They use the suite's own helpers and
 * hints; the student release does not ship them.
 */

#define HINT_LOAD_WIDE                                                                       \
	"compute 8 + count * sizeof(struct fi_student) in size_t (64 bits), never in "      \
	"uint32_t, where a lying count can wrap around to the real size — " SECTION_FORMAT
#define HINT_STATE_IN_FILE                                                                   \
	"keep the positions and the finished flag in the file's header, not in the "       \
	"handle: fi_chan_open must find them as the sender left them — " SECTION_RING

static void load_refuses_a_wrapping_count(void)
{
	struct fi_student *one = make_class(1, 931);
	/* (2^30 + 1) * 28 = 28 + 7 * 2^32: in 32 bits, exactly one record's worth. */
	const uint32_t wrapping = (UINT32_C(1) << 30) + 1;
	size_t size;
	unsigned char *bytes = published_bytes(one, 1, wrapping, &size);
	struct fi_student *out = untouched_records(4);

	grade_make_file("wrapping", bytes, size, 0644);
	struct grade_outcome result = run_load("wrapping", out, 4,
					       "on a file of 8 + 1 record bytes whose header "
					       "counts 1073741825 records, with room for 4");
	grade_expect_error(result.result, result.error, EBADMSG, result.call, HINT_LOAD_WIDE);
	expect_records(out, 4, NULL, 0, result.call);
	free(out);
	free(bytes);
	free(one);
}

static void chan_outlives_its_handles(void)
{
	static const char *const messages[] = { "first", "a second, longer message", "3" };
	const size_t count = GRADE_COUNT(messages);
	fi_chan *tx = create_or_fail("chan", FI_CHAN_MIN_CAPACITY);
	unsigned char rest[100];
	char call[200];

	for (size_t i = 0; i < count; i++)
		send_or_fail(tx, messages[i], strlen(messages[i]),
			     grade_format("\"%s\"", messages[i]));
	grade_announce_call(call, sizeof(call), NULL, NULL, "fi_chan_finish(ch)");
	int result = fi_chan_finish(tx);
	int error = errno;
	grade_expect_result(result, error, 0, call, HINT_END);
	close_or_fail(tx, "the sender's handle");

	fi_chan *rx = open_or_fail("chan");
	for (size_t i = 0; i < count; i++)
		expect_message(rx, 100, (const unsigned char *)messages[i], strlen(messages[i]),
			       grade_format("through a handle opened after the sender sent 3 "
					    "messages, finished and closed its handle: message "
					    "%zu", i + 1),
			       HINT_STATE_IN_FILE);
	long long got = recv_guarded(rx, sizeof(rest), rest, &error, call,
				     sizeof(call), "after the 3 messages the closed sender left");
	grade_expect_result(got, error, 0, call, HINT_STATE_IN_FILE);
	close_or_fail(rx, "the receiver's handle");
}

static const struct grade_test lab05_hidden_tests[] = {
	GRADE_TEST(load_refuses_a_wrapping_count, 5,
		   "fi_load: EBADMSG for a count whose size wraps around 32 bits to the file's "
		   "real size"),
	GRADE_TEST(chan_outlives_its_handles, 5,
		   "fi_chan_open after the sender's handle is closed: every message it sent, "
		   "then 0"),
};

GRADE_HIDDEN_TESTS(lab05_hidden_tests);
