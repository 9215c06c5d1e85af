/*
 * refuse-calls.c — run a command on a stand-in for an older kernel or container.
 *
 * Usage: refuse-calls MODE COMMAND [ARGUMENT...]
 *
 * Installs a seccomp filter that makes the calls a kernel or a container
 * profile of that kind lacks fail as they do there, then executes COMMAND,
 * which keeps the filter (and so does everything it starts). make check grades
 * the reference solutions this way, to see that the grader still works, or
 * says that the machine, not the code, is at fault. The modes:
 *
 *   pidfd-open-enosys   pidfd_open() fails with ENOSYS (a kernel before 5.3)
 *   pidfd-open-eperm    pidfd_open() fails with EPERM (a profile that refuses it)
 *   old-container       every call newer than Linux 4.19 fails with ENOSYS, as
 *                       under a container profile written before them: no
 *                       pidfd_open, pidfd_getfd or close_range
 *   linux-4.19          the calls newer than Linux 4.19 fail with ENOSYS, and
 *                       seccomp() has no user notification
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "refuse-calls knows x86-64 and arm64 only"
#endif

#define PIDFD_OPEN 434       /* one number on every architecture since Linux 5.1 */
#define FIRST_AFTER_4_19 424 /* pidfd_send_signal, the first call of Linux 5.1 */

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define RETURN(value) BPF_STMT(BPF_RET | BPF_K, (value))
#define FAIL(error) RETURN(SECCOMP_RET_ERRNO | (error))

static int install(struct sock_filter *code, unsigned short length)
{
	struct sock_fprog program = { length, code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program);
}

/* pidfd_open() fails with error; everything else is allowed. */
static int refuse_pidfd_open(int error)
{
	struct sock_filter code[] = {
		LOAD(nr),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PIDFD_OPEN, 0, 1),
		FAIL(error),
		RETURN(SECCOMP_RET_ALLOW),
	};
	return install(code, sizeof(code) / sizeof(code[0]));
}

/*
 * Calls numbered from FIRST_AFTER_4_19 on fail with ENOSYS (x32's are above
 * them and are refused as well). With `no_notification`, seccomp() asked for
 * the sizes of notifications or for a listener fails with EINVAL, as on a
 * kernel that has no user notification.
 */
static int refuse_newer_calls(int no_notification)
{
	struct sock_filter code[] = {
		LOAD(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
		RETURN(SECCOMP_RET_KILL_PROCESS),
		LOAD(nr),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, FIRST_AFTER_4_19, 0, 1),
		FAIL(ENOSYS),
		/* From here on only with no_notification; else the program ends here. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 5),
		LOAD(args[0]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_GET_NOTIF_SIZES, 2, 0),
		LOAD(args[1]),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 1),
		FAIL(EINVAL),
		RETURN(SECCOMP_RET_ALLOW),
	};
	unsigned short length = sizeof(code) / sizeof(code[0]);

	if (!no_notification) {
		code[6] = (struct sock_filter)RETURN(SECCOMP_RET_ALLOW);
		length = 7;
	}
	return install(code, length);
}

int main(int argc, char *argv[])
{
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: refuse-calls pidfd-open-enosys|pidfd-open-eperm|"
				"old-container|linux-4.19 COMMAND [ARGUMENT...]\n");
		return 2;
	}
	if (strcmp(argv[1], "pidfd-open-enosys") == 0)
		status = refuse_pidfd_open(ENOSYS);
	else if (strcmp(argv[1], "pidfd-open-eperm") == 0)
		status = refuse_pidfd_open(EPERM);
	else if (strcmp(argv[1], "old-container") == 0)
		status = refuse_newer_calls(0);
	else if (strcmp(argv[1], "linux-4.19") == 0)
		status = refuse_newer_calls(1);
	else {
		fprintf(stderr, "refuse-calls: unknown mode %s\n", argv[1]);
		return 2;
	}
	if (status != 0) {
		perror("refuse-calls: install the filter");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("refuse-calls: execute the command");
	return 127;
}
