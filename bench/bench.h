/*
 * bench.h — the parts of `make bench` that run in the benchmark process.
 *
 * pair.c runs one transfer between two processes and collects its outcome;
 * ipc.c measures the IPC methods, memcpy and the cache-line round trip;
 * files.c measures scanning and copying a file; report.c turns the repeated
 * samples into medians, spreads, the table and results.json; main.c decides
 * what to run, in which order, and how often.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- pair.c: one transfer between two processes ---- */

enum outcome_kind { OUTCOME_OK, OUTCOME_FAILED, OUTCOME_UNIMPLEMENTED };

struct outcome {
	enum outcome_kind kind;
	double seconds; /* from the first message received to the last */
	char why[480];  /* what went wrong, when kind is not OUTCOME_OK */
};

/* Mark the outcome failed, with why as printf formats it. */
void outcome_fail(struct outcome *out, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark the outcome failed because call failed: "CALL: the text of errno". */
void outcome_fail_errno(struct outcome *out, const char *call);

/* The two processes of a transfer, as pair_run() sees them while it starts them. */
struct pair {
	int result_read;  /* where both ends' result lines arrive */
	int result_write; /* the descriptor each end writes them to */
};

/* How a method starts its two ends. Each start returns the child's pid, or -1 with errno. */
struct pair_ops {
	pid_t (*start_receiver)(const struct pair *pair, void *arg);
	pid_t (*start_sender)(const struct pair *pair, void *arg);
	void (*parent_done)(void *arg); /* both started (or given up): drop the parent's copies */
};

/* Run one transfer: the receiver first, the sender once the receiver is ready. */
void pair_run(const struct pair_ops *ops, void *arg, struct outcome *out);

/* Fork a child that runs body(pair, arg) and exits 0 if it returned 0. */
pid_t pair_fork(const struct pair *pair, int (*body)(const struct pair *, void *), void *arg);

/* Start a program whose standard output is the result descriptor. */
pid_t pair_exec(const struct pair *pair, char *const argv[]);

/* ---- ipc.c ---- */

/* One IPC measurement: count messages of size bytes from cpus[0] to cpus[1]. */
struct ipc_job {
	size_t size;
	uint64_t count;
	uint64_t copies; /* for memcpy, which needs more to take a measurable time */
	int cpus[2];
	const char *peer_program; /* chan-peer, linked with the channel under test */
	const char *channel_file;
	int fds[2]; /* the pipe or socket pair of the stream methods */
	unsigned char *shared; /* the shared buffer's two slots, mapped before the fork */
};

enum ipc_method {
	IPC_PIPE,
	IPC_UNIX_SOCKET,
	IPC_CHANNEL,
	IPC_SHARED_BUFFER, /* two processes, one shared buffer, spinning: no protocol to pay */
	IPC_MEMCPY,
	IPC_METHODS
};

/* Measure one method once; memcpy makes job->copies copies in this process. */
void ipc_measure(enum ipc_method method, struct ipc_job *job, struct outcome *out);
const char *ipc_method_name(enum ipc_method method);
/* Nanoseconds per round trip of one cache line between two CPUs; -1 with why. */
double cacheline_roundtrip_ns(const int cpus[2], uint64_t rounds, char *why, size_t why_size);

/* ---- files.c ---- */

enum file_method {
	FILE_READ,
	FILE_MMAP,
	FILE_MMAP_POPULATE,
	FILE_MMAP_SECOND_PASS, /* the same mapping scanned again: its pages already mapped */
	FILE_COPY_RW,
	FILE_COPY_MMAP,
	FILE_COPY_MMAP_POPULATE,
	FILE_COPY_FILE_RANGE,
	FILE_METHODS
};

struct file_bench {
	char source[4096];
	char copy[4096];
	size_t size;
	uint64_t source_sum; /* of the source's 64-bit words, to check every scan */
};

/* Create a cached source file of size bytes (a multiple of 64 KiB) in dir. */
int files_prepare(struct file_bench *fb, const char *dir, size_t size, char *why, size_t why_size);
/* Measure one method once, and check what it read or wrote. */
void files_measure(struct file_bench *fb, enum file_method method, struct outcome *out);
/* Remove the files. */
void files_cleanup(struct file_bench *fb);
const char *file_method_name(enum file_method method);

/* ---- report.c ---- */

/* Every sample of one measurement, in bytes per second (and messages per second). */
struct series {
	double *rates; /* bytes per second, one per repeat */
	double *messages; /* messages per second; unused for files */
	size_t taken;
	double median_rate, median_messages, spread; /* spread: (max - min) / median */
};

int series_init(struct series *s, size_t repeats);
void series_add(struct series *s, double bytes, double messages, double seconds);
void series_finish(struct series *s);
void series_free(struct series *s);

#define IPC_SIZES 4

struct results {
	size_t repeats;
	int cpus[2];
	const char *file_system;
	size_t file_size;
	size_t ipc_sizes[IPC_SIZES];
	struct series ipc[IPC_SIZES][IPC_METHODS];
	struct series files[FILE_METHODS];
	struct series roundtrip; /* nanoseconds, in rates */
};

void report_table(const struct results *r);
int report_json(const struct results *r, const char *path);

#endif /* BENCH_BENCH_H */
