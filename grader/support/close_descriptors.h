/*
 * close_descriptors.h — close every descriptor in a range, on any kernel.
 *
 * close_range() (Linux 5.9) does it in one call. Where the kernel is older, or
 * a container's seccomp profile refuses the call, the descriptors in use are
 * read from /proc/self/fd and closed one by one. That path allocates nothing
 * and calls only async-signal-safe functions, so it is safe between fork()
 * and exec(). The runner and the judge both include this header.
 */
#ifndef CLOSE_DESCRIPTORS_H
#define CLOSE_DESCRIPTORS_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every architecture */
#endif

/* One entry of getdents64(), as the kernel lays it out. */
struct descriptor_entry {
	uint64_t inode;
	int64_t next;
	unsigned short length;
	unsigned char type;
	char name[];
};

/* Close every open descriptor from first to last; 0, or -1 with errno. */
static inline int close_descriptors(unsigned first, unsigned last)
{
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM)
		return -1;
	int directory = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (directory < 0)
		return -1;
	/* The entries are ordered by number, so closing one never skips another. */
	char buffer[4096] __attribute__((aligned(8)));
	long got;
	while ((got = syscall(SYS_getdents64, directory, buffer, sizeof(buffer))) > 0) {
		for (long at = 0; at < got;) {
			struct descriptor_entry *entry = (struct descriptor_entry *)(buffer + at);
			unsigned number = 0;
			int digits = 0;
			for (const char *c = entry->name; *c >= '0' && *c <= '9'; c++, digits++)
				number = number * 10 + (unsigned)(*c - '0');
			if (digits > 0 && number != (unsigned)directory && number >= first &&
			    number <= last)
				close((int)number);
			at += entry->length;
		}
	}
	int saved_errno = errno;
	close(directory);
	errno = saved_errno;
	return got == 0 ? 0 : -1;
}

#endif /* CLOSE_DESCRIPTORS_H */
