/*
 * Forgery: the kit's files searched for expected values and verdicts
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: yes
 *
 * A constructor reads what the kit leaves within reach (the judge's program
 * beside the subject, the lab's headers, the folders around it) for anything
 * that looks like an expected value or a verdict, and writes every 32-digit
 * hexadecimal string and every "PASS" line it finds to each of its
 * descriptors.
 *
 * Expected values are made when a test runs and the token when it starts;
 * none of them is in a file. Knowing the tests' code does not make a test
 * pass: the judge checks what the kernel shows.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>

static void forgery_relay(const char *text, size_t len)
{
	for (int fd = 3; fd < 256; fd++)
		if (fd != 200)
			(void)!write(fd, text, len);
}

static void forgery_search(const char *path)
{
	static char content[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, content, sizeof(content)) : -1;
	size_t run = 0;

	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i < len; i++) {
		run = isxdigit((unsigned char)content[i]) ? run + 1 : 0;
		if (run == 32)
			forgery_relay(content + i - 31, 32);
		if (i + 5 <= len && memcmp(content + i, "PASS ", 5) == 0)
			forgery_relay(content + i, 5);
	}
}

__attribute__((constructor)) static void forgery_read_the_kit(void)
{
	char judge[4096] = "", path[8192];
	DIR *folder;
	struct dirent *entry;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getppid());
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		(void)!read(fd, judge, sizeof(judge) - 1);
		close(fd);
	}
	forgery_search(judge);
	char *slash = strrchr(judge, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/include", judge);
	folder = opendir(path);
	while (folder != NULL && (entry = readdir(folder)) != NULL) {
		snprintf(path, sizeof(path), "%s/include/%s", judge, entry->d_name);
		forgery_search(path);
	}
	if (folder != NULL)
		closedir(folder);
}
