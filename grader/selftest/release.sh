# release.sh — the checks of hidden tests and of the student release (`make release`).
#
# Hidden tests (grader/suites/hidden/labNN.c) must be listed as hidden, pass
# with the solutions, fail with the skeletons, and be the only tests that
# Gradescope shows after the due date; every format marks them. The release
# must hold nothing students must not have (solutions, hidden tests, the
# catalogue, any solution's code), grade the skeletons to 0 out of 100 per
# lab, and come out the same twice. Sourced by grader/selftest/check after
# lib.sh; release_checks is its entry point.

# shellcheck shell=bash disable=SC2154 # kit and scratch: set by grader/selftest/check, which sources this file

# ---- hidden tests ---------------------------------------------------------------

# The names of every lab's hidden tests, from the lab lists, sorted.
hidden_test_names() {
	jq -r '.tests[] | select(.hidden) | .name' build/grader/lab[0-9][0-9]/lab.json | sort
}

# The names in a hidden file's GRADE_TEST lines, sorted.
hidden_source_names() {
	sed -nE 's/^[[:space:]]*GRADE_TEST(_TIMED)?\(([a-z0-9_]+),.*/\2/p' "$@" | sort
}

hidden_tests_are_listed() {
	local listed in_sources
	ls grader/suites/hidden/lab[0-9][0-9].c >/dev/null 2>&1 ||
		{ echo "no grader/suites/hidden/labNN.c: nothing to check"; return 1; }
	listed=$(hidden_test_names)
	in_sources=$(hidden_source_names grader/suites/hidden/lab[0-9][0-9].c)
	[[ $listed == "$in_sources" ]] && return 0
	echo "hidden tests in the sources (left) and listed with \"hidden\": true (right) differ:"
	diff <(echo "$in_sources") <(echo "$listed")
	return 1
}

# Grade FOLDER into $scratch/hidden-FOLDER.json once; print the report's path.
hidden_report() {
	local report=$scratch/hidden-$1.json
	[[ -s $report ]] || grade --format json --out "$report" "$1" || return 1
	printf '%s\n' "$report"
}

# Every hidden test gets VERDICT ("passed" or "failed") when FOLDER is graded.
hidden_tests_get() {
	local report wrong
	report=$(hidden_report "$1") || return 1
	wrong=$(jq -r --arg status "$2" '.tests[] | select(.visibility == "after_due_date") |
		select(.status != $status) | "\(.number) \(.name): \(.extra_data.verdict)\n\(.output)"' "$report")
	[[ -z $wrong ]] || { echo "expected every hidden test $2, observed:"; echo "$wrong"; return 1; }
	if [[ $2 == failed ]]; then
		jq -e 'all(.tests[] | select(.visibility == "after_due_date");
			.output | test("expected:") and test("observed:") and test("handout §"))' \
			"$report" >/dev/null ||
			{ echo "a hidden test failed without expected/observed/handout § feedback"; return 1; }
	fi
}

# Gradescope: "after_due_date" on exactly the hidden tests, no other visibility.
json_hides_only_hidden_tests() {
	local report hidden marked
	report=$(hidden_report labs) || return 1
	hidden=$(hidden_test_names)
	marked=$(jq -r '.tests[] | select(has("visibility")) |
		"\(.name) \(.visibility)"' "$report" | sort)
	# shellcheck disable=SC2001 # sed appends to every line; ${hidden//...} cannot
	[[ $marked == "$(sed 's/$/ after_due_date/' <<<"$hidden")" ]] && return 0
	echo "expected \"visibility\": \"after_due_date\" on the hidden tests only; observed:"
	echo "$marked"
	return 1
}

# Text, TAP and JUnit mark exactly the hidden tests; the text table adds up.
reports_mark_hidden_tests() {
	local hidden count text
	hidden=$(hidden_test_names)
	count=$(wc -l <<<"$hidden")
	text=$(grade solutions) || return 1
	[[ $(grep -E '^  [A-Za-z ]+ +[0-9]+\.[0-9]+ ' <<<"$text" | grep ' (hidden) ' |
		awk '{ print $3 }' | sort) == "$hidden" ]] ||
		{ echo "the text report does not mark exactly the hidden tests (hidden)"; return 1; }
	[[ $(grade --format tap solutions | grep -cE '^ok [0-9]+ - [0-9.]+ [a-z0-9_]+ \(hidden\) ') == \
		"$count" ]] || { echo "TAP does not mark the $count hidden tests"; return 1; }
	[[ $(grade --format junit solutions | grep -c '<testcase [^>]* name="[^"]* (hidden)"') == \
		"$count" ]] || { echo "JUnit does not mark the $count hidden tests"; return 1; }
	text_table_adds_up "$text"
}

# Each lab's row is its tests' points, with its hidden ones; the total is the sum of the rows.
text_table_adds_up() {
	local json lab max hidden row sum=0
	for json in build/grader/lab[0-9][0-9]/lab.json; do
		lab=$(jq .number "$json")
		max=$(jq '[.tests[].points] | add' "$json")
		hidden=$(jq '[.tests[] | select(.hidden) | .points] | add // 0' "$json")
		row=$(grep -E "^  Lab $lab " <<<"$1")
		grep -qE " $max/$max  \(${hidden} of them hidden\)$" <<<"$row" ||
			{ echo "lab $lab: expected $max/$max with $hidden hidden, observed: $row"; return 1; }
		sum=$((sum + max))
	done
	grep -qE "^  Total +$sum/$sum " <<<"$1" ||
		{ echo "expected a total of $sum/$sum, observed: $(grep '^  Total' <<<"$1")"; return 1; }
}

# ---- the student release -------------------------------------------------------------

release_tarball=build/release/mmap-labs-student.tar.gz

# make release, unpacked in $scratch/release; prints the unpacked kit's path.
unpacked_release() {
	local folder=$scratch/release
	if [[ ! -d $folder/mmap-labs ]]; then
		make --no-print-directory -s release >/dev/null || return 1
		mkdir -p "$folder" && tar -xzf "$release_tarball" -C "$folder" || return 1
	fi
	printf '%s\n' "$folder/mmap-labs"
}

release_has_one_top_folder() {
	local tops
	unpacked_release >/dev/null || return 1
	tops=$(tar -tzf "$release_tarball" | cut -d/ -f1 | sort -u)
	[[ $tops == mmap-labs ]] || { echo "top-level entries: $tops"; return 1; }
}

release_leaves_out_what_students_must_not_have() {
	local release found
	release=$(unpacked_release) || return 1
	found=$(cd "$release" && find . \( -path ./solutions -o -path ./grader/suites/hidden \
		-o -path ./grader/catalogue -o -path ./grader/contract -o -path ./build \
		-o -name ANSWERS.md \) -print)
	[[ -z $found ]] || { echo "the release holds: $found"; return 1; }
	[[ -f $release/labs/01-traditional-io/tio.c && -f $release/grader/grade ]] ||
		{ echo "the release lacks the labs or the grader"; return 1; }
}

# No function body of a solution, and no answer, appears in any file of the release.
release_leaks_no_solution_text() {
	local release
	release=$(unpacked_release) || return 1
	/usr/bin/python3 "$kit/grader/selftest/py/release_leaks.py" "$release" solutions
}

# In the release: make grade works, and grader/grade --format json gives 0 of 100 per lab.
release_grades_skeletons_to_zero() {
	local release report lab max hidden
	release=$(unpacked_release) || return 1
	make --no-print-directory -s -C "$release" grade >"$scratch/release-grade.txt" ||
		{ echo "make grade failed in the release"; tail -n 20 "$scratch/release-grade.txt"; return 1; }
	grep -qE '^  Total +0/[0-9]+' "$scratch/release-grade.txt" ||
		{ echo "make grade: $(grep '^  Total' "$scratch/release-grade.txt")"; return 1; }
	report=$scratch/release-grade.json
	"$release/grader/grade" --format json --out "$report" || return 1
	jq -e '.score == 0 and all(.tests[]; has("visibility") | not)' "$report" >/dev/null ||
		{ echo "score $(jq .score "$report") or hidden tests in the release's report"; return 1; }
	for lab in $(jq -r '.tests[].number | split(".")[0]' "$report" | sort -u); do
		max=$(jq --arg lab "$lab." '[.tests[] | select(.number | startswith($lab)) |
			.max_score] | add' "$report")
		[[ $max == 100 ]] || { echo "lab $lab: out of $max, not 100"; return 1; }
	done
	hidden=$(jq -c '.. | objects | select(.hidden == true)' "$release"/build/grader/lab*/lab.json) ||
		return 1
	[[ -z $hidden ]] || { echo "the release's grader lists hidden tests: $hidden"; return 1; }
}

# make release ANSWERS=yes: every lab's ANSWERS.md beside its handout, and
# still nothing else of solutions/.
release_with_answers_adds_only_them() {
	local tarball=build/release/mmap-labs-student-with-answers.tar.gz extra labs answers
	make --no-print-directory -s release ANSWERS=yes >/dev/null || return 1
	extra=$(comm -13 <(tar -tzf "$release_tarball" | sort) <(tar -tzf "$tarball" | sort))
	labs=$(lab_folders | sed 's,^,mmap-labs/labs/,; s,$,/ANSWERS.md,' | sort)
	[[ $extra == "$labs" ]] ||
		{ echo "expected exactly each lab's ANSWERS.md more than the release, observed:"; echo "$extra"; return 1; }
	answers=$(tar -xzOf "$tarball" "mmap-labs/labs/01-traditional-io/ANSWERS.md")
	[[ $answers == "$(cat solutions/01-traditional-io/ANSWERS.md)" ]] ||
		{ echo "labs/01-traditional-io/ANSWERS.md is not the lab's answers"; return 1; }
}

release_is_reproducible() {
	local first second
	make --no-print-directory -s release >/dev/null || return 1
	first=$(sha256sum <"$release_tarball")
	make --no-print-directory -s release >/dev/null || return 1
	second=$(sha256sum <"$release_tarball")
	[[ $first == "$second" ]] || { echo "two builds differ: $first / $second"; return 1; }
}

release_checks() {
	section "Hidden tests"
	check "every hidden test is listed with \"hidden\": true" hidden_tests_are_listed
	check "the reference solutions pass every hidden test" hidden_tests_get solutions passed
	check "the skeletons fail every hidden test, with feedback" hidden_tests_get labs failed
	check "--format json: \"after_due_date\" on the hidden tests only" \
		json_hides_only_hidden_tests
	check "text, TAP and JUnit mark the hidden tests; the score table adds up" \
		reports_mark_hidden_tests

	section "The student release (make release)"
	check "make release: one folder, mmap-labs/" release_has_one_top_folder
	check "no solutions/, hidden tests, catalogue, build output or answers" \
		release_leaves_out_what_students_must_not_have
	check "no function body of a solution and no answer in any file" \
		release_leaks_no_solution_text
	check "there, make grade works and every lab scores 0 out of 100, none hidden" \
		release_grades_skeletons_to_zero
	check "make release ANSWERS=yes adds each lab's ANSWERS.md beside its handout, and nothing else" \
		release_with_answers_adds_only_them
	check "make release twice gives the same tarball, byte for byte" release_is_reproducible
	printf 'info: %s is %s KiB\n' "$release_tarball" "$(($(stat -c %s "$release_tarball") / 1024))"
}
