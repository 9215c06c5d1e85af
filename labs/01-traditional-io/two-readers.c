/*
 * two-readers.c — one page of a file, two processes, two ways to get at it.
 *
 * The program writes a one-page file and starts two reader processes, A and
 * B, twice. In part 1 each reader read()s the page into a buffer of its own;
 * in part 2 each maps it MAP_SHARED. For every reader it prints the address
 * of its buffer or mapping, the physical page frame behind that address
 * (from /proc/self/pagemap, which shows frame numbers only to root) and the
 * Rss/Shared/Private lines of that memory in /proc/self/smaps. Then A
 * changes the file and B looks: a read() buffer is a private copy and stays
 * stale, while a mapping is the page-cache page itself and shows the change
 * at once. The parent drives the readers one step at a time through pipes,
 * so the output comes in a fixed order without any sleeping. Usage:
 * `two-readers [FILE]`; FILE (two-readers.dat in the current directory
 * unless given) must not exist yet, and is removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "labkit.h"
#include "tio.h"

#define DEFAULT_PATH "two-readers.dat"
#define LINE_WIDTH 48 /* every first line is padded to this, newline included */

/* pagemap entries: bit 63 says the page is in memory, bits 0-54 hold its frame */
#define PAGEMAP_PRESENT (UINT64_C(1) << 63)
#define PAGEMAP_FRAME_MASK ((UINT64_C(1) << 55) - 1)

enum access_mode { BY_READ, BY_MMAP };

/* What the parent asks a reader to do; the reader answers each with one uint64_t. */
enum command {
	CMD_OPEN = 'o',   /* read the page into a buffer, or map it */
	CMD_REPORT = 'r', /* print address, frame and smaps; answer the frame */
	CMD_CHANGE = 'c', /* change the file's first line */
	CMD_LOOK = 'l',   /* print what the buffer or mapping holds now */
	CMD_QUIT = 'q',
};

/* The parent's view of one reader process. */
struct reader {
	char name;      /* 'A' or 'B' */
	pid_t pid;      /* 0 until started */
	int command_fd; /* write end of the pipe carrying commands to the reader */
	int reply_fd;   /* read end of the pipe carrying its answers back */
};

/* What a reader process keeps between commands. */
struct reader_state {
	char name;
	enum access_mode mode;
	const char *path;
	size_t page_size;
	int fd;     /* BY_READ: the descriptor read() uses; -1 otherwise */
	char *page; /* BY_READ: the private buffer; BY_MMAP: the mapping */
};

/* The memory counters of one mapping, from /proc/self/smaps, in kB. */
struct smaps_counts {
	long size, rss, shared_clean, shared_dirty, private_clean, private_dirty;
};

static const char *program = "two-readers";

/* Write "text" padded with spaces to LINE_WIDTH - 1 characters, then a newline. */
static void format_line(char *line, const char *text)
{
	snprintf(line, LINE_WIDTH + 1, "%-*.*s\n", LINE_WIDTH - 1, LINE_WIDTH - 1, text);
}

/* Print the first line held in a page, without its padding. */
static void print_first_line(const char *label, const char *page)
{
	int len = 0;

	while (len < LINE_WIDTH - 1 && page[len] != '\n' && page[len] != '\0')
		len++;
	while (len > 0 && page[len - 1] == ' ')
		len--;
	printf("  %-34s \"%.*s\"\n", label, len, page);
}

/*
 * The physical frame behind addr, from /proc/self/pagemap. Stores 0 when the
 * kernel hides frame numbers (every process without CAP_SYS_ADMIN sees 0) or
 * when the page is not in memory.
 */
static int frame_of(const void *addr, size_t page_size, uint64_t *frame)
{
	uint64_t entry;
	off_t offset = (off_t)((uintptr_t)addr / page_size * sizeof(entry));
	ssize_t got;
	int saved_errno;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd == -1)
		return -1;
	got = pread(fd, &entry, sizeof(entry), offset);
	saved_errno = errno;
	close(fd);
	if (got == -1) {
		errno = saved_errno;
		return -1;
	}
	if (got != (ssize_t)sizeof(entry)) {
		errno = EIO;
		return -1;
	}
	*frame = (entry & PAGEMAP_PRESENT) ? (entry & PAGEMAP_FRAME_MASK) : 0;
	return 0;
}

/* Store one "Name:   N kB" line of smaps into counts if it is a counter we show. */
static void parse_smaps_line(const char *line, struct smaps_counts *counts)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "Size:", offsetof(struct smaps_counts, size) },
		{ "Rss:", offsetof(struct smaps_counts, rss) },
		{ "Shared_Clean:", offsetof(struct smaps_counts, shared_clean) },
		{ "Shared_Dirty:", offsetof(struct smaps_counts, shared_dirty) },
		{ "Private_Clean:", offsetof(struct smaps_counts, private_clean) },
		{ "Private_Dirty:", offsetof(struct smaps_counts, private_dirty) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t len = strlen(fields[i].name);

		if (strncmp(line, fields[i].name, len) == 0) {
			long *value = (long *)((char *)counts + fields[i].offset);

			*value = strtol(line + len, NULL, 10);
			return;
		}
	}
}

/*
 * The counters of the mapping that contains addr. A mapping's entry starts
 * with a "start-end perms ..." line; its counters follow until the next one.
 */
static int smaps_of(const void *addr, struct smaps_counts *counts)
{
	char line[512];
	int inside = 0;
	int found = 0;
	FILE *smaps;

	smaps = fopen("/proc/self/smaps", "r");
	if (smaps == NULL)
		return -1;
	memset(counts, 0, sizeof(*counts));
	while (fgets(line, sizeof(line), smaps) != NULL) {
		uintptr_t start, end;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &start, &end) == 2) {
			if (found)
				break;
			inside = (uintptr_t)addr >= start && (uintptr_t)addr < end;
			found = inside;
		} else if (inside) {
			parse_smaps_line(line, counts);
		}
	}
	if (ferror(smaps)) {
		int saved_errno = errno;

		fclose(smaps);
		errno = saved_errno;
		return -1;
	}
	fclose(smaps);
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* ---- The reader processes ------------------------------------------------ */

static _Noreturn void reader_fail(const struct reader_state *state, const char *what)
{
	fprintf(stderr, "%s: reader %c: %s: %s\n", program, state->name, what, strerror(errno));
	_exit(EXIT_FAILURE);
}

/* BY_READ: copy the page into a buffer of our own. BY_MMAP: map the page-cache page. */
static void reader_open(struct reader_state *state)
{
	if (state->mode == BY_READ) {
		ssize_t got;

		state->fd = open(state->path, O_RDONLY);
		if (state->fd == -1)
			reader_fail(state, "open");
		/*
		 * The buffer gets a private anonymous mapping of its own rather
		 * than a piece of the heap, so that smaps shows it as one entry.
		 */
		state->page = mmap(NULL, state->page_size, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (state->page == MAP_FAILED)
			reader_fail(state, "mmap of the buffer");
		got = tio_read_full(state->fd, state->page, state->page_size);
		if (got == -1)
			reader_fail(state, "tio_read_full");
		if ((size_t)got != state->page_size) {
			errno = EIO;
			reader_fail(state, "tio_read_full returned a short count");
		}
	} else {
		int fd = open(state->path, O_RDWR);

		if (fd == -1)
			reader_fail(state, "open");
		state->page = mmap(NULL, state->page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
				   fd, 0);
		if (state->page == MAP_FAILED)
			reader_fail(state, "mmap of the file");
		if (close(fd) == -1)
			reader_fail(state, "close");
		/* A mapping starts empty: the first touch faults the page in. */
		(void)*(volatile char *)state->page;
	}
}

/* Print where the page lives in this process; return its frame (0 if hidden). */
static uint64_t reader_report(const struct reader_state *state)
{
	struct smaps_counts counts;
	uint64_t frame;

	if (frame_of(state->page, state->page_size, &frame) == -1)
		reader_fail(state, "reading /proc/self/pagemap");
	if (smaps_of(state->page, &counts) == -1)
		reader_fail(state, "reading /proc/self/smaps");

	printf("  %c (pid %ld): %s at %p, ", state->name, (long)getpid(),
	       state->mode == BY_READ ? "buffer" : "mapping", (void *)state->page);
	if (frame != 0)
		printf("physical frame 0x%" PRIx64 "\n", frame);
	else
		printf("physical frame hidden\n");
	printf("      smaps: Size %ld kB, Rss %ld kB, Shared_Clean %ld kB, Shared_Dirty %ld kB,\n"
	       "             Private_Clean %ld kB, Private_Dirty %ld kB\n",
	       counts.size, counts.rss, counts.shared_clean, counts.shared_dirty,
	       counts.private_clean, counts.private_dirty);
	return frame;
}

/* Change the file's first line: with write() in part 1, through the mapping in part 2. */
static void reader_change(const struct reader_state *state)
{
	char line[LINE_WIDTH + 1];

	if (state->mode == BY_READ) {
		int fd;

		format_line(line, "CHANGED by reader A with write()");
		fd = open(state->path, O_WRONLY);
		if (fd == -1)
			reader_fail(state, "open for writing");
		if (tio_write_full(fd, line, LINE_WIDTH) == -1)
			reader_fail(state, "tio_write_full");
		if (close(fd) == -1)
			reader_fail(state, "close");
		print_first_line("A changes the file with write():", line);
	} else {
		format_line(line, "CHANGED by reader A through its mapping");
		memcpy(state->page, line, LINE_WIDTH);
		print_first_line("A stores into its mapping:", state->page);
	}
}

/* Show what B holds now; in part 1 also what a fresh read() returns. */
static void reader_look(struct reader_state *state)
{
	if (state->mode == BY_READ) {
		char fresh[LINE_WIDTH];
		ssize_t got;

		print_first_line("B's buffer still holds:", state->page);
		if (lseek(state->fd, 0, SEEK_SET) == -1)
			reader_fail(state, "lseek");
		got = tio_read_full(state->fd, fresh, sizeof(fresh));
		if (got == -1)
			reader_fail(state, "tio_read_full");
		if (got != (ssize_t)sizeof(fresh)) {
			errno = EIO;
			reader_fail(state, "tio_read_full returned a short count");
		}
		print_first_line("only a new read() brings:", fresh);
	} else {
		print_first_line("B's mapping already shows:", state->page);
	}
}

static void reader_close(struct reader_state *state)
{
	if (state->page != NULL && munmap(state->page, state->page_size) == -1)
		reader_fail(state, "munmap");
	state->page = NULL;
	if (state->fd != -1 && close(state->fd) == -1)
		reader_fail(state, "close");
	state->fd = -1;
}

/* A reader's whole life: obey commands until told to quit or the parent goes away. */
static _Noreturn void reader_main(struct reader_state *state, int command_fd, int reply_fd)
{
	for (;;) {
		uint64_t answer = 0;
		char command;
		ssize_t got;

		got = tio_read_full(command_fd, &command, 1);
		if (got == -1)
			reader_fail(state, "reading a command");
		if (got == 0)
			command = CMD_QUIT;
		switch (command) {
		case CMD_OPEN:
			reader_open(state);
			break;
		case CMD_REPORT:
			answer = reader_report(state);
			break;
		case CMD_CHANGE:
			reader_change(state);
			break;
		case CMD_LOOK:
			reader_look(state);
			break;
		default:
			reader_close(state);
			command = CMD_QUIT;
			break;
		}
		/* Flush before answering, so that the parent's next line comes after ours. */
		if (fflush(stdout) == EOF)
			reader_fail(state, "writing to standard output");
		if (got != 0 && tio_write_full(reply_fd, &answer, sizeof(answer)) == -1)
			reader_fail(state, "answering the parent");
		if (command == CMD_QUIT)
			_exit(EXIT_SUCCESS);
	}
}

/* ---- The parent ------------------------------------------------------------ */

/* Fork reader number `index` of `readers`, connected by two pipes. */
static int start_reader(struct reader *readers, int index, enum access_mode mode,
			const char *path, size_t page_size)
{
	struct reader *reader = &readers[index];
	int to_reader[2], to_parent[2];
	int saved_errno;
	pid_t pid;

	if (pipe(to_reader) == -1)
		return -1;
	if (pipe(to_parent) == -1)
		goto fail_close_first;
	if (fflush(stdout) == EOF)
		goto fail_close_both;
	pid = fork();
	if (pid == -1)
		goto fail_close_both;
	if (pid == 0) {
		struct reader_state state = { reader->name, mode, path, page_size, -1, NULL };

		/* Keep only our own ends: the parent's ends would hide its exit from us. */
		for (int i = 0; i < index; i++) {
			close(readers[i].command_fd);
			close(readers[i].reply_fd);
		}
		close(to_reader[1]);
		close(to_parent[0]);
		reader_main(&state, to_reader[0], to_parent[1]);
	}
	close(to_reader[0]);
	close(to_parent[1]);
	reader->pid = pid;
	reader->command_fd = to_reader[1];
	reader->reply_fd = to_parent[0];
	return 0;

fail_close_both:
	saved_errno = errno;
	close(to_parent[0]);
	close(to_parent[1]);
	errno = saved_errno;
fail_close_first:
	saved_errno = errno;
	close(to_reader[0]);
	close(to_reader[1]);
	errno = saved_errno;
	return -1;
}

/* Send one command and wait until the reader has carried it out. */
static int ask(struct reader *reader, char command, uint64_t *answer)
{
	uint64_t ignored;
	ssize_t got;

	if (fflush(stdout) == EOF)
		return -1;
	if (tio_write_full(reader->command_fd, &command, 1) == -1) {
		fprintf(stderr, "%s: sending a command to reader %c: %s\n", program,
			reader->name, strerror(errno));
		return -1;
	}
	got = tio_read_full(reader->reply_fd, answer != NULL ? answer : &ignored,
			    sizeof(uint64_t));
	if (got == -1) {
		fprintf(stderr, "%s: waiting for reader %c: %s\n", program, reader->name,
			strerror(errno));
		return -1;
	}
	if (got != (ssize_t)sizeof(uint64_t)) {
		fprintf(stderr, "%s: reader %c stopped unexpectedly\n", program, reader->name);
		return -1;
	}
	return 0;
}

/*
 * Close the pipes of every started reader (a reader that has not been told
 * to quit sees end of file and quits) and reap it. Returns -1 if any reader
 * failed.
 */
static int stop_readers(struct reader *readers, int count)
{
	int result = 0;

	for (int i = 0; i < count; i++) {
		int status;

		if (readers[i].pid == 0)
			continue;
		close(readers[i].command_fd);
		close(readers[i].reply_fd);
		while (waitpid(readers[i].pid, &status, 0) == -1) {
			if (errno != EINTR) {
				fprintf(stderr, "%s: waitpid: %s\n", program, strerror(errno));
				return -1;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			result = -1;
		readers[i].pid = 0;
	}
	return result;
}

static void explain_frames(enum access_mode mode, uint64_t frame_a, uint64_t frame_b)
{
	const char *verdict;

	if (frame_a == 0 || frame_b == 0) {
		printf("  -> frame numbers are hidden: only root sees them in pagemap.\n");
		if (mode == BY_READ)
			verdict = "In smaps each buffer is a page of Private_Dirty memory: a copy.";
		else
			verdict = "In smaps the page is Shared: both processes map the same page.";
		printf("     %s\n", verdict);
		return;
	}
	if (frame_a != frame_b)
		verdict = "different frames: read() gave each process a copy of its own.";
	else
		verdict = "the same frame: both page tables point at the one page-cache page.";
	printf("  -> %s\n", verdict);
}

/* Part 1 or 2: start A and B, let both get the page, report, change, look. */
static int run_part(enum access_mode mode, const char *path, size_t page_size)
{
	struct reader readers[2] = { { 'A', 0, -1, -1 }, { 'B', 0, -1, -1 } };
	struct reader *a = &readers[0], *b = &readers[1];
	uint64_t frame_a, frame_b;
	int result = -1;

	for (int i = 0; i < 2; i++) {
		if (start_reader(readers, i, mode, path, page_size) == -1) {
			fprintf(stderr, "%s: starting reader %c: %s\n", program, readers[i].name,
				strerror(errno));
			goto cleanup;
		}
	}
	/* Both get the page before either reports, so the counters see both. */
	if (ask(a, CMD_OPEN, NULL) == -1 || ask(b, CMD_OPEN, NULL) == -1)
		goto cleanup;
	if (ask(a, CMD_REPORT, &frame_a) == -1 || ask(b, CMD_REPORT, &frame_b) == -1)
		goto cleanup;
	explain_frames(mode, frame_a, frame_b);
	if (ask(a, CMD_CHANGE, NULL) == -1 || ask(b, CMD_LOOK, NULL) == -1)
		goto cleanup;
	if (ask(a, CMD_QUIT, NULL) == -1 || ask(b, CMD_QUIT, NULL) == -1)
		goto cleanup;
	result = 0;
cleanup:
	if (stop_readers(readers, 2) == -1)
		result = -1;
	return result;
}

/* Give the file its original page: a first line, then filler. */
static int write_original(int fd, size_t page_size)
{
	char line[LINE_WIDTH + 1];
	char *page;
	int result = -1;
	int saved_errno;

	page = malloc(page_size);
	if (page == NULL)
		return -1;
	memset(page, '.', page_size);
	for (size_t i = 63; i < page_size; i += 64)
		page[i] = '\n';
	format_line(line, "original text, written by the parent");
	memcpy(page, line, LINE_WIDTH);
	if (lseek(fd, 0, SEEK_SET) == -1)
		goto cleanup;
	if (tio_write_full(fd, page, page_size) == -1)
		goto cleanup;
	/* Written back to disk, the page-cache page starts clean in smaps. */
	if (fsync(fd) == -1)
		goto cleanup;
	result = 0;
cleanup:
	saved_errno = errno;
	free(page);
	errno = saved_errno;
	return result;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_PATH;
	size_t page_size = labkit_page_size();
	struct sigaction ignore;
	int status = EXIT_FAILURE;
	int fd;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [FILE]   (FILE must not exist; default %s)\n",
			argv[0], DEFAULT_PATH);
		return 2;
	}
	if (argc == 2)
		path = argv[1];
	program = argv[0];

	/* A reader that dies must give us EPIPE, not kill us with SIGPIPE. */
	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &ignore, NULL) == -1) {
		fprintf(stderr, "%s: sigaction: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd == -1) {
		fprintf(stderr, "%s: creating %s: %s\n", program, path, strerror(errno));
		return EXIT_FAILURE;
	}
	if (write_original(fd, page_size) == -1) {
		fprintf(stderr, "%s: writing %s: %s\n", program, path, strerror(errno));
		goto cleanup;
	}
	printf("%s: one page (%zu bytes) of %s, read by two processes, A and B.\n",
	       program, page_size, path);
	if (geteuid() != 0)
		printf("(not root: the kernel hides physical frame numbers from this process)\n");

	printf("\nPart 1: A and B each read() the page into a buffer of their own\n");
	if (run_part(BY_READ, path, page_size) == -1)
		goto cleanup;

	if (write_original(fd, page_size) == -1) {
		fprintf(stderr, "%s: writing %s: %s\n", program, path, strerror(errno));
		goto cleanup;
	}
	printf("\nPart 2: A and B each map the page with mmap(MAP_SHARED)\n");
	if (run_part(BY_MMAP, path, page_size) == -1)
		goto cleanup;
	status = EXIT_SUCCESS;

cleanup:
	if (close(fd) == -1) {
		fprintf(stderr, "%s: close: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (unlink(path) == -1) {
		fprintf(stderr, "%s: removing %s: %s\n", program, path, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (fflush(stdout) == EOF)
		status = EXIT_FAILURE;
	return status;
}
