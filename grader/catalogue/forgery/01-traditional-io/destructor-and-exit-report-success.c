/*
 * Forgery: a destructor and a replaced _exit() report success everywhere
 * Lab: 01-traditional-io
 * Base: skeleton
 * Intact: yes
 *
 * A destructor, and a replacement of _exit() (which the grader's stub calls
 * when the judge tells it to end), write passing verdicts in every format they
 * can guess on every descriptor from 1 to 255, and end the process with status
 * 0.
 *
 * The subject ends only after the judge has all it needs, and nothing it
 * writes is a verdict: only the judge writes on the runner's channel.
 */
#include <sys/syscall.h>

static void forgery_claim_success(void)
{
	static const char claim[] = "PASS 00000000000000000000000000000000\n[  PASSED  ] 1 test(s).\n"
				    "ok 1 - test\n{\"score\": 110, \"max_score\": 110}\n";

	for (int fd = 1; fd < 256; fd++)
		(void)!write(fd, claim, sizeof(claim) - 1);
}

__attribute__((destructor)) static void forgery_destructor(void)
{
	forgery_claim_success();
}

void _exit(int status)
{
	(void)status;
	forgery_claim_success();
	syscall(SYS_exit_group, 0);
	for (;;)
		;
}
