/*
 * page_faults.c — reference solution of lab 6, page boundaries, SIGBUS and SIGSEGV.
 *
 * The kernel maps files in whole pages. Touching a byte of a file mapping is
 * fine anywhere in a page that holds some of the file, even past its last
 * byte; it is SIGBUS in a page of the mapping that lies wholly past the end of
 * the file, and SIGSEGV past the mapping's last page (when nothing else is
 * mapped there) or when the page's protection forbids the access. The first
 * two functions compute that by counting pages, never multiplying, so that no
 * size_t can overflow. The third finds out for real: it catches the two
 * signals for the length of one access, jumps back out of the handler with
 * siglongjmp(), which also restores the signal mask saved by sigsetjmp(env, 1),
 * and puts the caller's signal actions back on every path.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "page_faults.h"

/* How many pages of page_size bytes hold size bytes: ceil(size / page_size), never overflowing. */
static size_t pages_for(size_t size, size_t page_size)
{
	return size / page_size + (size % page_size != 0);
}

enum pf_outcome pf_predict(size_t file_size, size_t map_len, size_t offset, size_t page_size)
{
	size_t file_pages, map_pages, page;

	/* Step 1.1: mmap() refuses length 0, so nothing is mapped at all. */
	if (map_len == 0)
		return PF_SIGSEGV;

	/*
	 * Step 1.2: P and M. (x + page_size - 1) / page_size would overflow for
	 * x near SIZE_MAX; a division and a remainder cannot.
	 */
	file_pages = pages_for(file_size, page_size);
	map_pages = pages_for(map_len, page_size);

	/* Step 1.3: compare page numbers, not byte counts: page * M might not fit. */
	page = offset / page_size;

	/* Step 1.4: past the mapping's last page nothing is mapped (the caller promises). */
	if (page >= map_pages)
		return PF_SIGSEGV;

	/* Step 1.5: inside the mapping, but no byte of the file falls in this page. */
	if (page >= file_pages)
		return PF_SIGBUS;

	/* Step 1.6: a page that holds file data; its tail past the file reads as zeros. */
	return PF_OK;
}

size_t pf_usable_bytes(size_t file_size, size_t map_len, size_t page_size)
{
	/* Step 2.1: the same counts; a length of 0 maps no page. */
	size_t file_pages = pages_for(file_size, page_size);
	size_t map_pages = map_len == 0 ? 0 : pages_for(map_len, page_size);

	/* Step 2.2: the pages that are both mapped and backed by the file. */
	return page_size * (file_pages < map_pages ? file_pages : map_pages);
}

/*
 * Step 3.1: where the handler jumps back to, and which signal came. Both are
 * static because a handler can reach nothing else; the signal number is a
 * volatile sig_atomic_t because it is written by the handler and read after
 * the jump.
 */
static sigjmp_buf probe_return;
static volatile sig_atomic_t probe_signal;

static void probe_handler(int signal_number)
{
	probe_signal = signal_number;
	siglongjmp(probe_return, 1);
}

int pf_probe(const volatile void *addr, int write)
{
	const volatile unsigned char *byte = addr;
	struct sigaction action, old_bus, old_segv;
	int outcome, saved_errno;

	/*
	 * Step 3.2: catch both signals for the length of the access, keeping the
	 * actions that were there. No flags: the signal is blocked while the
	 * handler runs, and siglongjmp() undoes that.
	 */
	memset(&action, 0, sizeof(action));
	action.sa_handler = probe_handler;
	sigemptyset(&action.sa_mask);
	action.sa_flags = 0;
	if (sigaction(SIGBUS, &action, &old_bus) == -1)
		return -1;
	if (sigaction(SIGSEGV, &action, &old_segv) == -1) {
		saved_errno = errno;
		sigaction(SIGBUS, &old_bus, NULL);
		errno = saved_errno;
		return -1;
	}

	/*
	 * Step 3.3: a non-zero second argument saves the signal mask here, and
	 * siglongjmp() restores it: the signal the kernel blocked on entry to
	 * the handler is unblocked again. With 0 (or setjmp()) it would stay
	 * blocked, and the next fault would kill the process.
	 */
	probe_signal = 0;
	if (sigsetjmp(probe_return, 1) == 0) {
		/*
		 * Step 3.4: the access itself, through a volatile pointer so that
		 * the compiler neither drops nor moves it. The store writes back
		 * the byte just read: memory and file stay as they were.
		 */
		unsigned char value = *byte;

		if (write)
			*(volatile unsigned char *)(uintptr_t)byte = value;
		outcome = PF_OK;
	} else {
		/* Step 3.5: back from the handler, the mask as sigsetjmp() saved it. */
		outcome = probe_signal == SIGBUS ? PF_SIGBUS : PF_SIGSEGV;
	}

	/*
	 * Step 3.6: the caller's actions again, whichever way we came. The mask
	 * needs no call: it is the caller's, unchanged or restored by siglongjmp().
	 */
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return outcome;
}
