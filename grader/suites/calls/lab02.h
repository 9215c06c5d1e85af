/*
 * calls/lab02.h — what lab 2's tests ask of the subject beyond shared_edit.h.
 *
 * The proxies of shared_edit.h's functions keep the header's own prototypes.
 * These two are the same functions, called with a length larger than the
 * data the judge has: the hidden tests pass lengths such as SIZE_MAX with a
 * two-byte buffer, to see them refused before anything is read, and a proxy
 * cannot copy SIZE_MAX bytes into the subject.
 */
#ifndef CALLS_LAB02_H
#define CALLS_LAB02_H

#include <stddef.h>
#include <sys/types.h>

/*
 * se_write_at(path, offset, data, len), except that the subject's copy of
 * data holds only its first `held` bytes and ends right where its guard page
 * begins, whatever len says: code that reads past them dies of SIGSEGV.
 * se_write_at() is this with held == len.
 */
int se_write_at_holding(const char *path, off_t offset, const void *data, size_t held,
			size_t len);

/* se_append(path, data, len), with only `held` bytes of data in the subject, as above. */
int se_append_holding(const char *path, const void *data, size_t held, size_t len);

#endif /* CALLS_LAB02_H */
