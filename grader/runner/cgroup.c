/*
 * cgroup.c — limit the memory and the processes of a test as a whole.
 *
 * With cgroups (root only): the runner makes a group of its own below the
 * group it was started in ("mmap-labs-PID"), once per run; every test gets a
 * fresh group below it ("test-PID-N") with memory and process limits, which
 * the test's first process joins before it drops privileges, so that all its
 * processes and the in-memory files they write are charged there. Crossing
 * the memory limit makes the kernel kill a process of the group (an OOM
 * kill); crossing the process limit makes fork() fail. The supervisor reads
 * the group's event counters every 50 ms, stops the whole test at the first
 * one, and removes the group once every process is gone. v1 needs the memory
 * and pids hierarchies; v2 needs both controllers enabled down to our groups,
 * and since a v2 group with controllers for its children may hold no process
 * itself, the runner moves into a "runner" group beside its tests' groups.
 * Without cgroups, the watchdog adds up the resident memory of every process
 * descending from the test (or orphaned to the supervisor) and the files the
 * test owns in in-memory file systems, and kills them all when the sum passes
 * the limit; the test runs a little nicer than the watchdog, so that a test
 * that keeps every CPU busy cannot outrun it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fsutil.h"

#define PATH_SIZE 4096
#define WATCHDOG_NICENESS 5

static bool probed;
static enum test_limits_mechanism mechanism = TEST_LIMITS_WATCHDOG;
static pid_t runner; /* the process that made the run's groups, and removes them */

/* The run's groups: v1 one per hierarchy; v2 uses memory_base for both. */
static char memory_base[PATH_SIZE], pids_base[PATH_SIZE];
static bool runner_moved; /* v2: the runner lives in memory_base/runner */
static char runner_parent[PATH_SIZE]; /* v2: the group it came from */

/* The current test. */
static enum test_limits_mechanism current = TEST_LIMITS_WATCHDOG;
static char memory_group[PATH_SIZE], pids_group[PATH_SIZE];
static unsigned watchdog_crossed;
static long long watchdog_bytes; /* the memory of the test at the last look */
static const char *test_directory;
static bool test_by_uid;
static uid_t test_uid;
static time_t test_started;

/* ---- small file chores ---------------------------------------------------- */

static int write_text(const char *directory, const char *file, const char *text)
{
	char path[PATH_SIZE];

	if (path_join(path, sizeof(path), directory, file) != 0)
		return -1;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t written = write(fd, text, strlen(text));
	int saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return written == (ssize_t)strlen(text) ? 0 : -1;
}

/* The number after "key " in a file of "key value" lines, or 0 if absent. */
static long long keyed_value(const char *directory, const char *file, const char *key)
{
	char path[PATH_SIZE];
	long long value = 0;

	if (path_join(path, sizeof(path), directory, file) != 0)
		return 0;
	char *text = read_small_file(path, 4096);
	if (text == NULL)
		return 0;
	size_t key_len = strlen(key);
	for (char *line = text; line != NULL && *line != '\0';) {
		if (strncmp(line, key, key_len) == 0 && line[key_len] == ' ')
			value = atoll(line + key_len + 1);
		line = strchr(line, '\n');
		line = line != NULL ? line + 1 : NULL;
	}
	free(text);
	return value;
}

/* Whether a comma- or space-separated list holds word. */
static bool list_has(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *at = list; (at = strstr(at, word)) != NULL; at += len)
		if ((at == list || at[-1] == ',' || at[-1] == ' ') &&
		    (at[len] == '\0' || at[len] == ',' || at[len] == ' ' || at[len] == '\n'))
			return true;
	return false;
}

/* Remove a group, waiting a little for the kernel to let go of processes just reaped. */
static void remove_group(const char *path)
{
	for (int attempt = 0; path[0] != '\0' && attempt < 100; attempt++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY)
			return;
		struct timespec pause = { 0, 10000000 };
		nanosleep(&pause, NULL);
	}
}

/* ---- finding the hierarchies ---------------------------------------------- */

/*
 * Where a hierarchy is mounted: fstype "cgroup" with the controller among its
 * options (v1), or "cgroup2" (controller NULL).
 */
static bool find_mount(const char *controller, char *mount, size_t size)
{
	FILE *mounts = setmntent("/proc/self/mounts", "re");
	struct mntent *entry;
	bool found = false;

	if (mounts == NULL)
		return false;
	while (!found && (entry = getmntent(mounts)) != NULL) {
		if (controller == NULL)
			found = strcmp(entry->mnt_type, "cgroup2") == 0;
		else
			found = strcmp(entry->mnt_type, "cgroup") == 0 &&
				hasmntopt(entry, controller) != NULL;
		if (found)
			snprintf(mount, size, "%s", entry->mnt_dir);
	}
	endmntent(mounts);
	return found;
}

/*
 * The folder of the group this process is in: the hierarchy's mount plus the
 * path /proc/self/cgroup gives for the controller ("" for v2's "0::" line).
 */
static bool own_group(const char *controller, char *folder, size_t size)
{
	char mount[PATH_SIZE];
	char *text = read_small_file("/proc/self/cgroup", 16384);
	bool found = false;

	if (text == NULL || !find_mount(controller[0] != '\0' ? controller : NULL, mount,
					sizeof(mount))) {
		free(text);
		return false;
	}
	for (char *line = strtok(text, "\n"); line != NULL && !found; line = strtok(NULL, "\n")) {
		char *controllers = strchr(line, ':');
		char *path = controllers != NULL ? strchr(controllers + 1, ':') : NULL;
		if (path == NULL)
			continue;
		*path++ = '\0';
		controllers++;
		found = controller[0] == '\0' ? strcmp(line, "0") == 0 && *controllers == '\0'
					      : list_has(controllers, controller);
		if (found)
			snprintf(folder, size, "%s%s", mount, strcmp(path, "/") == 0 ? "" : path);
	}
	free(text);
	return found;
}

/* The text of a file of this process's own group; NULL if there is none (free it). */
static char *own_group_file(const char *controller, const char *file)
{
	char folder[PATH_SIZE], path[PATH_SIZE];
	char *text = NULL;

	if (own_group(controller, folder, sizeof(folder)) &&
	    path_join(path, sizeof(path), folder, file) == 0)
		text = read_small_file(path, 256);
	/* In a container that shows the host's paths, its own group is mounted as the root. */
	if (text == NULL && find_mount(controller[0] != '\0' ? controller : NULL, folder,
				       sizeof(folder)) &&
	    path_join(path, sizeof(path), folder, file) == 0)
		text = read_small_file(path, 256);
	return text;
}

int cgroup_own_numbers(const char *controller, const char *file, long long *numbers, int count)
{
	char *text = own_group_file(controller, file), *at = text, *end;
	int found = 0;

	while (text != NULL && found < count) {
		numbers[found] = strtoll(at, &end, 10);
		if (end == at)
			break;
		found++;
		at = end;
	}
	free(text);
	return found;
}

/* ---- probing: once per run, in the runner --------------------------------- */

static bool probe_v1(void)
{
	char memory_parent[PATH_SIZE], pids_parent[PATH_SIZE];

	if (!own_group("memory", memory_parent, sizeof(memory_parent)) ||
	    !own_group("pids", pids_parent, sizeof(pids_parent)))
		return false;
	snprintf(memory_base, sizeof(memory_base), "%.4000s/mmap-labs-%d", memory_parent,
		 (int)getpid());
	snprintf(pids_base, sizeof(pids_base), "%.4000s/mmap-labs-%d", pids_parent, (int)getpid());
	if (mkdir(memory_base, 0755) != 0)
		return false;
	if (mkdir(pids_base, 0755) != 0) {
		rmdir(memory_base);
		return false;
	}
	return true;
}

/* v2: whether the hierarchy offers both controllers at all. */
static bool v2_has_controllers(const char *folder)
{
	char path[PATH_SIZE];

	if (path_join(path, sizeof(path), folder, "cgroup.controllers") != 0)
		return false;
	char *text = read_small_file(path, 4096);
	bool has = text != NULL && list_has(text, "memory") && list_has(text, "pids");
	free(text);
	return has;
}

static bool probe_v2(void)
{
	char parent[PATH_SIZE], runner_group[PATH_SIZE], pid_text[32];

	if (!own_group("", parent, sizeof(parent)) || !v2_has_controllers(parent))
		return false;
	snprintf(runner_parent, sizeof(runner_parent), "%s", parent);
	snprintf(memory_base, sizeof(memory_base), "%.4000s/mmap-labs-%d", parent, (int)getpid());
	if (mkdir(memory_base, 0755) != 0)
		return false;
	/*
	 * A group that gives controllers to its children may hold no process
	 * (except the root group): the runner moves into a group of its own.
	 */
	snprintf(runner_group, sizeof(runner_group), "%.4000s/runner", memory_base);
	snprintf(pid_text, sizeof(pid_text), "%d\n", (int)getpid());
	runner_moved = mkdir(runner_group, 0755) == 0 &&
		       write_text(runner_group, "cgroup.procs", pid_text) == 0;
	if (runner_moved && write_text(parent, "cgroup.subtree_control", "+memory +pids") == 0 &&
	    write_text(memory_base, "cgroup.subtree_control", "+memory +pids") == 0)
		return true;
	if (runner_moved)
		write_text(parent, "cgroup.procs", pid_text); /* back where it was */
	runner_moved = false;
	rmdir(runner_group);
	rmdir(memory_base);
	return false;
}

/* At the runner's exit: the run's groups (each test removed its own). */
static void remove_run_groups(void)
{
	if (getpid() != runner)
		return;
	if (mechanism == TEST_LIMITS_CGROUP_V1) {
		remove_group(memory_base);
		remove_group(pids_base);
	}
	if (mechanism != TEST_LIMITS_CGROUP_V2)
		return;
	/*
	 * Back to the group it came from: possible only if that is the root
	 * group (others now give controllers to children, so may hold no
	 * process); otherwise the empty group stays until its parent goes.
	 */
	char pid_text[32], runner_group[PATH_SIZE];
	snprintf(pid_text, sizeof(pid_text), "%d\n", (int)getpid());
	snprintf(runner_group, sizeof(runner_group), "%.4000s/runner", memory_base);
	if (write_text(runner_parent, "cgroup.procs", pid_text) == 0) {
		remove_group(runner_group);
		remove_group(memory_base);
	}
}

enum test_limits_mechanism test_limits_probe(void)
{
	if (probed)
		return mechanism;
	probed = true;
	runner = getpid();
	if (geteuid() != 0)
		return mechanism = TEST_LIMITS_WATCHDOG;
	if (probe_v2())
		mechanism = TEST_LIMITS_CGROUP_V2;
	else if (probe_v1())
		mechanism = TEST_LIMITS_CGROUP_V1;
	if (mechanism != TEST_LIMITS_WATCHDOG)
		atexit(remove_run_groups);
	return mechanism;
}

const char *test_limits_description(void)
{
	switch (test_limits_probe()) {
	case TEST_LIMITS_CGROUP_V1:
		return "memory and processes of each test limited as a whole (cgroup v1)";
	case TEST_LIMITS_CGROUP_V2:
		return "memory and processes of each test limited as a whole (cgroup v2)";
	case TEST_LIMITS_WATCHDOG:
		break;
	}
	return "memory and processes of each test limited as a whole (watchdog)";
}

/* ---- one test's group ----------------------------------------------------- */

static int make_group(char *group, const char *base, const char *name)
{
	if (path_join(group, PATH_SIZE, base, name) != 0)
		return -1;
	return mkdir(group, 0755);
}

/* Write a limit; a file the kernel does not offer (no swap accounting) is no error. */
static int set_group_limit(const char *group, const char *file, const char *value,
			   bool optional)
{
	if (write_text(group, file, value) == 0)
		return 0;
	return optional && errno == ENOENT ? 0 : -1;
}

static int make_test_groups(const char *name)
{
	char memory_text[32], process_text[32];

	snprintf(memory_text, sizeof(memory_text), "%lld", TEST_MEMORY_LIMIT_BYTES);
	snprintf(process_text, sizeof(process_text), "%d", TEST_PROCESS_LIMIT);
	if (mechanism == TEST_LIMITS_CGROUP_V2)
		return make_group(memory_group, memory_base, name) != 0 ||
			       set_group_limit(memory_group, "memory.max", memory_text, false) ||
			       set_group_limit(memory_group, "memory.swap.max", "0", true) ||
			       set_group_limit(memory_group, "pids.max", process_text, false)
		       ? -1
		       : 0;
	/* v1: memory+swap may not be set below memory alone, so memory comes first. */
	return make_group(memory_group, memory_base, name) != 0 ||
		       set_group_limit(memory_group, "memory.limit_in_bytes", memory_text, false) ||
		       set_group_limit(memory_group, "memory.memsw.limit_in_bytes", memory_text,
				       true) ||
		       make_group(pids_group, pids_base, name) != 0 ||
		       set_group_limit(pids_group, "pids.max", process_text, false)
	       ? -1
	       : 0;
}

static void remove_test_groups(void)
{
	remove_group(memory_group);
	remove_group(pids_group);
	memory_group[0] = pids_group[0] = '\0';
}

void test_limits_create(const char *directory, bool by_uid, uid_t uid)
{
	static unsigned tests;
	char name[64];

	test_directory = directory;
	test_by_uid = by_uid;
	test_uid = uid;
	test_started = time(NULL);
	watchdog_crossed = 0;
	watchdog_bytes = 0;
	memory_group[0] = pids_group[0] = '\0';
	current = test_limits_probe();
	if (current == TEST_LIMITS_WATCHDOG)
		return;
	snprintf(name, sizeof(name), "test-%d-%u", (int)getpid(), tests++);
	if (make_test_groups(name) == 0)
		return;
	remove_test_groups();
	current = TEST_LIMITS_WATCHDOG; /* this test is still limited, by the watchdog */
}

int test_limits_join(void)
{
	char pid_text[32];

	snprintf(pid_text, sizeof(pid_text), "%d\n", (int)getpid());
	/*
	 * The watchdog must keep sampling while the test keeps both CPUs busy:
	 * the test runs a little nicer than its supervisor (only speed changes).
	 */
	if (current == TEST_LIMITS_WATCHDOG)
		return setpriority(PRIO_PROCESS, 0, WATCHDOG_NICENESS);
	if (write_text(memory_group, "cgroup.procs", pid_text) != 0)
		return -1;
	return current == TEST_LIMITS_CGROUP_V1 ? write_text(pids_group, "cgroup.procs", pid_text)
						: 0;
}

bool test_limits_count_processes(void)
{
	return current != TEST_LIMITS_WATCHDOG;
}

/*
 * The group's counters. Memory: an OOM kill, not the limit merely reached
 * (memory.failcnt, v2 "max"), which also counts file cache the kernel simply
 * reclaimed — that happens to any test that writes a lot, and is no harm.
 */
static unsigned groups_crossed(void)
{
	unsigned crossed = 0;
	const char *pids = current == TEST_LIMITS_CGROUP_V2 ? memory_group : pids_group;

	if (current == TEST_LIMITS_CGROUP_V1 &&
	    keyed_value(memory_group, "memory.oom_control", "oom_kill") > 0)
		crossed |= TEST_LIMIT_MEMORY;
	if (current == TEST_LIMITS_CGROUP_V2 &&
	    (keyed_value(memory_group, "memory.events", "oom_kill") > 0 ||
	     keyed_value(memory_group, "memory.events", "oom") > 0))
		crossed |= TEST_LIMIT_MEMORY;
	if (keyed_value(pids, "pids.events", "max") > 0)
		crossed |= TEST_LIMIT_PROCESSES;
	return crossed;
}

/* ---- the watchdog ---------------------------------------------------------- */

/* The test's processes, found from the supervisor's children down. */
struct test_processes {
	pid_t *list;
	size_t count, capacity;
	long threads;
};

#define MAX_TEST_PROCESSES 4096 /* far above the limit: the search stays bounded */

/* Add the pids listed in a /proc/PID/task/TID/children file. */
static void add_children(const char *path, struct test_processes *found)
{
	char *text = read_small_file(path, 65536);
	char *at = text;
	char *end;

	while (at != NULL && found->count < MAX_TEST_PROCESSES) {
		long pid = strtol(at, &end, 10);
		if (end == at)
			break;
		at = end;
		if (found->count == found->capacity) {
			size_t capacity = found->capacity == 0 ? 64 : 2 * found->capacity;
			pid_t *list = realloc(found->list, capacity * sizeof(*list));
			if (list == NULL)
				break;
			found->list = list;
			found->capacity = capacity;
		}
		found->list[found->count++] = (pid_t)pid;
	}
	free(text);
}

/*
 * Every process below the supervisor: the test's first process, its
 * descendants, and orphans the supervisor adopted as subreaper (a test's
 * daemon), found through each thread's children file. This reads only the
 * test's own /proc entries, so a sample stays quick on a busy machine.
 */
static void gather_test(struct test_processes *found)
{
	char path[96];

	found->count = 0;
	found->threads = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
	add_children(path, found);
	for (size_t i = 0; i < found->count; i++) { /* the list grows as we go */
		snprintf(path, sizeof(path), "/proc/%d/task", (int)found->list[i]);
		DIR *tasks = opendir(path);
		struct dirent *entry;
		if (tasks == NULL)
			continue; /* gone meanwhile */
		while ((entry = readdir(tasks)) != NULL) {
			if (entry->d_name[0] == '.')
				continue;
			found->threads++;
			snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children",
				 (int)found->list[i], entry->d_name);
			add_children(path, found);
		}
		closedir(tasks);
	}
}

/*
 * A process's resident memory, in bytes, from statm: the kernel's counters,
 * read without walking the page tables. (smaps_rollup's Pss would count
 * pages shared between the test's processes once, but a walk of a process
 * that is faulting pages in takes up to half a second: too slow to keep up.)
 * Shared pages are counted in every process that maps them; the reference
 * solutions stay far below the limit even so (README).
 */
static long long process_memory(pid_t pid)
{
	char path[64];
	long long pages = 0;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	char *text = read_small_file(path, 256);
	if (text != NULL && sscanf(text, "%*d %lld", &pages) != 1)
		pages = 0;
	free(text);
	return pages * sysconf(_SC_PAGESIZE);
}

/* Whether a file found in a shared scratch folder is the test's. */
static bool file_of_test(const struct stat *info)
{
	if (test_by_uid)
		return info->st_uid == test_uid;
	/* As the runner's own user: the user's files changed since the test began. */
	return info->st_uid == geteuid() && info->st_mtime >= test_started - 1;
}

/* Bytes that the files below folder take (only the test's unless all). */
static long long folder_bytes(int folder_fd, bool all, int depth)
{
	DIR *folder = fdopendir(folder_fd);
	struct dirent *entry;
	struct stat info;
	long long bytes = 0;

	if (folder == NULL) {
		close(folder_fd);
		return 0;
	}
	while ((entry = readdir(folder)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0 ||
		    fstatat(dirfd(folder), entry->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !(all || file_of_test(&info)))
			continue;
		bytes += (long long)info.st_blocks * 512;
		if (S_ISDIR(info.st_mode) && depth < 16) {
			int inner = openat(dirfd(folder), entry->d_name,
					   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (inner >= 0)
				bytes += folder_bytes(inner, all, depth + 1);
		}
	}
	closedir(folder);
	return bytes;
}

/* Files the test made in in-memory file systems: its folder and the scratch folders. */
static long long memory_files_bytes(void)
{
	static const char *const scratch[] = { "/dev/shm", "/tmp", "/var/tmp" };
	long long bytes = 0;

	for (size_t i = 0; i <= sizeof(scratch) / sizeof(scratch[0]); i++) {
		const char *path = i == 0 ? test_directory : scratch[i - 1];
		struct statfs file_system;
		if (path == NULL || statfs(path, &file_system) != 0 ||
		    file_system.f_type != TMPFS_MAGIC)
			continue;
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			bytes += folder_bytes(fd, i == 0, 0);
	}
	return bytes;
}

static unsigned watchdog_check(pid_t child)
{
	static struct test_processes found;
	long long bytes = 0;

	gather_test(&found);
	for (size_t i = 0; i < found.count; i++)
		bytes += process_memory(found.list[i]);
	if (bytes <= TEST_MEMORY_LIMIT_BYTES)
		bytes += memory_files_bytes();
	watchdog_bytes = bytes;
	unsigned crossed = (bytes > TEST_MEMORY_LIMIT_BYTES ? TEST_LIMIT_MEMORY : 0) |
			   (found.threads >= TEST_PROCESS_LIMIT ? TEST_LIMIT_PROCESSES : 0);
	if (!(crossed & TEST_LIMIT_MEMORY))
		return crossed; /* at the process limit fork() fails: the test goes on */
	kill(-child, SIGKILL);
	for (size_t i = 0; i < found.count; i++)
		kill(found.list[i], SIGKILL);
	return crossed;
}

/* ---- during and after the test -------------------------------------------- */

unsigned test_limits_check(pid_t child)
{
	if (current != TEST_LIMITS_WATCHDOG)
		return groups_crossed();
	watchdog_crossed |= watchdog_check(child);
	return watchdog_crossed;
}

int test_limits_check_interval(void)
{
	if (current == TEST_LIMITS_WATCHDOG && watchdog_bytes > TEST_MEMORY_LIMIT_BYTES / 2)
		return TEST_LIMITS_CLOSE_CHECK_MILLISECONDS;
	return TEST_LIMITS_CHECK_MILLISECONDS;
}

unsigned test_limits_finish(void)
{
	unsigned crossed = current == TEST_LIMITS_WATCHDOG ? watchdog_crossed : groups_crossed();

	remove_test_groups();
	return crossed;
}

const char *test_limits_text(unsigned crossed)
{
	static const char memory[] =
		"used more than 1 GiB of memory in all (its processes together, with the files "
		"they made in memory)";
	static const char processes[] =
		"ran into the limit of 256 processes in all (its processes and threads together)";
	static const char both[] =
		"used more than 1 GiB of memory and ran into the limit of 256 processes in all "
		"(its processes together, with the files they made in memory)";

	if (crossed == (TEST_LIMIT_MEMORY | TEST_LIMIT_PROCESSES))
		return both;
	return crossed & TEST_LIMIT_MEMORY ? memory : processes;
}
