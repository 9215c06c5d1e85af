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
 * memory limit); always at least 1, at most 64. The groups are found as
 * cgroup.c finds them.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "fsutil.h"
#include "jobs.h"
#include "shared_config.h"

/* Linux allows at most 8192 CPUs (CONFIG_NR_CPUS): the largest affinity mask asked for. */
#define MAX_POSSIBLE_CPUS 8192

/* CPUs the quota allows (v2 cpu.max "QUOTA PERIOD", v1 cpu.cfs_*_us), or 0 for no quota. */
static long cpus_of_quota(void)
{
	long long v2[2], quota = -1, period = -1;

	if (cgroup_own_numbers("", "cpu.max", v2, 2) == 2) {
		quota = v2[0];
		period = v2[1];
	} else if (cgroup_own_numbers("cpu", "cpu.cfs_quota_us", &quota, 1) != 1 ||
		   cgroup_own_numbers("cpu", "cpu.cfs_period_us", &period, 1) != 1) {
		return 0;
	}
	if (quota <= 0 || period <= 0) /* v1 says -1 for no quota */
		return 0;
	return quota / period > 0 ? (long)(quota / period) : 1;
}

/* MemAvailable in bytes, or -1. */
static long long memory_available(void)
{
	char *text = read_small_file("/proc/meminfo", 16384);
	char *line = text != NULL ? strstr(text, "\nMemAvailable:") : NULL;
	long long bytes = line != NULL ? atoll(line + strlen("\nMemAvailable:")) * 1024 : -1;

	free(text);
	return bytes;
}

/* What the grader may still use: MemAvailable, less where a cgroup limit is lower. */
static long long memory_usable(void)
{
	long long bytes = memory_available(), limit;

	if ((cgroup_own_numbers("", "memory.max", &limit, 1) == 1 ||
	     cgroup_own_numbers("memory", "memory.limit_in_bytes", &limit, 1) == 1) &&
	    limit > 0 && (bytes < 0 || limit < bytes))
		bytes = limit;
	return bytes;
}

/*
 * The CPUs in this process's affinity mask, or 1 if it cannot be read. The
 * kernel refuses (EINVAL) a mask smaller than its own, which counts every CPU
 * it could ever have, maybe more than a fixed cpu_set_t holds: so the mask
 * grows until the kernel takes it.
 */
static long cpus_of_affinity(void)
{
	for (int possible = CPU_SETSIZE; possible <= MAX_POSSIBLE_CPUS; possible *= 2) {
		cpu_set_t *allowed = CPU_ALLOC(possible);
		size_t size = CPU_ALLOC_SIZE(possible);

		if (allowed == NULL)
			return 1;
		if (sched_getaffinity(0, size, allowed) == 0) {
			long cpus = CPU_COUNT_S(size, allowed);
			CPU_FREE(allowed);
			return cpus > 0 ? cpus : 1;
		}
		int error = errno;
		CPU_FREE(allowed);
		if (error != EINVAL)
			return 1;
	}
	return 1;
}

int default_jobs(char *why, size_t size)
{
	long cpus = cpus_of_affinity();
	long quota = cpus_of_quota();
	long long memory = memory_usable();
	long by_memory = memory < 0 ? JOBS_MAX : (long)(memory / TEST_MEMORY_LIMIT_BYTES);
	long jobs = cpus;
	char quota_text[64] = "";

	if (quota > 0 && quota < jobs)
		jobs = quota;
	if (by_memory < jobs)
		jobs = by_memory;
	jobs = jobs < 1 ? 1 : jobs > JOBS_MAX ? JOBS_MAX : jobs;
	if (quota > 0)
		snprintf(quota_text, sizeof(quota_text), ", a CPU quota of %ld", quota);
	snprintf(why, size, "%ld CPU%s usable%s, memory for %ld test%s at their limit", cpus,
		 cpus == 1 ? "" : "s", quota_text, by_memory, by_memory == 1 ? "" : "s");
	return (int)jobs;
}
