/*
 * father-son.c — a parent and its child exchange messages through shared memory.
 *
 * The program gets a small block of shared memory from your ai_alloc_shared()
 * and forks. The memory holds a message buffer and two process-shared
 * semaphores, one for each side: a side writes its message into the buffer,
 * posts the other side's semaphore, and waits on its own until the answer is
 * there. Nobody sleeps and hopes the other has finished, as the source
 * article's version does: each wait ends exactly when the other side has
 * written. The parent speaks first; they exchange ROUNDS messages each
 * (3 unless given), and the parent reaps the child at the end. Usage:
 * `father-son [ROUNDS]`. Exit status 0 when every message arrived, 1 on any
 * error, 2 for a bad command line.
 */
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anon_ipc.h"

#define DEFAULT_ROUNDS 3
#define MAX_ROUNDS 1000

/* What the two processes share: whose turn it is to read, and the message itself. */
struct mailbox {
	sem_t for_parent; /* posted when a message for the parent is in text */
	sem_t for_child;  /* posted when a message for the child is in text */
	char text[128];
};

static const char *program = "father-son";

/* Wait on a semaphore, again after a signal; 0 or -1 with errno. */
static int wait_for(sem_t *message)
{
	while (sem_wait(message) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Print what arrived, write the answer and hand it over; 0 or -1. */
static int read_and_answer(struct mailbox *box, const char *who, const char *reply, int round,
			   sem_t *to_other)
{
	printf("%-6s got: %s\n", who, box->text);
	if (fflush(stdout) == EOF)
		return -1;
	snprintf(box->text, sizeof(box->text), "%s (%d)", reply, round);
	return sem_post(to_other);
}

/* The child: wait for each message, print it, answer it; then _exit, never return. */
static _Noreturn void child_main(struct mailbox *box, int rounds)
{
	for (int round = 1; round <= rounds; round++) {
		if (wait_for(&box->for_child) == -1 ||
		    read_and_answer(box, "child", "hello back from the child", round,
				    &box->for_parent) == -1) {
			fprintf(stderr, "%s: child: %s\n", program, strerror(errno));
			_exit(EXIT_FAILURE);
		}
	}
	_exit(EXIT_SUCCESS);
}

/* The parent: write the first message, then wait for each answer. 0 or -1. */
static int parent_main(struct mailbox *box, int rounds)
{
	snprintf(box->text, sizeof(box->text), "hello from the parent (1)");
	if (sem_post(&box->for_child) == -1)
		return -1;
	for (int round = 1; round <= rounds; round++) {
		if (wait_for(&box->for_parent) == -1)
			return -1;
		if (round == rounds) {
			printf("%-6s got: %s\n", "parent", box->text);
			return fflush(stdout) == EOF ? -1 : 0;
		}
		if (read_and_answer(box, "parent", "hello from the parent", round + 1,
				    &box->for_child) == -1)
			return -1;
	}
	return 0;
}

/* Fork, talk, reap; 0 if both sides got every message and the child exited with 0. */
static int talk(struct mailbox *box, int rounds)
{
	int status, result;
	pid_t child;

	/* Flushed now, or the child would print the parent's buffered lines again. */
	child = fflush(stdout) == EOF ? -1 : fork();
	if (child == -1) {
		fprintf(stderr, "%s: fork: %s\n", program, strerror(errno));
		return -1;
	}
	if (child == 0)
		child_main(box, rounds);
	result = parent_main(box, rounds);
	if (result == -1) {
		fprintf(stderr, "%s: parent: %s\n", program, strerror(errno));
		kill(child, SIGKILL); /* it would wait for a message that never comes */
	}
	while (waitpid(child, &status, 0) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", program, strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		result = -1;
	return result;
}

int main(int argc, char **argv)
{
	struct mailbox *box;
	int rounds = DEFAULT_ROUNDS, status = EXIT_FAILURE;
	char *end;

	program = argv[0];
	if (argc > 2) {
		fprintf(stderr, "usage: %s [ROUNDS]   (1 to %d, default %d)\n", program,
			MAX_ROUNDS, DEFAULT_ROUNDS);
		return 2;
	}
	if (argc == 2) {
		long value = strtol(argv[1], &end, 10);

		if (*argv[1] == '\0' || *end != '\0' || value < 1 || value > MAX_ROUNDS) {
			fprintf(stderr, "%s: ROUNDS must be a number from 1 to %d\n", program,
				MAX_ROUNDS);
			return 2;
		}
		rounds = (int)value;
	}
	box = ai_alloc_shared(sizeof(*box));
	if (box == NULL) {
		fprintf(stderr, "%s: ai_alloc_shared: %s\n", program, strerror(errno));
		return EXIT_FAILURE;
	}
	if (sem_init(&box->for_parent, 1, 0) == -1 || sem_init(&box->for_child, 1, 0) == -1) {
		fprintf(stderr, "%s: sem_init: %s\n", program, strerror(errno));
	} else {
		if (talk(box, rounds) == 0)
			status = EXIT_SUCCESS;
		sem_destroy(&box->for_parent);
		sem_destroy(&box->for_child);
	}
	if (ai_free_shared(box, sizeof(*box)) == -1) {
		fprintf(stderr, "%s: ai_free_shared: %s\n", program, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
