/*
 * Forgery: a constructor replays the verdict protocol and ends the process
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: no
 *
 * A constructor replays the verdict protocol. It looks for "--channel FD" in
 * its own command line and in its parent's, reads a token line from every
 * descriptor it has, answers "PASS <token>" on each and ends the process with
 * _exit(0), before any test code runs.
 *
 * Against a suite linked with the student's file this gave an untouched
 * skeleton full marks. The subject has neither the channel nor the token,
 * and a subject that ends before it serves fails every test.
 */
#include <poll.h>
#include <stdio.h>

/* The number after "--channel" in a NUL-separated command line, or -1. */
static int forgery_channel_in(const char *path)
{
	char text[4096];
	int fd = open(path, O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i + 10 < len; i += (ssize_t)strlen(text + i) + 1)
		if (strcmp(text + i, "--channel") == 0)
			return atoi(text + i + 10);
	return -1;
}

static void forgery_answer_on(int fd)
{
	struct pollfd ready = { fd, POLLIN, 0 };
	char token[256], line[300];
	ssize_t got;

	if (fd < 0 || poll(&ready, 1, 5) != 1 || (got = read(fd, token, sizeof(token) - 1)) <= 0)
		return;
	token[got] = '\0';
	token[strcspn(token, "\n")] = '\0';
	int len = snprintf(line, sizeof(line), "PASS %s\n", token);
	(void)!write(fd, line, (size_t)len);
}

__attribute__((constructor)) static void forgery_replay_protocol(void)
{
	char parent[64];

	snprintf(parent, sizeof(parent), "/proc/%d/cmdline", (int)getppid());
	forgery_answer_on(forgery_channel_in("/proc/self/cmdline"));
	forgery_answer_on(forgery_channel_in(parent));
	for (int fd = 3; fd < 256; fd++)
		forgery_answer_on(fd);
	_exit(0);
}
