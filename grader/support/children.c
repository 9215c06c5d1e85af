/*
 * children.c — the subject's children: listing them, and the check that none is left.
 *
 * A test whose student code forks must end with no child of the subject
 * left, running or a zombie, and no orphan adopted by the judge (which is a
 * child subreaper from its start, so a grandchild whose parent ended is
 * still found). The listing itself is processes.c's; this file gives it the
 * subject (subject.c) and says what was left.
 */
#include <stdio.h>
#include <string.h>

#include "grader.h"
#include "support_internal.h"

/* ---- The test's children -------------------------------------------------- */

void grade_adopt_orphans(void)
{
	/* The judge is a subreaper from its start (judge_main.c): nothing more to do. */
}

size_t grade_children(struct grade_child *children, size_t max)
{
	return list_children(grade_subject_pid(), children, max);
}

void grade_expect_no_children(const char *call, const char *hint)
{
	struct grade_child children[8];
	size_t count = grade_children(children, 8);
	char list[512] = "";

	if (count == 0)
		return;
	for (size_t i = 0; i < count && i < 8; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%spid %d (%s)",
			 i > 0 ? ", " : "", (int)children[i].pid,
			 children[i].state == 'Z' ? "a zombie: it exited and was never reaped"
						  : "still running");
	grade_fail(hint,
		   "expected: no child process left after %s returned\nobserved: %zu left: "
		   "%s%s",
		   call, count, list, count > 8 ? ", ..." : "");
}
