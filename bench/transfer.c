/*
 * transfer.c — the sender and receiver loops every IPC method of the benchmark shares.
 *
 * The sender stamps each message's sequence number into the first 8 bytes of
 * one of two pseudo-random bodies and hands it to its endpoint; the receiver
 * takes messages of exactly the expected size and compares every byte with
 * its own copy of the bodies, so that a corrupt transfer becomes an error
 * message instead of a speed. The clock runs from the first message received
 * to the last: process start-up and the first wake-up are not part of it.
 * Both loops report on a result descriptor, one line per outcome.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "transfer.h"

#define STAMP_SIZE sizeof(uint64_t)

double bench_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int bench_pin_process(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set);
}

int bench_pin(int cpu)
{
	return bench_pin_process(0, cpu);
}

int bench_pin_or_report(int cpu, int result_fd)
{
	if (bench_pin(cpu) == 0)
		return 0;
	result_line(result_fd, "error sched_setaffinity: %s", strerror(errno));
	return -1;
}

uint64_t bench_xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

void result_line(int fd, const char *format, ...)
{
	char line[512];
	va_list args;
	int length;

	va_start(args, format);
	length = vsnprintf(line, sizeof(line) - 1, format, args);
	va_end(args);
	if (length < 0)
		return;
	if ((size_t)length > sizeof(line) - 2)
		length = (int)sizeof(line) - 2;
	line[length++] = '\n';
	/* One write() of less than PIPE_BUF bytes: lines of two writers never mix. */
	if (write(fd, line, (size_t)length) == -1)
		perror("bench: writing a result line");
}

/* Bytes from xorshift64: the same on both sides for the same seed. */
static void fill_pseudo_random(unsigned char *bytes, size_t size, uint64_t seed)
{
	uint64_t state = seed | 1;

	for (size_t i = 0; i < size; i++)
		bytes[i] = (unsigned char)(bench_xorshift64(&state) >> 56);
}

int pattern_init(struct pattern *p, size_t size)
{
	p->size = size;
	p->body[0] = malloc(size);
	p->body[1] = malloc(size);
	if (p->body[0] == NULL || p->body[1] == NULL) {
		pattern_free(p);
		errno = ENOMEM;
		return -1;
	}
	fill_pseudo_random(p->body[0], size, 0x9e3779b97f4a7c15u ^ size);
	fill_pseudo_random(p->body[1], size, 0xc2b2ae3d27d4eb4fu ^ size);
	return 0;
}

void pattern_free(struct pattern *p)
{
	free(p->body[0]);
	free(p->body[1]);
	p->body[0] = p->body[1] = NULL;
}

int run_sender(const struct endpoint *e, size_t size, uint64_t count, int result_fd)
{
	struct pattern p;

	if (pattern_init(&p, size) == -1) {
		result_line(result_fd, "error the sender has no memory for its messages");
		return -1;
	}
	for (uint64_t i = 0; i < count; i++) {
		unsigned char *msg = p.body[i % 2];

		memcpy(msg, &i, STAMP_SIZE);
		if (e->send(e->context, msg, size) == -1) {
			result_line(result_fd, "error %s of message %llu of %llu failed: %s",
				    e->send_name, (unsigned long long)i, (unsigned long long)count,
				    strerror(errno));
			pattern_free(&p);
			return -1;
		}
	}
	pattern_free(&p);
	if (e->finish(e->context) == -1) {
		result_line(result_fd, "error ending the stream failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether msg is message index as the sender made it; if not, why not. */
static int message_is_intact(const struct pattern *p, const unsigned char *msg, uint64_t index,
			     char *why, size_t why_size)
{
	const unsigned char *body = p->body[index % 2];
	uint64_t stamp;

	memcpy(&stamp, msg, STAMP_SIZE);
	if (stamp != index) {
		snprintf(why, why_size,
			 "message %llu carries the sequence number %llu: messages were lost, "
			 "repeated, reordered or overwritten",
			 (unsigned long long)index, (unsigned long long)stamp);
		return 0;
	}
	if (memcmp(msg + STAMP_SIZE, body + STAMP_SIZE, p->size - STAMP_SIZE) == 0)
		return 1;
	for (size_t at = STAMP_SIZE; at < p->size; at++)
		if (msg[at] != body[at]) {
			snprintf(why, why_size,
				 "message %llu (%zu bytes) is corrupt: byte %zu is 0x%02x, "
				 "the sender sent 0x%02x",
				 (unsigned long long)index, p->size, at, msg[at], body[at]);
			break;
		}
	return 0;
}

/* Receive message index into buf and check it; 0, or -1 after reporting why. */
static int receive_one(const struct endpoint *e, const struct pattern *p, unsigned char *buf,
		       uint64_t index, uint64_t count, int result_fd)
{
	char why[256];
	ssize_t got = e->recv(e->context, buf, p->size);

	if (got == -1) {
		result_line(result_fd, "error %s of message %llu of %llu failed: %s", e->recv_name,
			    (unsigned long long)index, (unsigned long long)count, strerror(errno));
		return -1;
	}
	if (got == 0) {
		result_line(result_fd, "error the stream ended after %llu of %llu messages",
			    (unsigned long long)index, (unsigned long long)count);
		return -1;
	}
	if ((size_t)got != p->size) {
		result_line(result_fd, "error message %llu is %zd bytes long, the sender sent %zu",
			    (unsigned long long)index, got, p->size);
		return -1;
	}
	if (!message_is_intact(p, buf, index, why, sizeof(why))) {
		result_line(result_fd, "error %s", why);
		return -1;
	}
	return 0;
}

int run_receiver(const struct endpoint *e, size_t size, uint64_t count, int result_fd)
{
	struct pattern p;
	unsigned char *buf = malloc(size);
	double start = 0, seconds;
	ssize_t after;
	int status = -1;

	if (buf == NULL || pattern_init(&p, size) == -1) {
		free(buf);
		result_line(result_fd, "error the receiver has no memory for its messages");
		return -1;
	}
	result_line(result_fd, "ready");
	for (uint64_t i = 0; i < count; i++) {
		if (receive_one(e, &p, buf, i, count, result_fd) == -1)
			goto done;
		if (i == 0)
			start = bench_now();
	}
	seconds = bench_now() - start;
	after = e->recv(e->context, buf, size);
	if (after != 0) {
		result_line(result_fd,
			    "error after the last message, %s returned %zd instead of 0 (the end)%s%s",
			    e->recv_name, after, after == -1 ? ": " : "",
			    after == -1 ? strerror(errno) : "");
		goto done;
	}
	result_line(result_fd, "ok %.9f", seconds);
	status = 0;
done:
	pattern_free(&p);
	free(buf);
	return status;
}
