/*
 * watch.c — the system calls of the subject, seen and steered from the judge.
 *
 * Before the subject's stub is executed, its process installs a seccomp
 * filter (watch_install_filter) that sends the calls a test judges (read,
 * write, mmap, munmap, msync, open, the stat family, ftruncate, sigaction,
 * the fork family, the sleep family) to the judge
 * as user notifications, forbids the calls that could reach the judge
 * (ptrace, process_vm_*, signals to the judge or to whole process groups,
 * io_uring, system calls of another ABI), and allows the rest. The filter is
 * inherited by every child and cannot be removed, so nothing the student's
 * code does escapes it, whether through libc, stdio or raw syscall().
 *
 * A thread of the judge (watch_start) answers the notifications, holding the
 * ledger's lock. While the
 * judge waits for one call of the student's code (the recording window) it
 * writes the subject's read/write/mmap/munmap/msync calls into the ledger
 * (ledger.c), counts its open/stat/ftruncate/sigaction calls, and injects the faults a
 * test asked for in grade_faults: an
 * errno, EINTR, or a short transfer, which it performs itself on a copy of
 * the subject's descriptor (pidfd_getfd) and the subject's memory
 * (process_vm_readv/writev). fork and sleep calls are counted from every
 * process of the subject at every moment. What mmap() returned is found from
 * outside too: the judge compares /proc/PID/maps from just before the call
 * with the maps at the subject's next watched call (or the call's end).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438 /* Linux 5.6, one number everywhere; C libraries before 2.32 lack it */
#endif

#include "grader.h"
#include "labkit.h"
#include "subject_protocol.h"
#include "support_internal.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "the grader's system-call watch knows x86_64 and aarch64"
#endif

/* x32 system calls on x86_64 carry this bit: another ABI, refused. */
#define X32_SYSCALL_BIT 0x40000000u

/* ---- The filter (runs in the subject's process before exec) ------------- */

#define MAX_FILTER 128

struct filter_builder {
	struct sock_filter code[MAX_FILTER];
	unsigned short length;
};

static void emit(struct filter_builder *f, struct sock_filter instruction)
{
	if (f->length < MAX_FILTER)
		f->code[f->length++] = instruction;
}

/* if (nr == syscall) return action; */
static void on_syscall(struct filter_builder *f, long syscall_number, unsigned action)
{
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)syscall_number,
					     0, 1));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

static const long watched_calls[] = {
	SYS_read, SYS_write, SYS_mmap, SYS_munmap, SYS_msync, SYS_clone,
#ifdef SYS_clone3
	SYS_clone3,
#endif
#ifdef SYS_fork
	SYS_fork,
#endif
#ifdef SYS_vfork
	SYS_vfork,
#endif
	SYS_nanosleep, SYS_clock_nanosleep,
	/* Calls that are only counted, and failed on request (counted_call_of). */
#ifdef SYS_open
	SYS_open,
#endif
	SYS_openat,
#ifdef SYS_fstat
	SYS_fstat,
#endif
	SYS_newfstatat, SYS_statx, SYS_ftruncate, SYS_rt_sigaction,
};

/* Calls that could reach the judge, or hide what the subject does. */
static const long refused_calls[] = {
	SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_kcmp,
#ifdef SYS_pidfd_getfd
	SYS_pidfd_getfd,
#endif
#ifdef SYS_pidfd_send_signal
	SYS_pidfd_send_signal,
#endif
#ifdef SYS_io_uring_setup
	SYS_io_uring_setup,
#endif
#ifdef SYS_process_madvise
	SYS_process_madvise,
#endif
	SYS_seccomp,
};

/* Calls whose first argument names a process: refused for the judge, 0 and negatives. */
static const long signalling_calls[] = {
	SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo,
#ifdef SYS_pidfd_open
	SYS_pidfd_open,
#endif
};

static void build_filter(struct filter_builder *f, pid_t judge, int watched)
{
	const unsigned refuse = SECCOMP_RET_ERRNO | EPERM;

	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, arch)));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, nr)));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
	for (size_t i = 0; watched && i < GRADE_COUNT(watched_calls); i++)
		on_syscall(f, watched_calls[i], SECCOMP_RET_USER_NOTIF);
	for (size_t i = 0; i < GRADE_COUNT(refused_calls); i++)
		on_syscall(f, refused_calls[i], refuse);
	/*
	 * prctl(PR_SET_SECCOMP): a filter of the subject's own would hide calls.
	 * prctl(PR_SET_DUMPABLE): a subject that is not dumpable shuts the judge
	 * out of its descriptors and memory, and so out of the faults it injects.
	 */
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 5));
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, args[0])));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_SECCOMP, 2, 0));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_DUMPABLE, 1, 0));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, refuse));
	/* Not a signalling call: allowed. Otherwise check its first argument below. */
	size_t count = GRADE_COUNT(signalling_calls);
	for (size_t i = 0; i < count; i++)
		emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						     (unsigned)signalling_calls[i],
						     (unsigned char)(count - i), 0));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	/* The low 32 bits of the first argument: a pid_t. */
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, args[0])));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)judge, 2, 0));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x80000000u, 0, 1));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, refuse));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
}

int watch_install_filter(pid_t judge, int watched)
{
	static struct filter_builder filter; /* static: no stack use between fork and exec */

	filter.length = 0;
	build_filter(&filter, judge, watched);
	if (filter.length == MAX_FILTER) {
		errno = E2BIG;
		return -1;
	}
	struct sock_fprog program = { filter.length, filter.code };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    watched ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &program);
}

/* ---- The judge's side ------------------------------------------------------ */

static pthread_t thread;
static int listener = -1;
static int subject_pidfd = -1;
static int subject_pidfd_error; /* why there is no subject_pidfd */
/* Why pidfd_getfd() on the subject fails here (ENOSYS, EPERM), or 0 when it works. */
static int transfers_refused;
static pid_t subject;
static volatile int stopping;
static int recording;
static struct seccomp_notif_sizes sizes;

/*
 * The subject's mappings just before an mmap() of its main thread whose
 * result is not known yet (the ledger keeps which call that is).
 */
#define MAX_INTERVALS 2048
struct interval {
	uintptr_t start, end;
};
static struct interval before_mmap[MAX_INTERVALS];
static size_t before_mmap_count;

/* Read /proc/PID/maps of the subject as intervals; returns the count (0 on failure). */
static size_t read_intervals(struct interval *out, size_t max)
{
	char path[64], line[512];
	size_t count = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)subject);
	FILE *maps = fopen(path, "re");
	if (maps == NULL)
		return 0;
	/* strtoul, not sscanf: a subject may hold thousands of mappings, read at each mmap(). */
	while (count < max && fgets(line, sizeof(line), maps) != NULL) {
		char *dash, *after;
		unsigned long start = strtoul(line, &dash, 16);

		if (dash == line || *dash != '-')
			continue;
		unsigned long end = strtoul(dash + 1, &after, 16);
		if (after != dash + 1)
			out[count++] = (struct interval){ start, end };
	}
	fclose(maps);
	return count;
}

static int covered(const struct interval *set, size_t count, uintptr_t address)
{
	for (size_t i = 0; i < count; i++)
		if (address >= set[i].start && address < set[i].end)
			return 1;
	return 0;
}

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static uintptr_t lower(uintptr_t a, uintptr_t b)
{
	return a < b ? a : b;
}

/*
 * Where the pending mmap() put its mapping: the start of the first run of
 * pages mapped now and not before it, inside one line of the maps, at least
 * its length long; for MAP_FIXED, its address if that is mapped now.
 * MAP_FAILED if none. Both lists come sorted and without overlaps from
 * /proc/PID/maps, so one walk through each finds it, however many mappings
 * the subject holds.
 */
static void *find_new_mapping(const struct grade_mmap_record *record)
{
	static struct interval now[MAX_INTERVALS];
	size_t now_count = read_intervals(now, MAX_INTERVALS);
	size_t pages = (record->length + page_size() - 1) / page_size() * page_size();
	size_t old = 0; /* the first interval of before_mmap that may lie at or above `at` */

	if (record->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		uintptr_t address = (uintptr_t)record->addr_hint;
		return covered(now, now_count, address) ? record->addr_hint : MAP_FAILED;
	}
	for (size_t i = 0; i < now_count; i++) {
		uintptr_t at = now[i].start;

		while (at < now[i].end) {
			while (old < before_mmap_count && before_mmap[old].end <= at)
				old++;
			if (old < before_mmap_count && before_mmap[old].start <= at) {
				at = lower(before_mmap[old].end, now[i].end); /* mapped before: skip */
				continue;
			}
			uintptr_t new_end = old < before_mmap_count
						    ? lower(before_mmap[old].start, now[i].end)
						    : now[i].end;
			if (new_end - at >= pages)
				return (void *)at;
			at = new_end;
		}
	}
	return MAP_FAILED;
}

static void resolve_pending_mmap(void)
{
	const struct grade_mmap_record *pending = ledger_pending_mmap();

	if (pending != NULL)
		ledger_resolve_mmap(find_new_mapping(pending));
}

void watch_call_finished(void)
{
	ledger_lock();
	resolve_pending_mmap();
	recording = 0;
	ledger_unlock();
}

void watch_call_starting(void)
{
	/* A short transfer is made with the subject's own descriptor: no pidfd_getfd, no test. */
	if ((grade_faults.read_chunk != 0 || grade_faults.write_chunk != 0) && transfers_refused != 0) {
		errno = transfers_refused;
		grade_cannot_run_here("it makes read() and write() move fewer bytes than asked, "
				      "which needs pidfd_getfd() (Linux 5.6 or later), and this "
				      "machine refuses it (%s; a container's seccomp profile "
				      "older than Docker 20.10 does)",
				      grade_errno_text(transfers_refused));
	}
	ledger_lock();
	recording = 1;
	ledger_unlock();
}

/* ---- Answering one notification ------------------------------------------ */

struct answer {
	int continue_call; /* let the kernel run it */
	long long value;   /* else: its result, or */
	int error;         /* the errno it fails with */
};

static const struct answer let_through = { 1, 0, 0 };

static struct answer fail_with(int error)
{
	return (struct answer){ 0, -1, error };
}

/* The fault for read/write call number `call`: an errno, or 0. */
static int injected_error(unsigned call, unsigned fail_at, int fail_errno, unsigned eintr_every)
{
	if (fail_at != 0 && call == fail_at)
		return fail_errno;
	if (eintr_every != 0 && call % eintr_every == 0)
		return EINTR;
	return 0;
}

/*
 * Perform a read or write of at most `chunk` bytes for the subject, on a
 * duplicate of its descriptor (the same open file, so the same offset).
 */
static struct answer transfer_for_subject(const struct seccomp_notif *call, size_t chunk,
					  int reading)
{
	int fd = (int)syscall(SYS_pidfd_getfd, subject_pidfd, (int)call->data.args[0], 0);
	size_t count = (size_t)call->data.args[2];
	size_t len = count < chunk ? count : chunk;
	void *remote = (void *)(uintptr_t)call->data.args[1];
	char *buffer = malloc(len > 0 ? len : 1);
	struct answer answer = { 0, 0, 0 };

	/* The caller may have died meanwhile, its descriptor number reused by another. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &call->id) != 0) {
		answer = fail_with(EINTR);
		goto done;
	}
	/*
	 * It worked when the subject started (watch_start): a refusal now means the
	 * subject made itself unreachable, and letting the call through whole would
	 * spare its code the short transfer the test is about.
	 */
	if (fd < 0) {
		answer = fail_with(errno == EBADF ? EBADF : EIO);
		goto done;
	}
	if (buffer == NULL) {
		answer = let_through;
		goto done;
	}
	struct iovec local = { buffer, len }, there = { remote, len };
	if (reading) {
		ssize_t got = read(fd, buffer, len);
		if (got < 0) {
			answer = fail_with(errno);
			goto done;
		}
		local.iov_len = there.iov_len = (size_t)got;
		if (got > 0 && process_vm_writev(subject, &local, 1, &there, 1, 0) != got)
			answer = fail_with(EFAULT);
		else
			answer.value = got;
	} else {
		if (process_vm_readv(subject, &local, 1, &there, 1, 0) != (ssize_t)len) {
			answer = fail_with(EFAULT);
			goto done;
		}
		ssize_t put = write(fd, buffer, len);
		answer = put < 0 ? fail_with(errno) : (struct answer){ 0, put, 0 };
	}
done:
	if (fd >= 0)
		close(fd);
	free(buffer);
	return answer;
}

static struct answer on_read(const struct seccomp_notif *call)
{
	unsigned number = ++grade_calls.read_calls;
	size_t count = (size_t)call->data.args[2];
	int error = injected_error(number, grade_faults.read_fail_at, grade_faults.read_fail_errno,
				   grade_faults.read_eintr_every);

	if (count > grade_calls.largest_read_request)
		grade_calls.largest_read_request = count;
	if (error != 0)
		return fail_with(error);
	if (grade_faults.read_chunk != 0 && count > grade_faults.read_chunk)
		return transfer_for_subject(call, grade_faults.read_chunk, 1);
	return let_through;
}

static struct answer on_write(const struct seccomp_notif *call)
{
	unsigned number = ++grade_calls.write_calls;
	size_t count = (size_t)call->data.args[2];
	int error = injected_error(number, grade_faults.write_fail_at,
				   grade_faults.write_fail_errno, grade_faults.write_eintr_every);

	if (count > grade_calls.largest_write_request)
		grade_calls.largest_write_request = count;
	if (error != 0)
		return fail_with(error);
	if (grade_faults.write_chunk != 0 && count > grade_faults.write_chunk)
		return transfer_for_subject(call, grade_faults.write_chunk, 0);
	return let_through;
}

/*
 * The calls the watch only counts, and fails at a test's request: open() and
 * openat(); the stat family (fstat() is newfstatat() in today's libc);
 * ftruncate(); sigaction() (rt_sigaction).
 */
enum counted_call { NOT_COUNTED, OPEN_CALL, STAT_CALL, FTRUNCATE_CALL, SIGACTION_CALL };

static enum counted_call counted_call_of(long nr)
{
#ifdef SYS_open
	if (nr == SYS_open)
		return OPEN_CALL;
#endif
#ifdef SYS_fstat
	if (nr == SYS_fstat)
		return STAT_CALL;
#endif
	if (nr == SYS_openat)
		return OPEN_CALL;
	if (nr == SYS_newfstatat || nr == SYS_statx)
		return STAT_CALL;
	if (nr == SYS_rt_sigaction)
		return SIGACTION_CALL;
	return nr == SYS_ftruncate ? FTRUNCATE_CALL : NOT_COUNTED;
}

/* Count the call, and fail it with the errno a test asked for at its number. */
static struct answer on_counted_call(enum counted_call kind)
{
	unsigned number;

	switch (kind) {
	case OPEN_CALL:
		number = ++grade_calls.open_calls;
		if (number == grade_faults.open_fail_at)
			return fail_with(grade_faults.open_fail_errno);
		break;
	case STAT_CALL:
		number = ++grade_calls.stat_calls;
		if (number == grade_faults.stat_fail_at)
			return fail_with(grade_faults.stat_fail_errno);
		break;
	case SIGACTION_CALL:
		number = ++grade_calls.sigaction_calls;
		if (number == grade_faults.sigaction_fail_at)
			return fail_with(grade_faults.sigaction_fail_errno);
		break;
	default:
		number = ++grade_calls.ftruncate_calls;
		if (number == grade_faults.ftruncate_fail_at)
			return fail_with(grade_faults.ftruncate_fail_errno);
		break;
	}
	return let_through;
}

static struct answer on_mmap(const struct seccomp_notif *call)
{
	const __u64 *a = call->data.args;
	struct grade_mmap_record record = {
		.addr_hint = (void *)(uintptr_t)a[0], .length = (size_t)a[1], .prot = (int)a[2],
		.flags = (int)a[3], .fd = (int)a[4], .offset = (off_t)a[5], .result = MAP_FAILED,
	};
	unsigned index = ledger_add_mmap(&record);
	int of_file = !(record.flags & MAP_ANONYMOUS) && record.fd >= 0;
	unsigned number = grade_calls.mmap_count;

	if (of_file)
		grade_calls.file_mmap_count++;
	if (grade_faults.mmap_fail_only_files)
		number = of_file ? grade_calls.file_mmap_count : 0;
	if (grade_faults.mmap_fail_at != 0 && number == grade_faults.mmap_fail_at)
		return fail_with(grade_faults.mmap_fail_errno);
	before_mmap_count = read_intervals(before_mmap, MAX_INTERVALS);
	ledger_await_mmap_result(index);
	return let_through;
}

/* Whether [address, address + length) is mapped in the subject right now. */
static int range_mapped(uintptr_t address, size_t length)
{
	static struct interval now[MAX_INTERVALS];
	size_t count = read_intervals(now, MAX_INTERVALS);

	for (uintptr_t a = address; a < address + length; a += page_size())
		if (!covered(now, count, a))
			return 0;
	return 1;
}

static struct answer on_munmap(const struct seccomp_notif *call)
{
	uintptr_t address = (uintptr_t)call->data.args[0];
	size_t length = (size_t)call->data.args[1];
	/* munmap(2) fails only for an unaligned address or a zero length. */
	int result = address % page_size() == 0 && length > 0 ? 0 : -1;

	ledger_add_munmap((void *)address, length, result);
	return let_through;
}

/*
 * The FNV-1a 64 hash of the subject's bytes [address, address + length), read
 * while its msync() waits: exactly what that msync() can write to the disk.
 * 0 if the range is over GRADE_MSYNC_HASH_LIMIT or cannot be read (pages past
 * the end of the file, say).
 */
static int hash_subject_range(uintptr_t address, size_t length, uint64_t *hash)
{
	static unsigned char chunk[1 << 16]; /* the watch is one thread */
	uint64_t sum = LABKIT_FNV1A_INIT;

	if (length > GRADE_MSYNC_HASH_LIMIT)
		return 0;
	for (size_t done = 0; done < length;) {
		size_t want = length - done < sizeof(chunk) ? length - done : sizeof(chunk);
		struct iovec local = { chunk, want }, there = { (void *)(address + done), want };

		if (process_vm_readv(subject, &local, 1, &there, 1, 0) != (ssize_t)want)
			return 0;
		sum = labkit_fnv1a_update(sum, chunk, want);
		done += want;
	}
	*hash = sum;
	return 1;
}

static struct answer on_msync(const struct seccomp_notif *call)
{
	uintptr_t address = (uintptr_t)call->data.args[0];
	size_t length = (size_t)call->data.args[1];
	/* msync(2) fails for an unaligned address (EINVAL) or unmapped pages (ENOMEM). */
	int result = address % page_size() == 0 && range_mapped(address, length) ? 0 : -1;
	uint64_t content;
	int known = result == 0 && hash_subject_range(address, length, &content);

	ledger_add_msync((void *)address, length, (int)call->data.args[2], result,
			 known ? &content : NULL);
	if (grade_faults.msync_fail_at != 0 && grade_calls.msync_count == grade_faults.msync_fail_at)
		return fail_with(grade_faults.msync_fail_errno);
	return let_through;
}

/* clone3's flags live in the structure its first argument points to. */
static unsigned long long clone3_flags(const struct seccomp_notif *call)
{
	struct clone_args args = { 0 };
	struct iovec local = { &args, sizeof(args.flags) };
	struct iovec there = { (void *)(uintptr_t)call->data.args[0], sizeof(args.flags) };

	if (process_vm_readv((pid_t)call->pid, &local, 1, &there, 1, 0) != sizeof(args.flags))
		return 0;
	return args.flags;
}

static struct answer on_fork(const struct seccomp_notif *call)
{
	unsigned long long flags = 0;

	if (call->data.nr == SYS_clone)
		flags = call->data.args[0];
#ifdef SYS_clone3
	if (call->data.nr == SYS_clone3)
		flags = clone3_flags(call);
#endif
	if (flags & CLONE_THREAD)
		return let_through; /* a thread, not a new process */
	unsigned number = ledger_add_fork();
	if (grade_faults.fork_fail_at != 0 && number == grade_faults.fork_fail_at) {
		ledger_add_failed_fork();
		return fail_with(grade_faults.fork_fail_errno);
	}
	return let_through;
}

static struct answer on_sleep(const struct seccomp_notif *call)
{
	ledger_add_sleep(call->data.nr == SYS_nanosleep ? "nanosleep" : "clock_nanosleep");
	return let_through;
}

static struct answer answer_call(const struct seccomp_notif *call)
{
	long nr = call->data.nr;
	int main_thread = (pid_t)call->pid == subject;

	if (nr == SYS_nanosleep || nr == SYS_clock_nanosleep)
		return on_sleep(call);
	enum counted_call counted = counted_call_of(nr);
	if (nr != SYS_read && nr != SYS_write && nr != SYS_mmap && nr != SYS_munmap &&
	    nr != SYS_msync && counted == NOT_COUNTED)
		return on_fork(call);
	if (!main_thread || !recording)
		return let_through;
	resolve_pending_mmap(); /* its next call proves the last mmap() returned */
	if (counted != NOT_COUNTED)
		return on_counted_call(counted);
	switch (nr) {
	case SYS_read:
		return on_read(call);
	case SYS_write:
		return on_write(call);
	case SYS_mmap:
		return on_mmap(call);
	case SYS_munmap:
		return on_munmap(call);
	default:
		return on_msync(call);
	}
}

static void answer_one(struct seccomp_notif *call, struct seccomp_notif_resp *response)
{
	memset(call, 0, sizes.seccomp_notif);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, call) != 0)
		return;
	ledger_lock();
	struct answer answer = answer_call(call);
	ledger_unlock();
	memset(response, 0, sizes.seccomp_notif_resp);
	response->id = call->id;
	if (answer.continue_call) {
		response->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		response->val = answer.error != 0 ? -1 : answer.value;
		response->error = answer.error != 0 ? -answer.error : 0;
	}
	/* ENOENT: the calling process died meanwhile; nothing to answer. */
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, response);
}

static void *answer_notifications(void *unused)
{
	struct seccomp_notif *call = calloc(1, sizes.seccomp_notif);
	struct seccomp_notif_resp *response = calloc(1, sizes.seccomp_notif_resp);

	(void)unused;
	while (call != NULL && response != NULL && !stopping) {
		struct pollfd ready = { listener, POLLIN, 0 };
		int events = poll(&ready, 1, 100);

		if (events < 0 && errno != EINTR)
			break;
		if (events > 0 && (ready.revents & POLLIN))
			answer_one(call, response);
		else if (events > 0 && (ready.revents & (POLLHUP | POLLERR)))
			break; /* no process of the subject is left */
	}
	free(call);
	free(response);
	return NULL;
}

/* Whether the running kernel is at least major.minor. */
static int kernel_at_least(int major, int minor)
{
	struct utsname name;
	int running_major = 0, running_minor = 0;

	if (uname(&name) != 0 || sscanf(name.release, "%d.%d", &running_major, &running_minor) != 2)
		return 1; /* unknown: let the calls below find out */
	return running_major > major || (running_major == major && running_minor >= minor);
}

void watch_require_notifications(void)
{
	/* Linux 5.0 to 5.4 notify, but cannot let a watched call go on (..._FLAG_CONTINUE). */
	if (!kernel_at_least(5, 5))
		grade_cannot_run_here("the grader watches the system calls of your code through "
				      "seccomp user notification, which can let a call go on "
				      "from Linux 5.5, and this kernel is older");
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0)
		grade_cannot_run_here("the grader watches the system calls of your code through "
				      "seccomp user notification (Linux 5.5 or later), and this "
				      "kernel or its container refuses it (%s)",
				      grade_errno_text(errno));
}

void watch_subject_ready(void)
{
	if (subject_pidfd < 0) {
		transfers_refused = subject_pidfd_error;
		return;
	}
	/* Its copy of the call socket: a descriptor the stub always holds. */
	int copy = (int)syscall(SYS_pidfd_getfd, subject_pidfd, SUBJECT_CALL_FD, 0);
	transfers_refused = copy < 0 ? errno : 0;
	if (copy >= 0)
		close(copy);
}

void watch_start(int listener_fd, pid_t subject_pid, int pidfd)
{
	sigset_t all, old;

	listener = listener_fd;
	subject = subject_pid;
	subject_pidfd = pidfd >= 0 ? pidfd : (int)syscall(SYS_pidfd_open, subject_pid, 0);
	subject_pidfd_error = subject_pidfd < 0 ? errno : 0;
	transfers_refused = 0;
	stopping = 0;
	ledger_new_subject();
	/* The thread takes no signal: they are the test's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int error = pthread_create(&thread, NULL, answer_notifications, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0) {
		errno = error;
		grade_setup_failed("cannot start the thread that watches the subject");
	}
}

void watch_stop(void)
{
	if (listener < 0)
		return;
	stopping = 1;
	pthread_join(thread, NULL);
	close(listener);
	listener = -1;
	if (subject_pidfd >= 0)
		close(subject_pidfd);
	subject_pidfd = -1;
}
