/*
 * confine.c — where the subject may write: its test folder and the scratch folders.
 *
 * Run as root, the grader gives each test a user id of its own, and file
 * permissions keep its code away from everything else. Run as an ordinary
 * user (a student's `make grade`, an instructor's grade-class), the code of a
 * submission runs as that user and could write anything the user can: the
 * grader's build, another student's files. Landlock (Linux 5.13 and later)
 * lets an unprivileged process give up that right for itself and every
 * process it starts: before the subject (or a program of the kit that runs
 * student code) executes, it keeps write access only to the test's folder
 * (the current directory), the scratch folders /tmp, /var/tmp and /dev/shm
 * (but not the one that holds the grader's own work, and so the test's
 * folder: the grader's files beside it would be writable too), and the
 * devices /dev/null and /dev/zero. Reading is not restricted. Called between
 * fork() and exec() in a threaded process, so it makes system calls only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "support_internal.h"

#if __has_include(<linux/landlock.h>) && defined(SYS_landlock_create_ruleset)
#include <linux/landlock.h>

/* The write rights of each Landlock ABI version, from 1 (Linux 5.13). */
static unsigned long long write_rights(long abi)
{
	unsigned long long rights = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
				    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
				    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
				    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
				    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		rights |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	return rights;
}

/* Allow `rights` beneath path (a file: only the rights a file can have). */
static void allow(int ruleset, const char *path, unsigned long long rights)
{
	struct landlock_path_beneath_attr rule = { .allowed_access = rights };

	rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return; /* a folder this machine does not have */
	syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	close(rule.parent_fd);
}

int confine_writes(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi < 1)
		return -1; /* no Landlock here: file permissions alone, as the report says */
	unsigned long long rights = write_rights(abi);
	struct landlock_ruleset_attr handled = { .handled_access_fs = rights };
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &handled, sizeof(handled), 0);
	if (ruleset < 0)
		return -1;
	static const char *const scratch[] = { "/tmp/", "/var/tmp/", "/dev/shm/" };
	char here[4096];
	if (getcwd(here, sizeof(here)) == NULL)
		here[0] = '\0';
	allow(ruleset, ".", rights);
	for (size_t i = 0; i < GRADE_COUNT(scratch); i++)
		if (strncmp(here, scratch[i], strlen(scratch[i])) != 0)
			allow(ruleset, scratch[i], rights);
	unsigned long long file_rights = LANDLOCK_ACCESS_FS_WRITE_FILE;
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		file_rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	allow(ruleset, "/dev/null", file_rights);
	allow(ruleset, "/dev/zero", file_rights);
	int status = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
			     syscall(SYS_landlock_restrict_self, ruleset, 0) == 0
		     ? 0
		     : -1;
	close(ruleset);
	return status;
}

#else /* built against kernel headers older than Linux 5.13 */

int confine_writes(void)
{
	errno = ENOSYS;
	return -1;
}

#endif

/*
 * The test's file-size limit, for good: the runner leaves the judge a higher
 * hard limit, so that it can make sparse files larger than the test may
 * write (grade_make_sparse_file); the student's code gets the soft limit as
 * its hard one too, and can never raise it.
 */
int confine_file_size(void)
{
	struct rlimit limit;

	if (getrlimit(RLIMIT_FSIZE, &limit) != 0)
		return -1;
	limit.rlim_max = limit.rlim_cur;
	return setrlimit(RLIMIT_FSIZE, &limit);
}
