/*
 * ipc.c — the IPC measurements: pipe, Unix stream socket, the lab 5 channel,
 * a bare shared buffer, memcpy, and the round trip of one cache line between
 * two CPUs.
 *
 * Every transfer runs between two processes pinned to two different CPUs and
 * moves the same checked stream (transfer.c). The pipe and the socket are
 * made here and their two ends forked from this process; the channel's two
 * ends are separate programs (chan-peer) started with exec, which share only
 * the channel file, as lab 5's programs do. The shared buffer moves the same
 * stream with nothing but two copies and a mark per slot: the most any
 * protocol over shared memory can reach. memcpy, in this process alone,
 * is the limit every transfer is compared with: no IPC moves bytes faster
 * than one processor can copy them. The cache-line round trip is how long
 * one store takes to reach the other CPU and come back, which bounds how fast
 * any two processes can hand anything to each other.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "bench.h"
#include "transfer.h"

/* ---- Byte streams: a pipe and a Unix socket ---- */

static int write_all(void *fd, const void *data, size_t len)
{
	const unsigned char *at = data;

	while (len > 0) {
		ssize_t done = write(*(int *)fd, at, len);

		if (done == -1 && errno == EINTR)
			continue;
		if (done == -1)
			return -1;
		at += done;
		len -= (size_t)done;
	}
	return 0;
}

/* len bytes, fewer only at the end of the stream (0 if it ended before any). */
static ssize_t read_all(void *fd, void *data, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t done = read(*(int *)fd, (unsigned char *)data + got, len - got);

		if (done == -1 && errno == EINTR)
			continue;
		if (done == -1)
			return -1;
		if (done == 0)
			break;
		got += (size_t)done;
	}
	return (ssize_t)got;
}

static int close_stream(void *fd)
{
	return close(*(int *)fd);
}

static struct endpoint stream_endpoint(int *fd)
{
	struct endpoint e = {
		.send_name = "write", .recv_name = "read",
		.send = write_all, .recv = read_all, .finish = close_stream, .context = fd,
	};
	return e;
}

/* The forked receiver: reads fds[0] on cpus[1]. */
static int stream_receiver(const struct pair *pair, void *arg)
{
	struct ipc_job *job = arg;
	struct endpoint e = stream_endpoint(&job->fds[0]);

	close(job->fds[1]);
	if (bench_pin_or_report(job->cpus[1], pair->result_write) == -1)
		return -1;
	return run_receiver(&e, job->size, job->count, pair->result_write);
}

/* The forked sender: writes fds[1] on cpus[0]. */
static int stream_sender(const struct pair *pair, void *arg)
{
	struct ipc_job *job = arg;
	struct endpoint e = stream_endpoint(&job->fds[1]);

	close(job->fds[0]);
	if (bench_pin_or_report(job->cpus[0], pair->result_write) == -1)
		return -1;
	return run_sender(&e, job->size, job->count, pair->result_write);
}

static pid_t start_stream_receiver(const struct pair *pair, void *arg)
{
	return pair_fork(pair, stream_receiver, arg);
}

static pid_t start_stream_sender(const struct pair *pair, void *arg)
{
	return pair_fork(pair, stream_sender, arg);
}

/* The parent keeps no end: the receiver must see the end of the stream. */
static void close_stream_ends(void *arg)
{
	struct ipc_job *job = arg;

	close(job->fds[0]);
	close(job->fds[1]);
}

static const struct pair_ops stream_ops = {
	start_stream_receiver, start_stream_sender, close_stream_ends,
};

static void ipc_pipe(struct ipc_job *job, struct outcome *out)
{
	if (pipe(job->fds) == -1)
		outcome_fail_errno(out, "pipe");
	else
		pair_run(&stream_ops, job, out);
}

static void ipc_unix_socket(struct ipc_job *job, struct outcome *out)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, job->fds) == -1)
		outcome_fail_errno(out, "socketpair");
	else
		pair_run(&stream_ops, job, out);
}

/* ---- The lab 5 channel: two programs of their own ---- */

/* The channel's ring for messages of size bytes. */
static size_t channel_capacity(size_t size)
{
	size_t capacity = (size_t)1 << 20;

	/* A message may fill half the ring; four in flight keep both sides busy. */
	while (capacity < 4 * (size + 64))
		capacity *= 2;
	return capacity;
}

/* chan-peer ROLE FILE CAPACITY SIZE COUNT CPU */
static pid_t start_peer(const struct pair *pair, struct ipc_job *job, const char *role, int cpu)
{
	char capacity[32], size[32], count[32], on_cpu[16];
	char *argv[] = { (char *)job->peer_program, (char *)role, (char *)job->channel_file,
			 capacity, size, count, on_cpu, NULL };

	snprintf(capacity, sizeof(capacity), "%zu", channel_capacity(job->size));
	snprintf(size, sizeof(size), "%zu", job->size);
	snprintf(count, sizeof(count), "%llu", (unsigned long long)job->count);
	snprintf(on_cpu, sizeof(on_cpu), "%d", cpu);
	return pair_exec(pair, argv);
}

static pid_t start_channel_receiver(const struct pair *pair, void *arg)
{
	struct ipc_job *job = arg;

	return start_peer(pair, job, "recv", job->cpus[1]);
}

static pid_t start_channel_sender(const struct pair *pair, void *arg)
{
	struct ipc_job *job = arg;

	return start_peer(pair, job, "send", job->cpus[0]);
}

static void nothing_to_close(void *arg)
{
	(void)arg;
}

static void ipc_channel(struct ipc_job *job, struct outcome *out)
{
	static const struct pair_ops channel_ops = {
		start_channel_receiver, start_channel_sender, nothing_to_close,
	};

	pair_run(&channel_ops, job, out);
	if (unlink(job->channel_file) == -1 && errno != ENOENT && out->kind == OUTCOME_OK)
		outcome_fail(out, "unlink %s: %s", job->channel_file, strerror(errno));
}

/* ---- A shared buffer: what any shared-memory transport can reach ---- */

/*
 * A ring of slots of a message each in one shared anonymous mapping (up to 64
 * slots, about 1 MiB in all, so that small messages stream instead of taking
 * turns). The sender copies a message into the next slot once it is free and
 * marks it full; the receiver copies it out and marks it free again. Each spins on the marks on
 * its own CPU, so what is left is the two copies and the cache lines crossing
 * between the CPUs: no system call, no framing, no sleeping. That is the
 * ceiling for the lab 5 channel, which adds what a real protocol needs.
 */
enum { SLOT_FREE, SLOT_FULL, SLOT_END };
#define SLOT_HEADER 64 /* the mark and the length, on a cache line of their own */

struct shared_end {
	unsigned char *base; /* the slots */
	size_t slot_size;
	unsigned slots;
	unsigned next; /* the slot this end uses next */
};

static _Atomic uint32_t *slot_state(const struct shared_end *end)
{
	return (_Atomic uint32_t *)(end->base + end->next * end->slot_size);
}

static size_t *slot_length(const struct shared_end *end)
{
	return (size_t *)(end->base + end->next * end->slot_size + sizeof(uint64_t));
}

static unsigned char *slot_bytes(const struct shared_end *end)
{
	return end->base + end->next * end->slot_size + SLOT_HEADER;
}

/* Spin until the next slot's state is not `state`; give way now and then on a shared CPU. */
static uint32_t wait_while(const struct shared_end *end, uint32_t state)
{
	uint32_t now;

	for (unsigned spins = 1; (now = atomic_load_explicit(slot_state(end),
							    memory_order_acquire)) == state; spins++)
		if (spins % 4096 == 0)
			sched_yield();
	return now;
}

static int shared_send(void *context, const void *msg, size_t len)
{
	struct shared_end *end = context;

	wait_while(end, SLOT_FULL);
	memcpy(slot_bytes(end), msg, len);
	*slot_length(end) = len;
	atomic_store_explicit(slot_state(end), SLOT_FULL, memory_order_release);
	end->next = (end->next + 1) % end->slots;
	return 0;
}

static ssize_t shared_recv(void *context, void *buf, size_t len)
{
	struct shared_end *end = context;

	if (wait_while(end, SLOT_FREE) == SLOT_END)
		return 0;
	if (len > *slot_length(end))
		len = *slot_length(end);
	memcpy(buf, slot_bytes(end), len);
	atomic_store_explicit(slot_state(end), SLOT_FREE, memory_order_release);
	end->next = (end->next + 1) % end->slots;
	return (ssize_t)len;
}

static int shared_finish(void *context)
{
	struct shared_end *end = context;

	wait_while(end, SLOT_FULL);
	atomic_store_explicit(slot_state(end), SLOT_END, memory_order_release);
	return 0;
}

static size_t shared_slot_size(size_t size)
{
	return SLOT_HEADER + (size + 63) / 64 * 64;
}

static unsigned shared_slots(size_t size)
{
	size_t slots = ((size_t)1 << 20) / shared_slot_size(size);

	return slots < 2 ? 2 : slots > 64 ? 64 : (unsigned)slots;
}

static struct endpoint shared_endpoint(struct shared_end *end)
{
	struct endpoint e = {
		.send_name = "the shared buffer", .recv_name = "the shared buffer",
		.send = shared_send, .recv = shared_recv, .finish = shared_finish, .context = end,
	};
	return e;
}

static int shared_receiver(const struct pair *pair, void *arg)
{
	struct ipc_job *job = arg;
	struct shared_end end = { job->shared, shared_slot_size(job->size),
				  shared_slots(job->size), 0 };
	struct endpoint e = shared_endpoint(&end);

	if (bench_pin_or_report(job->cpus[1], pair->result_write) == -1)
		return -1;
	return run_receiver(&e, job->size, job->count, pair->result_write);
}

static int shared_sender(const struct pair *pair, void *arg)
{
	struct ipc_job *job = arg;
	struct shared_end end = { job->shared, shared_slot_size(job->size),
				  shared_slots(job->size), 0 };
	struct endpoint e = shared_endpoint(&end);

	if (bench_pin_or_report(job->cpus[0], pair->result_write) == -1)
		return -1;
	return run_sender(&e, job->size, job->count, pair->result_write);
}

static pid_t start_shared_receiver(const struct pair *pair, void *arg)
{
	return pair_fork(pair, shared_receiver, arg);
}

static pid_t start_shared_sender(const struct pair *pair, void *arg)
{
	return pair_fork(pair, shared_sender, arg);
}

static void ipc_shared_buffer(struct ipc_job *job, struct outcome *out)
{
	static const struct pair_ops shared_ops = {
		start_shared_receiver, start_shared_sender, nothing_to_close,
	};
	size_t length = shared_slots(job->size) * shared_slot_size(job->size);

	/* Fresh and zeroed: every slot SLOT_FREE. */
	job->shared = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (job->shared == MAP_FAILED) {
		outcome_fail_errno(out, "mmap");
		return;
	}
	pair_run(&shared_ops, job, out);
	munmap(job->shared, length);
	job->shared = NULL;
}

/* ---- memcpy ---- */

/* Called through a volatile pointer, so that no copy can be optimised away. */
static void *(*volatile copy_bytes)(void *, const void *, size_t) = memcpy;

/* job->copies copies of job->size bytes, in this process. */
static void ipc_memcpy(struct ipc_job *job, struct outcome *out)
{
	size_t size = job->size;
	struct pattern p;
	unsigned char *destination = malloc(size);
	double start;

	if (destination == NULL || pattern_init(&p, size) == -1) {
		free(destination);
		outcome_fail(out, "no memory for %zu-byte buffers", size);
		return;
	}
	start = bench_now();
	for (uint64_t i = 0; i < job->copies; i++)
		copy_bytes(destination, p.body[i % 2], size);
	out->seconds = bench_now() - start;
	if (memcmp(destination, p.body[(job->copies - 1) % 2], size) == 0)
		out->kind = OUTCOME_OK;
	else
		outcome_fail(out, "the last copy differs from its source");
	pattern_free(&p);
	free(destination);
}

/* ---- Every method by its number ---- */

static const struct {
	const char *name;
	void (*measure)(struct ipc_job *job, struct outcome *out);
} ipc_methods[IPC_METHODS] = {
	[IPC_PIPE] = { "pipe", ipc_pipe },
	[IPC_UNIX_SOCKET] = { "unix-socket", ipc_unix_socket },
	[IPC_CHANNEL] = { "channel", ipc_channel },
	[IPC_SHARED_BUFFER] = { "shared-buffer", ipc_shared_buffer },
	[IPC_MEMCPY] = { "memcpy", ipc_memcpy },
};

const char *ipc_method_name(enum ipc_method method)
{
	return ipc_methods[method].name;
}

void ipc_measure(enum ipc_method method, struct ipc_job *job, struct outcome *out)
{
	ipc_methods[method].measure(job, out);
}

/* ---- The cache-line round trip ---- */

/* The child's half: answer every odd value with the next even one. */
static void answer_pings(_Atomic uint64_t *line, uint64_t rounds)
{
	for (uint64_t round = 0; round < rounds; round++) {
		uint64_t ping = 2 * round + 1;

		while (atomic_load_explicit(line, memory_order_acquire) != ping)
			;
		atomic_store_explicit(line, ping + 1, memory_order_release);
	}
}

/* The parent's half: rounds pings, each waiting for its answer. */
static double send_pings(_Atomic uint64_t *line, uint64_t rounds)
{
	double start = bench_now();

	for (uint64_t round = 0; round < rounds; round++) {
		atomic_store_explicit(line, 2 * round + 1, memory_order_release);
		while (atomic_load_explicit(line, memory_order_acquire) != 2 * round + 2)
			;
	}
	return bench_now() - start;
}

double cacheline_roundtrip_ns(const int cpus[2], uint64_t rounds, char *why, size_t why_size)
{
	_Atomic uint64_t *line = mmap(NULL, sizeof(*line), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double seconds = -1;
	pid_t child;

	if (line == MAP_FAILED) {
		snprintf(why, why_size, "mmap: %s", strerror(errno));
		return -1;
	}
	atomic_init(line, 0);
	child = fork();
	if (child == 0) {
		answer_pings(line, rounds);
		_exit(0);
	}
	if (child == -1) {
		snprintf(why, why_size, "fork: %s", strerror(errno));
	} else if (bench_pin_process(child, cpus[1]) == -1) {
		snprintf(why, why_size, "sched_setaffinity: %s", strerror(errno));
		kill(child, SIGKILL);
	} else {
		seconds = send_pings(line, rounds);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	munmap((void *)line, sizeof(*line));
	return seconds < 0 ? -1 : seconds / (double)rounds * 1e9;
}
