/*
 * processes.c — any process seen from outside (state, CPU time, children); the judge's helpers.
 *
 * Reads a process's /proc/PID/stat (state, parent, processor time) and
 * wchan (what it sleeps in), lists the children of the subject and the
 * orphans the judge adopted (the judge is a child subreaper, so a grandchild
 * that the student's code leaves behind when its parent ends can still be
 * found), says what they are doing, and waits for a child with a time
 * limit. A test's own helper processes (grade_fork, grade_start_program) are
 * noted, so that they are never mistaken for what the student's code left.
 * Also the clock and pauses that the rest of the judge times itself with.
 * Nothing here knows the subject: its pid is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grader.h"
#include "support_internal.h"

/* ---- The judge's own children ------------------------------------------- */

#define MAX_HELPERS 64
static pid_t helpers[MAX_HELPERS];
static size_t helper_count;

void note_helper_process(pid_t pid)
{
	if (helper_count < MAX_HELPERS)
		helpers[helper_count++] = pid;
}

int is_helper_process(pid_t pid)
{
	for (size_t i = 0; i < helper_count; i++)
		if (helpers[i] == pid)
			return 1;
	return 0;
}

/* ---- Forking for the test itself --------------------------------------- */

static void restore_default_signals(void)
{
	static const int signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGABRT,
				       SIGPIPE };

	for (size_t i = 0; i < GRADE_COUNT(signals); i++)
		signal(signals[i], SIG_DFL);
}

pid_t grade_fork(void)
{
	pid_t child = fork();

	if (child == 0) {
		restore_default_signals();
		grade_in_helper_process = 1;
	}
	if (child > 0)
		note_helper_process(child);
	return child;
}

/* ---- Reading /proc ----------------------------------------------------------- */

int read_proc_file(pid_t pid, const char *name, char *text, size_t size)
{
	char path[64];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, text, size - 1);
	close(fd);
	if (got <= 0)
		return 0;
	text[got] = '\0';
	return 1;
}

int read_process_stat(pid_t pid, char *state, pid_t *parent, long *ticks)
{
	char text[1024];

	if (!read_proc_file(pid, "stat", text, sizeof(text)))
		return 0;
	/* The command name in parentheses may hold spaces: parse after its last ')'. */
	char *after_name = strrchr(text, ')');
	unsigned long user_ticks = 0, system_ticks = 0;
	int parent_pid = 0;
	if (after_name == NULL ||
	    sscanf(after_name + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   state, &parent_pid, &user_ticks, &system_ticks) != 4)
		return 0;
	*parent = parent_pid;
	*ticks = (long)(user_ticks + system_ticks);
	return 1;
}

size_t list_children(pid_t subject, struct grade_child *children, size_t max)
{
	DIR *proc = opendir("/proc");
	struct dirent *entry;
	size_t count = 0;
	pid_t self = getpid();

	if (proc == NULL)
		grade_setup_failed("cannot list /proc");
	while ((entry = readdir(proc)) != NULL) {
		char *end, state;
		pid_t parent;
		long ticks;
		long pid = strtol(entry->d_name, &end, 10);

		if (*end != '\0' || pid <= 0 || !read_process_stat((pid_t)pid, &state, &parent, &ticks))
			continue;
		/* The subject's children, and orphans the judge adopted (not the subject itself). */
		int adopted = parent == self && pid != subject && !is_helper_process((pid_t)pid);
		if (parent != subject && !adopted)
			continue;
		if (count < max)
			children[count] = (struct grade_child){ (pid_t)pid, state };
		count++;
	}
	closedir(proc);
	return count;
}

/*
 * What a process is doing now, from its state letter and /proc/PID/wchan (the
 * kernel function it sleeps in): "asleep in do_wait (S)", "running (R)".
 */
static const char *describe_activity(pid_t pid, char state)
{
	char where[128] = "";

	if (!read_proc_file(pid, "wchan", where, sizeof(where)))
		where[0] = '\0';
	if (state == 'R')
		return "running (R)";
	if (state == 'Z')
		return "ended but not reaped (Z)";
	if (where[0] != '\0' && strcmp(where, "0") != 0)
		return grade_format("asleep in %s (%c)", where, state);
	return grade_format("in state %c", state);
}

const char *describe_activity_of(pid_t subject)
{
	static char text[1024];
	struct grade_child children[6]; /* the first few are enough to see a deadlock */
	pid_t parent;
	char state;
	long ticks;

	if (!read_process_stat(subject, &state, &parent, &ticks))
		return "the subject had ended";
	snprintf(text, sizeof(text), "the subject was %s", describe_activity(subject, state));
	size_t count = list_children(subject, children, 6);
	for (size_t i = 0; i < count && i < 6; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), ", its child %d %s",
			 (int)children[i].pid,
			 describe_activity(children[i].pid, children[i].state));
	if (count > 6)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), ", and %zu more children",
			 count - 6);
	return text;
}

long grade_process_cpu_ms(pid_t pid)
{
	char state;
	pid_t parent;
	long ticks;

	if (!read_process_stat(pid, &state, &parent, &ticks))
		return -1;
	return ticks * 1000 / sysconf(_SC_CLK_TCK);
}

long long monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int grade_runnable_percent(pid_t pid, long milliseconds)
{
	const long every_ms = 10;
	long samples = 0, runnable = 0;
	char state;
	pid_t parent;
	long ticks;
	/*
	 * The window is timed by the clock, not counted in samples: on a busy
	 * machine the judge itself waits for a processor between two samples, and
	 * counting them stretched a 1 s window past the test's time limit.
	 */
	long long end = monotonic_ms() + milliseconds;

	do {
		grade_pause_ms(every_ms);
		if (!read_process_stat(pid, &state, &parent, &ticks))
			return -1;
		samples++;
		runnable += state == 'R';
	} while (monotonic_ms() < end);
	return (int)(runnable * 100 / samples);
}

void grade_pause_ms(long milliseconds)
{
	struct timespec left = { milliseconds / 1000, (milliseconds % 1000) * 1000000 };

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}

const char *grade_describe_status(int status)
{
	if (WIFSIGNALED(status))
		return grade_format("was killed by signal %d (%s)", WTERMSIG(status),
				    strsignal(WTERMSIG(status)));
	if (WIFEXITED(status))
		return grade_format("exited with status %d", WEXITSTATUS(status));
	return grade_format("ended with wait status %#x", (unsigned)status);
}

int grade_wait_child(pid_t pid, long milliseconds, int *status)
{
	for (long waited = 0;; waited++) {
		pid_t done = waitpid(pid, status, WNOHANG);

		if (done == pid)
			return 1;
		if (done < 0 && errno != EINTR)
			grade_setup_failed("cannot wait for process %d", (int)pid);
		if (waited >= milliseconds)
			break;
		grade_pause_ms(1);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
