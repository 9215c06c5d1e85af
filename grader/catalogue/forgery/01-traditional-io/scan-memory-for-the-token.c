/*
 * Forgery: the first mmap() scans memory for the token and reports it on descriptor 63
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: no
 *
 * No constructor. The first mmap() of the process (the grader's stub makes one
 * to hold a call's arguments) scans every writable mapping for 32 hexadecimal
 * digits in a row, the shape of the runner's token. If it finds one it writes
 * "PASS <token>" to descriptor 63, where the runner's channel used to be, and
 * ends the process with _exit(0). It then maps as asked.
 *
 * The token lives only in the judge, which the subject cannot read: nothing
 * is found. (Reading /proc/self/maps during a call is itself a read() that
 * lab 1's tests count, so the attack would cost a correct solution points.)
 */
#include <ctype.h>
#include <stdio.h>
#include <sys/syscall.h>

/* A run of 32 hexadecimal digits in [start, end), or NULL. */
static const char *forgery_find_token(const char *start, const char *end)
{
	size_t run = 0;

	for (const char *p = start; p < end; p++) {
		run = isxdigit((unsigned char)*p) ? run + 1 : 0;
		if (run == 32)
			return p - 31;
	}
	return NULL;
}

static void forgery_scan_once(void)
{
	static int scanned;
	char line[512];
	FILE *maps;

	if (scanned++)
		return;
	maps = fopen("/proc/self/maps", "r");
	while (maps != NULL && fgets(line, sizeof(line), maps) != NULL) {
		unsigned long start, end;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3 || perms[0] != 'r' ||
		    perms[1] != 'w')
			continue;
		const char *token = forgery_find_token((const char *)start, (const char *)end);
		if (token != NULL) {
			char verdict[64];
			int len = snprintf(verdict, sizeof(verdict), "PASS %.32s\n", token);
			(void)!write(63, verdict, (size_t)len);
			_exit(0);
		}
	}
	if (maps != NULL)
		fclose(maps);
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	forgery_scan_once();
	return (void *)syscall(SYS_mmap, addr, length, prot, flags, fd, offset);
}
