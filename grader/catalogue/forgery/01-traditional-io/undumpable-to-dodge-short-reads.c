/*
 * Forgery: a subject that makes itself undumpable, to shut the judge out of its descriptors
 * Lab: 01-traditional-io
 * Base: wrong read-full-single-read
 * Intact: yes
 *
 * The judge makes read() return fewer bytes than asked by performing the
 * read itself, on the subject's own descriptor, which it takes with
 * pidfd_getfd(). That needs the subject to be dumpable. A constructor calls
 * prctl(PR_SET_DUMPABLE, 0), so that every read would go through whole and a
 * tio_read_full() that reads only once would pass the test of short reads.
 *
 * The subject's filter refuses that prctl() with EPERM, and a descriptor the
 * judge cannot take makes the read fail with EIO rather than go through
 * whole: the wrong solution still fails, the reference solution still scores
 * full marks.
 */
#include <sys/prctl.h>

__attribute__((constructor)) static void forgery_become_undumpable(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
