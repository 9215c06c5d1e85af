/*
 * calls/lab06.h — the operations lab 6's tests have the subject carry out, besides
 * the three functions of page_faults.h.
 *
 * pf_probe() touches memory of the process that calls it and changes that
 * process's signal actions for a moment: so the mappings it probes, the
 * signal actions and mask it must leave as they were, and the child that
 * faults after it all have to be in the subject. These operations are the
 * kit's own code, run by the subject's stub like a student function; they
 * return raw observations only, and the judge decides. Compiled for both
 * sides: the structures are shared, the prototypes are the judge's proxies.
 * (pf_predict() and pf_usable_bytes() need no operation of their own: a grid
 * of 4,000 calls through their proxies takes under a tenth of a second.)
 */
#ifndef CALLS_LAB06_H
#define CALLS_LAB06_H

#include <stddef.h>
#include <stdint.h>

/* ---- Signal actions of the subject ------------------------------------------ */

/* A set of signals as bits: bit s - 1 is signal s, as in /proc/PID/status. */
#define SUBJECT_SIGNAL_BIT(signal_number) ((uint64_t)1 << ((signal_number) - 1))

/* Which handler an action has. */
enum subject_handler {
	SUBJECT_HANDLER_DEFAULT = 1, /* SIG_DFL */
	SUBJECT_HANDLER_IGNORE,      /* SIG_IGN */
	SUBJECT_HANDLER_KIT,         /* the kit's own handler in the subject */
	SUBJECT_HANDLER_OTHER,       /* any other function (the student's) */
};

/* One signal's action, as sigaction() reads it in the subject. */
struct subject_signal_action {
	uint64_t handler;      /* enum subject_handler */
	uint64_t address;      /* the handler's address in the subject */
	int64_t flags;         /* sa_flags */
	uint64_t mask;         /* sa_mask, as bits */
};

/* ---- A child of the subject that probes, then faults itself ------------------- */

struct subject_child_outcome {
	int64_t ended;  /* 1 if it ended before the time limit; 0 if it had to be killed */
	int64_t status; /* its wait status */
};

/* ---- The subject's own memory ---------------------------------------------- */

/* Which byte of memory the subject already has a probe touches. */
enum subject_own_memory {
	SUBJECT_MEMORY_STACK = 1, /* a local variable of the operation, SUBJECT_STACK_BYTE */
	SUBJECT_MEMORY_HEAP,      /* byte `offset` of a block from malloc(SUBJECT_HEAP_BLOCK) */
	SUBJECT_MEMORY_READ_ONLY, /* byte `offset` of a constant string in read-only data */
};

/* What the stack variable holds, and every byte of the heap block, before the probe. */
#define SUBJECT_STACK_BYTE 0x3c
#define SUBJECT_HEAP_BYTE 0xc3
#define SUBJECT_HEAP_BLOCK 64

#ifndef GRADE_SUBJECT_SIDE

/*
 * Map the file at path MAP_SHARED from offset 0 with length map_len and
 * protection prot, at the start of a PROT_NONE reservation one page longer
 * than the mapping's pages, so that the page after the mapping is certainly
 * inaccessible: touching it is SIGSEGV. Returns the mapping's subject address
 * (never to be dereferenced by the judge), or MAP_FAILED with errno. Undo it
 * with subject_unmap(address, whole pages of map_len + one page).
 */
void *subject_map_file_with_guard(const char *path, size_t map_len, int prot);

/* munmap(address, length) in the subject: 0, or -1 with errno. */
int subject_unmap(void *address, size_t length);

/*
 * Set the subject's action for signal_number with sigaction(): the default
 * action (SUBJECT_HANDLER_DEFAULT) or the kit's own handler
 * (SUBJECT_HANDLER_KIT: a three-argument one when flags has SA_SIGINFO), with
 * these sa_flags and this sa_mask (bits). The kit's handler puts the default
 * action back and returns, so that the faulting access is retried and kills
 * the subject: if it ever runs, a probe failed to catch a fault. 0, or -1 with
 * errno.
 */
int subject_set_signal_action(int signal_number, int handler, int flags, uint64_t mask);

/* Add one signal to the subject's signal mask (sigprocmask SIG_BLOCK): 0, or -1. */
int subject_block_signal(int signal_number);

/*
 * Take one signal out of the subject's signal mask (sigprocmask SIG_UNBLOCK):
 * 0, or -1. The tests that are not about the mask use it to undo a signal a
 * probe left blocked, so that the mistake costs only the test about it.
 */
int subject_unblock_signal(int signal_number);

/* Read the subject's action for signal_number into *action: 0, or -1 with errno. */
int subject_signal_action(int signal_number, struct subject_signal_action *action);

/*
 * Fork a child of the subject that calls pf_probe(read_probe, 0) and
 * pf_probe(write_probe, 1), then reads the byte at fault_address itself and
 * ends with _exit(0) if it survives. Wait up to timeout_ms for it (killing it
 * with SIGKILL after that) and store whether it ended and its wait status.
 * 0, or -1 with errno if it could not be forked or waited for.
 */
int subject_fork_probe_then_fault(const volatile void *read_probe,
				  const volatile void *write_probe,
				  const volatile void *fault_address, long timeout_ms,
				  struct subject_child_outcome *outcome);

/*
 * Call pf_probe(byte, write) on a byte of memory the subject already has (enum
 * subject_own_memory; a stack variable exists only while the operation runs),
 * and store that byte as it is after the probe in *value_after. Returns what
 * pf_probe returned, with its errno (-1 with EINVAL or ENOMEM if the operation
 * has no such byte, which only a mistake of the suite's can cause).
 */
int subject_probe_own_memory(int which, size_t offset, int write, unsigned char *value_after);

#endif /* GRADE_SUBJECT_SIDE */

#endif /* CALLS_LAB06_H */
