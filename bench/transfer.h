/*
 * transfer.h — what both ends of a measured message transfer share.
 *
 * Every IPC method of the benchmark (pipe, Unix socket, the lab 5 channel)
 * moves the same stream: COUNT messages of SIZE bytes, each one of two
 * pseudo-random bodies with its sequence number stamped in its first 8 bytes.
 * The receiver checks every byte of every message, so a lost, repeated,
 * reordered or damaged message is reported instead of a speed. An endpoint
 * says how one method moves one message; run_sender() and run_receiver() are
 * the loops around it, identical for every method. Both ends write their
 * outcome as one line on a result descriptor: "ready", "ok SECONDS",
 * "error TEXT" or "unimplemented TEXT".
 */
#ifndef BENCH_TRANSFER_H
#define BENCH_TRANSFER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The two bodies a stream of messages of one size alternates between. */
struct pattern {
	unsigned char *body[2];
	size_t size;
};

/* One end of a transport: how to move one message with it. */
struct endpoint {
	const char *send_name; /* for messages, such as "fi_chan_send" */
	const char *recv_name;
	int (*send)(void *context, const void *msg, size_t len);       /* 0, or -1 with errno */
	ssize_t (*recv)(void *context, void *buf, size_t len);         /* len, 0 at the end, -1 */
	int (*finish)(void *context);                                   /* end of stream */
	void *context;
};

/* Seconds on the monotonic clock. */
double bench_now(void);

/* Run process pid (0: the caller) on this CPU only; -1 with errno on failure. */
int bench_pin_process(pid_t pid, int cpu);
int bench_pin(int cpu);
/* bench_pin(cpu), and on failure an "error" result line on result_fd; 0 or -1. */
int bench_pin_or_report(int cpu, int result_fd);

/* The next value of a xorshift64 generator (state: any value but 0). */
uint64_t bench_xorshift64(uint64_t *state);

/* Write one result line (printf-style, newline added) with a single write(). */
void result_line(int fd, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* The bodies for messages of size bytes (at least 8); -1 with ENOMEM. */
int pattern_init(struct pattern *p, size_t size);
void pattern_free(struct pattern *p);

/* Send count messages, then end the stream; reports errors on result_fd. */
int run_sender(const struct endpoint *e, size_t size, uint64_t count, int result_fd);

/*
 * Say "ready", receive and check count messages, then the end of the stream;
 * reports "ok SECONDS" (the time from the first message to the last) or the
 * first problem on result_fd.
 */
int run_receiver(const struct endpoint *e, size_t size, uint64_t count, int result_fd);

#endif /* BENCH_TRANSFER_H */
