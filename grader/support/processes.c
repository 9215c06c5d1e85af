/*
 * processes.c — the processes a test and the code under test start.
 *
 * The linker wraps fork() and the sleep family for the student's object file.
 * Their calls are counted in one page mapped MAP_SHARED|MAP_ANONYMOUS before
 * the test starts, so that counts made in children of the code under test
 * reach the test process (the same trick lab 4 teaches). A child forked by
 * the code under test is marked: if it runs the test's own code, or ends
 * with exit() instead of _exit(), that is noticed. The rest lists the test's
 * children from /proc, reads another process's CPU time, and starts the kit's
 * own programs (a lab's demos, built into the suite) as separate processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "grader.h"
#include "support_internal.h"

pid_t __real_fork(void);
unsigned int __real_sleep(unsigned int seconds);
int __real_usleep(useconds_t usec);
int __real_nanosleep(const struct timespec *request, struct timespec *remaining);
int __real_clock_nanosleep(clockid_t clock, int flags, const struct timespec *request,
			   struct timespec *remaining);
int __real_thrd_sleep(const struct timespec *duration, struct timespec *remaining);

/* Until grade_share_process_calls() runs (and in --program mode): a private copy. */
static struct grade_process_calls private_calls;
static struct grade_process_calls *calls = &private_calls;

pid_t grade_test_pid;
int grade_forked_by_code_under_test;
int grade_code_under_test_forked; /* in this process, ever: never reset */

void grade_share_process_calls(void)
{
	void *page = __real_mmap(NULL, sizeof(*calls), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (page != MAP_FAILED)
		calls = page;
	grade_test_pid = getpid();
}

void grade_reset_process_calls(void)
{
	memset(calls, 0, sizeof(*calls));
}

const struct grade_process_calls *grade_process_calls(void)
{
	return calls;
}

/* ---- The wrappers --------------------------------------------------------- */

pid_t __wrap_fork(void);
unsigned int __wrap_sleep(unsigned int seconds);
int __wrap_usleep(useconds_t usec);
int __wrap_nanosleep(const struct timespec *request, struct timespec *remaining);
int __wrap_clock_nanosleep(clockid_t clock, int flags, const struct timespec *request,
			   struct timespec *remaining);
int __wrap_thrd_sleep(const struct timespec *duration, struct timespec *remaining);

pid_t __wrap_fork(void)
{
	unsigned call = __atomic_add_fetch(&calls->fork_calls, 1, __ATOMIC_SEQ_CST);

	if (grade_faults.fork_fail_at != 0 && call == grade_faults.fork_fail_at) {
		__atomic_add_fetch(&calls->failed_forks, 1, __ATOMIC_SEQ_CST);
		errno = grade_faults.fork_fail_errno;
		return -1;
	}
	pid_t child = __real_fork();
	grade_code_under_test_forked = 1;
	if (child < 0)
		__atomic_add_fetch(&calls->failed_forks, 1, __ATOMIC_SEQ_CST);
	else if (child == 0)
		grade_forked_by_code_under_test = 1;
	return child;
}

/* Count one call of the sleep family; the first one's name is kept. */
static void count_sleep(const char *name)
{
	if (__atomic_add_fetch(&calls->sleep_calls, 1, __ATOMIC_SEQ_CST) == 1)
		snprintf(calls->first_sleep, sizeof(calls->first_sleep), "%s", name);
}

unsigned int __wrap_sleep(unsigned int seconds)
{
	count_sleep("sleep");
	return __real_sleep(seconds);
}

int __wrap_usleep(useconds_t usec)
{
	count_sleep("usleep");
	return __real_usleep(usec);
}

int __wrap_nanosleep(const struct timespec *request, struct timespec *remaining)
{
	count_sleep("nanosleep");
	return __real_nanosleep(request, remaining);
}

int __wrap_clock_nanosleep(clockid_t clock, int flags, const struct timespec *request,
			   struct timespec *remaining)
{
	count_sleep("clock_nanosleep");
	return __real_clock_nanosleep(clock, flags, request, remaining);
}

int __wrap_thrd_sleep(const struct timespec *duration, struct timespec *remaining)
{
	count_sleep("thrd_sleep");
	return __real_thrd_sleep(duration, remaining);
}

/* ---- Children that did not leave the way they should --------------------- */

/* An exit handler of the test process, run by any process that calls exit(). */
void grade_note_exit_in_child(void)
{
	if (grade_forked_by_code_under_test)
		__atomic_add_fetch(&calls->children_ran_exit_handlers, 1, __ATOMIC_SEQ_CST);
}

_Noreturn void grade_child_ran_test_code(void)
{
	grade_forked_by_code_under_test = 0; /* send the record below for real */
	grade_send_record("FAIL",
			  "expected: every child forked by the code under test to end with "
			  "_exit() once its work is done\nobserved: a child returned from the "
			  "function under test and went on running the grader's test code as a "
			  "second copy of the test\nhint: end each child with _exit(), right "
			  "after its work, on every path");
	_exit(1);
}

/* ---- Forking for the test itself --------------------------------------- */

static void restore_default_signals(void)
{
	static const int signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGABRT,
				       SIGPIPE };

	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		signal(signals[i], SIG_DFL);
}

int grade_in_helper_process;

pid_t grade_fork(void)
{
	pid_t child = __real_fork();

	if (child == 0) {
		restore_default_signals();
		grade_in_helper_process = 1;
	}
	return child;
}

/* ---- The test's children -------------------------------------------------- */

void grade_adopt_orphans(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		grade_setup_failed("cannot become a child subreaper");
}

/* The state and parent of a process, from /proc/PID/stat; 0 if it is gone. */
static int read_stat(pid_t pid, char *state, pid_t *parent, long *ticks)
{
	char path[64], text[1024];
	int fd;
	ssize_t got;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = __real_read(fd, text, sizeof(text) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	text[got] = '\0';
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

size_t grade_children(struct grade_child *children, size_t max)
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

		if (*end != '\0' || pid <= 0 || !read_stat((pid_t)pid, &state, &parent, &ticks))
			continue;
		if (parent != self)
			continue;
		if (count < max)
			children[count] = (struct grade_child){ (pid_t)pid, state };
		count++;
	}
	closedir(proc);
	return count;
}

void grade_expect_no_children(const char *call, const char *hint)
{
	struct grade_child children[8];
	size_t count = grade_children(children, 8);
	char list[512] = "";

	if (count == 0)
		return;
	for (size_t i = 0; i < count && i < 8; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%spid %d (%s)",
			 i > 0 ? ", " : "", (int)children[i].pid,
			 children[i].state == 'Z' ? "a zombie: it exited and was never reaped"
						  : "still running");
	grade_fail(hint,
		   "expected: no child process left after %s returned\nobserved: %zu left: "
		   "%s%s",
		   call, count, list, count > 8 ? ", ..." : "");
}

long grade_process_cpu_ms(pid_t pid)
{
	char state;
	pid_t parent;
	long ticks;

	if (!read_stat(pid, &state, &parent, &ticks))
		return -1;
	return ticks * 1000 / sysconf(_SC_CLK_TCK);
}

int grade_runnable_percent(pid_t pid, long milliseconds)
{
	const long every_ms = 10;
	long samples = 0, runnable = 0;
	char state;
	pid_t parent;
	long ticks;

	for (long waited = 0; waited < milliseconds; waited += every_ms) {
		grade_pause_ms(every_ms);
		if (!read_stat(pid, &state, &parent, &ticks))
			return -1;
		samples++;
		runnable += state == 'R';
	}
	return samples == 0 ? 0 : (int)(runnable * 100 / samples);
}

void grade_pause_ms(long milliseconds)
{
	struct timespec left = { milliseconds / 1000, (milliseconds % 1000) * 1000000 };

	while (__real_nanosleep(&left, &left) != 0 && errno == EINTR)
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

/* ---- The kit's programs ------------------------------------------------------ */

extern const struct grade_program *const grade_programs __attribute__((weak));
extern const size_t grade_program_count __attribute__((weak));

const struct grade_program *grade_find_program(const char *name)
{
	if (&grade_programs == NULL || &grade_program_count == NULL)
		return NULL;
	for (size_t i = 0; i < grade_program_count; i++)
		if (strcmp(grade_programs[i].name, name) == 0)
			return &grade_programs[i];
	return NULL;
}

/* In the child: standard input and output, then the suite itself, as the program. */
static _Noreturn void exec_program(const char *name, const char *const args[], int stdin_fd,
				   int stdout_fd)
{
	const char *argv[64] = { name, "--program", name };
	size_t argc = 3;
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (size_t i = 0; args != NULL && args[i] != NULL && argc < 63; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	if (dup2(stdin_fd >= 0 ? stdin_fd : null_fd, STDIN_FILENO) < 0 ||
	    dup2(stdout_fd >= 0 ? stdout_fd : null_fd, STDOUT_FILENO) < 0)
		_exit(126);
	execv("/proc/self/exe", (char *const *)argv);
	_exit(127);
}

pid_t grade_start_program(const char *name, const char *const args[], int stdin_fd,
			  int stdout_fd)
{
	if (grade_find_program(name) == NULL)
		grade_setup_failed("the suite has no program named %s", name);
	pid_t child = grade_fork();
	if (child < 0)
		grade_setup_failed("cannot start %s", name);
	if (child == 0)
		exec_program(name, args, stdin_fd, stdout_fd);
	return child;
}

/* ---- Guarded memory ------------------------------------------------------- */

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* The pages that hold len bytes, plus the guard page. */
static size_t guarded_length(size_t len)
{
	return (len + page_size() - 1) / page_size() * page_size() + page_size();
}

void *grade_guarded_buffer(size_t len)
{
	size_t total = guarded_length(len);
	unsigned char *area = __real_mmap(NULL, total, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED)
		grade_setup_failed("cannot map %zu bytes", total);
	if (mprotect(area + total - page_size(), page_size(), PROT_NONE) != 0)
		grade_setup_failed("cannot make a guard page");
	return area + total - page_size() - len;
}

void grade_free_guarded(void *buffer, size_t len)
{
	size_t total = guarded_length(len);
	unsigned char *end_of_data = (unsigned char *)buffer + len;

	__real_munmap(end_of_data + page_size() - total, total);
}
