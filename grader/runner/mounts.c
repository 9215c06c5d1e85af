/*
 * mounts.c — one cap on the files of a test: its folder, /tmp, /var/tmp and /dev/shm.
 *
 * As root, the test child unshares its mount namespace, makes every mount
 * private, and mounts one tmpfs (size and inode count capped) whose folders
 * appear as /tmp, /var/tmp and /dev/shm, so that a write beyond the cap fails
 * with ENOSPC inside the student's code. The test's own folder stays where the
 * runner made it, on the machine's file system: a tmpfs would change what the
 * labs test (a store through a shared mapping after a read does not touch a
 * tmpfs file's modification time, which lab 3 checks), so the supervisor
 * watches that folder and adds the tmpfs's usage to it. The runner's own
 * folders that the new /tmp hides (the test's folder, the judge and the
 * subject) are bound back at their paths. The supervisor holds the tmpfs to
 * read its usage; it dies when both the test's last process and that hold are
 * gone. Where nothing can be mounted, files_watch_sample() walks the test's
 * folder (and, as root, the scratch entries of the test's uid). Every walk
 * never follows a link and stops as soon as a limit is passed, so that each
 * sample, every FILES_SAMPLE_SECONDS, does bounded work.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "mounts.h"

/* The machine's scratch folders, and the folders of the tmpfs that replace them. */
static const char *const scratch_folders[] = { "/tmp", "/var/tmp", "/dev/shm" };
static const char *const backing_folders[] = { "tmp", "var-tmp", "shm" };
#define SCRATCH_COUNT (sizeof(scratch_folders) / sizeof(scratch_folders[0]))

/* Folders nested deeper than this are counted, their contents are not (see the README). */
#define WALK_DEPTH 256

static bool under_scratch_folder(const char *path)
{
	for (size_t i = 0; i < SCRATCH_COUNT; i++) {
		size_t len = strlen(scratch_folders[i]);
		if (strncmp(path, scratch_folders[i], len) == 0 && path[len] == '/')
			return true;
	}
	return false;
}

/* "/proc/self/fd/N/name": reaches name beneath fd even where a mount hides its path. */
static void descriptor_path(char *out, size_t size, int fd, const char *name)
{
	snprintf(out, size, "/proc/self/fd/%d%s%s", fd, name[0] != '\0' ? "/" : "", name);
}

static int bind_mount(const char *source, const char *target)
{
	return mount(source, target, NULL, MS_BIND, NULL);
}

static int mount_capped_tmpfs(const char *target, unsigned long files, uid_t uid, gid_t gid,
			      unsigned long flags)
{
	char options[160];

	snprintf(options, sizeof(options), "size=%lld,nr_inodes=%lu,mode=0700,uid=%u,gid=%u",
		 FILES_LIMIT_BYTES, files, (unsigned)uid, (unsigned)gid);
	return mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | flags, options);
}

/* The scratch folders (1777) inside the tmpfs. */
static int make_backing_folders(int top)
{
	for (size_t i = 0; i < SCRATCH_COUNT; i++)
		if (mkdirat(top, backing_folders[i], 0700) != 0 ||
		    fchmodat(top, backing_folders[i], 01777, 0) != 0)
			return -1;
	return 0;
}

static int cover_scratch_folders(int top)
{
	char source[64];
	struct stat info;

	for (size_t i = 0; i < SCRATCH_COUNT; i++) {
		if (stat(scratch_folders[i], &info) != 0 || !S_ISDIR(info.st_mode))
			continue; /* a folder this machine does not have */
		descriptor_path(source, sizeof(source), top, backing_folders[i]);
		if (bind_mount(source, scratch_folders[i]) != 0)
			return -1;
	}
	return 0;
}

/* Make the folders above path that a new scratch folder lacks (root's, 0711 like the runner's). */
static int make_parents(const char *path)
{
	char prefix[PATH_MAX];

	if (path_join(prefix, sizeof(prefix), path, "") != 0)
		return -1;
	prefix[strlen(prefix) - 1] = '\0'; /* path itself is made by the caller */
	for (char *slash = strchr(prefix + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(prefix, 0711) != 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	return 0;
}

/* Bind the open file or folder kept onto path, creating path where it is missing. */
static int expose_at(int kept, const char *path, bool folder)
{
	char source[64];
	struct stat info;

	if (stat(path, &info) != 0) {
		if (make_parents(path) != 0)
			return -1;
		int made = folder ? mkdir(path, 0700) : open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (made < 0)
			return -1;
		if (!folder)
			close(made);
	}
	descriptor_path(source, sizeof(source), kept, "");
	return bind_mount(source, path);
}

/*
 * The tmpfs was mounted with room for the folders of the runner: now that they
 * exist, leave exactly FILES_LIMIT_COUNT inodes for the test.
 */
static int cap_file_count(int top, uid_t uid, gid_t gid)
{
	struct statvfs usage;
	char target[64];

	if (fstatvfs(top, &usage) != 0)
		return -1;
	descriptor_path(target, sizeof(target), top, "");
	return mount_capped_tmpfs(target, usage.f_files - usage.f_ffree + FILES_LIMIT_COUNT, uid,
				  gid, MS_REMOUNT);
}

int mounts_private_files(const struct sandbox_spec *spec)
{
	const char *programs[] = { spec->argv[0], spec->also_runs };
	int kept[] = { -1, -1 }, folder = -1, top = -1, status = -1;

	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return -1;
	/* Keep the test's folder and the programs that the new /tmp may hide, to bind them back. */
	folder = open(spec->directory, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (folder < 0)
		goto done;
	for (size_t i = 0; i < 2; i++)
		if (programs[i] != NULL && under_scratch_folder(programs[i]) &&
		    (kept[i] = open(programs[i], O_PATH | O_CLOEXEC)) < 0)
			goto done;
	/*
	 * The tmpfs goes on the test's folder for a moment, a place that exists and
	 * that the folder, bound back below, covers again. Room for the runner's few
	 * folders; cap_file_count() sets the exact count.
	 */
	if (mount_capped_tmpfs(spec->directory, FILES_LIMIT_COUNT + 64, spec->uid, spec->gid, 0) != 0)
		goto done;
	top = open(spec->directory, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0 || make_backing_folders(top) != 0 || cover_scratch_folders(top) != 0 ||
	    expose_at(folder, spec->directory, true) != 0)
		goto done;
	for (size_t i = 0; i < 2; i++)
		if (kept[i] >= 0 && expose_at(kept[i], programs[i], false) != 0)
			goto done;
	if (cap_file_count(top, spec->uid, spec->gid) == 0 && chdir(spec->directory) == 0)
		status = 0;
done:;
	int saved_errno = errno;
	int descriptors[] = { kept[0], kept[1], folder, top };
	for (size_t i = 0; i < sizeof(descriptors) / sizeof(descriptors[0]); i++)
		if (descriptors[i] >= 0)
			close(descriptors[i]);
	errno = saved_errno;
	return status;
}

int mounts_hold_private_files(pid_t child)
{
	char path[64];
	struct statfs usage;

	/* The test's /tmp: a folder of its tmpfs once the child has mounted it. */
	snprintf(path, sizeof(path), "/proc/%d/root/tmp", (int)child);
	int held = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (held < 0)
		return -1;
	/* Until then, the path is the machine's own /tmp. */
	if (fstatfs(held, &usage) != 0 || usage.f_type != TMPFS_MAGIC ||
	    (long long)usage.f_blocks * usage.f_bsize != FILES_LIMIT_BYTES) {
		close(held);
		return -1;
	}
	return held;
}

enum files_over mounts_private_files_full(int held)
{
	struct statvfs usage;

	if (fstatvfs(held, &usage) != 0)
		return FILES_WITHIN_LIMITS;
	/* Nearly full: a large write fails with this much left, and a test removes a few files. */
	if ((long long)usage.f_bfree * (long long)usage.f_bsize < FILES_LIMIT_BYTES / 64)
		return FILES_FULL_BYTES;
	return usage.f_ffree < FILES_LIMIT_COUNT / 64 ? FILES_FULL_COUNT : FILES_WITHIN_LIMITS;
}

bool mounts_private_files_work(const char *directory, uid_t uid, gid_t gid)
{
	char *const argv[] = { "/bin/true", NULL };
	struct sandbox_spec spec = { .argv = argv, .directory = directory, .uid = uid, .gid = gid };
	int status = 1;

	if (geteuid() != 0 || make_directory(directory, 0700, uid, gid) != 0)
		return false;
	pid_t child = fork();
	if (child == 0) /* the namespace, and its tmpfs, go with this process */
		_exit(mounts_private_files(&spec) == 0 ? 0 : 1);
	if (child > 0)
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	remove_tree(directory);
	return child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* ---- The watchdog ----------------------------------------------------------- */

struct files_tally {
	long long bytes, files;
};

static bool over_limits(const struct files_tally *tally)
{
	return tally->bytes > FILES_LIMIT_BYTES || tally->files > FILES_LIMIT_COUNT;
}

/* One entry: itself, and the blocks it takes on disk, shared among its hard links. */
static void tally_entry(const struct stat *info, struct files_tally *tally)
{
	long long bytes = (long long)info->st_blocks * 512;

	if (!S_ISDIR(info->st_mode) && info->st_nlink > 1)
		bytes /= (long long)info->st_nlink; /* its links add up to one copy */
	tally->bytes += bytes;
	tally->files++;
}

/*
 * Add what lies beneath the open folder (closed here) to tally, never
 * following a link; at the top, only the entries of *only_uid when given.
 * Stops once a limit is passed, so a sample visits a bounded number of entries.
 */
static void tally_tree(int directory, int depth, const uid_t *only_uid, struct files_tally *tally)
{
	DIR *listing = fdopendir(directory);
	struct dirent *entry;
	struct stat info;

	if (listing == NULL) {
		close(directory);
		return;
	}
	while (!over_limits(tally) && (entry = readdir(listing)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(listing), entry->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0 ||
		    (only_uid != NULL && info.st_uid != *only_uid))
			continue; /* gone meanwhile, or not the test's */
		tally_entry(&info, tally);
		if (!S_ISDIR(info.st_mode) || depth >= WALK_DEPTH)
			continue;
		int inner = openat(dirfd(listing), entry->d_name,
				   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (inner >= 0)
			tally_tree(inner, depth + 1, NULL, tally);
	}
	closedir(listing);
}

enum files_over files_watch_sample(const char *directory, bool scratch_of_uid, uid_t uid)
{
	struct files_tally tally = { 0, 0 };
	int folder = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (folder >= 0)
		tally_tree(folder, 0, NULL, &tally);
	/* As root each test has a uid of its own, so its files elsewhere can be told apart. */
	for (size_t i = 0; scratch_of_uid && i < SCRATCH_COUNT && !over_limits(&tally); i++) {
		int scratch = open(scratch_folders[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (scratch >= 0)
			tally_tree(scratch, 0, &uid, &tally);
	}
	if (tally.bytes > FILES_LIMIT_BYTES)
		return FILES_OVER_BYTES;
	return tally.files > FILES_LIMIT_COUNT ? FILES_OVER_COUNT : FILES_WITHIN_LIMITS;
}

enum files_over files_watch_sample_with(const char *directory, int held)
{
	struct files_tally tally = { 0, 0 };
	struct statvfs usage;

	/* What the tmpfs holds (its own few folders included), then the test's folder. */
	if (fstatvfs(held, &usage) == 0) {
		tally.bytes = (long long)(usage.f_blocks - usage.f_bfree) * (long long)usage.f_bsize;
		tally.files = (long long)(usage.f_files - usage.f_ffree);
	}
	int folder = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (folder >= 0)
		tally_tree(folder, 0, NULL, &tally);
	if (tally.bytes > FILES_LIMIT_BYTES)
		return FILES_OVER_BYTES;
	if (tally.files > FILES_LIMIT_COUNT)
		return FILES_OVER_COUNT;
	return mounts_private_files_full(held);
}

bool files_stopped_the_test(int files_over_limit)
{
	return files_over_limit == FILES_OVER_BYTES || files_over_limit == FILES_OVER_COUNT;
}

const char *files_over_text(int files_over_limit)
{
	switch (files_over_limit) {
	case FILES_OVER_BYTES:
		return "stopped: wrote more than 1 GiB in all (its folder, /tmp, /var/tmp and "
		       "/dev/shm), the limit for one test";
	case FILES_OVER_COUNT:
		return "stopped: made more than 10000 files in all (its folder, /tmp, /var/tmp and "
		       "/dev/shm), the limit for one test";
	case FILES_FULL_BYTES:
		return "note: its files filled the 1 GiB a test may use in all (its folder, /tmp, "
		       "/var/tmp and /dev/shm): writes beyond it failed with ENOSPC";
	case FILES_FULL_COUNT:
		return "note: it made the 10000 files a test may make in all (its folder, /tmp, "
		       "/var/tmp and /dev/shm): more failed with ENOSPC";
	}
	return NULL;
}
