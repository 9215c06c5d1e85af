/*
 * sandbox.c — run one untrusted program under limits and watch it from outside.
 *
 * The child gets its own process group, an empty directory, /dev/null as
 * input, one pipe for stdout and stderr, resource limits, no way to gain
 * privileges, and — when the grader is root — an unprivileged uid used by
 * nothing else on the machine. The supervisor (this process) reads output and
 * channel records until the child ends or the wall-clock limit passes, then
 * kills whatever is left: the process group, every process of the uid, and
 * any orphan that was reparented to it as the subreaper. Verdicts come only
 * from the channel's "PASS <token>" record together with exit status 0. With
 * --sandbox, bubblewrap adds namespaces around the same child (see
 * exec_in_bubblewrap).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "channel.h"
#include "close_descriptors.h"
#include "fsutil.h"
#include "mounts.h"
#include "sandbox.h"
#include "utf8.h"

#define OUTPUT_CAP (16 * 1024)
#define CHANNEL_CAP (64 * 1024)
#define MIB ((rlim_t)1 << 20)

/* What the child may use. Tests need a few hundred MiB of files and mappings. */
struct limits {
	rlim_t address_space, file_size, open_files, processes, cpu_seconds;
	/*
	 * The hard file-size limit: the judge may raise its own soft limit to it
	 * to make large sparse files for a test (grade_make_sparse_file); the
	 * subject and every program that runs student code get file_size as
	 * their hard limit before they start (confine_file_size).
	 */
	rlim_t judge_file_size;
};

static double now_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Lower a limit to value (never above the hard limit we were given). */
/* Set a resource's soft limit to `soft` and its hard one to `hard`, within today's hard limit. */
static int set_limits(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit limit;

	if (getrlimit(resource, &limit) != 0)
		return -1;
	if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < hard)
		hard = limit.rlim_max;
	limit.rlim_cur = soft < hard ? soft : hard;
	limit.rlim_max = hard;
	return setrlimit(resource, &limit);
}

static int set_limit(int resource, rlim_t value)
{
	return set_limits(resource, value, value);
}

/* Call visit(pid, argument) for every process on the machine; stop when it returns non-zero. */
static void for_each_process(int (*visit)(pid_t pid, void *argument), void *argument)
{
	DIR *proc = opendir("/proc");
	struct dirent *entry;

	if (proc == NULL)
		return;
	while ((entry = readdir(proc)) != NULL) {
		pid_t pid = (pid_t)atoi(entry->d_name);
		if (pid > 0 && visit(pid, argument) != 0)
			break;
	}
	closedir(proc);
}

static int count_if_mine(pid_t pid, void *count)
{
	char path[64];
	struct stat info;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &info) == 0 && info.st_uid == getuid())
		++*(rlim_t *)count;
	return 0;
}

/* Processes the current real uid runs now (RLIMIT_NPROC counts per user). */
static rlim_t processes_of_my_user(void)
{
	rlim_t count = 0;

	for_each_process(count_if_mine, &count);
	return count;
}

static void limits_for(const struct sandbox_spec *spec, struct limits *limits)
{
	limits->cpu_seconds = (rlim_t)spec->seconds + 1;
	limits->open_files = 256;
	limits->address_space = (rlim_t)4096 * MIB;
	limits->file_size = spec->compiler_limits ? 256 * MIB : 512 * MIB;
	limits->judge_file_size = spec->compiler_limits ? limits->file_size : 64 * (rlim_t)1024 * MIB;
	limits->processes = 256;
	if (test_limits_count_processes()) /* the test's group binds first, and says so (cgroup.c) */
		limits->processes += 64;
	if (!spec->drop_privileges) /* the limit is per user: leave room for the user's own */
		limits->processes += processes_of_my_user();
}

static int apply_limits(const struct limits *limits)
{
	return set_limit(RLIMIT_CPU, limits->cpu_seconds) | set_limit(RLIMIT_CORE, 0) |
	       set_limit(RLIMIT_AS, limits->address_space) |
	       set_limits(RLIMIT_FSIZE, limits->file_size, limits->judge_file_size) |
	       set_limit(RLIMIT_NOFILE, limits->open_files) |
	       set_limit(RLIMIT_NPROC, limits->processes);
}

/* In the child: report why setting up failed, then give up. */
static _Noreturn void child_abort(const char *what)
{
	char message[256];
	int len = snprintf(message, sizeof(message), "grader: could not %s: %s\n", what,
			   strerror(errno));

	if (write(STDERR_FILENO, message, (size_t)len) < 0)
		_exit(126);
	_exit(126);
}

/* Folders that bubblewrap replaces with empty private ones, and their size. */
#define PRIVATE_FOLDER_BYTES "134217728" /* 128 MiB */
static const char *const private_folders[] = { "/tmp", "/var/tmp", "/dev/shm" };

static bool under_private_folder(const char *path)
{
	for (size_t i = 0; i < sizeof(private_folders) / sizeof(private_folders[0]); i++) {
		size_t len = strlen(private_folders[i]);
		if (strncmp(path, private_folders[i], len) == 0 && path[len] == '/')
			return true;
	}
	return false;
}

/*
 * The options of bubblewrap's that are newer than some bubblewrap still in
 * use (Ubuntu 22.04 has 0.6): --size (0.7) and --disable-userns (0.8). Found
 * once, from its --help, by sandbox_bubblewrap_features.
 */
static bool bubblewrap_has_size = true, bubblewrap_has_disable_userns = true;

/*
 * Start the program inside bubblewrap: every namespace unshared (no network,
 * and a PID namespace the kernel empties when the test ends), the machine's
 * root read-only, private scratch folders, and only the test's directory bound
 * writable. The program (and the subject it starts) is bound in too when a
 * private folder would hide it.
 * Only returns if bubblewrap could not be started.
 */
static void exec_in_bubblewrap(const struct sandbox_spec *spec, char *const environment[])
{
	static const char *const fixed[] = {
		"--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
		"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
	};
	const char *command[64];
	size_t count = 0;

	command[count++] = spec->bubblewrap;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		command[count++] = fixed[i];
	if (bubblewrap_has_disable_userns)
		command[count++] = "--disable-userns";
	for (size_t i = 0; i < sizeof(private_folders) / sizeof(private_folders[0]); i++) {
		/* tmpfs takes memory that no limit of the test counts: cap each one. */
		if (bubblewrap_has_size) {
			command[count++] = "--size";
			command[count++] = PRIVATE_FOLDER_BYTES;
		}
		command[count++] = "--tmpfs";
		command[count++] = private_folders[i];
	}
	const char *programs[] = { spec->argv[0], spec->also_runs };
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		if (programs[i] == NULL || !under_private_folder(programs[i]))
			continue;
		command[count++] = "--ro-bind";
		command[count++] = programs[i];
		command[count++] = programs[i];
	}
	const char *directory_binding[] = { "--bind", spec->directory, spec->directory,
					    "--chdir", spec->directory, "--" };
	for (size_t i = 0; i < sizeof(directory_binding) / sizeof(directory_binding[0]); i++)
		command[count++] = directory_binding[i];
	for (size_t i = 0; spec->argv[i] != NULL && count < 63; i++)
		command[count++] = spec->argv[i];
	command[count] = NULL;
	execve(spec->bubblewrap, (char *const *)command, environment);
}

static _Noreturn void child_run(const struct sandbox_spec *spec, const struct limits *limits,
				int output, int channel, pid_t supervisor)
{
	static char *const environment[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C",
					     "HOME=.", "TMPDIR=.", NULL };
	int null_input = open("/dev/null", O_RDONLY);

	if (setpgid(0, 0) != 0)
		child_abort("start a process group");
	if (null_input < 0 || dup2(null_input, STDIN_FILENO) < 0 ||
	    dup2(output, STDOUT_FILENO) < 0 || dup2(output, STDERR_FILENO) < 0)
		child_abort("set up standard input and output");
	/* The program's sealed copy, above every number used below; gone at exec. */
	int program = spec->program_fd > 0
			      ? fcntl(spec->program_fd, F_DUPFD_CLOEXEC, VERDICT_CHANNEL_FD + 1)
			      : -1;
	if (spec->program_fd > 0 && program < 0)
		child_abort("keep the program to run");
	if (channel >= 0 && dup2(channel, VERDICT_CHANNEL_FD) < 0)
		child_abort("set up the verdict channel");
	/* Nothing else of the runner's (result files, other tests' pipes) may leak in. */
	int first_closed = channel >= 0 ? VERDICT_CHANNEL_FD + 1 : STDERR_FILENO + 1;
	if (channel >= 0)
		for (int fd = STDERR_FILENO + 1; fd < VERDICT_CHANNEL_FD; fd++)
			close(fd);
	if (program >= 0 && program > first_closed &&
	    close_descriptors((unsigned)first_closed, (unsigned)program - 1) != 0)
		child_abort("close inherited descriptors");
	if (close_descriptors((unsigned)(program >= 0 ? program + 1 : first_closed), ~0U) != 0)
		child_abort("close inherited descriptors");
	/* One capped tmpfs for the test's files (mounts.c): mount first, the chdir enters it. */
	if (spec->private_files && spec->collect == NULL && mounts_private_files(spec) != 0)
		child_abort("give the test its private capped folders");
	if (chdir(spec->directory) != 0)
		child_abort("enter the test directory");
	umask(022);
	/* Join the test's memory and process limits while still privileged (cgroup.c). */
	if (test_limits_join() != 0)
		child_abort("join the test's control groups");
	if (spec->drop_privileges) {
		if (setgroups(0, NULL) != 0 || setgid(spec->gid) != 0 || setuid(spec->uid) != 0)
			child_abort("drop privileges");
	}
	if (apply_limits(limits) != 0)
		child_abort("set resource limits");
	/* Die with the supervisor; set after setuid(), which clears it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != supervisor)
		_exit(126);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_abort("forbid new privileges");
	signal(SIGPIPE, SIG_DFL);
	if (spec->bubblewrap != NULL)
		exec_in_bubblewrap(spec, environment);
	else if (program >= 0)
		syscall(SYS_execveat, program, "", spec->argv, environment, AT_EMPTY_PATH);
	else
		execve(spec->argv[0], spec->argv, environment);
	child_abort("start the program");
}

/*
 * Read once from fd and keep what fits under cap, counting what does not.
 * Returns the bytes read, 0 at end of file, -1 with errno on error or EAGAIN.
 */
static ssize_t drain(int fd, char *buffer, size_t *used, size_t cap, size_t *dropped)
{
	char chunk[8192];
	ssize_t got = read(fd, chunk, sizeof(chunk));

	if (got <= 0)
		return got;
	size_t keep = (size_t)got;
	if (keep > cap - *used)
		keep = cap - *used;
	memcpy(buffer + *used, chunk, keep);
	*used += keep;
	if (dropped != NULL)
		*dropped += (size_t)got - keep;
	return got;
}

/* Whether a drain result means the descriptor has nothing more to give. */
static int drained_for_good(ssize_t got)
{
	return got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN);
}

/* Kill every process of the test's uid: a helper that becomes that uid kills -1. */
static void kill_all_of_uid(uid_t uid, gid_t gid)
{
	pid_t killer = fork();

	if (killer == 0) {
		if (setgroups(0, NULL) == 0 && setgid(gid) == 0 && setuid(uid) == 0)
			kill(-1, SIGKILL); /* every process this uid may signal, except itself */
		_exit(0);
	}
	if (killer > 0)
		while (waitpid(killer, NULL, 0) < 0 && errno == EINTR)
			;
}

/* Kill pid if its parent is this process (orphans of the test land here). */
static int kill_if_my_child(pid_t pid, void *killed)
{
	char path[64];
	int parent = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *stat_text = read_small_file(path, 512);
	if (stat_text == NULL)
		return 0;
	/* The parent's pid follows the state, after the name, which ends with the last ')'. */
	char *after_name = strrchr(stat_text, ')');
	if (after_name != NULL && sscanf(after_name + 1, " %*c %d", &parent) == 1 &&
	    parent == getpid() && kill(pid, SIGKILL) == 0)
		++*(unsigned *)killed;
	free(stat_text);
	return 0;
}

static unsigned kill_my_children(void)
{
	unsigned killed = 0;

	for_each_process(kill_if_my_child, &killed);
	return killed;
}

/* Files the test's uid left in the machine's shared scratch folders. */
static void remove_files_of_uid(uid_t uid)
{
	static const char *const scratch[] = { "/tmp", "/var/tmp", "/dev/shm" };
	char path[4096];

	for (size_t i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++) {
		DIR *folder = opendir(scratch[i]);
		struct dirent *entry;
		struct stat info;
		if (folder == NULL)
			continue;
		while ((entry = readdir(folder)) != NULL) {
			int found = fstatat(dirfd(folder), entry->d_name, &info,
					    AT_SYMLINK_NOFOLLOW) == 0;
			if (!found || info.st_uid != uid)
				continue;
			snprintf(path, sizeof(path), "%s/%s", scratch[i], entry->d_name);
			remove_tree(path);
		}
		closedir(folder);
	}
}

/*
 * Kill and reap everything the test left. Everything it started is in its
 * process group, or runs as its uid, or (having escaped both as non-root) has
 * been reparented to us. Loop until we have no child at all.
 */
static unsigned clean_up_processes(const struct sandbox_spec *spec, pid_t group)
{
	unsigned leftovers = 0;
	double give_up = now_seconds() + 10;

	for (;;) {
		kill(-group, SIGKILL);
		if (spec->drop_privileges)
			kill_all_of_uid(spec->uid, spec->gid);
		pid_t reaped;
		while ((reaped = waitpid(-1, NULL, WNOHANG)) > 0)
			leftovers++;
		if (reaped < 0 && errno == ECHILD)
			return leftovers;
		kill_my_children();
		if (now_seconds() > give_up)
			return leftovers; /* unreachable in practice: each round kills all */
		struct timespec pause = { 0, 2000000 };
		nanosleep(&pause, NULL);
	}
}

/* Without a pidfd (Linux before 5.3, or refused): how often to look whether the child ended. */
#define CHILD_POLL_MS 5

struct watch {
	int output, channel, process; /* process: a pidfd of the child, or -1 */
	char *output_buffer, *channel_buffer;
	size_t output_used, channel_used;
	const char *token;
	int passed;
	const struct sandbox_spec *files_of; /* whose files are bounded (mounts.c), or NULL */
	double next_files_sample;
	int files_held;    /* its private tmpfs, held to see afterwards whether it filled up */
	pid_t child;       /* the test's first process */
	double next_check; /* when to look at the limits of the test as a whole (cgroup.c) */
};

/*
 * Take the complete records received so far and keep only an unfinished one,
 * so that a test may send any number of steps: the buffer never fills with
 * old ones and the verdict at the end is never dropped.
 */
static void take_records(struct watch *watch, struct sandbox_result *result)
{
	size_t used = channel_parse(watch->channel_buffer, watch->channel_used, watch->token,
				    result, &watch->passed);

	memmove(watch->channel_buffer, watch->channel_buffer + used, watch->channel_used - used);
	watch->channel_used -= used;
}

/*
 * The files of the test (mounts.c), when due: hold its private tmpfs and note
 * whether it filled up, or else sample them for the watchdog. True once the
 * watchdog saw a limit passed.
 */
static bool files_passed_limit(struct watch *watch, struct sandbox_result *result)
{
	const struct sandbox_spec *spec = watch->files_of;

	if (spec == NULL || now_seconds() < watch->next_files_sample)
		return false;
	if (spec->private_files && watch->files_held < 0) { /* hold it once the child mounted it */
		watch->files_held = mounts_hold_private_files(watch->child);
		watch->next_files_sample = now_seconds() + 0.005; /* mounted within ms */
		return false;
	}
	/* The tmpfs caps the scratch folders; the test's folder is counted with it. */
	if (spec->private_files)
		result->files_over_limit =
			files_watch_sample_with(spec->directory, watch->files_held);
	else
		result->files_over_limit =
			files_watch_sample(spec->directory, spec->drop_privileges, spec->uid);
	watch->next_files_sample = now_seconds() + FILES_SAMPLE_SECONDS;
	return files_stopped_the_test(result->files_over_limit);
}

/* True once child has ended; it stays a zombie for waitpid() to reap (WNOWAIT). */
static bool child_has_ended(pid_t child)
{
	siginfo_t info = { 0 };

	if (waitid(P_PID, (id_t)child, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
		return errno == ECHILD; /* not ours to wait for: nothing left to watch */
	return info.si_pid == child;
}

/*
 * Read output and channel until the child exits (1), the deadline passes (0)
 * or the file watchdog stops the test (2).
 */
static int watch_child(struct watch *watch, struct sandbox_result *result, double deadline)
{
	for (;;) {
		struct pollfd fds[3] = {
			{ watch->process, POLLIN, 0 },
			{ watch->output, POLLIN, 0 },
			{ watch->channel, POLLIN, 0 },
		};
		double left = deadline - now_seconds();
		if (left <= 0)
			return 0;
		if (files_passed_limit(watch, result))
			return 2;
		if (watch->files_of != NULL && left > watch->next_files_sample - now_seconds())
			left = watch->next_files_sample - now_seconds(); /* for the next sample */
		if (left > watch->next_check - now_seconds())
			left = watch->next_check - now_seconds(); /* wake up for that check */
		if (left < 0)
			left = 0;
		int wait_ms = (int)(left * 1000) + 1;
		if (watch->process < 0 && wait_ms > CHILD_POLL_MS)
			wait_ms = CHILD_POLL_MS;
		int ready = poll(fds, 3, wait_ms);
		if (ready < 0 && errno != EINTR)
			return -1;
		/* A descriptor at end of file is dropped from the poll (-1 is ignored). */
		if (fds[1].revents && drained_for_good(drain(watch->output, watch->output_buffer,
							     &watch->output_used, OUTPUT_CAP,
							     &result->output_dropped)))
			watch->output = -1;
		if (fds[2].revents) {
			ssize_t got = drain(watch->channel, watch->channel_buffer,
					    &watch->channel_used, CHANNEL_CAP, NULL);
			take_records(watch, result);
			if (drained_for_good(got))
				watch->channel = -1;
		}
		if (fds[0].revents || (watch->process < 0 && child_has_ended(watch->child)))
			return 1;
		/* A test over the memory limit of the test as a whole is stopped at once. */
		if (now_seconds() >= watch->next_check) {
			result->limits_crossed = test_limits_check(watch->child);
			if (result->limits_crossed & TEST_LIMIT_MEMORY)
				return 2;
			watch->next_check = now_seconds() + test_limits_check_interval() / 1000.0;
		}
	}
}

/* After every process is gone, take what is still buffered in the pipes. */
static void drain_rest(struct watch *watch, struct sandbox_result *result)
{
	if (watch->output >= 0 && fcntl(watch->output, F_SETFL, O_NONBLOCK) == 0)
		while (drain(watch->output, watch->output_buffer, &watch->output_used, OUTPUT_CAP,
			     &result->output_dropped) > 0)
			;
	if (watch->channel >= 0 && fcntl(watch->channel, F_SETFL, O_NONBLOCK) == 0)
		while (drain(watch->channel, watch->channel_buffer, &watch->channel_used,
			     CHANNEL_CAP, NULL) > 0)
			take_records(watch, result);
	take_records(watch, result);
}

/*
 * bubblewrap exits with 128 + N when the program was killed by signal N: its
 * own process is the one we wait for. (A program that calls exit(128 + N)
 * therefore looks crashed under --sandbox; it fails either way.)
 */
static int signal_behind_bubblewrap(const struct sandbox_spec *spec, int status)
{
	if (spec->bubblewrap == NULL || !WIFEXITED(status))
		return 0;
	int code = WEXITSTATUS(status);
	return code > 128 && code - 128 < NSIG ? code - 128 : 0;
}

/*
 * A test stopped over the memory limit of the test as a whole failed, and
 * that comes first in its report: what the test itself reported (a worker the
 * kernel killed) is only the consequence.
 */
static void fail_for_limits(struct sandbox_result *result)
{
	static const char then[] = "\nbefore it was stopped, the test reported: ";
	const char *limit = test_limits_text(result->limits_crossed);
	size_t size = strlen("this test , so it was stopped") + strlen(limit) + sizeof(then) +
		      (result->failure != NULL ? strlen(result->failure) : 0);
	char *failure = malloc(size);

	result->verdict = VERDICT_FAILED;
	result->leftovers = 0; /* the grader stopped them, mid-test: no sign of unreaped children */
	if (failure == NULL)
		return; /* the test's own failure, if any, is still shown */
	snprintf(failure, size, "this test %s, so it was stopped%s%s", limit,
		 result->failure != NULL ? then : "",
		 result->failure != NULL ? result->failure : "");
	free(result->failure);
	result->failure = failure;
}

static void decide_verdict(const struct sandbox_spec *spec, struct sandbox_result *result,
			   int status, int exited, int passed)
{
	if (result->limits_crossed & TEST_LIMIT_MEMORY) {
		fail_for_limits(result);
	} else if (!exited) {
		result->verdict = VERDICT_TIMED_OUT;
	} else if (WIFSIGNALED(status)) {
		result->verdict = VERDICT_CRASHED;
		result->signal = WTERMSIG(status);
	} else if (signal_behind_bubblewrap(spec, status) != 0) {
		result->verdict = VERDICT_CRASHED;
		result->signal = signal_behind_bubblewrap(spec, status);
	} else {
		result->exit_status = WEXITSTATUS(status);
		/* A FAIL record outweighs a PASS: it may come from a child of the test. */
		if (result->grader_unable) {
			result->verdict = VERDICT_GRADER_ERROR; /* the machine's, not the code's */
			result->leftovers = 0;
		} else if (result->reported_signal > 0 && result->failure == NULL) {
			result->verdict = VERDICT_CRASHED; /* the subject's crash, as the judge saw it */
			result->signal = result->reported_signal;
		} else if (result->judge_timed_out) {
			result->verdict = VERDICT_TIMED_OUT; /* a call that never returned: why, in failure */
			result->leftovers = 0; /* stopped mid-call by the judge: not unreaped */
		} else if (passed && result->exit_status == 0 && result->failure == NULL)
			result->verdict = VERDICT_PASSED;
		else if (result->failure != NULL)
			result->verdict = VERDICT_FAILED;
		else
			result->verdict = VERDICT_NO_VERDICT;
	}
}

static int start_child(const struct sandbox_spec *spec, int output_pipe[2], int channel[2],
		       pid_t *child)
{
	struct limits limits;

	limits_for(spec, &limits);
	if (pipe2(output_pipe, O_CLOEXEC) != 0)
		return -1;
	channel[0] = channel[1] = -1;
	if (spec->test_protocol && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0)
		return -1;
	pid_t supervisor = getpid();
	*child = fork();
	if (*child < 0)
		return -1;
	if (*child == 0)
		child_run(spec, &limits, output_pipe[1], channel[1], supervisor);
	setpgid(*child, *child); /* also done by the child: whichever runs first */
	close(output_pipe[1]);
	if (channel[1] >= 0)
		close(channel[1]);
	return 0;
}

static int send_token(int channel, char *token)
{
	channel_make_token(token);
	char line[VERDICT_TOKEN_LINE_SIZE];
	int len = snprintf(line, sizeof(line), "%s\n", token);
	/* Fits in the socket buffer: never blocks, even if the child never reads it. */
	return write(channel, line, (size_t)len) == len ? 0 : -1;
}

static void collect_output(const struct sandbox_spec *spec)
{
	char source[4096];

	if (spec->collect == NULL)
		return;
	snprintf(source, sizeof(source), "%s/%s", spec->directory, spec->collect);
	unlink(spec->collect_to);
	if (copy_file(source, spec->collect_to, 0755) != 0)
		unlink(spec->collect_to);
}

int sandbox_run(const struct sandbox_spec *spec, struct sandbox_result *result)
{
	int output_pipe[2], channel[2], status = 0, exited = 0;
	char token[VERDICT_TOKEN_LENGTH + 1] = "";
	pid_t child;
	struct watch watch = { -1, -1, -1, NULL, NULL, 0, 0, token, 0, NULL, 0, -1, 0, 0 };

	memset(result, 0, sizeof(*result));
	uid_t owner = spec->drop_privileges ? spec->uid : getuid();
	gid_t group = spec->drop_privileges ? spec->gid : getgid();
	if (make_directory(spec->directory, 0700, owner, group) != 0)
		return -1;
	watch.output_buffer = calloc(1, OUTPUT_CAP + 1);
	watch.channel_buffer = calloc(1, CHANNEL_CAP + 1);
	if (watch.output_buffer == NULL || watch.channel_buffer == NULL)
		goto fail;
	double started = now_seconds();
	/* The limits of the test as a whole; without a group, the watchdog's (cgroup.c). */
	test_limits_create(spec->directory, spec->drop_privileges, spec->uid);
	if (start_child(spec, output_pipe, channel, &child) != 0)
		goto fail;
	watch.child = child;
	watch.output = output_pipe[0];
	watch.channel = channel[0];
	/* The files of a test: its private tmpfs bounds them, or else the watchdog. */
	watch.files_of = spec->test_protocol ? spec : NULL;
	/* A pidfd wakes poll() the moment the child ends; without one, watch_child() polls. */
	watch.process = (int)syscall(SYS_pidfd_open, child, 0);
	if (spec->test_protocol && send_token(channel[0], token) != 0)
		kill(child, SIGKILL); /* the child will end with no verdict */
	int ended = watch_child(&watch, result, started + spec->seconds);
	if (ended != 1) { /* out of time, over a limit, or we cannot watch it: stop it now */
		kill(-child, SIGKILL);
		kill(child, SIGKILL);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	exited = ended == 1;
	result->seconds = now_seconds() - started;
	result->leftovers = clean_up_processes(spec, child);
	/*
	 * Inside bubblewrap the test's own leftovers die with its PID namespace
	 * and never reach us; what we reaped was bubblewrap's init process.
	 */
	if (spec->bubblewrap != NULL)
		result->leftovers = 0;
	if (spec->drop_privileges)
		remove_files_of_uid(spec->uid);
	result->limits_crossed |= test_limits_finish(); /* every process is gone: remove the group */
	drain_rest(&watch, result);
	decide_verdict(spec, result, status, exited, watch.passed);
	if (files_stopped_the_test(result->files_over_limit)) { /* report.c says why */
		result->verdict = VERDICT_FAILED;
		result->leftovers = 0; /* stopped mid-test by the watchdog: not unreaped */
	}
	if (watch.files_held >= 0) { /* the test's tmpfs goes with this last hold */
		if (result->files_over_limit == FILES_WITHIN_LIMITS)
			result->files_over_limit = mounts_private_files_full(watch.files_held);
		close(watch.files_held);
	}
	result->output = utf8_sanitized(watch.output_buffer, watch.output_used);
	collect_output(spec);

	close(output_pipe[0]);
	if (channel[0] >= 0)
		close(channel[0]);
	if (watch.process >= 0)
		close(watch.process);
	free(watch.output_buffer);
	free(watch.channel_buffer);
	remove_tree(spec->directory);
	return 0;
fail:;
	int saved_errno = errno;
	free(watch.output_buffer);
	free(watch.channel_buffer);
	remove_tree(spec->directory);
	errno = saved_errno;
	return -1;
}

void sandbox_result_free(struct sandbox_result *result)
{
	free(result->output);
	free(result->failure);
	free(result->step);
	memset(result, 0, sizeof(*result));
}

void sandbox_bubblewrap_features(const char *path, const char *directory, char *missing,
				 size_t size)
{
	char *const argv[] = { (char *)path, "--help", NULL };
	struct sandbox_spec spec = { .argv = argv, .directory = directory, .seconds = 10 };
	struct sandbox_result result;

	missing[0] = '\0';
	if (sandbox_run(&spec, &result) != 0)
		return; /* then the probe of sandbox_bubblewrap_works says what is wrong */
	const char *help = result.output != NULL ? result.output : "";
	bubblewrap_has_size = strstr(help, "--size") != NULL;
	bubblewrap_has_disable_userns = strstr(help, "--disable-userns") != NULL;
	sandbox_result_free(&result);
	snprintf(missing, size, "%s%s%s",
		 bubblewrap_has_size ? "" : "private folders not capped in size (no --size)",
		 !bubblewrap_has_size && !bubblewrap_has_disable_userns ? ", " : "",
		 bubblewrap_has_disable_userns
			 ? ""
			 : "user namespaces of its own allowed (no --disable-userns)");
}

bool sandbox_bubblewrap_works(const char *path, const char *directory, bool drop_privileges,
			      uid_t uid, gid_t gid, char *reason, size_t reason_size)
{
	char *const argv[] = { "/bin/sh", "-c", "exit 0", NULL };
	struct sandbox_spec spec = {
		.argv = argv, .directory = directory, .seconds = 10,
		.drop_privileges = drop_privileges, .uid = uid, .gid = gid, .bubblewrap = path,
	};
	struct sandbox_result result;

	if (sandbox_run(&spec, &result) != 0) {
		snprintf(reason, reason_size, "%s", strerror(errno));
		return false;
	}
	bool works = result.verdict == VERDICT_NO_VERDICT && result.exit_status == 0;
	if (!works) {
		/* bubblewrap's own message ("bwrap: ...") is the first line of the output. */
		const char *output = result.output != NULL ? result.output : "";
		int line = (int)strcspn(output, "\n");
		snprintf(reason, reason_size, "%.*s", line, line > 0 ? output : "it did not start");
	}
	sandbox_result_free(&result);
	return works;
}

const char *verdict_name(enum verdict verdict)
{
	switch (verdict) {
	case VERDICT_PASSED:
		return "passed";
	case VERDICT_FAILED:
		return "failed";
	case VERDICT_CRASHED:
		return "crashed";
	case VERDICT_TIMED_OUT:
		return "timed out";
	case VERDICT_NO_VERDICT:
		return "no verdict";
	case VERDICT_NOT_RUN:
		return "not run";
	case VERDICT_GRADER_ERROR:
		return "grader error";
	}
	return "unknown";
}
