/**
 * @file file_ipc.h
 * @brief Lab 5 — unrelated processes share a mapped file.
 *
 * Two programs started separately share nothing at first: no fork() joins
 * them, so an anonymous mapping cannot either. A file can. When both map the
 * same file MAP_SHARED they map the same pages of the page cache, and what one
 * stores the other loads, with no read() or write() in between. The file also
 * outlives the writer: a reader started after the writer has exited still
 * finds the data. The first half of the lab publishes an array of records that
 * way; the second builds a channel, a ring buffer in a mapped file through
 * which one program streams messages to another, sleeping in the kernel (on a
 * futex or a process-shared semaphore kept in the file) whenever it has to
 * wait.
 *
 * Every function returns failure (-1, or NULL) with errno set, never prints
 * and never exits, and leaves no descriptor or mapping behind on any path.
 */
#ifndef FILE_IPC_H
#define FILE_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** One record of the published file: a student, as in the writer/reader example. */
struct fi_student {
	int32_t id;    /**< the student's number */
	char name[20]; /**< NUL-terminated unless all 20 bytes are used */
	char sex;      /**< 'M' or 'F' in the examples; any byte is stored as it is */
};

/** The first 4 bytes of a published file. */
#define FI_STUDENT_MAGIC "STU1" /* file: 4-byte magic, uint32_t count, then count records */

/** The size of a published file's header: the magic and the count. */
#define FI_STUDENT_HEADER_SIZE 8

/**
 * @brief Publish records in a file that other processes can map.
 *
 * Creates or truncates @p path (mode 0644), sizes it with ftruncate() to
 * #FI_STUDENT_HEADER_SIZE + @p n * sizeof(struct fi_student), maps it
 * MAP_SHARED, writes the header (the 4 bytes of #FI_STUDENT_MAGIC, then @p n
 * as a uint32_t in host byte order) and the records as they are in memory,
 * then, after the last store, msync()s the whole mapping with MS_SYNC and
 * unmaps.
 *
 * @param path  the file to write.
 * @param recs  the records; may be NULL when @p n is 0.
 * @param n     how many records; 0 writes a header alone.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p n does not
 *         fit in a uint32_t or @p recs is NULL with @p n > 0; or the errno of
 *         the call that failed (open(), ftruncate(), mmap(), msync()).
 */
int fi_publish(const char *path, const struct fi_student *recs, size_t n);

/**
 * @brief Read the records of a published file, trusting nothing in it.
 *
 * Opens @p path O_RDONLY, maps it PROT_READ, and checks it before touching
 * any record: at least #FI_STUDENT_HEADER_SIZE bytes, the magic, and a size
 * of exactly #FI_STUDENT_HEADER_SIZE + count * sizeof(struct fi_student).
 * Copies the first min(count, @p max) records into @p out.
 *
 * @param path  the file to read.
 * @param out   room for @p max records; may be NULL when @p max is 0.
 * @param max   how many records @p out holds.
 * @return the count stored in the file (which may exceed @p max); -1 on error
 *         with errno set: EBADMSG if the file is empty, shorter than its
 *         header, has another magic, or its size does not match its count;
 *         or the errno of open(), fstat() or mmap() (ENOENT, ...).
 */
ssize_t fi_load(const char *path, struct fi_student *out, size_t max);

/** The first 8 bytes of a channel file. */
#define FI_CHAN_MAGIC "MMLCHAN1" /* first 8 bytes of a channel file */

/** The smallest ring a channel may have, in bytes. */
#define FI_CHAN_MIN_CAPACITY ((size_t)4096)

/** The largest ring a channel may have, in bytes (1 GiB). */
#define FI_CHAN_MAX_CAPACITY ((size_t)1 << 30)

/**
 * A channel as one process holds it: the mapping of the channel file and
 * whatever the process needs to use it. Defined in file_ipc.c.
 */
typedef struct fi_chan fi_chan;

/**
 * @brief Create (or recreate) a channel file and open it.
 *
 * Creates or truncates @p path (mode 0600), sizes it for a ring of
 * @p capacity bytes plus the channel's header, maps it MAP_SHARED and
 * initialises the header (starting with #FI_CHAN_MAGIC): an empty channel,
 * not finished.
 *
 * @param path      the channel file.
 * @param capacity  the ring's size: a power of two from #FI_CHAN_MIN_CAPACITY
 *                  to #FI_CHAN_MAX_CAPACITY.
 * @return a handle for fi_chan_send(), fi_chan_recv(), fi_chan_finish() and
 *         fi_chan_close(); NULL on error with errno set: EINVAL for a bad
 *         @p capacity, or the errno of the call that failed.
 */
fi_chan *fi_chan_create(const char *path, size_t capacity);

/**
 * @brief Open a channel that fi_chan_create() made, maybe in another process.
 *
 * Maps the whole file MAP_SHARED after checking it: the magic, a capacity
 * that fi_chan_create() accepts, and a file size that matches the capacity.
 *
 * @param path  the channel file.
 * @return a handle; NULL on error with errno set: EBADMSG if the file is not a
 *         channel (too short, another magic, a size that does not match), or
 *         the errno of the call that failed (ENOENT, ...).
 */
fi_chan *fi_chan_open(const char *path);

/**
 * @brief Send one message: copy it into the ring, waiting while the ring is full.
 *
 * One sender at a time per channel. The receiver sees messages whole, in the
 * order they were sent.
 *
 * @param ch   the channel.
 * @param msg  the message's bytes.
 * @param len  its length: 1 to half the channel's capacity.
 * @return 0 on success; -1 on error with errno set: EINVAL if @p len is 0 or
 *         @p ch or @p msg is NULL; EMSGSIZE if @p len is more than half the
 *         capacity; EPIPE if the channel was already finished.
 */
int fi_chan_send(fi_chan *ch, const void *msg, size_t len);

/**
 * @brief Receive the next message, waiting while the channel is empty.
 *
 * One receiver at a time per channel.
 *
 * @param ch   the channel.
 * @param buf  where to copy the message.
 * @param cap  the room in @p buf.
 * @return the message's length; 0 once the sender has called
 *         fi_chan_finish() and every message has been received; -1 on error
 *         with errno set: EMSGSIZE if the message is longer than @p cap (it
 *         stays in the channel, to be received with a bigger buffer); EINVAL
 *         if @p ch or @p buf is NULL.
 */
ssize_t fi_chan_recv(fi_chan *ch, void *buf, size_t cap);

/**
 * @brief Say that no more messages will be sent (end of stream).
 *
 * Wakes a waiting receiver, which receives what is left and then 0.
 *
 * @param ch  the channel.
 * @return 0 on success; -1 on error with errno set (EINVAL if @p ch is NULL).
 */
int fi_chan_finish(fi_chan *ch);

/**
 * @brief Unmap the channel and free the handle. The file stays.
 * @param ch  the channel; NULL is allowed and does nothing.
 * @return 0 on success; -1 on error with munmap()'s errno (the handle is
 *         freed anyway).
 */
int fi_chan_close(fi_chan *ch);

#endif /* FILE_IPC_H */
