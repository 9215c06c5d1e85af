/*
 * progress.c — telling a slow test from a stuck one, from outside its processes.
 *
 * A call of the student's code (or a program of the student's that the test
 * waits for) that is at work moves bytes through read() and write(), maps
 * memory, or has children that compute. One that waits for something that
 * never comes (a lost wake-up, a deadlock) sleeps; one that loops without end
 * either spins on the processor or calls read() at end of file forever, which
 * moves no byte. So the judge samples the test's processes from outside — the
 * bytes they read and wrote (/proc/PID/io), their processor time
 * (/proc/PID/stat: that of the worker's children or helpers is progress, the
 * worker's own is not), the mmap(), munmap() and msync() calls the watch saw
 * — and calls the work stuck once it has slept, or kept reading and writing
 * nothing, for a second (QUIET_BUDGET_MS) without progress, or computed for
 * two seconds of processor time (SPIN_BUDGET_MS) without progress. A correct
 * call that a crowded machine keeps waiting for a processor (or a slow disk
 * keeps waiting for a page) is not
 * asleep, and gets less processor time than the clock shows, so crowding
 * alone never makes it stuck.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "grader.h"
#include "support_internal.h"

/*
 * The budgets. The slowest call of the reference solutions and the correct
 * variants took 0.52 s, and 0.68 s with two CPU-bound loops competing for the
 * machine's two CPUs (README, "How the grader protects itself"); the longest
 * any of them waits on the test without moving a byte is a quarter of a
 * second (lab 5's other end, which pauses that long before it receives, and
 * computes meanwhile, which is progress anyway). So a call that
 * sleeps, or reads and writes nothing, for QUIET_BUDGET_MS is stuck, and one
 * that computes for SPIN_BUDGET_MS of processor time without progress too.
 */
#define QUIET_BUDGET_MS 1000
#define SPIN_BUDGET_MS 2000
/* Less processor time than this over the quiet budget: the processes slept. */
#define ASLEEP_CPU_MS 50
/* This many reads and writes that moved nothing: a loop, not a wait. */
#define EMPTY_TRANSFERS 64

/*
 * The bytes a process has read and written (rchar + wchar). A read at end of
 * file adds nothing. The judge's own helpers are not dumpable and cannot be
 * read: they count 0, which is no progress and no harm.
 */
static unsigned long long bytes_moved(pid_t pid)
{
	char text[512];
	unsigned long long read_bytes = 0, written_bytes = 0;

	if (!read_proc_file(pid, "io", text, sizeof(text)) ||
	    sscanf(text, "rchar: %llu wchar: %llu", &read_bytes, &written_bytes) != 2)
		return 0;
	return read_bytes + written_bytes;
}

/* Every process on the machine: pid, parent, state and processor time. */
struct process_row {
	pid_t pid, parent;
	char state;
	long cpu_ms;
	int in_test;
};

#define MAX_ROWS 8192

static size_t list_processes(struct process_row *rows)
{
	DIR *proc = opendir("/proc");
	struct dirent *entry;
	size_t count = 0;

	if (proc == NULL)
		grade_setup_failed("cannot list /proc");
	while ((entry = readdir(proc)) != NULL && count < MAX_ROWS) {
		char *end;
		long pid = strtol(entry->d_name, &end, 10);
		struct process_row *row = &rows[count];

		long ticks;
		if (*end != '\0' || pid <= 0 ||
		    !read_process_stat((pid_t)pid, &row->state, &row->parent, &ticks))
			continue;
		row->cpu_ms = ticks * 1000 / sysconf(_SC_CLK_TCK);
		row->pid = (pid_t)pid;
		row->in_test = 0;
		count++;
	}
	closedir(proc);
	return count;
}

/*
 * Mark the test's processes: every descendant of the judge (a child
 * subreaper, so an orphan of the test stays one). Each pass marks the children
 * of the processes marked so far; a tree as deep as the process limit needs
 * no more passes than that.
 */
static void mark_test_processes(struct process_row *rows, size_t count, pid_t judge)
{
	int marked_more = 1;

	while (marked_more) {
		marked_more = 0;
		for (size_t i = 0; i < count; i++) {
			if (rows[i].in_test)
				continue;
			for (size_t j = 0; j < count && !rows[i].in_test; j++)
				if (rows[i].parent == judge ||
				    (rows[j].in_test && rows[j].pid == rows[i].parent))
					rows[i].in_test = marked_more = 1;
		}
	}
}

/*
 * One look at the test's processes. worker is the process whose own
 * processor time tells a spin (the subject, during a call), or 0 for all of
 * them (programs the test waits for).
 */
static struct grade_progress take_sample(pid_t worker)
{
	static struct process_row rows[MAX_ROWS];
	size_t count = list_processes(rows);
	struct grade_progress sample = { 0 };

	mark_test_processes(rows, count, getpid());
	for (size_t i = 0; i < count; i++) {
		if (!rows[i].in_test)
			continue;
		sample.bytes += bytes_moved(rows[i].pid);
		/* Waiting for a processor, or for the disk: not asleep. */
		sample.busy |= rows[i].state == 'R' || rows[i].state == 'D';
		if (worker == 0 || rows[i].pid == worker)
			sample.cpu_ms += rows[i].cpu_ms;
		else
			sample.others_cpu_ms += rows[i].cpu_ms; /* workers or helpers: progress */
	}
	ledger_lock();
	sample.transfers = (unsigned long)grade_calls.read_calls + grade_calls.write_calls;
	sample.mappings = (unsigned long)grade_calls.mmap_count + grade_calls.munmap_count +
			  grade_calls.msync_count;
	ledger_unlock();
	return sample;
}

void grade_progress_start(struct grade_progress_clock *clock, pid_t worker)
{
	long long now = monotonic_ms();

	*clock = (struct grade_progress_clock){ .worker = worker, .started_ms = now,
						.last_progress_ms = now, .last_sample_ms = 0 };
}

static int made_progress(const struct grade_progress *then, const struct grade_progress *now)
{
	return now->bytes != then->bytes || now->mappings != then->mappings ||
	       now->others_cpu_ms != then->others_cpu_ms;
}

const char *grade_progress_stalled(struct grade_progress_clock *clock)
{
	long long now = monotonic_ms();

	if (now - clock->last_sample_ms < GRADE_PROGRESS_SAMPLE_MS)
		return NULL;
	clock->last_sample_ms = now;
	struct grade_progress sample = take_sample(clock->worker);
	if (!clock->sampled || made_progress(&clock->seen, &sample)) {
		clock->sampled = 1;
		clock->seen = sample;
		clock->last_progress_ms = now;
		return NULL;
	}
	long computed_ms = sample.cpu_ms - clock->seen.cpu_ms;
	unsigned long empty_transfers = sample.transfers - clock->seen.transfers;
	if (computed_ms >= SPIN_BUDGET_MS)
		return grade_format("%d s of processor time used without a byte read or written "
				    "or anything mapped (an endless loop, or a busy wait)",
				    SPIN_BUDGET_MS / 1000);
	if (now - clock->last_progress_ms < QUIET_BUDGET_MS)
		return NULL;
	if (empty_transfers >= EMPTY_TRANSFERS)
		return grade_format("%lu calls of read() or write() in %.1f s, none of which "
				    "moved a byte (a loop that does not stop at end of file, or "
				    "that ignores an error)",
				    empty_transfers, (now - clock->last_progress_ms) / 1000.0);
	if (computed_ms < ASLEEP_CPU_MS && !sample.busy)
		return grade_format("%.1f s asleep without a byte read or written or anything "
				    "mapped (a wait for something that never comes: a lost "
				    "wake-up, or a deadlock)",
				    (now - clock->last_progress_ms) / 1000.0);
	return NULL;
}

long long grade_progress_elapsed_ms(const struct grade_progress_clock *clock)
{
	return monotonic_ms() - clock->started_ms;
}
