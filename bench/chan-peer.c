/*
 * chan-peer.c — one end of the lab 5 channel, as a program of its own.
 *
 * `chan-peer recv|send FILE CAPACITY SIZE COUNT CPU` is linked against the
 * file_ipc.c under test. The benchmark starts the receiver, which creates the
 * channel FILE with a ring of CAPACITY bytes and says "ready", then the
 * sender, which opens it: two unrelated processes, started separately, that
 * share nothing but the mapped file. Each pins itself to CPU, then runs the
 * loop of transfer.c over fi_chan_send()/fi_chan_recv() for COUNT messages of
 * SIZE bytes. Outcomes are result lines on standard output ("ready",
 * "ok SECONDS", "error TEXT", or "unimplemented TEXT" when a function fails
 * with ENOSYS, as the skeleton's do). Exit status 0 on success, 1 otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "file_ipc.h"
#include "labkit.h"
#include "transfer.h"

static int channel_send(void *ch, const void *msg, size_t len)
{
	return fi_chan_send(ch, msg, len);
}

static ssize_t channel_recv(void *ch, void *buf, size_t len)
{
	return fi_chan_recv(ch, buf, len);
}

static int channel_finish(void *ch)
{
	return fi_chan_finish(ch);
}

/* Report a failed create or open; ENOSYS means the function is not written yet. */
static int report_no_channel(const char *call)
{
	if (errno == ENOSYS)
		result_line(STDOUT_FILENO, "unimplemented %s failed with ENOSYS (%s)", call,
			    strerror(errno));
	else
		result_line(STDOUT_FILENO, "error %s failed: %s", call, strerror(errno));
	return 1;
}

/* The command line: recv|send FILE CAPACITY SIZE COUNT CPU, each number valid. */
static int parse_arguments(int argc, char *argv[], unsigned long long numbers[4])
{
	static const unsigned long long maximum[4] = { SIZE_MAX, SIZE_MAX, UINT64_MAX, INT_MAX };

	if (argc != 7 || (strcmp(argv[1], "recv") != 0 && strcmp(argv[1], "send") != 0))
		return -1;
	for (int i = 0; i < 4; i++)
		if (labkit_parse_unsigned(argv[3 + i], maximum[i], &numbers[i]) == -1)
			return -1;
	return numbers[0] > 0 && numbers[1] > 0 && numbers[2] > 0 ? 0 : -1;
}

int main(int argc, char *argv[])
{
	struct endpoint e = {
		.send_name = "fi_chan_send", .recv_name = "fi_chan_recv",
		.send = channel_send, .recv = channel_recv, .finish = channel_finish,
	};
	unsigned long long numbers[4]; /* capacity, size, count, cpu */
	int receiving, status;
	size_t size;

	if (parse_arguments(argc, argv, numbers) == -1) {
		result_line(STDOUT_FILENO, "error usage: chan-peer recv|send FILE CAPACITY SIZE "
					   "COUNT CPU");
		return 1;
	}
	receiving = strcmp(argv[1], "recv") == 0;
	size = (size_t)numbers[1];
	if (bench_pin_or_report((int)numbers[3], STDOUT_FILENO) == -1)
		return 1;
	e.context = receiving ? fi_chan_create(argv[2], (size_t)numbers[0]) : fi_chan_open(argv[2]);
	if (e.context == NULL)
		return report_no_channel(receiving ? "fi_chan_create" : "fi_chan_open");
	status = receiving ? run_receiver(&e, size, numbers[2], STDOUT_FILENO)
			   : run_sender(&e, size, numbers[2], STDOUT_FILENO);
	if (fi_chan_close(e.context) == -1 && status == 0) {
		result_line(STDOUT_FILENO, "error fi_chan_close failed: %s", strerror(errno));
		status = -1;
	}
	return status == 0 ? 0 : 1;
}
