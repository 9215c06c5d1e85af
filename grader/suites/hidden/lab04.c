/*
 * hidden/lab04.c — lab 4's hidden tests, included at the end of lab04.c.
 *
 * Edge cases the visible tests leave open: numbers at the edges of int64_t,
 * which only 64-bit integer slots add exactly (an int truncates them, a
 * double rounds them past 2^53), and many short games of ping-pong in a row,
 * which must each start from fresh turns and leave no child, semaphore
 * mapping or descriptor behind. They use the suite's own helpers and hints;
 * the student release does not ship them.
 */

#define HINT_SUM_WIDTH                                                                       \
	"keep the data, the slots and the total as int64_t: an int slot truncates, and a "  \
	"double rounds every number past 2^53 — " SECTION_SUM

/* Pairs that nearly cancel: the total is small, every number is not. */
static const int64_t edge_numbers[] = {
	INT64_MAX,
	INT64_MIN,
	INT64_MAX - 1,
	INT64_MIN + 3,
	(INT64_C(1) << 53) + 1,
	-(INT64_C(1) << 53),
	INT64_C(5000000000),
	-INT64_C(4999999999),
};
#define EDGE_COUNT (GRADE_COUNT(edge_numbers))

static void parallel_sum_at_the_edges_of_int64(void)
{
	const int worker_counts[] = { 1, 2, 3, 8 };
	const int64_t expected = 2; /* -1 + 1 + 1 + 1, pair by pair */

	for (size_t i = 0; i < GRADE_COUNT(worker_counts); i++) {
		struct sum_outcome out = run_sum(edge_numbers, "data", EDGE_COUNT,
						 worker_counts[i], 1,
						 "with INT64_MAX, INT64_MIN, 2^53 + 1 and "
						 "5000000000 among the numbers", NULL);

		grade_expect_result(out.result, out.error, 0, out.call, HINT_SUM_WIDTH);
		grade_check(out.sum == expected, HINT_SUM_WIDTH,
			    "expected: %s to store the total %" PRId64 "\nobserved: it stored "
			    "%" PRId64,
			    out.call, expected, out.sum);
	}
}

static void pingpong_many_short_games(void)
{
	const int games = 150;
	struct grade_resources before = grade_resources_now();
	char call[200] = "ai_pingpong";

	grade_adopt_orphans();
	for (int game = 0; game < games; game++) {
		long rounds = 1 + game % 2;
		char *trace = trace_buffer(rounds);
		struct pingpong_outcome out =
			run_pingpong(rounds, trace, grade_format("in game %d of %d in a row",
								  game + 1, games));

		grade_expect_result(out.result, out.error, 0, out.call, HINT_PINGPONG);
		expect_trace(trace, rounds, out.call);
		snprintf(call, sizeof(call), "%s", out.call);
		free(trace);
	}
	grade_expect_no_children(call, HINT_REAP);
	grade_expect_no_leak(before, grade_format("%d games of ai_pingpong", games), HINT_LEAK);
}

static const struct grade_test lab04_hidden_tests[] = {
	GRADE_TEST(parallel_sum_at_the_edges_of_int64, 5,
		   "ai_parallel_sum: INT64_MAX, INT64_MIN and 2^53 + 1 in the data, with 1 to 8 "
		   "workers: the exact total"),
	GRADE_TEST(pingpong_many_short_games, 5,
		   "ai_pingpong: 150 games of 1 or 2 rounds in a row, each \"PC...\", with no "
		   "child, mapping or descriptor left"),
};

GRADE_HIDDEN_TESTS(lab04_hidden_tests);
