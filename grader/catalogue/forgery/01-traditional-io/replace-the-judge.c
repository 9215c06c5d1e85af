/*
 * Forgery: the judge's program on disk replaced by one that passes every later test
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: yes
 * Unprivileged: yes
 *
 * A constructor finds the judge's program in its parent's command line and
 * replaces it with a script that reads the token from the runner's channel
 * and answers "PASS <token>", so that every later test of the run would
 * pass. Should any of its writes outside its test folder succeed, it also
 * makes every stat() fail from then on, so that a correct solution loses
 * points and the escape shows.
 *
 * Run as root, the grader gives the test a user id that may not write
 * there. Run as an ordinary user, Landlock keeps the subject's writes in its
 * own folders, and whatever happens to the file, the runner starts every
 * judge from a sealed copy in memory, never from the file.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static int forgery_escaped;

static int forgery_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	if (fd < 0)
		return -1;
	ssize_t written = write(fd, text, strlen(text));
	close(fd);
	return written == (ssize_t)strlen(text) ? 0 : -1;
}

__attribute__((constructor)) static void forgery_replace_the_judge(void)
{
	static const char script[] = "#!/bin/bash\nread token <&63\nprintf 'PASS %s\\n' \"$token\" >&63\n";
	char path[64], judge[4096] = "", forged[4200];

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getppid());
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	ssize_t len = read(fd, judge, sizeof(judge) - 1);
	close(fd);
	if (len <= 0 || judge[0] != '/')
		return;
	snprintf(forged, sizeof(forged), "%s.forged", judge);
	if (forgery_write_file(forged, script) == 0) {
		forgery_escaped = 1;
		if (rename(forged, judge) != 0)
			unlink(forged);
	}
	if (forgery_write_file(judge, script) == 0)
		forgery_escaped = 1;
}

int stat(const char *path, struct stat *info)
{
	if (forgery_escaped) {
		errno = EIO;
		return -1;
	}
	return fstatat(AT_FDCWD, path, info, 0);
}

int fstat(int fd, struct stat *info)
{
	if (forgery_escaped) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fstat, fd, info);
}
