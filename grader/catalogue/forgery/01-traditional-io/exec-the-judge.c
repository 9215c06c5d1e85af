/*
 * Forgery: the judge and the stub run again with forged arguments and a token of its own
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: yes
 *
 * A constructor finds the judge's program in its parent's command line and
 * runs it again itself, as `JUDGE --run TEST --subject SELF --channel FD` on a
 * socket of its own with a token it chose, so that a judge says "PASS
 * <token>"; it then writes what that judge said to every descriptor it has,
 * and runs its own program with --serve as well.
 *
 * A judge started by the subject speaks to the subject only, and what it
 * says carries a token the runner never issued. It cannot even start a
 * subject of its own there: the subject may not install a seccomp filter.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* argv[0] and argv[2] of the parent ("JUDGE --run TEST ..."), or 0. */
static int forgery_judge_command(char *judge, char *test, size_t size)
{
	char path[64], text[8192];

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getppid());
	int fd = open(path, O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return 0;
	text[len] = '\0';
	const char *second = text + strlen(text) + 1;
	const char *third = second < text + len ? second + strlen(second) + 1 : text + len;
	if (third >= text + len || strcmp(second, "--run") != 0)
		return 0;
	snprintf(judge, size, "%s", text);
	snprintf(test, size, "%s", third);
	return 1;
}

static void forgery_run_and_relay(char *const argv[])
{
	int ends[2];
	char said[512];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0)
		return;
	(void)!write(ends[0], "0123456789abcdef0123456789abcdef\n", 33);
	pid_t child = fork();
	if (child == 0) {
		close(200); /* the grader's call socket: a stray message would only fail the test */
		dup2(ends[1], 63);
		execv(argv[0], argv);
		_exit(127);
	}
	close(ends[1]);
	struct pollfd ready = { ends[0], POLLIN, 0 };
	ssize_t got = child > 0 && poll(&ready, 1, 2000) == 1 ? read(ends[0], said, sizeof(said)) : 0;
	for (int fd = 3; got > 0 && fd < 256; fd++)
		if (fd != ends[0] && fd != 200)
			(void)!write(fd, said, (size_t)got);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	close(ends[0]);
	/* What that judge started comes to us (a subreaper): reap it, leave nothing. */
	for (int round = 0; round < 100 && waitpid(-1, NULL, WNOHANG) >= 0; round++)
		usleep(1000);
}

__attribute__((constructor)) static void forgery_exec_the_judge(void)
{
	char judge[4096], test[4096], self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0 || !forgery_judge_command(judge, test, sizeof(judge)))
		return;
	self[len] = '\0';
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	char *const as_judge[] = { judge, "--run", test, "--subject", self, "--channel", "63", NULL };
	char *const as_stub[] = { self, "--serve", NULL };
	forgery_run_and_relay(as_judge);
	forgery_run_and_relay(as_stub);
}
