/*
 * fsutil.c — removing untrusted trees, copying files, reading small files.
 *
 * Everything here works relative to directory descriptors (openat/unlinkat)
 * with O_NOFOLLOW, so a symbolic link planted by a test is removed, never
 * followed: grading must not be a way to delete or read the grader's files.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

static int remove_children(int directory);

/* Remove the entry `name` of `parent`, whatever it is. */
static int remove_entry(int parent, const char *name)
{
	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;

	int directory = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (directory < 0 && errno == EACCES) {
		/* A test may leave a directory with mode 000: give it back to ourselves. */
		if (fchmodat(parent, name, 0700, 0) == 0)
			directory = openat(parent, name,
					   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (directory < 0)
		return -1;
	fchmod(directory, 0700); /* so that its entries can be unlinked */
	int status = remove_children(directory);
	close(directory);
	if (status == 0 && unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		status = -1;
	return status;
}

static int remove_children(int directory)
{
	int copy = dup(directory);
	if (copy < 0)
		return -1;
	DIR *listing = fdopendir(copy);
	if (listing == NULL) {
		close(copy);
		return -1;
	}
	int status = 0;
	struct dirent *entry;
	while ((entry = readdir(listing)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		if (remove_entry(directory, entry->d_name) != 0)
			status = -1;
	}
	closedir(listing);
	return status;
}

int remove_tree(const char *path)
{
	return remove_entry(AT_FDCWD, path);
}

int copy_from_descriptor(int in, const char *dst, mode_t mode)
{
	char buffer[65536];
	int status = -1, saved_errno;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);

	if (out < 0)
		return -1;
	for (;;) {
		ssize_t got = read(in, buffer, sizeof(buffer));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto close_out;
		if (got == 0)
			break;
		for (ssize_t done = 0; done < got;) {
			ssize_t put = write(out, buffer + done, (size_t)(got - done));
			if (put < 0 && errno == EINTR)
				continue;
			if (put < 0)
				goto close_out;
			done += put;
		}
	}
	status = fchmod(out, mode);
close_out:
	saved_errno = errno;
	if (close(out) != 0 && status == 0)
		return -1;
	errno = saved_errno;
	return status;
}

int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (in < 0)
		return -1;
	int status = copy_from_descriptor(in, dst, mode);
	int saved_errno = errno;
	close(in);
	errno = saved_errno;
	return status;
}

int sealed_copy(const char *src, const char *name)
{
	char buffer[65536];
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = -1;
	ssize_t got;

	if (in < 0)
		return -1;
#ifdef MFD_EXEC
	out = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
#endif
	if (out < 0) /* kernels before 6.3 know no MFD_EXEC: their memfds are executable */
		out = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (out < 0)
		goto fail;
	while ((got = read(in, buffer, sizeof(buffer))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || write(out, buffer, (size_t)got) != got)
			goto fail;
	}
	if (fcntl(out, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
		goto fail;
	close(in);
	return out;
fail:;
	int saved_errno = errno;
	close(in);
	if (out >= 0)
		close(out);
	errno = saved_errno;
	return -1;
}

char *read_small_file(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *text = malloc(max + 1);
	size_t used = 0;
	while (text != NULL && used < max) {
		ssize_t got = read(fd, text + used, max - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(text);
			text = NULL;
		}
		if (got <= 0)
			break;
		used += (size_t)got;
	}
	close(fd);
	if (text != NULL)
		text[used] = '\0';
	return text;
}

int make_directory(const char *path, mode_t mode, uid_t owner, gid_t group)
{
	if (mkdir(path, 0700) != 0)
		return -1;
	if (chown(path, owner, group) != 0 || chmod(path, mode) != 0) {
		int saved_errno = errno;
		rmdir(path);
		errno = saved_errno;
		return -1;
	}
	return 0;
}

int path_join(char *out, size_t size, const char *directory, const char *name)
{
	int len = snprintf(out, size, "%s/%s", directory, name);

	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
