/*
 * calls/lab03.c — lab 3's functions (private_map.h), as the judge calls them and the subject runs them.
 *
 * Compiled twice (calls.h): for the judge, each function of private_map.h
 * becomes a proxy of the same name, and each operation of lab03.h one of the
 * same kind; for the subject, the table of functions the stub runs. The
 * operations are the kit's own code: they build in the subject what a test
 * needs there (a mapping made without the student's code, a child that
 * shares a private mapping with its parent) and report raw observations.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls.h"
#include "lab03.h"
#include "private_map.h"

enum lab03_function {
	PM_MAP_PRIVATE,
	PM_UNMAP,
	PM_COW_PAGES,
	PM_PATCHED_CHECKSUM,
	SUBJECT_MAP,
	SUBJECT_UNMAP,
	SUBJECT_FORK_AND_STORE,
	SUBJECT_END_CHILD,
};

/* The most offsets subject_fork_and_store() looks at. */
#define MAX_LOOKS 64

#ifndef GRADE_SUBJECT_SIDE

void *pm_map_private(const char *path, size_t *len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_output(&call, len, sizeof(*len));
	return (void *)(uintptr_t)grade_call_run(&call, PM_MAP_PRIVATE);
}

int pm_unmap(void *addr, size_t len)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, addr);
	grade_call_scalar(&call, (int64_t)len);
	return (int)grade_call_run(&call, PM_UNMAP);
}

long pm_cow_pages(const void *addr)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, addr);
	return (long)grade_call_run(&call, PM_COW_PAGES);
}

int pm_patched_checksum(const char *path, off_t offset, unsigned char value, uint64_t *sum)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_output(&call, sum, sizeof(*sum));
	grade_call_scalar(&call, (int64_t)offset);
	grade_call_scalar(&call, value);
	return (int)grade_call_run(&call, PM_PATCHED_CHECKSUM);
}

void *subject_map_at(void *address, const char *path, size_t length, int prot, int flags)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_string(&call, path);
	grade_call_scalar(&call, (int64_t)length);
	grade_call_scalar(&call, prot);
	grade_call_scalar(&call, flags);
	grade_call_scalar(&call, (int64_t)(uintptr_t)address);
	return (void *)(uintptr_t)grade_call_run(&call, SUBJECT_MAP);
}

void *subject_map(const char *path, size_t length, int prot, int flags)
{
	return subject_map_at(NULL, path, length, prot, flags);
}

int subject_unmap(void *address, size_t length)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_address(&call, address);
	grade_call_scalar(&call, (int64_t)length);
	return (int)grade_call_run(&call, SUBJECT_UNMAP);
}

long subject_fork_and_store(void *map, size_t child_offset, unsigned char child_byte,
			    size_t parent_offset, unsigned char parent_byte, const uint64_t *look,
			    size_t count, unsigned char *views)
{
	struct grade_call call = GRADE_CALL_INIT;

	if (count == 0 || count > MAX_LOOKS) {
		errno = EINVAL;
		return -1;
	}
	grade_call_address(&call, map);
	grade_call_scalar(&call, (int64_t)child_offset);
	grade_call_scalar(&call, child_byte);
	grade_call_scalar(&call, (int64_t)parent_offset);
	grade_call_scalar(&call, parent_byte);
	grade_call_scalar(&call, (int64_t)count);
	grade_call_input(&call, look, count * sizeof(*look));
	grade_call_output(&call, views, 2 * count);
	return (long)grade_call_run(&call, SUBJECT_FORK_AND_STORE);
}

int subject_end_child(int *status)
{
	struct grade_call call = GRADE_CALL_INIT;

	grade_call_output(&call, status, sizeof(*status));
	return (int)grade_call_run(&call, SUBJECT_END_CHILD);
}

#else

static void *address_argument(const struct subject_arguments *a, unsigned index)
{
	return (void *)(uintptr_t)a->scalars[index];
}

static int64_t run_map_private(const struct subject_arguments *a)
{
	return (int64_t)(uintptr_t)pm_map_private(a->buffers[0], a->buffers[1]);
}

static int64_t run_unmap(const struct subject_arguments *a)
{
	return pm_unmap(address_argument(a, 0), (size_t)a->scalars[1]);
}

static int64_t run_cow_pages(const struct subject_arguments *a)
{
	return pm_cow_pages(address_argument(a, 0));
}

static int64_t run_patched_checksum(const struct subject_arguments *a)
{
	return pm_patched_checksum(a->buffers[0], (off_t)a->scalars[0],
				   (unsigned char)a->scalars[1], a->buffers[1]);
}

/* subject_map(): an mmap() of the kit's own, of a file or of anonymous memory. */
static int64_t run_subject_map(const struct subject_arguments *a)
{
	const char *path = a->buffers[0];
	int fd = -1;

	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (int64_t)(intptr_t)MAP_FAILED;
	void *map = mmap((void *)(uintptr_t)a->scalars[3], (size_t)a->scalars[0],
			 (int)a->scalars[1], (int)a->scalars[2], fd, 0);
	if (fd >= 0) {
		int mmap_errno = errno; /* what mmap() said, not close() */
		close(fd);
		errno = mmap_errno;
	}
	return (int64_t)(intptr_t)map;
}

static int64_t run_subject_unmap(const struct subject_arguments *a)
{
	return munmap(address_argument(a, 0), (size_t)a->scalars[1]);
}

/* The child of subject_fork_and_store(), kept until subject_end_child(). */
static pid_t kept_child = -1;
static int kept_command_fd = -1; /* closing it tells the child to end */

/* Read or write exactly len bytes on a pipe; 0 if the other end went away first. */
static int transfer_exactly(int fd, void *buffer, size_t len, int writing)
{
	size_t done = 0;

	while (done < len) {
		ssize_t moved = writing ? write(fd, (char *)buffer + done, len - done)
					: read(fd, (char *)buffer + done, len - done);

		if (moved < 0 && errno == EINTR)
			continue;
		if (moved <= 0)
			return 0;
		done += (size_t)moved;
	}
	return 1;
}

static void look_at(const volatile unsigned char *map, const uint64_t *look, size_t count,
		    unsigned char *seen)
{
	for (size_t i = 0; i < count; i++)
		seen[i] = map[look[i]];
}

/* The child: store, say so, wait for the parent's store, report what it sees, wait for the end. */
static _Noreturn void child_stores_and_reports(const struct subject_arguments *a,
					       int command_fd, int reply_fd)
{
	volatile unsigned char *map = address_argument(a, 0);
	size_t count = (size_t)a->scalars[5];
	unsigned char seen[MAX_LOOKS];
	char token = 'w';

	map[a->scalars[1]] = (unsigned char)a->scalars[2];
	if (!transfer_exactly(reply_fd, &token, 1, 1))
		_exit(2);
	if (!transfer_exactly(command_fd, &token, 1, 0))
		_exit(3);
	look_at(map, a->buffers[0], count, seen);
	if (!transfer_exactly(reply_fd, seen, count, 1))
		_exit(4);
	while (read(command_fd, &token, 1) > 0)
		continue; /* until subject_end_child() closes the pipe */
	_exit(0);
}

/*
 * The parent's side: wait for the child's store, store, let the child look,
 * then look. Returns whether the child reported; views gets both views.
 */
static int parent_stores(const struct subject_arguments *a, int command_fd, int reply_fd)
{
	volatile unsigned char *map = address_argument(a, 0);
	size_t count = (size_t)a->scalars[5];
	unsigned char *views = a->buffers[1];
	int reported = 0;
	char token;

	if (transfer_exactly(reply_fd, &token, 1, 0)) {
		map[a->scalars[3]] = (unsigned char)a->scalars[4];
		token = 'l';
		reported = transfer_exactly(command_fd, &token, 1, 1) &&
			   transfer_exactly(reply_fd, views, count, 0);
	}
	look_at(map, a->buffers[0], count, views + count);
	return reported;
}

static int64_t run_subject_fork_and_store(const struct subject_arguments *a)
{
	int to_child[2], to_parent[2];

	if ((size_t)a->scalars[5] > MAX_LOOKS || kept_child > 0) {
		errno = EINVAL;
		return -1;
	}
	if (pipe2(to_child, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(to_parent, O_CLOEXEC) != 0) {
		close(to_child[0]);
		close(to_child[1]);
		return -1;
	}
	pid_t child = fork();
	if (child == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		child_stores_and_reports(a, to_child[0], to_parent[1]);
	}
	int saved_errno = errno;
	close(to_child[0]);
	close(to_parent[1]);
	if (child < 0) {
		close(to_child[1]);
		close(to_parent[0]);
		errno = saved_errno;
		return -1;
	}
	kept_child = child;
	kept_command_fd = to_child[1];
	int reported = parent_stores(a, to_child[1], to_parent[0]);
	close(to_parent[0]);
	return reported;
}

static int64_t run_subject_end_child(const struct subject_arguments *a)
{
	int *status = a->buffers[0];
	pid_t done;

	if (kept_child <= 0) {
		errno = ECHILD;
		return -1;
	}
	close(kept_command_fd);
	kept_command_fd = -1;
	while ((done = waitpid(kept_child, status, 0)) < 0 && errno == EINTR)
		continue;
	kept_child = -1;
	return done < 0 ? -1 : 0;
}

static const subject_function lab03_functions[] = {
	[PM_MAP_PRIVATE] = run_map_private,
	[PM_UNMAP] = run_unmap,
	[PM_COW_PAGES] = run_cow_pages,
	[PM_PATCHED_CHECKSUM] = run_patched_checksum,
	[SUBJECT_MAP] = run_subject_map,
	[SUBJECT_UNMAP] = run_subject_unmap,
	[SUBJECT_FORK_AND_STORE] = run_subject_fork_and_store,
	[SUBJECT_END_CHILD] = run_subject_end_child,
};
GRADE_SUBJECT_FUNCTIONS(lab03_functions);

#endif
