/*
 * jobs.c — how many tests to run at once when --jobs is not given.
 *
 * The machine's online CPUs are not what a grader may use: a container or a
 * hosted grader (Gradescope's default is half a CPU and 768 MB) gives it a
 * CPU affinity mask, a CPU quota and a memory limit of its own. The rule: as
 * many tests as there are CPUs in the affinity mask, no more than the cgroup
 * CPU quota allows (quota / period, rounded down, at least 1), and no more
 * than the memory the grader may still use holds tests at their memory limit
 * (TEST_MEMORY_LIMIT_BYTES each; the smaller of MemAvailable and the cgroup
 * memory limit); always at least 1, at most 64.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "jobs.h"

#define MAX_JOBS 64

/* The first number in a file (a cgroup or /proc file), or -1 if none can be read. */
static long long number_in_file(const char *path)
{
	FILE *file = fopen(path, "r");
	long long value = -1;

	if (file == NULL)
		return -1;
	if (fscanf(file, "%lld", &value) != 1)
		value = -1;
	fclose(file);
	return value;
}

/* Whether a comma-separated list of controllers ("cpu,cpuacct") holds this one. */
static int names_controller(char *list, const char *controller)
{
	for (char *name = strtok(list, ","); name != NULL; name = strtok(NULL, ","))
		if (strcmp(name, controller) == 0)
			return 1;
	return 0;
}

/*
 * This process's cgroup path for a v1 controller ("cpu", "memory"), or for
 * v2 when controller is NULL, into path[size]; 0, or -1 if it has none.
 */
static int own_cgroup(const char *controller, char *path, size_t size)
{
	FILE *file = fopen("/proc/self/cgroup", "r");
	char line[1024];
	int found = -1;

	if (file == NULL)
		return -1;
	while (found != 0 && fgets(line, sizeof(line), file) != NULL) {
		char *controllers = strchr(line, ':'), *where;
		if (controllers == NULL || (where = strchr(++controllers, ':')) == NULL)
			continue;
		*where++ = '\0';
		where[strcspn(where, "\n")] = '\0';
		if (controller == NULL ? controllers[0] == '\0'
				       : names_controller(controllers, controller)) {
			snprintf(path, size, "%s", where);
			found = 0;
		}
	}
	fclose(file);
	return found;
}

/*
 * A cgroup file of this process: under mount + its own path, or, inside a
 * container whose cgroup is mounted as the root, under mount itself.
 */
static long long cgroup_number(const char *mount, const char *own, const char *name)
{
	char path[2048];
	long long value;

	snprintf(path, sizeof(path), "%s%s/%s", mount, own, name);
	if ((value = number_in_file(path)) >= 0)
		return value;
	snprintf(path, sizeof(path), "%s/%s", mount, name);
	return number_in_file(path);
}

/* CPUs the quota allows (v2 cpu.max, v1 cpu.cfs_quota_us), or 0 for no quota. */
static long cpus_of_quota(void)
{
	char own[1024], line[128], path[2048];
	long long quota = -1, period = -1;

	if (own_cgroup(NULL, own, sizeof(own)) == 0) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpu.max", own);
		FILE *file = fopen(path, "r");
		if (file == NULL)
			file = fopen("/sys/fs/cgroup/cpu.max", "r");
		if (file != NULL) {
			if (fgets(line, sizeof(line), file) != NULL &&
			    sscanf(line, "%lld %lld", &quota, &period) != 2)
				quota = -1; /* "max 100000": no quota */
			fclose(file);
		}
	}
	if (quota < 0 && own_cgroup("cpu", own, sizeof(own)) == 0) {
		const char *mounts[] = { "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu" };
		for (size_t i = 0; i < 2 && quota < 0; i++) {
			quota = cgroup_number(mounts[i], own, "cpu.cfs_quota_us");
			period = cgroup_number(mounts[i], own, "cpu.cfs_period_us");
		}
	}
	if (quota <= 0 || period <= 0)
		return 0;
	return quota / period > 0 ? (long)(quota / period) : 1;
}

/* Bytes the grader may still use: MemAvailable, less where a cgroup limit is lower. */
static long long memory_available(void)
{
	FILE *file = fopen("/proc/meminfo", "r");
	char line[256], own[1024];
	long long kib = -1, limit;

	if (file != NULL) {
		while (kib < 0 && fgets(line, sizeof(line), file) != NULL)
			if (sscanf(line, "MemAvailable: %lld kB", &kib) != 1)
				kib = -1;
		fclose(file);
	}
	long long bytes = kib < 0 ? -1 : kib * 1024;
	if (own_cgroup(NULL, own, sizeof(own)) == 0 &&
	    (limit = cgroup_number("/sys/fs/cgroup", own, "memory.max")) > 0 &&
	    (bytes < 0 || limit < bytes))
		bytes = limit;
	if (own_cgroup("memory", own, sizeof(own)) == 0 &&
	    (limit = cgroup_number("/sys/fs/cgroup/memory", own, "memory.limit_in_bytes")) > 0 &&
	    (bytes < 0 || limit < bytes))
		bytes = limit;
	return bytes;
}

int default_jobs(char *why, size_t size)
{
	cpu_set_t allowed;
	long cpus = sched_getaffinity(0, sizeof(allowed), &allowed) == 0 ? CPU_COUNT(&allowed) : 1;
	long quota = cpus_of_quota();
	long long memory = memory_available();
	long by_memory = memory < 0 ? MAX_JOBS : (long)(memory / TEST_MEMORY_LIMIT_BYTES);
	long jobs = cpus;

	if (quota > 0 && quota < jobs)
		jobs = quota;
	if (by_memory < jobs)
		jobs = by_memory;
	jobs = jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : jobs;
	char quota_text[64] = "";
	if (quota > 0)
		snprintf(quota_text, sizeof(quota_text), ", a CPU quota of %ld", quota);
	snprintf(why, size, "%ld CPU%s usable%s, memory for %ld test%s at their limit", cpus,
		 cpus == 1 ? "" : "s", quota_text, by_memory, by_memory == 1 ? "" : "s");
	return (int)jobs;
}
