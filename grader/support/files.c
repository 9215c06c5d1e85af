/*
 * files.c — the test files a suite makes and the checks of what ends up on disk.
 *
 * Test data comes from a small counter-based generator (splitmix64), so the
 * same seed always gives the same bytes and any stretch of them can be made
 * without the rest. Files are written with the real write() and given exactly
 * the mode asked for. What a student's function left in a file is read back
 * by a separate process through its own descriptor: the check sees the bytes
 * the kernel holds, not anything the student's process may still cache, and
 * a crash while reading cannot take the test down with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grader.h"
#include "labkit.h"
#include "support_internal.h"

#define CHUNK_BYTES (1u << 20) /* a multiple of 8: whole generator words */

/* ---- Random bytes --------------------------------------------------- */

/* Word `index` of the stream for `seed`: splitmix64 of a counter. */
static uint64_t random_word(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * UINT64_C(0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Bytes from word `first_word` of the stream on, least significant byte first. */
static void fill_random_from(unsigned char *out, size_t len, uint64_t seed, uint64_t first_word)
{
	uint64_t index = first_word;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Whole words at once (tests make tens of MiB): the same bytes, in memory order. */
	for (; len >= 8; index++, out += 8, len -= 8) {
		uint64_t word = random_word(seed, index);
		memcpy(out, &word, 8);
	}
#endif
	for (; len > 0; index++) {
		uint64_t word = random_word(seed, index);
		size_t take = len < 8 ? len : 8;

		for (size_t i = 0; i < take; i++)
			out[i] = (unsigned char)(word >> (8 * i));
		out += take;
		len -= take;
	}
}

void grade_fill_random(void *buf, size_t len, uint64_t seed)
{
	fill_random_from(buf, len, seed, 0);
}

void *grade_random_bytes(size_t len, uint64_t seed)
{
	void *buf = malloc(len > 0 ? len : 1);

	if (buf == NULL)
		grade_setup_failed("out of memory for %zu bytes of test data", len);
	grade_fill_random(buf, len, seed);
	return buf;
}

/* ---- Making files ------------------------------------------------------ */

/* Open path for writing from scratch, even if an old copy is read-only. */
static int open_for_replacing(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 && errno == EACCES && chmod(path, 0600) == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		grade_setup_failed("cannot create %s", path);
	return fd;
}

/* The real write() until all of it is written, at most `piece` bytes a call; 0 or -1. */
static int write_fully(int fd, const void *data, size_t len, size_t piece)
{
	const char *next = data;

	while (len > 0) {
		ssize_t written = write(fd, next, len < piece ? len : piece);

		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			return -1;
		next += written;
		len -= (size_t)written;
	}
	return 0;
}

static void write_all(int fd, const void *data, size_t len, const char *path)
{
	if (write_fully(fd, data, len, len) != 0)
		grade_setup_failed("cannot write %zu bytes to %s", len, path);
}

/* Give the file exactly `mode` (fchmod ignores the umask) and close it. */
static void finish_file(int fd, mode_t mode, const char *path)
{
	if (fchmod(fd, mode) != 0)
		grade_setup_failed("cannot set the mode of %s", path);
	if (close(fd) != 0)
		grade_setup_failed("cannot close %s", path);
}

void grade_make_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	fd = open_for_replacing(path);
	write_all(fd, data, len, path);
	finish_file(fd, mode, path);
}

/*
 * The judge's soft file-size limit is the test's; its hard limit is higher
 * (the runner's judge_file_size), so it can raise the soft one for a moment
 * to size a sparse file, which writes nothing to the disk.
 */
void grade_make_sparse_file(const char *path, off_t size, mode_t mode)
{
	struct rlimit test_limit, raised;
	int fd = open_for_replacing(path);

	if (getrlimit(RLIMIT_FSIZE, &test_limit) != 0)
		grade_setup_failed("cannot read the file-size limit");
	raised = (struct rlimit){ test_limit.rlim_max, test_limit.rlim_max };
	if (setrlimit(RLIMIT_FSIZE, &raised) != 0 || ftruncate(fd, size) != 0)
		grade_setup_failed("cannot make %s a sparse file of %lld bytes", path,
				   (long long)size);
	if (setrlimit(RLIMIT_FSIZE, &test_limit) != 0)
		grade_setup_failed("cannot restore the file-size limit");
	finish_file(fd, mode, path);
}

unsigned char *grade_make_and_keep_random_file(const char *path, size_t len, uint64_t seed,
					       mode_t mode)
{
	unsigned char *data = grade_random_bytes(len, seed);

	grade_make_file(path, data, len, mode);
	return data;
}

const char *grade_file_of_another_user(void)
{
	static const char *const candidates[] = { "/etc/passwd", "/usr/include/stdio.h" };
	struct stat st;

	for (size_t i = 0; i < GRADE_COUNT(candidates); i++)
		if (stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		    st.st_size < ((off_t)1 << 20) && st.st_uid != geteuid() &&
		    access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

void grade_remove_file(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		grade_setup_failed("cannot remove %s", path);
}

void grade_make_directory(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		grade_setup_failed("cannot make the directory %s", path);
}

uint64_t grade_make_random_file(const char *path, size_t len, uint64_t seed, mode_t mode)
{
	unsigned char *chunk = malloc(CHUNK_BYTES);
	uint64_t hash = LABKIT_FNV1A_INIT;
	int fd;

	if (chunk == NULL)
		grade_setup_failed("out of memory for a %u-byte buffer", CHUNK_BYTES);
	fd = open_for_replacing(path);
	for (size_t done = 0; done < len;) {
		size_t take = len - done < CHUNK_BYTES ? len - done : CHUNK_BYTES;

		fill_random_from(chunk, take, seed, done / 8);
		write_all(fd, chunk, take, path);
		hash = labkit_fnv1a_update(hash, chunk, take);
		done += take;
	}
	free(chunk);
	finish_file(fd, mode, path);
	return hash;
}

/* ---- Reading files back in another process ----------------------------------- */

/* In the child: send the file's bytes down the pipe; the exit status is 0 or an errno. */
static _Noreturn void send_file(const char *path, int pipe_fd)
{
	char buffer[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		_exit(errno != 0 ? errno : EIO);
	for (;;) {
		ssize_t got = read(fd, buffer, sizeof(buffer));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			_exit(errno != 0 ? errno : EIO);
		if (got == 0)
			_exit(0);
		if (write_fully(pipe_fd, buffer, (size_t)got, (size_t)got) != 0)
			_exit(EPIPE);
	}
}

/* In the parent: everything the child sends, in a malloc'ed buffer; NULL if out of memory. */
static unsigned char *receive_all(int pipe_fd, size_t *len)
{
	size_t capacity = 65536, used = 0;
	unsigned char *data = malloc(capacity);

	while (data != NULL) {
		if (used == capacity) {
			unsigned char *bigger = realloc(data, capacity * 2);

			free(bigger == NULL ? data : NULL);
			data = bigger;
			capacity *= 2;
			continue;
		}
		ssize_t got = read(pipe_fd, data + used, capacity - used);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		used += (size_t)got;
	}
	*len = used;
	return data;
}

/* The child's exit status as an errno: 0 if it sent the whole file. */
static int reap_reader(pid_t child)
{
	int status;

	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return ECHILD;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EIO;
}

/*
 * The grader could not start a helper process. EAGAIN means the test's process
 * limit is used up, and the only other processes in the test are those the code
 * under test started: say so, rather than blame the machine.
 */
static _Noreturn void helper_fork_failed(const char *helper)
{
	if (errno == EAGAIN)
		grade_fail("the code under test must not leave processes running: wait for "
			   "every child it starts",
			   "expected: the grader to be able to start %s\nobserved: fork() failed "
			   "with EAGAIN: the test's process limit is used up by processes the "
			   "code under test started and left running",
			   helper);
	grade_setup_failed("cannot start %s", helper);
}

/*
 * Run send(path, pipe) in a child process and return everything it sends, in a
 * malloc'ed buffer (its length in *len); NULL with errno set if that failed. The
 * child's exit status is 0 or the errno of what failed there; `helper` names it
 * for messages.
 */
static unsigned char *receive_from_child(void (*send)(const char *path, int pipe_fd),
					 const char *path, const char *helper, size_t *len)
{
	int pipe_fds[2];

	if (pipe2(pipe_fds, O_CLOEXEC) != 0)
		return NULL;
	pid_t child = grade_fork();
	if (child < 0)
		helper_fork_failed(helper);
	if (child == 0) {
		close(pipe_fds[0]);
		send(path, pipe_fds[1]);
		_exit(EIO); /* not reached: send() leaves with _exit */
	}
	close(pipe_fds[1]);

	unsigned char *data = receive_all(pipe_fds[0], len);
	close(pipe_fds[0]); /* a child still writing now gets SIGPIPE */
	int error = reap_reader(child);

	if (data == NULL && error == 0)
		error = ENOMEM;
	if (error != 0) {
		free(data);
		errno = error;
		return NULL;
	}
	return data;
}

void *grade_load_file(const char *path, size_t *len)
{
	return receive_from_child(send_file, path, "the process that reads the file back", len);
}

/* In the child: hash the file through a read-only shared mapping of its own. */
static _Noreturn void send_mapped_hash(const char *path, int pipe_fd)
{
	uint64_t hash = LABKIT_FNV1A_INIT;
	struct stat info;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &info) != 0)
		_exit(errno != 0 ? errno : EIO);
	if (info.st_size > 0) {
		void *data = mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (data == MAP_FAILED)
			_exit(errno != 0 ? errno : EIO);
		hash = labkit_fnv1a(data, (size_t)info.st_size);
	}
	_exit(write_fully(pipe_fd, &hash, sizeof(hash), sizeof(hash)) == 0 ? 0 : EIO);
}

int grade_hash_mapped_elsewhere(const char *path, uint64_t *hash)
{
	size_t len = 0;
	unsigned char *data =
		receive_from_child(send_mapped_hash, path, "the process that maps the file", &len);

	if (data == NULL)
		return -1;
	int complete = len == sizeof(*hash);
	if (complete)
		memcpy(hash, data, sizeof(*hash));
	free(data);
	errno = complete ? 0 : EIO;
	return complete ? 0 : -1;
}

/* ---- A pipe fed by another process ------------------------------------------- */

/* In the writer: len bytes in pieces, a pause after each piece but the last. */
static int write_in_pieces(int fd, const char *data, size_t len, size_t piece, long pause_ms)
{
	while (len > 0) {
		size_t now = len < piece ? len : piece;

		if (write_fully(fd, data, now, now) != 0)
			return -1;
		data += now;
		len -= now;
		if (len > 0 && pause_ms > 0)
			grade_pause_ms(pause_ms);
	}
	return 0;
}

int grade_pipe_from_writer(const void *data, size_t len, size_t piece, long pause_ms,
			   pid_t *writer)
{
	int pipe_fds[2];

	if (pipe2(pipe_fds, O_CLOEXEC) != 0)
		grade_setup_failed("cannot make a pipe");
	*writer = grade_fork();
	if (*writer < 0)
		helper_fork_failed("the process that writes into the pipe");
	if (*writer == 0) {
		close(pipe_fds[0]);
		_exit(write_in_pieces(pipe_fds[1], data, len, piece > 0 ? piece : len,
				      pause_ms) == 0 ? 0 : 1);
	}
	close(pipe_fds[1]);
	return pipe_fds[0];
}

void grade_close_pipe_from_writer(int read_fd, pid_t writer)
{
	close(read_fd); /* a writer still blocked on a full pipe gets SIGPIPE */
	while (waitpid(writer, NULL, 0) < 0 && errno == EINTR)
		continue;
}

/* ---- Checking files -------------------------------------------------------------- */

static const char *plural(size_t count)
{
	return count == 1 ? "" : "s";
}

static size_t first_difference(const unsigned char *a, const unsigned char *b, size_t len)
{
	size_t i = 0;

	while (i < len && a[i] == b[i])
		i++;
	return i;
}

/* What differs between the file's bytes and the expected ones; NULL if nothing. */
static const char *describe_difference(const unsigned char *got, size_t got_len,
				       const unsigned char *want, size_t want_len)
{
	size_t common = got_len < want_len ? got_len : want_len;
	size_t first = first_difference(got, want, common);

	if (got_len != want_len) {
		if (first == common)
			return grade_format("it holds %zu byte%s (the first %zu are right)",
					    got_len, plural(got_len), common);
		return grade_format("it holds %zu byte%s, and byte %zu is 0x%02x instead of "
				    "0x%02x",
				    got_len, plural(got_len), first, got[first], want[first]);
	}
	if (first == common)
		return NULL;
	return grade_format("byte %zu is 0x%02x instead of 0x%02x%s", first, got[first],
			    want[first], first > 0 ? " (every byte before it is right)" : "");
}

void grade_expect_file(const char *path, const void *data, size_t len, const char *what,
		       const char *hint)
{
	size_t got_len;
	unsigned char *got = grade_load_file(path, &got_len);
	int load_errno = errno;
	const char *quoted = grade_format("\"%s\"", path);
	/* Name the file unless `what` does: "dst after tio_copy_rw(\"src\", \"dst\", 7)" */
	const char *name = strstr(what, quoted) != NULL ? "" : grade_format(" (%s)", quoted);

	if (got == NULL)
		grade_fail(hint,
			   "expected: %s%s to hold %zu byte%s\nobserved: it cannot be read: %s",
			   what, name, len, plural(len), grade_errno_text(load_errno));

	const char *difference = describe_difference(got, got_len, data, len);
	free(got);
	if (difference != NULL)
		grade_fail(hint, "expected: %s%s to hold exactly the expected %zu byte%s\n"
				 "observed: %s",
			   what, name, len, plural(len), difference);
}
