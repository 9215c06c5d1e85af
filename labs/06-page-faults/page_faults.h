/**
 * @file page_faults.h
 * @brief Lab 6 — page boundaries: which accesses give SIGBUS and which SIGSEGV.
 *
 * A mapping is made of whole pages, and so is the part of a file it can show.
 * Map a file of S bytes with length L (from offset 0): the pages that hold
 * file data can be touched everywhere, even past the last byte of the file
 * (that tail of the last page reads as zeros); the rest of the mapping's pages
 * lie wholly past the end of the file, and touching them is SIGBUS; past the
 * mapping's last page there is no mapping at all, and touching that is
 * SIGSEGV — when nothing else happens to be mapped there. Writing to a page
 * mapped without PROT_WRITE is SIGSEGV too. This lab predicts those outcomes
 * by arithmetic, then checks them by touching real memory and surviving the
 * signals.
 */
#ifndef PAGE_FAULTS_H
#define PAGE_FAULTS_H

#include <stddef.h>

/** What touching one byte of a mapping does. */
enum pf_outcome {
	PF_OK = 0,      /**< the access works */
	PF_SIGBUS = 1,  /**< SIGBUS: a page of the mapping with no file behind it */
	PF_SIGSEGV = 2, /**< SIGSEGV: no mapping there, or a write to a read-only one */
};

/**
 * @brief Predict what touching one byte of a file mapping does.
 *
 * A file of @p file_size bytes is mapped MAP_SHARED from file offset 0 with
 * length @p map_len, and nothing is mapped right after the mapping's last
 * page. Let P be the number of pages that hold the file (file_size rounded up
 * to whole pages) and M the number of pages of the mapping (map_len rounded
 * up). Byte @p offset of the mapping is PF_OK below page_size * min(P, M),
 * PF_SIGBUS from there up to page_size * M, and PF_SIGSEGV from
 * page_size * M on. A mapping of length 0 maps nothing: every offset is
 * PF_SIGSEGV. Any size_t value is allowed for the sizes and the offset,
 * 4 GiB and more, 2^32 pages and more, and up to SIZE_MAX included.
 *
 * @param file_size  the file's size in bytes (0 is allowed).
 * @param map_len    the length passed to mmap().
 * @param offset     which byte of the mapping is touched, from its start.
 * @param page_size  the page size, a power of two (4096, 16384, 65536, ...);
 *                   never assume 4096.
 * @return the outcome.
 */
enum pf_outcome pf_predict(size_t file_size, size_t map_len, size_t offset, size_t page_size);

/**
 * @brief How many bytes from the start of such a mapping can be touched safely.
 *
 * The same mapping as pf_predict(): the bytes below page_size * min(P, M),
 * which is more than @p file_size when the file does not end on a page
 * boundary, and 0 for an empty file. Any size_t sizes are allowed whose
 * answer fits in a size_t, 4 GiB and 2^32 pages and more included.
 *
 * @param file_size  the file's size in bytes.
 * @param map_len    the length passed to mmap().
 * @param page_size  the page size, a power of two.
 * @return the number of bytes; every offset below it is PF_OK, none above.
 */
size_t pf_usable_bytes(size_t file_size, size_t map_len, size_t page_size);

/**
 * @brief Touch one byte and report what happened, surviving SIGBUS and SIGSEGV.
 *
 * Installs handlers for SIGBUS and SIGSEGV with sigaction(), remembers where
 * to come back to with sigsetjmp(env, 1) (which also saves the signal mask),
 * reads the byte at @p addr and, if @p write is non-zero, stores the same
 * value back. A fault jumps back with siglongjmp() from the handler. Before
 * returning, on every path, restores the actions that were installed before,
 * so that the caller's own handlers work as before and any number of probes
 * can follow. The actions put back are those installed when this call began:
 * the caller may change its handlers between probes. The signal mask is left
 * exactly as the caller had it, with no sigprocmask() call: it never changes
 * on the path without a fault, and after a fault siglongjmp() restores the
 * mask that sigsetjmp(env, 1) saved, which unblocks the signal the kernel
 * blocked while the handler ran and leaves every other signal as it was.
 *
 * @param addr   the byte to touch.
 * @param write  0 to read it; non-zero to read it and write it back unchanged.
 * @return PF_OK, PF_SIGBUS or PF_SIGSEGV; -1 with errno set if the handlers
 *         could not be installed (sigaction()'s errno).
 */
int pf_probe(const volatile void *addr, int write);

#endif /* PAGE_FAULTS_H */
