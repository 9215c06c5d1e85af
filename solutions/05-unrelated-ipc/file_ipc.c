/*
 * file_ipc.c — reference solution of lab 5, unrelated processes share a mapped file.
 *
 * Two programs that no fork() joins can still map the same file MAP_SHARED:
 * both mappings then show the same pages of the page cache, and a store by
 * one is a load away for the other. fi_publish() and fi_load() use that for a
 * small file format (a magic, a count, the records) that a reader checks
 * before it trusts a single byte, because a count that promises more than the
 * file holds would send it past the end of the file, into SIGBUS. The channel
 * is a single-producer, single-consumer ring buffer in a file: a header page
 * holding the magic, the capacity and two positions that only grow, then the
 * ring. The sender copies a message in and publishes its new write position;
 * the receiver copies it out and publishes its new read position. Neither
 * makes a system call per message while both keep up: a side that must wait
 * spins briefly, then says it is going to sleep and sleeps on a futex word in
 * the shared header, and the other side wakes it only when it has said so.
 * Every function fails with -1 (or NULL) and errno set, and leaves no
 * descriptor or mapping behind on any path.
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

#define STUDENT_SIZE sizeof(struct fi_student)

/* The size of a published file of n records. */
static size_t published_size(size_t n)
{
	return FI_STUDENT_HEADER_SIZE + n * STUDENT_SIZE;
}

/* Unmap, keeping the errno of the failure that brought us here. */
static void unmap_keeping_errno(void *map, size_t length)
{
	int saved_errno = errno;

	munmap(map, length);
	errno = saved_errno;
}

/* Close, keeping the errno of the failure that brought us here. */
static void close_keeping_errno(int fd)
{
	int saved_errno = errno;

	close(fd);
	errno = saved_errno;
}

int fi_publish(const char *path, const struct fi_student *recs, size_t n)
{
	unsigned char *map;
	uint32_t count = (uint32_t)n;
	size_t size;
	int fd;

	/* Step 1.1: the count must fit in the header, and records must be there to copy. */
	if (n > UINT32_MAX || (recs == NULL && n > 0)) {
		errno = EINVAL;
		return -1;
	}
	size = published_size(n);

	/* Step 1.2: create the file, or empty an existing one: nothing old may survive. */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd == -1)
		return -1;

	/*
	 * Step 1.3: give the file its final size first. A mapping cannot make a
	 * file longer: a store past the end of the file is lost, or SIGBUS.
	 */
	if (ftruncate(fd, (off_t)size) == -1)
		goto fail_close;

	/* Step 1.4: map all of it, shared and writable, so that stores reach the file. */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto fail_close;

	/* Step 1.5: the mapping keeps the file open; the descriptor can go. */
	close(fd);

	/* Step 1.6: the header (magic, count in host byte order), then the records. */
	memcpy(map, FI_STUDENT_MAGIC, 4);
	memcpy(map + 4, &count, sizeof(count));
	if (n > 0)
		memcpy(map + FI_STUDENT_HEADER_SIZE, recs, n * STUDENT_SIZE);

	/*
	 * Step 1.7: write the pages to the disk before saying we are done. Other
	 * processes see the bytes without this (one page cache); a crash would not.
	 */
	if (msync(map, size, MS_SYNC) == -1) {
		unmap_keeping_errno(map, size);
		return -1;
	}

	/* Step 1.8: unmap exactly what mmap() gave us. */
	return munmap(map, size);

fail_close:
	close_keeping_errno(fd);
	return -1;
}

ssize_t fi_load(const char *path, struct fi_student *out, size_t max)
{
	const unsigned char *map;
	struct stat st;
	uint32_t count;
	size_t size, copied;
	int fd;

	/* Step 2.1: reading needs no more than O_RDONLY; a read-only file must load too. */
	fd = open(path, O_RDONLY);
	if (fd == -1)
		return -1;

	/* Step 2.2: a published file is a regular file with at least a whole header. */
	if (fstat(fd, &st) == -1)
		goto fail_close;
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size < FI_STUDENT_HEADER_SIZE) {
		errno = EBADMSG;
		goto fail_close;
	}
	size = (size_t)st.st_size;

	/* Step 2.3: map it read-only, then drop the descriptor. */
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto fail_close;
	close(fd);

	/*
	 * Step 2.4: trust nothing in the file. A count that promises more records
	 * than the file holds would make us read past its end: SIGBUS.
	 */
	memcpy(&count, map + 4, sizeof(count));
	if (memcmp(map, FI_STUDENT_MAGIC, 4) != 0 || size != published_size(count)) {
		munmap((void *)map, size);
		errno = EBADMSG;
		return -1;
	}

	/* Step 2.5: copy as many records as the caller has room for. */
	copied = count < max ? count : max;
	if (copied > 0)
		memcpy(out, map + FI_STUDENT_HEADER_SIZE, copied * STUDENT_SIZE);

	/* Step 2.6: unmap, and tell the caller how many records the file holds. */
	if (munmap((void *)map, size) == -1)
		return -1;
	return (ssize_t)count;

fail_close:
	close_keeping_errno(fd);
	return -1;
}

/* ---- The channel ----------------------------------------------------------- */

/*
 * The channel file: a header of CHAN_HEADER_SIZE bytes, then the ring of
 * `capacity` bytes. Positions count every byte ever written or read and only
 * grow; a position's place in the ring is position % capacity. The ring
 * holds write_position - read_position bytes. The header's fields sit on
 * three cache lines: the sender's, the receiver's, and the wake-up line with
 * the two futex words. Each processor writes mostly to its own line, and the
 * wake-up line, read by both after every message, changes only when a side
 * goes to sleep: it stays in both caches instead of moving between the two
 * processors on every message.
 */
#define CHAN_HEADER_SIZE 4096
#define CACHE_LINE 64

struct chan_header {
	char magic[8];     /* FI_CHAN_MAGIC, written last by fi_chan_create */
	uint64_t capacity; /* the ring's size in bytes */

	/* The sender's side: written by the sender, read by the receiver. */
	_Alignas(CACHE_LINE) _Atomic uint64_t write_position;
	_Atomic uint32_t finished; /* set by fi_chan_finish */

	/* The receiver's side. */
	_Alignas(CACHE_LINE) _Atomic uint64_t read_position;

	/* The wake-up line: each word is 1 while its side sleeps on it (a futex). */
	_Alignas(CACHE_LINE) _Atomic uint32_t sender_sleeping;
	_Atomic uint32_t receiver_sleeping;
};

_Static_assert(sizeof(struct chan_header) <= CHAN_HEADER_SIZE, "the header fits its page");

/* A message in the ring: an 8-byte length, then the payload, padded to 8 bytes. */
#define RECORD_HEADER 8
#define RECORD_ALIGN 8

/* How many times a side re-checks before it goes to sleep in the kernel. */
#define SPIN_LIMIT 4000

struct fi_chan {
	struct chan_header *header; /* the start of the mapping */
	unsigned char *ring;        /* right after the header */
	size_t capacity;            /* checked once at open: the partner cannot change ours */
	size_t length;              /* of the mapping, for munmap() */
	/*
	 * The partner's position as this process last loaded it. It only ever
	 * grows, so a stale value errs on the safe side (less room, no message
	 * yet), and the shared cache line the partner writes is read again only
	 * when the stale value says "wait".
	 */
	uint64_t seen_read_position;    /* used by the sender */
	uint64_t seen_write_position;   /* used by the receiver */
};

/* The bytes a message of len bytes takes in the ring. */
static size_t record_size(size_t len)
{
	return RECORD_HEADER + (len + RECORD_ALIGN - 1) / RECORD_ALIGN * RECORD_ALIGN;
}

static int capacity_is_valid(uint64_t capacity)
{
	return capacity >= FI_CHAN_MIN_CAPACITY && capacity <= FI_CHAN_MAX_CAPACITY &&
	       (capacity & (capacity - 1)) == 0;
}

/* A handle for a mapping of a checked channel file; NULL with ENOMEM. */
static fi_chan *new_handle(void *map, size_t capacity)
{
	fi_chan *ch = malloc(sizeof(*ch));

	if (ch == NULL)
		return NULL;
	ch->header = map;
	ch->ring = (unsigned char *)map + CHAN_HEADER_SIZE;
	ch->capacity = capacity;
	ch->length = CHAN_HEADER_SIZE + capacity;
	/* Where the channel stands now: it may have been in use before this open. */
	ch->seen_read_position = atomic_load(&ch->header->read_position);
	ch->seen_write_position = atomic_load(&ch->header->write_position);
	return ch;
}

/* Copy len bytes into the ring at position: at most two pieces, split at the end. */
static void copy_in(fi_chan *ch, uint64_t position, const void *data, size_t len)
{
	size_t at = (size_t)(position % ch->capacity);
	size_t first = len < ch->capacity - at ? len : ch->capacity - at;

	memcpy(ch->ring + at, data, first);
	memcpy(ch->ring, (const unsigned char *)data + first, len - first);
}

/* Copy len bytes out of the ring from position, the same way. */
static void copy_out(fi_chan *ch, uint64_t position, void *data, size_t len)
{
	size_t at = (size_t)(position % ch->capacity);
	size_t first = len < ch->capacity - at ? len : ch->capacity - at;

	memcpy(data, ch->ring + at, first);
	memcpy((unsigned char *)data + first, ch->ring, len - first);
}

/* ---- Sleeping and waking ---- */

/*
 * Sleep while *word is still `expected`. No FUTEX_PRIVATE_FLAG: the partner is
 * another process with its own mapping of the file, and a private futex is
 * keyed by this process's address space, where the partner's wake never lands.
 * Any return (woken, EINTR, EAGAIN because the word changed) sends the caller
 * back to re-check its condition.
 */
static void futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/*
 * Wait until ready(ch, need) holds. Spin a little first: the partner is often
 * about to move. Then announce the sleep in *sleeping and check again before
 * sleeping. Both stores are seq_cst, and so are the partner's position store
 * and its load of *sleeping: either we see its new position in the re-check,
 * or it sees our 1 and wakes us. Without the re-check, a position published
 * between our last look and our announcement would never wake us.
 */
static void wait_until(fi_chan *ch, int (*ready)(fi_chan *, size_t), size_t need,
		       _Atomic uint32_t *sleeping)
{
	for (int spin = 0; spin < SPIN_LIMIT; spin++)
		if (ready(ch, need))
			return;
	for (;;) {
		atomic_store(sleeping, 1);
		if (ready(ch, need)) {
			atomic_store(sleeping, 0);
			return;
		}
		futex_wait(sleeping, 1);
	}
}

/* After publishing a position: wake the partner only if it said it sleeps. */
static void wake_if_sleeping(_Atomic uint32_t *sleeping)
{
	if (atomic_load(sleeping) == 1 && atomic_exchange(sleeping, 0) == 1)
		futex_wake(sleeping);
}

/* The sender's condition: room for `need` more bytes. */
static int has_room(fi_chan *ch, size_t need)
{
	uint64_t written = atomic_load_explicit(&ch->header->write_position, memory_order_relaxed);

	if (written - ch->seen_read_position + need <= ch->capacity)
		return 1;
	ch->seen_read_position = atomic_load(&ch->header->read_position);
	return written - ch->seen_read_position + need <= ch->capacity;
}

/* The receiver's condition: a message is there, or the stream is finished. */
static int has_message_or_end(fi_chan *ch, size_t unused)
{
	uint64_t read = atomic_load_explicit(&ch->header->read_position, memory_order_relaxed);

	(void)unused;
	if (ch->seen_write_position != read)
		return 1;
	ch->seen_write_position = atomic_load(&ch->header->write_position);
	return ch->seen_write_position != read || atomic_load(&ch->header->finished);
}

/* ---- Creating and opening ---- */

fi_chan *fi_chan_create(const char *path, size_t capacity)
{
	struct chan_header *header;
	size_t length = CHAN_HEADER_SIZE + capacity;
	fi_chan *ch;
	int fd;

	/* Step 3.1: a power of two (positions wrap with %), from 4 KiB to 1 GiB. */
	if (!capacity_is_valid(capacity)) {
		errno = EINVAL;
		return NULL;
	}

	/* Step 3.2: create or empty the file, then size it: the header and the ring. */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd == -1)
		return NULL;
	if (ftruncate(fd, (off_t)length) == -1) {
		close_keeping_errno(fd);
		return NULL;
	}

	/* Step 3.3: map all of it shared; the descriptor can go. */
	header = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close_keeping_errno(fd);
	if (header == MAP_FAILED)
		return NULL;

	/*
	 * Step 3.4: the file is all zeros after ftruncate(): positions 0, nobody
	 * sleeping, not finished. Store the capacity, then the magic, last, so that
	 * an opener that sees the magic sees a complete header.
	 */
	header->capacity = capacity;
	atomic_thread_fence(memory_order_release);
	memcpy(header->magic, FI_CHAN_MAGIC, sizeof(header->magic));

	/* Step 3.5: this process's handle on the mapping. */
	ch = new_handle(header, capacity);
	if (ch == NULL)
		unmap_keeping_errno(header, length);
	return ch;
}

fi_chan *fi_chan_open(const char *path)
{
	struct chan_header *header;
	struct stat st;
	size_t size;
	uint64_t capacity;
	fi_chan *ch;
	int fd;

	/* Step 3.6: open for reading and writing; a channel file holds at least a header. */
	fd = open(path, O_RDWR);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1) {
		close_keeping_errno(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size < CHAN_HEADER_SIZE) {
		close(fd);
		errno = EBADMSG;
		return NULL;
	}
	size = (size_t)st.st_size;

	/* Step 3.7: map the whole file as it is now, shared; the descriptor can go. */
	header = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close_keeping_errno(fd);
	if (header == MAP_FAILED)
		return NULL;

	/*
	 * Step 3.8: a channel has our magic, a valid capacity and exactly the
	 * size that capacity needs. A shorter file would give SIGBUS in the ring.
	 * The magic first, then an acquire fence, then the capacity: the pair of
	 * fi_chan_create's release fence, so that an opener that sees the magic
	 * sees the capacity stored before it.
	 */
	if (memcmp(header->magic, FI_CHAN_MAGIC, sizeof(header->magic)) != 0)
		goto not_a_channel;
	atomic_thread_fence(memory_order_acquire);
	capacity = header->capacity;
	if (!capacity_is_valid(capacity) || size != CHAN_HEADER_SIZE + capacity)
		goto not_a_channel;

	/* Step 3.9: the handle, as for fi_chan_create. */
	ch = new_handle(header, (size_t)capacity);
	if (ch == NULL)
		unmap_keeping_errno(header, size);
	return ch;

not_a_channel:
	munmap(header, size);
	errno = EBADMSG;
	return NULL;
}

/* ---- Sending and receiving ---- */

int fi_chan_send(fi_chan *ch, const void *msg, size_t len)
{
	uint64_t length = len, written;
	size_t need;

	/* Step 4.1: 1 to capacity/2 bytes, and not after the end of the stream. */
	if (ch == NULL || msg == NULL || len == 0) {
		errno = EINVAL;
		return -1;
	}
	if (len > ch->capacity / 2) {
		errno = EMSGSIZE;
		return -1;
	}
	if (atomic_load(&ch->header->finished)) {
		errno = EPIPE;
		return -1;
	}

	/* Step 4.2: wait until the receiver has made room for the whole record. */
	need = record_size(len);
	wait_until(ch, has_room, need, &ch->header->sender_sleeping);

	/*
	 * Step 4.3: the length, then the payload. Positions are multiples of 8 and
	 * so is the capacity, so the length never wraps; the payload may.
	 */
	written = atomic_load_explicit(&ch->header->write_position, memory_order_relaxed);
	copy_in(ch, written, &length, sizeof(length));
	copy_in(ch, written + RECORD_HEADER, msg, len);

	/* Step 4.4: publish the record (seq_cst: its bytes are visible before the position). */
	atomic_store(&ch->header->write_position, written + need);

	/* Step 4.5: wake the receiver, only if it went to sleep. */
	wake_if_sleeping(&ch->header->receiver_sleeping);
	return 0;
}

ssize_t fi_chan_recv(fi_chan *ch, void *buf, size_t cap)
{
	uint64_t read, written, length;

	/* Step 5.1: the arguments. */
	if (ch == NULL || buf == NULL) {
		errno = EINVAL;
		return -1;
	}

	/* Step 5.2: wait for a message or for the end of the stream. */
	wait_until(ch, has_message_or_end, 0, &ch->header->receiver_sleeping);
	read = atomic_load_explicit(&ch->header->read_position, memory_order_relaxed);
	written = ch->seen_write_position;

	/*
	 * Step 5.3: empty and finished is the end. The sender publishes its last
	 * position before `finished`, so one more look at it is enough.
	 */
	if (written == read)
		written = ch->seen_write_position = atomic_load(&ch->header->write_position);
	if (written == read)
		return 0;

	/* Step 5.4: peek at the length; a message too long for buf stays where it is. */
	copy_out(ch, read, &length, sizeof(length));
	if (length == 0 || length > ch->capacity / 2 || written - read < record_size(length)) {
		errno = EBADMSG; /* not what any sender writes */
		return -1;
	}
	if (length > cap) {
		errno = EMSGSIZE;
		return -1;
	}

	/* Step 5.5: copy the payload out, in at most two pieces. */
	copy_out(ch, read + RECORD_HEADER, buf, (size_t)length);

	/* Step 5.6: hand the space back to the sender, and wake it if it sleeps. */
	atomic_store(&ch->header->read_position, read + record_size(length));
	wake_if_sleeping(&ch->header->sender_sleeping);
	return (ssize_t)length;
}

/* ---- The end ---- */

int fi_chan_finish(fi_chan *ch)
{
	if (ch == NULL) {
		errno = EINVAL;
		return -1;
	}
	/* Step 6.1: mark the end of the stream, after every message already published. */
	atomic_store(&ch->header->finished, 1);

	/* Step 6.2: a receiver asleep on an empty ring must wake up to see it. */
	wake_if_sleeping(&ch->header->receiver_sleeping);
	return 0;
}

int fi_chan_close(fi_chan *ch)
{
	int result, saved_errno;

	if (ch == NULL)
		return 0;
	/* Step 6.3: unmap exactly the mapping, free the handle anyway; the file stays. */
	result = munmap(ch->header, ch->length);
	saved_errno = errno;
	free(ch);
	errno = saved_errno;
	return result;
}
