/*
 * calls/lab06.c — lab 6's functions (page_faults.h) and the operations its tests
 * need done inside the subject (lab06.h), as the judge calls them and the
 * subject runs them.
 *
 * Compiled twice (calls.h): for the judge, each function of page_faults.h and
 * each operation of lab06.h becomes a proxy of the same name; for the subject,
 * the table of functions the stub runs. The operations are the kit's code:
 * they build what pf_probe() must touch in the subject (a file mapping with a
 * guard page, signal actions of the test's own, a child that faults) and
 * report what is there afterwards, as raw observations.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "calls.h"
#include "lab06.h"
#include "page_faults.h"

enum lab06_function {
	PF_PREDICT,
	PF_USABLE_BYTES,
	PF_PROBE,
	MAP_FILE_WITH_GUARD,
	UNMAP,
	SET_SIGNAL_ACTION,
	BLOCK_SIGNAL,
	SIGNAL_ACTION,
	FORK_PROBE_THEN_FAULT,
	PROBE_OWN_MEMORY,
	UNBLOCK_SIGNAL,
};

#ifndef GRADE_SUBJECT_SIDE

enum pf_outcome pf_predict(size_t file_size, size_t map_len, size_t offset, size_t page_size)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, (int64_t)file_size);
	grade_call_scalar(&call, (int64_t)map_len);
	grade_call_scalar(&call, (int64_t)offset);
	grade_call_scalar(&call, (int64_t)page_size);
	return (enum pf_outcome)grade_call_run(&call, PF_PREDICT);
}

size_t pf_usable_bytes(size_t file_size, size_t map_len, size_t page_size)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, (int64_t)file_size);
	grade_call_scalar(&call, (int64_t)map_len);
	grade_call_scalar(&call, (int64_t)page_size);
	return (size_t)grade_call_run(&call, PF_USABLE_BYTES);
}

int pf_probe(const volatile void *addr, int write)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, addr);
	grade_call_scalar(&call, write);
	return (int)grade_call_run(&call, PF_PROBE);
}

void *subject_map_file_with_guard(const char *path, size_t map_len, int prot)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_scalar(&call, (int64_t)map_len);
	grade_call_scalar(&call, prot);
	return (void *)(uintptr_t)grade_call_run(&call, MAP_FILE_WITH_GUARD);
}

int subject_unmap(void *address, size_t length)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, address);
	grade_call_scalar(&call, (int64_t)length);
	return (int)grade_call_run(&call, UNMAP);
}

int subject_set_signal_action(int signal_number, int handler, int flags, uint64_t mask)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, signal_number);
	grade_call_scalar(&call, handler);
	grade_call_scalar(&call, flags);
	grade_call_scalar(&call, (int64_t)mask);
	return (int)grade_call_run(&call, SET_SIGNAL_ACTION);
}

int subject_block_signal(int signal_number)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, signal_number);
	return (int)grade_call_run(&call, BLOCK_SIGNAL);
}

int subject_unblock_signal(int signal_number)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, signal_number);
	return (int)grade_call_run(&call, UNBLOCK_SIGNAL);
}

int subject_signal_action(int signal_number, struct subject_signal_action *action)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, signal_number);
	grade_call_output(&call, action, sizeof(*action));
	return (int)grade_call_run(&call, SIGNAL_ACTION);
}

int subject_fork_probe_then_fault(const volatile void *read_probe,
				  const volatile void *write_probe,
				  const volatile void *fault_address, long timeout_ms,
				  struct subject_child_outcome *outcome)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, read_probe);
	grade_call_address(&call, write_probe);
	grade_call_address(&call, fault_address);
	grade_call_scalar(&call, timeout_ms);
	grade_call_output(&call, outcome, sizeof(*outcome));
	return (int)grade_call_run(&call, FORK_PROBE_THEN_FAULT);
}

int subject_probe_own_memory(int which, size_t offset, int write, unsigned char *value_after)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_scalar(&call, which);
	grade_call_scalar(&call, (int64_t)offset);
	grade_call_scalar(&call, write);
	grade_call_output(&call, value_after, sizeof(*value_after));
	return (int)grade_call_run(&call, PROBE_OWN_MEMORY);
}

#else

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- The student's functions ------------------------------------------------ */

static int64_t run_predict(const struct subject_arguments *a)
{
	return pf_predict((size_t)a->scalars[0], (size_t)a->scalars[1], (size_t)a->scalars[2],
			  (size_t)a->scalars[3]);
}

static int64_t run_usable_bytes(const struct subject_arguments *a)
{
	return (int64_t)pf_usable_bytes((size_t)a->scalars[0], (size_t)a->scalars[1],
					(size_t)a->scalars[2]);
}

static int64_t run_probe(const struct subject_arguments *a)
{
	return pf_probe((const volatile void *)(uintptr_t)a->scalars[0], (int)a->scalars[1]);
}

/* ---- Mappings with a guard page -------------------------------------------------- */

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* munmap() that leaves errno as it was: for undoing a half-made mapping. */
static void unmap_keeping_errno(void *address, size_t length)
{
	int saved_errno = errno;

	munmap(address, length);
	errno = saved_errno;
}

static int64_t run_map_file_with_guard(const struct subject_arguments *a)
{
	const char *path = a->buffers[0];
	size_t map_len = (size_t)a->scalars[0];
	int prot = (int)a->scalars[1];
	size_t pages = map_len / page_size() + (map_len % page_size() != 0);
	size_t area_len = (pages + 1) * page_size();
	void *area, *map;
	int fd, saved_errno;

	/* The whole area first, inaccessible: the page after the mapping stays so. */
	area = mmap(NULL, area_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		    0);
	if (area == MAP_FAILED)
		return -1;
	fd = open(path, (prot & PROT_WRITE) ? O_RDWR : O_RDONLY);
	if (fd == -1) {
		unmap_keeping_errno(area, area_len);
		return -1;
	}
	map = mmap(area, map_len, prot, MAP_SHARED | MAP_FIXED, fd, 0);
	saved_errno = errno;
	close(fd);
	if (map == MAP_FAILED) {
		errno = saved_errno;
		unmap_keeping_errno(area, area_len);
		return -1;
	}
	return (int64_t)(uintptr_t)map;
}

static int64_t run_unmap(const struct subject_arguments *a)
{
	return munmap((void *)(uintptr_t)a->scalars[0], (size_t)a->scalars[1]);
}

/* ---- Signal actions ---------------------------------------------------------------- */

/*
 * The kit's handlers: if one ever runs, a probe did not catch its fault. They
 * put the default action back, so the access is retried and kills the
 * subject, and the judge reports the crash.
 */
static void restore_default(int signal_number)
{
	struct sigaction default_action;

	memset(&default_action, 0, sizeof(default_action));
	default_action.sa_handler = SIG_DFL;
	sigemptyset(&default_action.sa_mask);
	sigaction(signal_number, &default_action, NULL);
}

static void kit_action(int signal_number, siginfo_t *info, void *context)
{
	(void)info;
	(void)context;
	restore_default(signal_number);
}

static void kit_handler(int signal_number)
{
	restore_default(signal_number);
}

static void bits_to_set(uint64_t bits, sigset_t *set)
{
	sigemptyset(set);
	for (int s = 1; s <= 64 && s < NSIG; s++)
		if (bits & SUBJECT_SIGNAL_BIT(s))
			sigaddset(set, s);
}

static uint64_t set_to_bits(const sigset_t *set)
{
	uint64_t bits = 0;

	for (int s = 1; s <= 64 && s < NSIG; s++)
		if (sigismember(set, s) == 1)
			bits |= SUBJECT_SIGNAL_BIT(s);
	return bits;
}

static int64_t run_set_signal_action(const struct subject_arguments *a)
{
	struct sigaction action;
	int handler = (int)a->scalars[1];

	memset(&action, 0, sizeof(action));
	action.sa_flags = (int)a->scalars[2];
	bits_to_set((uint64_t)a->scalars[3], &action.sa_mask);
	if (handler == SUBJECT_HANDLER_DEFAULT)
		action.sa_handler = SIG_DFL;
	else if (handler == SUBJECT_HANDLER_KIT && (action.sa_flags & SA_SIGINFO))
		action.sa_sigaction = kit_action;
	else if (handler == SUBJECT_HANDLER_KIT)
		action.sa_handler = kit_handler;
	else {
		errno = EINVAL;
		return -1;
	}
	return sigaction((int)a->scalars[0], &action, NULL);
}

static int64_t run_block_signal(const struct subject_arguments *a)
{
	sigset_t block;

	sigemptyset(&block);
	if (sigaddset(&block, (int)a->scalars[0]) != 0)
		return -1;
	return sigprocmask(SIG_BLOCK, &block, NULL);
}

static int64_t run_unblock_signal(const struct subject_arguments *a)
{
	sigset_t unblock;

	sigemptyset(&unblock);
	if (sigaddset(&unblock, (int)a->scalars[0]) != 0)
		return -1;
	return sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

static int64_t run_signal_action(const struct subject_arguments *a)
{
	struct subject_signal_action *observed = a->buffers[0];
	struct sigaction action;
	uintptr_t address;

	memset(&action, 0, sizeof(action));
	if (sigaction((int)a->scalars[0], NULL, &action) != 0)
		return -1;
	address = (action.sa_flags & SA_SIGINFO) ? (uintptr_t)action.sa_sigaction
						 : (uintptr_t)action.sa_handler;
	observed->address = address;
	observed->flags = action.sa_flags;
	observed->mask = set_to_bits(&action.sa_mask);
	if (!(action.sa_flags & SA_SIGINFO) && action.sa_handler == SIG_DFL)
		observed->handler = SUBJECT_HANDLER_DEFAULT;
	else if (!(action.sa_flags & SA_SIGINFO) && action.sa_handler == SIG_IGN)
		observed->handler = SUBJECT_HANDLER_IGNORE;
	else if (address == (uintptr_t)kit_action || address == (uintptr_t)kit_handler)
		observed->handler = SUBJECT_HANDLER_KIT;
	else
		observed->handler = SUBJECT_HANDLER_OTHER;
	return 0;
}

/* ---- A child that probes, then faults ----------------------------------------------- */

static _Noreturn void probe_then_fault(const struct subject_arguments *a)
{
	pf_probe((const volatile void *)(uintptr_t)a->scalars[0], 0);
	pf_probe((const volatile void *)(uintptr_t)a->scalars[1], 1);
	(void)*(const volatile unsigned char *)(uintptr_t)a->scalars[2];
	_exit(0);
}

/*
 * Wait up to timeout_ms for child to end, and reap it; kill it first if it is
 * still running then. poll() is no sleep the judge counts: it watches a pidfd
 * of the child or, where pidfd_open() is missing or refused, alive_fd, the
 * read end of a pipe whose write end only the child held, which hangs up when
 * the child ends. 1 if it ended by itself, 0 if it was killed, -1 with errno
 * if it could not be watched (it is killed and reaped all the same).
 */
static int wait_with_limit(pid_t child, int alive_fd, long timeout_ms, int *status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	struct pollfd watch = { .fd = pidfd >= 0 ? pidfd : alive_fd, .events = POLLIN };
	int ready, saved_errno;

	do
		ready = poll(&watch, 1, (int)timeout_ms);
	while (ready < 0 && errno == EINTR);
	saved_errno = errno;
	if (pidfd >= 0)
		close(pidfd);
	if (ready <= 0)
		kill(child, SIGKILL);
	while (waitpid(child, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	errno = saved_errno;
	return ready < 0 ? -1 : ready > 0;
}

static int64_t run_fork_probe_then_fault(const struct subject_arguments *a)
{
	struct subject_child_outcome *outcome = a->buffers[0];
	int status = 0, ended, alive[2];

	if (pipe2(alive, O_CLOEXEC) != 0)
		return -1;
	pid_t child = fork();
	if (child < 0) {
		int saved_errno = errno;
		close(alive[0]);
		close(alive[1]);
		errno = saved_errno;
		return -1;
	}
	if (child == 0) {
		close(alive[0]); /* the write end stays open until the child ends */
		probe_then_fault(a);
	}
	close(alive[1]);
	ended = wait_with_limit(child, alive[0], (long)a->scalars[3], &status);
	int saved_errno = errno;
	close(alive[0]);
	errno = saved_errno;
	if (ended < 0)
		return -1;
	outcome->ended = ended;
	outcome->status = status;
	return 0;
}

/* ---- The subject's own memory --------------------------------------------------------- */

static const char read_only_text[] = "a constant of the program, kept in read-only pages";

static int probe_heap(size_t offset, int write, unsigned char *value_after)
{
	unsigned char *block;
	int result, saved_errno;

	if (offset >= SUBJECT_HEAP_BLOCK) {
		errno = EINVAL;
		return -1;
	}
	block = malloc(SUBJECT_HEAP_BLOCK);
	if (block == NULL)
		return -1;
	memset(block, SUBJECT_HEAP_BYTE, SUBJECT_HEAP_BLOCK);
	errno = 0;
	result = pf_probe(block + offset, write);
	saved_errno = errno;
	*value_after = block[offset];
	free(block);
	errno = saved_errno;
	return result;
}

static int64_t run_probe_own_memory(const struct subject_arguments *a)
{
	size_t offset = (size_t)a->scalars[1];
	int write = (int)a->scalars[2], result, saved_errno;
	unsigned char *value_after = a->buffers[0];

	switch (a->scalars[0]) {
	case SUBJECT_MEMORY_STACK: {
		volatile unsigned char local = SUBJECT_STACK_BYTE;

		result = pf_probe(&local, write);
		saved_errno = errno;
		*value_after = local;
		errno = saved_errno;
		return result;
	}
	case SUBJECT_MEMORY_HEAP:
		return probe_heap(offset, write, value_after);
	case SUBJECT_MEMORY_READ_ONLY:
		if (offset >= sizeof(read_only_text))
			break;
		result = pf_probe(read_only_text + offset, write);
		saved_errno = errno;
		*value_after = (unsigned char)read_only_text[offset];
		errno = saved_errno;
		return result;
	}
	errno = EINVAL;
	return -1;
}

static const subject_function lab06_functions[] = {
	[PF_PREDICT] = run_predict,
	[PF_USABLE_BYTES] = run_usable_bytes,
	[PF_PROBE] = run_probe,
	[MAP_FILE_WITH_GUARD] = run_map_file_with_guard,
	[UNMAP] = run_unmap,
	[SET_SIGNAL_ACTION] = run_set_signal_action,
	[BLOCK_SIGNAL] = run_block_signal,
	[SIGNAL_ACTION] = run_signal_action,
	[FORK_PROBE_THEN_FAULT] = run_fork_probe_then_fault,
	[PROBE_OWN_MEMORY] = run_probe_own_memory,
	[UNBLOCK_SIGNAL] = run_unblock_signal,
};
GRADE_SUBJECT_FUNCTIONS(lab06_functions);

#endif
