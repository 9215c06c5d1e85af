/*
 * main.c — `make bench`: measured evidence for the handouts' performance claims.
 *
 * bench --peer PROGRAM --dir DIR --file-system NAME --out JSON [--quick]
 * bench --help   (the usage line, on standard output)
 *
 * Runs, in this one process tree, a warm-up round that is thrown away and
 * then REPEATS rounds. Each round measures every method once, one after the
 * other (interleaved), so that a machine that is slower for a minute slows
 * every method alike: the cache-line round trip between two CPUs, the IPC
 * methods for four message sizes, then the file scans and copies in DIR.
 * PROGRAM is chan-peer built against the channel under test. Prints the table
 * on standard output, a progress line on standard error, and writes JSON. Any
 * corrupt or failed transfer stops the run with a message saying which one
 * and exit status 1; exit status 2 for a bad command line.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "transfer.h"

/* How much one round moves; --quick makes every figure small. */
struct settings {
	size_t repeats;
	size_t ipc_bytes;     /* per IPC measurement (four times as much for memcpy) */
	uint64_t ipc_maximum; /* messages per IPC measurement, at most */
	size_t file_size;
	uint64_t roundtrips;
};

static const struct settings normal_settings = { 7, 256u << 20, 200000, 256u << 20, 200000 };
static const struct settings quick_settings = { 2, 16u << 20, 20000, 16u << 20, 20000 };

struct options {
	const char *peer, *dir, *file_system, *out;
	int quick;
};

static const size_t ipc_sizes[IPC_SIZES] = { 64, 4096, 64 * 1024, 1024 * 1024 };

static struct file_bench files;
static int files_ready;

/* Stop the whole run: say what failed, remove the files, exit 1. */
static void give_up(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));
static void give_up(const char *format, ...)
{
	va_list args;

	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	fputs("bench: ", stderr);
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputs("\n", stderr);
	if (files_ready)
		files_cleanup(&files);
	exit(1);
}

/* The progress line: rewritten in place on a terminal, one line per round elsewhere. */
static void progress(size_t round, size_t rounds, const char *what)
{
	static size_t announced = (size_t)-1;
	char stage[32] = "warm-up (not counted)";

	if (round > 0)
		snprintf(stage, sizeof(stage), "round %zu of %zu", round, rounds);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[Kbench: %s: %s", stage, what);
	else if (round != announced)
		fprintf(stderr, "bench: %s\n", stage);
	announced = round;
}

static const char usage[] = "usage: bench --peer PROGRAM --dir DIR --file-system NAME "
			    "--out JSON [--quick]\n";

/*
 * The command line into o: 0 when every option it needs is there, 1 for
 * --help, -1 for anything else (an unknown option, a missing value, a word
 * that is no option). getopt_long's own messages are off (opterr): a bad
 * command line gets the usage line and nothing else, as it always has.
 */
static int parse_options(int argc, char *argv[], struct options *o)
{
	enum { PEER = 256, DIR_OPTION, FILE_SYSTEM, OUT, QUICK, HELP };
	static const struct option long_options[] = {
		{ "peer", required_argument, NULL, PEER },
		{ "dir", required_argument, NULL, DIR_OPTION },
		{ "file-system", required_argument, NULL, FILE_SYSTEM },
		{ "out", required_argument, NULL, OUT },
		{ "quick", no_argument, NULL, QUICK },
		{ "help", no_argument, NULL, HELP },
		{ NULL, 0, NULL, 0 },
	};
	int option;

	opterr = 0;
	while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (option) {
		case PEER: o->peer = optarg; break;
		case DIR_OPTION: o->dir = optarg; break;
		case FILE_SYSTEM: o->file_system = optarg; break;
		case OUT: o->out = optarg; break;
		case QUICK: o->quick = 1; break;
		case HELP: return 1;
		default: return -1;
		}
	}
	if (optind < argc)
		return -1;
	return o->peer && o->dir && o->file_system && o->out ? 0 : -1;
}

/* The first two CPUs this process may use (the same one twice if it has one). */
static void choose_cpus(int cpus[2])
{
	cpu_set_t set;
	int found = 0;

	cpus[0] = cpus[1] = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == -1)
		give_up("sched_getaffinity: %s", strerror(errno));
	for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[found++] = cpu;
	if (found < 2) {
		cpus[1] = cpus[0];
		fprintf(stderr, "bench: only one CPU: both ends of every transfer share it\n");
	}
}

/* One IPC measurement; a failure ends the run, naming the transfer. */
static void measure_ipc(struct ipc_job *job, enum ipc_method method, struct series *s)
{
	struct outcome out;

	ipc_measure(method, job, &out);
	if (out.kind == OUTCOME_UNIMPLEMENTED)
		give_up("the channel under test is not implemented: %s.\n"
			"Write lab 5's channel (fi_chan_create to fi_chan_close in file_ipc.c) "
			"first, then run make bench again.", out.why);
	if (out.kind != OUTCOME_OK)
		give_up("%s, %zu-byte messages: %s%s", ipc_method_name(method), job->size, out.why,
			strstr(out.why, "corrupt") || strstr(out.why, "sequence number")
				? " (the transfer was corrupt: no figures are printed)" : "");
	/* The receiver's clock starts at the first message: count - 1 were timed. */
	uint64_t timed = method == IPC_MEMCPY ? job->copies : job->count - 1;
	if (s != NULL)
		series_add(s, (double)timed * (double)job->size, (double)timed, out.seconds);
}

static void ipc_round(const struct options *o, const struct settings *set, struct results *r,
		      size_t round, char *channel_file)
{
	char what[64];

	for (int i = 0; i < IPC_SIZES; i++) {
		uint64_t count = set->ipc_bytes / ipc_sizes[i];
		struct ipc_job job = {
			.size = ipc_sizes[i], .count = count < set->ipc_maximum ? count : set->ipc_maximum,
			.copies = 4 * count,
			.cpus = { r->cpus[0], r->cpus[1] }, .peer_program = o->peer,
			.channel_file = channel_file,
		};

		for (int m = 0; m < IPC_METHODS; m++) {
			snprintf(what, sizeof(what), "%s, %zu-byte messages", ipc_method_name(m),
				 job.size);
			progress(round, set->repeats, what);
			measure_ipc(&job, m, round == 0 ? NULL : &r->ipc[i][m]);
		}
	}
}

static void files_round(const struct settings *set, struct results *r, size_t round)
{
	struct outcome out;

	for (int m = 0; m < FILE_METHODS; m++) {
		progress(round, set->repeats, file_method_name(m));
		files_measure(&files, m, &out);
		if (out.kind != OUTCOME_OK)
			give_up("file %s: %s", file_method_name(m), out.why);
		if (round > 0)
			series_add(&r->files[m], (double)files.size, 1, out.seconds);
	}
}

static void roundtrip(const struct settings *set, struct results *r, size_t round)
{
	char why[256];
	double ns;

	progress(round, set->repeats, "cache-line round trip");
	ns = cacheline_roundtrip_ns(r->cpus, set->roundtrips, why, sizeof(why));
	if (ns < 0)
		give_up("cache-line round trip: %s", why);
	if (round > 0)
		series_add(&r->roundtrip, ns, 0, 1);
}

/* Every series, or exit: repeats samples each. */
static void init_results(struct results *r, const struct options *o, const struct settings *set)
{
	int ok = series_init(&r->roundtrip, set->repeats) == 0;

	r->repeats = set->repeats;
	r->file_system = o->file_system;
	r->file_size = set->file_size;
	memcpy(r->ipc_sizes, ipc_sizes, sizeof(ipc_sizes));
	for (int i = 0; i < IPC_SIZES; i++)
		for (int m = 0; m < IPC_METHODS; m++)
			ok &= series_init(&r->ipc[i][m], set->repeats) == 0;
	for (int m = 0; m < FILE_METHODS; m++)
		ok &= series_init(&r->files[m], set->repeats) == 0;
	if (!ok)
		give_up("no memory for the results");
}

static void finish_results(struct results *r)
{
	series_finish(&r->roundtrip);
	for (int i = 0; i < IPC_SIZES; i++)
		for (int m = 0; m < IPC_METHODS; m++)
			series_finish(&r->ipc[i][m]);
	for (int m = 0; m < FILE_METHODS; m++)
		series_finish(&r->files[m]);
}

int main(int argc, char *argv[])
{
	struct options o = { 0 };
	static struct results r;
	const struct settings *set;
	char channel_file[4096], why[512];

	switch (parse_options(argc, argv, &o)) {
	case 1:
		fputs(usage, stdout);
		return 0;
	case -1:
		fputs(usage, stderr);
		return 2;
	}
	set = o.quick ? &quick_settings : &normal_settings;
	init_results(&r, &o, set);
	choose_cpus(r.cpus);
	if (bench_pin(r.cpus[0]) == -1)
		give_up("sched_setaffinity: %s", strerror(errno));
	snprintf(channel_file, sizeof(channel_file), "%s/channel", o.dir);
	progress(0, set->repeats, "writing the file");
	if (files_prepare(&files, o.dir, set->file_size, why, sizeof(why)) == -1)
		give_up("%s", why);
	files_ready = 1;
	for (size_t round = 0; round <= set->repeats; round++) {
		roundtrip(set, &r, round);
		ipc_round(&o, set, &r, round, channel_file);
		files_round(set, &r, round);
	}
	files_cleanup(&files);
	files_ready = 0;
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	finish_results(&r);
	report_table(&r);
	if (report_json(&r, o.out) == -1)
		give_up("cannot write %s", o.out);
	return 0;
}
