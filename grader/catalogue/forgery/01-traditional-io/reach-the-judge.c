/*
 * Forgery: ptrace, /proc/PID/mem, process_vm_writev, pidfd_getfd and signals against the judge
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: yes
 *
 * A constructor tries every way into its parent, the process that judges it:
 * ptrace() attach, writing "PASS" into its memory through /proc/PID/mem and
 * process_vm_writev(), taking its descriptors with pidfd_getfd() or
 * /proc/PID/fd, and signals (SIGSTOP, SIGKILL to the judge, SIGCONT to its
 * process group and to every process it may signal).
 *
 * The judge is not dumpable and the subject's system calls that could reach
 * it are refused: every attempt fails, and the tests go on as if nothing
 * had been tried.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

__attribute__((constructor)) static void forgery_reach_the_judge(void)
{
	pid_t judge = getppid();
	char path[64], verdict[] = "PASS 00000000000000000000000000000000\n";
	struct iovec local = { verdict, sizeof(verdict) - 1 };
	struct iovec there = { (void *)0x400000, sizeof(verdict) - 1 };

	if (ptrace(PTRACE_ATTACH, judge, NULL, NULL) == 0)
		ptrace(PTRACE_DETACH, judge, NULL, NULL);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)judge);
	int mem = open(path, O_RDWR);
	if (mem >= 0) {
		(void)!pwrite(mem, verdict, sizeof(verdict) - 1, 0x400000);
		close(mem);
	}
	syscall(SYS_process_vm_writev, judge, &local, 1UL, &there, 1UL, 0UL);
	int pidfd = (int)syscall(SYS_pidfd_open, judge, 0);
	for (int fd = 0; pidfd >= 0 && fd < 64; fd++) {
		int stolen = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (stolen >= 0) {
			(void)!write(stolen, verdict, sizeof(verdict) - 1);
			close(stolen);
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/fd/63", (int)judge);
	int channel = open(path, O_WRONLY);
	if (channel >= 0) {
		(void)!write(channel, verdict, sizeof(verdict) - 1);
		close(channel);
	}
	kill(judge, SIGSTOP);
	kill(judge, SIGKILL);
	kill(0, SIGCONT);
	kill(-1, SIGCONT);
}
