/*
 * page_faults.c — lab 6, page boundaries, SIGBUS and SIGSEGV: your file.
 *
 * Write the three functions declared in page_faults.h, in order: predict by
 * arithmetic alone what touching one byte of a file mapping does (Task 1),
 * say how many bytes from its start can be touched safely (Task 2), and touch
 * a byte for real, catching SIGBUS and SIGSEGV and putting every signal action
 * and the signal mask back as they were (Task 3). The handout explains every
 * numbered step below; replace each TODO with the code it describes and delete
 * the placeholder lines at the end of each function. Never print, never exit,
 * and never write 4096 where you mean the page size.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "page_faults.h"

enum pf_outcome pf_predict(size_t file_size, size_t map_len, size_t offset, size_t page_size)
{
	/* TODO 1.1: a mapping of length 0 maps nothing: PF_SIGSEGV for every offset. */
	/* TODO 1.2: count the file's pages P and the mapping's pages M, rounding up
	 *           without overflow. */
	/* TODO 1.3: find the page that holds offset: offset / page_size, in a size_t. */
	/* TODO 1.4: that page is M or later: PF_SIGSEGV (past the mapping's last page). */
	/* TODO 1.5: that page is P or later: PF_SIGBUS (mapped, but no file behind it). */
	/* TODO 1.6: otherwise PF_OK, even past file_size inside the file's last page. */
	(void)file_size;
	(void)map_len;
	(void)offset;
	(void)page_size;
	errno = ENOSYS;
	return -1;
}

size_t pf_usable_bytes(size_t file_size, size_t map_len, size_t page_size)
{
	/* TODO 2.1: count P and M as in Task 1 (length 0: no pages). */
	/* TODO 2.2: return page_size times the smaller of the two counts. */
	(void)file_size;
	(void)map_len;
	(void)page_size;
	errno = ENOSYS;
	return (size_t)-1;
}

int pf_probe(const volatile void *addr, int write)
{
	/* TODO 3.1: (above this function) a static sigjmp_buf and a static volatile
	 *           sig_atomic_t, and a handler that stores the signal and siglongjmp()s. */
	/* TODO 3.2: install the handler for SIGBUS and SIGSEGV with sigaction(), keeping
	 *           the old actions (this call's own: never a copy from an earlier call);
	 *           if the second fails, put the first back and return -1. */
	/* TODO 3.3: sigsetjmp(env, 1): 1 saves the signal mask, so siglongjmp() restores it. */
	/* TODO 3.4: first return: read the byte through a volatile pointer and, if write
	 *           is non-zero (any non-zero value), store the same value back; the
	 *           outcome is PF_OK. */
	/* TODO 3.5: return from siglongjmp(): the outcome is PF_SIGBUS or PF_SIGSEGV. */
	/* TODO 3.6: put both old actions back with sigaction() on every path; return.
	 *           Leave the mask alone (no sigprocmask()): siglongjmp() has already
	 *           restored the one sigsetjmp(env, 1) saved. */
	(void)addr;
	(void)write;
	errno = ENOSYS;
	return -1;
}
