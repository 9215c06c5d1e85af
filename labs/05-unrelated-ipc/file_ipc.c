/*
 * file_ipc.c — lab 5, unrelated processes share a mapped file: your file.
 *
 * Write the functions declared in file_ipc.h, in order: publish an array of
 * records in a file through a shared mapping (Task 1) and load them back in
 * another process, checking the file before trusting it (Task 2); then build
 * a channel, a ring buffer in a file that two programs map: create and open
 * it (Task 3), send a message (Task 4), receive one (Task 5), and end the
 * stream and let go of the channel (Task 6). The handout explains every
 * numbered step below; replace each TODO with the code it describes and
 * delete the placeholder lines at the end of each function. The channel's
 * layout below is a proposal (only the magic is fixed): keep it unless you
 * know why you change it. Write small helpers of your own (copying into and
 * out of the ring, waiting, waking) as static functions. Return failure (-1,
 * or NULL) with errno set, never print, never exit, and release every
 * descriptor and mapping on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file_ipc.h"

/* ---- The published file ---------------------------------------------------- */

int fi_publish(const char *path, const struct fi_student *recs, size_t n)
{
	/* TODO 1.1: n above UINT32_MAX, or recs NULL with n > 0: EINVAL. */
	/* TODO 1.2: open path O_RDWR|O_CREAT|O_TRUNC, mode 0644. */
	/* TODO 1.3: ftruncate() it to FI_STUDENT_HEADER_SIZE + n * sizeof(struct fi_student). */
	/* TODO 1.4: map that many bytes PROT_READ|PROT_WRITE, MAP_SHARED; check MAP_FAILED. */
	/* TODO 1.5: close the descriptor. */
	/* TODO 1.6: store the 4 magic bytes, n as a uint32_t, then the records (memcpy). */
	/* TODO 1.7: msync(MS_SYNC) the whole mapping. */
	/* TODO 1.8: munmap() it with the length you mapped; return 0. */
	(void)path;
	(void)recs;
	(void)n;
	errno = ENOSYS;
	return -1;
}

ssize_t fi_load(const char *path, struct fi_student *out, size_t max)
{
	/* TODO 2.1: open path O_RDONLY. */
	/* TODO 2.2: fstat() it; not a regular file, or shorter than the header: EBADMSG. */
	/* TODO 2.3: map all st_size bytes PROT_READ, MAP_SHARED; close the descriptor. */
	/* TODO 2.4: the magic, and size == header + count * record, or unmap and EBADMSG. */
	/* TODO 2.5: copy min(count, max) records into out. */
	/* TODO 2.6: munmap(); return the count stored in the file. */
	(void)path;
	(void)out;
	(void)max;
	errno = ENOSYS;
	return -1;
}

/* ---- The channel ----------------------------------------------------------- */

/*
 * The proposed channel file: a header of CHAN_HEADER_SIZE bytes, then the
 * ring of `capacity` bytes, so the file is CHAN_HEADER_SIZE + capacity bytes.
 * Positions count every byte ever written (write_position) or read
 * (read_position) and only grow; a position's place in the ring is
 * position % capacity, and the ring holds write_position - read_position
 * bytes. The fields sit on three cache lines: the sender's, the receiver's,
 * and the wake-up line, which changes only when a side goes to sleep. A
 * *_sleeping word is the futex a side sleeps on: 1 while it sleeps (or is
 * about to).
 */
#define CHAN_HEADER_SIZE 4096
#define CACHE_LINE 64

struct chan_header {
	char magic[8];     /* FI_CHAN_MAGIC: store it last in fi_chan_create */
	uint64_t capacity; /* the ring's size in bytes */

	/* The sender's side: written by the sender, read by the receiver. */
	_Alignas(CACHE_LINE) _Atomic uint64_t write_position;
	_Atomic uint32_t finished; /* set by fi_chan_finish */

	/* The receiver's side. */
	_Alignas(CACHE_LINE) _Atomic uint64_t read_position;

	/* The wake-up line: the futex words the sender and the receiver sleep on. */
	_Alignas(CACHE_LINE) _Atomic uint32_t sender_sleeping;
	_Atomic uint32_t receiver_sleeping;
};

_Static_assert(sizeof(struct chan_header) <= CHAN_HEADER_SIZE, "the header fits its page");

/*
 * A message in the ring: an 8-byte length (a uint64_t), then the payload,
 * padded to a multiple of 8 bytes, so that it takes
 * RECORD_HEADER + len rounded up to 8 bytes. Every record starts at a
 * multiple of 8, so the length itself never wraps around the ring's end.
 */
#define RECORD_HEADER 8
#define RECORD_ALIGN 8

/* How many times to re-check before going to sleep (a few thousand is plenty). */
#define SPIN_LIMIT 4000

/* A process's handle on a channel: what it mapped, and the capacity it checked. */
struct fi_chan {
	struct chan_header *header; /* the start of the mapping */
	unsigned char *ring;        /* right after the header */
	size_t capacity;            /* checked once at open */
	size_t length;              /* of the mapping, for munmap() */
	/* Optional, for speed (handout §2.4): the partner's position as last loaded. */
	uint64_t seen_read_position;  /* the sender's copy */
	uint64_t seen_write_position; /* the receiver's copy */
};

/*
 * Sleeping and waking use the futex system call, which has no C library
 * wrapper (handout §2.5):
 *
 *   syscall(SYS_futex, (void *)word, FUTEX_WAIT, expected, NULL, NULL, 0);
 *   syscall(SYS_futex, (void *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
 *
 * Never add FUTEX_PRIVATE_FLAG: the partner is another process.
 */

fi_chan *fi_chan_create(const char *path, size_t capacity)
{
	/* TODO 3.1: capacity not a power of two, or outside 4 KiB to 1 GiB: EINVAL. */
	/* TODO 3.2: open path O_RDWR|O_CREAT|O_TRUNC, mode 0600; ftruncate() to the full size. */
	/* TODO 3.3: map all of it PROT_READ|PROT_WRITE, MAP_SHARED; close the descriptor. */
	/* TODO 3.4: store the capacity, a release fence, then (last) the magic; the rest is
	 * zeros already. */
	/* TODO 3.5: malloc() a struct fi_chan, fill it in and return it (unmap if malloc fails). */
	(void)path;
	(void)capacity;
	errno = ENOSYS;
	return NULL;
}

fi_chan *fi_chan_open(const char *path)
{
	/* TODO 3.6: open path O_RDWR, fstat(); not regular or shorter than the header: EBADMSG. */
	/* TODO 3.7: map all of it PROT_READ|PROT_WRITE, MAP_SHARED; close the descriptor. */
	/* TODO 3.8: the magic, an acquire fence, then a valid capacity and size == header +
	 * capacity; else EBADMSG. */
	/* TODO 3.9: the handle, as in Step 3.5. */
	(void)path;
	errno = ENOSYS;
	return NULL;
}

int fi_chan_send(fi_chan *ch, const void *msg, size_t len)
{
	/* TODO 4.1: EINVAL (NULL, len 0), EMSGSIZE (len > capacity / 2), EPIPE (finished). */
	/* TODO 4.2: wait (spin, then sleep on sender_sleeping) until the record fits. */
	/* TODO 4.3: copy the length, then the payload, into the ring (split at its end). */
	/* TODO 4.4: publish write_position + the record's size (a seq_cst store). */
	/* TODO 4.5: if receiver_sleeping is 1, set it to 0 and FUTEX_WAKE it. */
	(void)ch;
	(void)msg;
	(void)len;
	errno = ENOSYS;
	return -1;
}

ssize_t fi_chan_recv(fi_chan *ch, void *buf, size_t cap)
{
	/* TODO 5.1: ch or buf NULL: EINVAL. */
	/* TODO 5.2: wait (spin, then sleep on receiver_sleeping) for a message or the end. */
	/* TODO 5.3: nothing left to read and finished: return 0. */
	/* TODO 5.4: peek at the length; longer than cap: EMSGSIZE, consuming nothing. */
	/* TODO 5.5: copy the payload out (split at the ring's end). */
	/* TODO 5.6: publish read_position + the record's size; wake the sender if it sleeps. */
	(void)ch;
	(void)buf;
	(void)cap;
	errno = ENOSYS;
	return -1;
}

int fi_chan_finish(fi_chan *ch)
{
	/* TODO 6.1: ch NULL: EINVAL; otherwise store 1 in finished (seq_cst). */
	/* TODO 6.2: wake the receiver if it sleeps; return 0. */
	(void)ch;
	errno = ENOSYS;
	return -1;
}

int fi_chan_close(fi_chan *ch)
{
	/* TODO 6.3: NULL: return 0; munmap() the whole mapping, free ch, return munmap's result. */
	(void)ch;
	errno = ENOSYS;
	return -1;
}
