/*
 * mounts.h — bound the files of one test as a whole: the bytes on disk and the
 * number of files it makes in its own folder and in /tmp, /var/tmp and
 * /dev/shm together. As root, the test child gets a private mount namespace in
 * which one size-capped tmpfs holds /tmp, /var/tmp and /dev/shm (a write
 * beyond the cap fails with ENOSPC in the student's code), and the supervisor
 * adds the test's own folder to its usage. Where nothing can be mounted (an
 * ordinary user, or a container that refuses unshare or mount), the
 * supervisor samples what the test wrote. Either way a test that passes a
 * limit is stopped, and the result says which.
 */
#ifndef MOUNTS_H
#define MOUNTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox.h"

#define FILES_LIMIT_BYTES ((long long)1 << 30)
#define FILES_LIMIT_COUNT 10000
#define FILES_LIMIT_TEXT "1 GiB and 10000"
#define FILES_SAMPLE_SECONDS 0.1

/* sandbox_result.files_over_limit: which limit stopped the test, or filled its tmpfs. */
enum files_over {
	FILES_WITHIN_LIMITS,
	FILES_OVER_BYTES, /* the watchdog stopped the test */
	FILES_OVER_COUNT,
	FILES_FULL_BYTES, /* the private tmpfs refused writes (ENOSPC); the test went on */
	FILES_FULL_COUNT,
};

/*
 * In the test child, as root, before dropping privileges: put /tmp, /var/tmp
 * and /dev/shm on one private tmpfs capped at the limits, keep the test's
 * folder and the programs of spec reachable at their paths, and enter the
 * test's folder. Returns 0, or -1 with errno set.
 */
int mounts_private_files(const struct sandbox_spec *spec);

/*
 * In the supervisor: a descriptor that holds the test child's private tmpfs
 * (so that it can be read after the test ends), or -1 while not mounted yet.
 */
int mounts_hold_private_files(pid_t child);

/* FILES_FULL_BYTES or FILES_FULL_COUNT if the held tmpfs filled up, else FILES_WITHIN_LIMITS. */
enum files_over mounts_private_files_full(int held);

/* Whether mounts_private_files() works here (root, and the kernel lets us); uses directory. */
bool mounts_private_files_work(const char *directory, uid_t uid, gid_t gid);

/*
 * The watchdog's sample: count the bytes and files under the test's folder
 * and, when scratch_of_uid, the entries of uid in /tmp, /var/tmp and /dev/shm.
 */
enum files_over files_watch_sample(const char *directory, bool scratch_of_uid, uid_t uid);

/*
 * With a private tmpfs held: its usage plus the bytes and files under the
 * test's folder, which stays on the machine's file system; FILES_FULL_* when
 * the tmpfs refused writes without the whole passing a limit.
 */
enum files_over files_watch_sample_with(const char *directory, int held);

/* Whether the watchdog stopped the test (its report says so instead of the test's failure). */
bool files_stopped_the_test(int files_over_limit);

/* The report's line for a test whose files passed or reached a limit, or NULL. */
const char *files_over_text(int files_over_limit);

#endif /* MOUNTS_H */
