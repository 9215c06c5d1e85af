/*
 * procfs.c — the kernel's view of the subject, read by the judge from /proc/PID.
 *
 * Counts the subject's open descriptors (/proc/PID/fd), mapped bytes
 * (/proc/PID/maps) and read()/write() system calls (/proc/PID/io), so that a
 * test can compare before and after a call of the student's code and prove
 * that nothing was left behind, or that no read() happened at all, whatever
 * way the code tried to make it. Also sets the subject's resource limits
 * (prlimit). Everything here is read from outside the subject: the student's
 * code cannot change what the kernel reports.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader.h"
#include "subject_protocol.h"
#include "support_internal.h"

/* "/proc/PID/what" for the subject, in a static buffer. */
static const char *subject_file(const char *what)
{
	static char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)grade_subject_pid(), what);
	return path;
}

#define MAX_LISTED_DESCRIPTORS 1024
#define MESSAGE_LIST_MAX 600

/* ---- Descriptors ------------------------------------------------------- */

/* Open descriptors below MAX_LISTED_DESCRIPTORS at the last grade_resources_now(). */
static unsigned char open_at_snapshot[MAX_LISTED_DESCRIPTORS];
static int snapshot_descriptors = -1;

/* Call visit(fd) for every open descriptor but the one used to look; returns their count. */
static int for_each_descriptor(void (*visit)(int fd, void *context), void *context)
{
	DIR *dir = opendir(subject_file("fd"));
	struct dirent *entry;
	int count = 0;

	if (dir == NULL)
		grade_setup_failed("cannot list %s", subject_file("fd"));
	while ((entry = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(entry->d_name, &end, 10);

		if (entry->d_name[0] == '.' || *end != '\0')
			continue;
		count++;
		if (visit != NULL)
			visit((int)fd, context);
	}
	closedir(dir);
	return count;
}

int grade_open_descriptors(void)
{
	return for_each_descriptor(NULL, NULL);
}

static void remember_descriptor(int fd, void *context)
{
	(void)context;
	if (fd >= 0 && fd < MAX_LISTED_DESCRIPTORS)
		open_at_snapshot[fd] = 1;
}

/* The current directory, to show the test's files by their short names. */
static const char *current_directory(void)
{
	static char path[4096];

	if (getcwd(path, sizeof(path)) == NULL)
		path[0] = '\0';
	return path;
}

/* "src" for a file in the current directory, the full path for anything else. */
static const char *short_path(const char *path)
{
	const char *cwd = current_directory();
	size_t cwd_len = strlen(cwd);

	if (cwd_len > 0 && strncmp(path, cwd, cwd_len) == 0 && path[cwd_len] == '/')
		return path + cwd_len + 1;
	return path;
}

struct descriptor_list {
	char text[MESSAGE_LIST_MAX];
	int use_snapshot;
};

/* Append "fd 3 -> src" for a descriptor that is new since the snapshot. */
static void list_descriptor(int fd, void *context)
{
	struct descriptor_list *list = context;
	char link[64], target[4096];
	size_t used = strlen(list->text);

	if (fd <= 2 || fd == SUBJECT_CALL_FD)
		return;
	if (list->use_snapshot && fd < MAX_LISTED_DESCRIPTORS && open_at_snapshot[fd])
		return;
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)grade_subject_pid(), fd);
	ssize_t len = readlink(link, target, sizeof(target) - 1);
	target[len > 0 ? len : 0] = '\0';
	snprintf(list->text + used, sizeof(list->text) - used, "%sfd %d -> %s",
		 used > 0 ? ", " : "", fd, short_path(target));
}

/* ---- Mappings -------------------------------------------------------- */

struct mapping_line {
	uintptr_t start, end;
	const char *perms;
	const char *path; /* "" for an anonymous mapping */
};

/* Parse one line of /proc/PID/maps in place; 0 if it is not one. */
static int parse_mapping_line(char *line, struct mapping_line *mapping)
{
	char *cursor = line;
	int field;

	mapping->start = (uintptr_t)strtoull(cursor, &cursor, 16);
	if (*cursor++ != '-')
		return 0;
	mapping->end = (uintptr_t)strtoull(cursor, &cursor, 16);
	while (*cursor == ' ')
		cursor++;
	mapping->perms = cursor;
	/* perms, offset, device and inode, then the path (none for anonymous memory) */
	for (field = 0; field < 4; field++) {
		char *space = strchr(cursor, ' ');

		if (space == NULL) {
			cursor += strlen(cursor);
			break;
		}
		*space = '\0';
		cursor = space + 1;
		while (*cursor == ' ')
			cursor++;
	}
	mapping->path = cursor;
	return field >= 3; /* the inode may end the line */
}

/* The heap, the stack and the kernel's own pages are not the student's mappings. */
static int is_process_area(const char *path)
{
	static const char *const areas[] = { "[heap]", "[stack", "[vvar", "[vdso]",
					     "[vsyscall]" };

	for (size_t i = 0; i < GRADE_COUNT(areas); i++)
		if (strncmp(path, areas[i], strlen(areas[i])) == 0)
			return 1;
	return 0;
}

/*
 * Call visit() for every line of a /proc file. The lines are read with the
 * real read() into a stack buffer: no malloc, so that it works under a tight
 * RLIMIT_DATA and does not itself change the mappings it may be measuring.
 */
static void for_each_line(const char *path, void (*visit)(char *line, void *), void *context)
{
	char buffer[8192];
	size_t used = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		grade_setup_failed("cannot open %s", path);
	for (;;) {
		ssize_t got = read(fd, buffer + used, sizeof(buffer) - 1 - used);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		used += (size_t)got;
		buffer[used] = '\0';

		char *line = buffer, *newline;
		while ((newline = strchr(line, '\n')) != NULL) {
			*newline = '\0';
			visit(line, context);
			line = newline + 1;
		}
		used = strlen(line);
		memmove(buffer, line, used);
		if (used == sizeof(buffer) - 1)
			used = 0; /* no line is this long; drop it rather than stall */
	}
	close(fd);
}

struct mapping_visit {
	void (*visit)(const struct mapping_line *, void *);
	void *context;
};

static void visit_mapping_line(char *line, void *context)
{
	struct mapping_visit *visit = context;
	struct mapping_line mapping;

	if (parse_mapping_line(line, &mapping))
		visit->visit(&mapping, visit->context);
}

/* Call visit() for every line of /proc/PID/maps. */
static void for_each_mapping(void (*visit)(const struct mapping_line *, void *), void *context)
{
	struct mapping_visit adapter = { visit, context };

	for_each_line(subject_file("maps"), visit_mapping_line, &adapter);
}

static void add_mapped_bytes(const struct mapping_line *mapping, void *context)
{
	size_t *total = context;

	if (!is_process_area(mapping->path))
		*total += mapping->end - mapping->start;
}

size_t grade_mapped_bytes(void)
{
	size_t total = 0;

	for_each_mapping(add_mapped_bytes, &total);
	return total;
}

/* Append "7f..-7f.. r--s src" for a mapping of a file in the current directory. */
static void list_test_file_mapping(const struct mapping_line *mapping, void *context)
{
	char *text = context;
	size_t used = strlen(text);
	const char *name = short_path(mapping->path);

	if (mapping->path[0] != '/' || name == mapping->path)
		return;
	snprintf(text + used, MESSAGE_LIST_MAX - used, "%s%" PRIxPTR "-%" PRIxPTR " %s %s",
		 used > 0 ? ", " : "", mapping->start, mapping->end, mapping->perms, name);
}

/* ---- /proc/PID/smaps --------------------------------------------------- */

struct smaps_search {
	uintptr_t address;
	const char *field; /* "Anonymous:" */
	int inside;        /* the lines being read belong to the mapping that holds address */
	long kib;
};

static void find_smaps_field(char *line, void *context)
{
	struct smaps_search *search = context;
	struct mapping_line mapping;
	size_t field_len = strlen(search->field);

	if (parse_mapping_line(line, &mapping)) {
		search->inside = mapping.start <= search->address && search->address < mapping.end;
		if (search->inside && search->kib < 0)
			search->kib = 0; /* found; a field the kernel omits counts as 0 */
	} else if (search->inside && strncmp(line, search->field, field_len) == 0) {
		search->kib = strtol(line + field_len, NULL, 10);
	}
}

long grade_smaps_kib(const void *address, const char *field)
{
	struct smaps_search search = { (uintptr_t)address, field, 0, -1 };

	for_each_line(subject_file("smaps"), find_smaps_field, &search);
	return search.kib;
}

/* ---- Kernel I/O counters ------------------------------------------------ */

static uint64_t io_field(const char *text, const char *name)
{
	const char *found = strstr(text, name);

	if (found == NULL)
		grade_setup_failed("no %s in /proc/PID/io", name);
	return strtoull(found + strlen(name), NULL, 10);
}

struct grade_io_counts grade_io_counts(void)
{
	char text[2048];
	size_t used = 0;
	int fd = open(subject_file("io"), O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		grade_setup_failed("cannot open %s", subject_file("io"));
	for (;;) {
		ssize_t got = read(fd, text + used, sizeof(text) - 1 - used);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		used += (size_t)got;
		/* The file is a few short lines: one read() returns it all. */
		if (used >= 64 && text[used - 1] == '\n')
			break;
	}
	close(fd);
	text[used] = '\0';

	/* The stub's recvmsg() and sendmsg() are not counted as reads or writes. */
	return (struct grade_io_counts){
		.read_calls = io_field(text, "syscr:"),
		.write_calls = io_field(text, "syscw:"),
	};
}

/* ---- Before and after ------------------------------------------------------- */

/* Descriptors and mapped bytes; `remember` also keeps which descriptors are open. */
static struct grade_resources take_resources(int remember)
{
	struct grade_resources now;

	if (remember) {
		memset(open_at_snapshot, 0, sizeof(open_at_snapshot));
		now.descriptors = for_each_descriptor(remember_descriptor, NULL);
		snapshot_descriptors = now.descriptors;
	} else {
		now.descriptors = grade_open_descriptors();
	}
	now.mapped_bytes = grade_mapped_bytes();
	return now;
}

struct grade_resources grade_resources_now(void)
{
	return take_resources(1);
}

static const char *describe_left_descriptors(int left, int before)
{
	struct descriptor_list list = { .text = "", .use_snapshot = 0 };

	/* The last snapshot is `before` if the counts agree: list only the new ones. */
	list.use_snapshot = snapshot_descriptors == before;
	for_each_descriptor(list_descriptor, &list);
	return grade_format("%d descriptor%s left open (%s)", left, left == 1 ? "" : "s",
			    list.text[0] != '\0' ? list.text : "no details");
}

static const char *describe_left_mappings(size_t left)
{
	char files[MESSAGE_LIST_MAX] = "";

	for_each_mapping(list_test_file_mapping, files);
	if (files[0] == '\0')
		return grade_format("%zu more bytes mapped than before", left);
	return grade_format("%zu more bytes mapped than before (still mapped: %s)", left, files);
}

void grade_expect_no_leak(struct grade_resources before, const char *call, const char *hint)
{
	struct grade_resources after = take_resources(0);
	const char *descriptors = "", *mappings = "";
	int left_descriptors = after.descriptors - before.descriptors;

	if (left_descriptors > 0)
		descriptors = describe_left_descriptors(left_descriptors, before.descriptors);
	if (after.mapped_bytes > before.mapped_bytes)
		mappings = describe_left_mappings(after.mapped_bytes - before.mapped_bytes);
	if (descriptors[0] == '\0' && mappings[0] == '\0')
		return;
	grade_fail(hint,
		   "expected: %s to close every descriptor it opened and unmap every mapping "
		   "it made\nobserved: %s%s%s",
		   call, descriptors, descriptors[0] != '\0' && mappings[0] != '\0' ? "; " : "",
		   mappings);
}

/* ---- Limits ------------------------------------------------------------------ */

void grade_set_limit(int resource, rlim_t value)
{
	struct rlimit limit = { value, value };

	if (prlimit(grade_subject_pid(), resource, &limit, NULL) != 0)
		grade_setup_failed("cannot set resource limit %d to %ju", resource,
				   (uintmax_t)value);
}
