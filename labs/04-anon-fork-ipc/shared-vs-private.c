/*
 * shared-vs-private.c — after fork(), only a shared mapping carries a store back.
 *
 * The program sets up three integers, each holding 100: one in memory from
 * your ai_alloc_shared() (MAP_SHARED|MAP_ANONYMOUS), one in a MAP_PRIVATE
 * anonymous mapping it makes itself, and an ordinary global variable. It
 * forks; the child stores 2000 into all three and exits; the parent waits for
 * the child with waitpid() (not with sleep(), which only hopes the child has
 * run) and prints what it sees. Through the shared mapping it sees the
 * child's 2000; through the private mapping and in the global variable it
 * still sees 100, because fork() made those copy-on-write and the child's
 * stores went into its own copies. Usage: `shared-vs-private` (no arguments).
 * Exit status 0 when the parent saw exactly that, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anon_ipc.h"

#define BEFORE 100
#define CHILD_STORES 2000

static const char *program = "shared-vs-private";
static int global_variable = BEFORE;

/* Fork a child that stores CHILD_STORES into all three, and wait for it; 0 or -1. */
static int child_stores(int *shared, int *private_copy)
{
	int status;
	pid_t child;

	/* Flushed now, or the child would print the parent's buffered lines again. */
	child = fflush(stdout) == EOF ? -1 : fork();
	if (child == -1) {
		fprintf(stderr, "%s: fork: %s\n", program, strerror(errno));
		return -1;
	}
	if (child == 0) {
		*shared = CHILD_STORES;
		*private_copy = CHILD_STORES;
		global_variable = CHILD_STORES;
		printf("  child  stored %d; it sees: shared %d, private %d, global %d\n",
		       CHILD_STORES, *shared, *private_copy, global_variable);
		_exit(fflush(stdout) == EOF ? EXIT_FAILURE : EXIT_SUCCESS);
	}
	while (waitpid(child, &status, 0) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", program, strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: the child did not exit with status 0\n", program);
		return -1;
	}
	return 0;
}

/* Print one line of the parent's view; 1 if it saw what it should. */
static int show(const char *what, int seen, int expected, const char *why)
{
	printf("  parent sees %-36s %5d  (%s)\n", what, seen,
	       seen == expected ? why : "unexpected!");
	return seen == expected;
}

int main(int argc, char **argv)
{
	int *shared, *private_copy;
	int status = EXIT_FAILURE;

	program = argv[0];
	if (argc != 1) {
		fprintf(stderr, "usage: %s   (no arguments)\n", program);
		return 2;
	}
	shared = ai_alloc_shared(sizeof(*shared));
	if (shared == NULL) {
		fprintf(stderr, "%s: ai_alloc_shared: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	private_copy = mmap(NULL, sizeof(*private_copy), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (private_copy == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", program, strerror(errno));
		goto free_shared;
	}
	*shared = BEFORE;
	*private_copy = BEFORE;
	printf("  parent set shared, private and global to %d, then fork()\n", BEFORE);
	if (child_stores(shared, private_copy) == 0) {
		int ok = show("through the MAP_SHARED mapping:", *shared, CHILD_STORES,
			      "the child's store: one page, two processes");
		ok &= show("through the MAP_PRIVATE mapping:", *private_copy, BEFORE,
			   "the child stored into its own copy");
		ok &= show("in the global variable:", global_variable, BEFORE,
			   "the child stored into its own copy");
		if (ok)
			status = EXIT_SUCCESS;
		else
			printf("  -> is the memory from ai_alloc_shared() really MAP_SHARED?\n");
	}
	if (munmap(private_copy, sizeof(*private_copy)) == -1) {
		fprintf(stderr, "%s: munmap: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
free_shared:
	if (ai_free_shared(shared, sizeof(*shared)) == -1) {
		fprintf(stderr, "%s: ai_free_shared: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
