/*
 * calls/lab03.h — the operations lab 3's tests have done inside the subject.
 *
 * Kit code, not student code: each is an entry of lab 3's call table
 * (calls/lab03.c) that the judge calls like a student function and that the
 * subject's stub runs. They return raw observations only. Every address they
 * take or return is a SUBJECT address, for grade_subject_read/write and the
 * student's functions, never for the judge to dereference.
 */
#ifndef CALLS_LAB03_H
#define CALLS_LAB03_H

#include <stddef.h>
#include <stdint.h>

/*
 * mmap(NULL, length, prot, flags, fd, 0) in the subject, where fd is the file
 * at path opened O_RDONLY (and closed again at once), or -1 when path is NULL
 * (flags then include MAP_ANONYMOUS). The judge's watch records this mmap()
 * like any other of the subject's. Returns the subject address of the
 * mapping, or MAP_FAILED with mmap()'s (or open()'s) errno.
 */
void *subject_map(const char *path, size_t length, int prot, int flags);

/* The same at a chosen subject address: mmap(address, ...), for MAP_FIXED_NOREPLACE. */
void *subject_map_at(void *address, const char *path, size_t length, int prot, int flags);

/* munmap(address, length) in the subject: 0, or -1 with munmap()'s errno. */
int subject_unmap(void *address, size_t length);

/*
 * The subject forks a child. The child stores child_byte at map +
 * child_offset; then the subject stores parent_byte at map + parent_offset;
 * then the child reads the bytes at the `count` offsets of look, and so does
 * the subject: views receives the child's bytes first, then the subject's
 * (2 * count bytes). The child is left running, waiting, so that the test can
 * look at the subject while the two processes still share their pages; end
 * it with subject_end_child(). Returns 1 if the child stored and reported, 0
 * if it ended before that (subject_end_child() tells how), -1 with errno if
 * the pipes or the fork() failed (then no child is left).
 */
long subject_fork_and_store(void *map, size_t child_offset, unsigned char child_byte,
			    size_t parent_offset, unsigned char parent_byte, const uint64_t *look,
			    size_t count, unsigned char *views);

/*
 * Let the child of subject_fork_and_store() end and reap it in the subject:
 * stores its wait status in *status and returns 0; -1 with errno (ECHILD if
 * there is no such child).
 */
int subject_end_child(int *status);

#endif /* CALLS_LAB03_H */
