# platforms.sh — checks of the kit on Gradescope and GitHub Classroom.
#
# Gradescope: `make gradescope` builds the autograder zip, and the zip is tried
# the way Gradescope uses it, in a folder standing for /autograder
# (AUTOGRADER_ROOT): unpacked into source/, setup.sh run once, then
# run_autograder run on several uploads in submission/, each results.json read
# with jq. GitHub Classroom: the workflow template parses and has one step per
# lab feeding the reporter, and grader/classroom/lab-result's results decode to
# each lab's real points in the reporter's format. Sourced by check after
# lib.sh; platforms_checks runs them all.

# shellcheck shell=bash disable=SC2154 # kit and scratch: set by grader/selftest/check, which sources this file

autograder=$scratch/autograder # stands for Gradescope's /autograder

# ---- Gradescope ----------------------------------------------------------------

gradescope_zip=build/gradescope/autograder.zip

gradescope_zip_builds() {
	rm -f "$gradescope_zip"
	make --no-print-directory -s gradescope >/dev/null || return 1
	[[ -s $gradescope_zip ]] || { echo "make gradescope did not write $gradescope_zip"; return 1; }
}

# Mode and name of every file in the zip, one "MODE NAME" a line.
zip_entries() { zipinfo "$gradescope_zip" | awk '/^[-d][-rwxsStT]+ / { print $1, $NF }'; }

gradescope_zip_layout() {
	local entries names file status=0
	entries=$(zip_entries) || { echo "zipinfo cannot read $gradescope_zip"; return 1; }
	for file in setup.sh run_autograder; do
		grep -qE "^-rwxr-xr-x $file\$" <<<"$entries" ||
			{ echo "expected $file executable at the zip's root, found: $(grep " $file\$" <<<"$entries")"; status=1; }
	done
	if grep -E ' (solutions|grader/catalogue)/' <<<"$entries"; then
		echo "the zip holds the files above, which students must not see"
		status=1
	fi
	# The names are matched from a variable, not through a pipe: under pipefail,
	# `cut | grep -q` fails whenever grep stops reading before cut has written all.
	names=$(cut -d' ' -f2- <<<"$entries")
	for file in Makefile grader/grade grader/require-packages grader/packages grader/gradescope/gather \
		$(git ls-files labs grader/runner grader/suites grader/support grader/classlib) \
		$( [[ -d grader/suites/hidden ]] && find grader/suites/hidden -type f); do
		grep -qxF -- "$file" <<<"$names" ||
			{ echo "missing from the zip: $file"; status=1; }
	done
	return $status
}

# The kit's installers: every file that installs packages, through
# grader/require-packages, which reads them from grader/packages.
package_installers=(Makefile grader/grade grader/gradescope/setup.sh grader/classroom/classroom.yml
	grader/selftest/check bench/run)

# The tasks grader/packages names (the words after each package).
package_tasks() { sed 's/#.*//' grader/packages | awk 'NF > 1 { for (i = 2; i <= NF; i++) print $i }' | sort -u; }

# Every installer asks grader/require-packages for tasks of grader/packages (never
# for packages by name), nothing else calls apt-get, and every task is asked for.
installers_read_the_package_list() {
	local file arguments word tasks asked=() status=0
	tasks=$(package_tasks)
	[[ -n $tasks ]] || { echo "grader/packages names no task"; return 1; }
	for file in "${package_installers[@]}"; do
		arguments=$(sed -nE 's/.*require-packages"? +([^|;&]*).*/\1/p' "$file")
		[[ -n $arguments ]] || { echo "$file does not call grader/require-packages"; status=1; }
		for word in $arguments; do
			[[ $word == "||" ]] && break
			if [[ $word == --all ]] || grep -qxF -- "$word" <<<"$tasks"; then
				asked+=("$word")
			else
				echo "$file asks grader/require-packages for '$word', not a task of grader/packages"
				status=1
			fi
		done
	done
	for word in $tasks; do
		# make check's --all is what asks for the packages only the checks need.
		[[ " ${asked[*]} " == *" $word "* || ($word == checks && " ${asked[*]} " == *" --all "*) ]] || { echo "no installer asks for the task $word"; status=1; }
	done
	if git grep -n 'apt-get install' -- . ':!grader/require-packages' ':!grader/selftest/platforms.sh' ':!*.md' ':!docs'; then
		echo "the files above install packages without grader/require-packages"
		status=1
	fi
	return $status
}

gradescope_setup_builds() {
	rm -rf "$autograder"
	mkdir -p "$autograder/source" "$autograder/submission"
	unzip -q "$gradescope_zip" -d "$autograder/source" || { echo "unzip failed"; return 1; }
	AUTOGRADER_ROOT=$autograder "$autograder/source/setup.sh" || return 1
	[[ -x $autograder/source/build/grader/runner ]] ||
		{ echo "setup.sh did not build source/build/grader/runner"; return 1; }
}

# The points of every lab of the kit together, and of one lab (its folder).
kit_max_score() { jq -s '[.[].tests[].points] | add' build/grader/lab[0-9][0-9]/lab.json; }
lab_points() { jq '[.tests[].points] | add' "$(lab_json "$1")"; }

# What gather says when it found every lab's student file.
every_file_taken() {
	local count
	count=$(lab_folders | wc -l)
	echo "Files taken from your upload: $count of $count"
}

# FILL_FUNCTION [ROOT]: run run_autograder on a fresh ROOT/submission/ that
# FILL_FUNCTION fills (it gets the folder); ROOT ($autograder unless given)
# must hold the unpacked, set-up autograder.
run_gradescope() {
	local fill=$1 root=${2:-$autograder}
	rm -rf "$root/submission" "$root/results"
	mkdir -p "$root/submission"
	"$fill" "$root/submission" || { echo "could not prepare the upload"; return 1; }
	AUTOGRADER_ROOT=$root "$root/source/run_autograder" >"$scratch/run_autograder.log" 2>&1
}

# results.json as Gradescope reads it: valid JSON, a numeric score, and tests
# (when there are some) with the fields Gradescope shows.
is_gradescope_results() {
	jq -e '(.score | type == "number") and (.output | type == "string") and
		all(.tests[]?; (.name | type == "string") and (.score | type == "number") and
			(.max_score | type == "number") and (.number | type == "string") and
			(.status == "passed" or .status == "failed") and (.output | type == "string"))' \
		"$1" >/dev/null || { echo "not valid Gradescope results: $(head -c 300 "$1")"; return 1; }
}

# Expect SCORE out of the kit's full points, and every text in the output.
results_hold() {
	local results=$autograder/results/results.json want=$1 max text
	shift
	[[ -f $results ]] || { echo "no results.json; run_autograder said:"; cat "$scratch/run_autograder.log"; return 1; }
	is_gradescope_results "$results" || return 1
	max=$(kit_max_score)
	jq -e --argjson want "$want" --argjson max "$max" '.score == $want and .max_score == $max' \
		"$results" >/dev/null ||
		{ echo "expected $want/$max, observed $(jq -r '"\(.score)/\(.max_score)"' "$results")"; return 1; }
	for text in "$@"; do
		jq -e --arg text "$text" '.output | contains($text)' "$results" >/dev/null ||
			{ echo "expected the output to say '$text'; it says:"; jq -r .output "$results" | head -n 20; return 1; }
	done
}

flat_solutions() {
	local lab
	for lab in $(lab_folders); do
		cp "solutions/$lab/$(student_file "$lab")" "$1/"
	done
	echo "notes" >"$1/README.md"
}

gradescope_full_marks() {
	local lab texts=("$(every_file_taken)" "README.md")
	run_gradescope flat_solutions || { cat "$scratch/run_autograder.log"; return 1; }
	for lab in $(lab_folders); do
		texts+=("Lab $(lab_number "$lab"): $(student_file "$lab")")
	done
	# Started as root, as on Gradescope: the student's code must not run as root.
	[[ $(id -u) != 0 ]] || texts+=("as an unprivileged user" "never as root")
	results_hold "$(kit_max_score)" "${texts[@]}" || return 1
	jq -e 'all(.tests[]; .status == "passed")' "$autograder/results/results.json" >/dev/null ||
		{ echo "expected every test passed"; return 1; }
}

skeletons_in_a_repository() {
	mkdir -p "$1/mmap-labs" && cp -r labs "$1/mmap-labs/"
}

gradescope_skeletons_score_zero() {
	run_gradescope skeletons_in_a_repository || { cat "$scratch/run_autograder.log"; return 1; }
	results_hold 0 "$(every_file_taken)" \
		"Lab 1: mmap-labs/labs/01-traditional-io/tio.c" "mmap-labs/labs/01-traditional-io/HANDOUT.md"
}

# The reference solutions, with lab 1's file saved under a name browsers give copies.
solutions_one_misnamed() {
	flat_solutions "$1" && mv "$1/tio.c" "$1/tio (1).c"
}

gradescope_misnamed_file() {
	run_gradescope solutions_one_misnamed || { cat "$scratch/run_autograder.log"; return 1; }
	results_hold "$(($(kit_max_score) - $(lab_points 01-traditional-io)))" \
		"Lab 1: no file named tio.c" \
		"tio (1).c (only a file named exactly tio.c is graded for lab 1: rename it)" \
		"Lab 1: missing tio.c"
}

# Lab 1's solution that crashes at start-up whenever it runs as root.
solution_refusing_root() {
	cp solutions/01-traditional-io/tio.c "$1/tio.c" && cat >>"$1/tio.c" <<-'C'
		#include <stdlib.h>
		#include <unistd.h>
		__attribute__((constructor)) static void refuse_root(void)
		{
			if (getuid() == 0 || geteuid() == 0)
				abort();
		}
	C
}

gradescope_code_runs_unprivileged() {
	if [[ $(id -u) != 0 ]]; then
		echo "skipped: only a grader started as root has privileges to drop"
		return 0
	fi
	run_gradescope solution_refusing_root || { cat "$scratch/run_autograder.log"; return 1; }
	results_hold "$(lab_points 01-traditional-io)" "Lab 1: tio.c"
}

# A grader that writes half a report and crashes, as a bug or a full disk could.
crash_mid_report() {
	cat >"$1" <<-'SCRIPT'
		#!/bin/sh
		while [ $# -gt 0 ]; do
			[ "$1" = --out ] && printf '{"score": 600, "tests": [' >"$2"
			shift
		done
		kill -SEGV $$
	SCRIPT
	chmod 755 "$1"
}

gradescope_crash_keeps_placeholder() {
	local broken=$scratch/autograder-broken results
	rm -rf "$broken"
	if ! cp -a "$autograder" "$broken" || ! crash_mid_report "$broken/source/build/grader/runner"; then
		echo "could not prepare the broken grader"
		return 1
	fi
	if run_gradescope flat_solutions "$broken"; then
		echo "run_autograder succeeded with a grader that crashed"
		return 1
	fi
	results=$broken/results/results.json
	[[ -f $results ]] || { echo "no results.json left"; return 1; }
	is_gradescope_results "$results" || return 1
	jq -e '.score == 0 and (.output | contains("did not finish") and contains("tell your instructor"))' \
		"$results" >/dev/null || { echo "not the placeholder: $(cat "$results")"; return 1; }
	[[ -z $(find "$broken/results" -name '.results.*') ]] ||
		{ echo "a temporary results file was left behind"; return 1; }
}

# ---- GitHub Classroom --------------------------------------------------------------

classroom_workflow_is_complete() {
	local numbers
	numbers=$(jq -r .number build/grader/lab[0-9][0-9]/lab.json)
	# shellcheck disable=SC2086 # one argument per lab number
	/usr/bin/python3 "$kit/grader/selftest/py/classroom_workflow.py" grader/classroom/classroom.yml $numbers
}

# A result in the format of autograding-command-grader, as the reporter reads it.
reporter_format='(keys - ["version", "status", "max_score", "tests"] == []) and .version == 1 and
	(.status | IN("pass", "fail", "error")) and (.max_score | type == "number") and
	(.tests | type == "array" and length > 0) and
	all(.tests[]; (keys - ["name", "status", "score", "message", "test_code", "filename",
		"line_no", "duration"] == []) and (.name | type == "string") and
		(.status | IN("pass", "fail", "error")) and (.score | type == "number") and
		(.message | type == "string") and (.test_code | type == "string") and
		(.filename | type == "string") and (.line_no | type == "number"))'

# Decode lab-result's output for lab N of SUBMISSION into $scratch/lab-result.json.
decoded_result() {
	grader/classroom/lab-result --lab "$1" "$2" 2>/dev/null | base64 -d >"$scratch/lab-result.json" ||
		{ echo "lab-result --lab $1 $2 did not print a base64 result"; return 1; }
	jq -e "$reporter_format" "$scratch/lab-result.json" >/dev/null ||
		{ echo "not the reporter's format: $(head -c 400 "$scratch/lab-result.json")"; return 1; }
}

# Each lab's result must be STATUS, SCORE ("max" for all its points) out of its points.
classroom_labs_score() {
	local submission=$1 status=$2 want=$3 lab number max observed failed=0
	for lab in $(lab_folders); do
		number=$(lab_number "$lab")
		max=$(lab_points "$lab")
		decoded_result "$number" "$submission" || return 1
		observed=$(jq -r '"\(.status) \([.tests[].score] | add)/\(.max_score)"' "$scratch/lab-result.json")
		[[ $observed == "$status ${want/max/$max}/$max" ]] ||
			{ echo "lab $number: expected $status ${want/max/$max}/$max, observed $observed"; failed=1; }
	done
	return $failed
}

# A wrong solution loses some of lab 1's points, not all: the result keeps the rest.
classroom_partial_score() {
	local patches=(grader/catalogue/wrong/01-traditional-io/*.patch) patch_file submission want
	patch_file=${patches[0]}
	submission=$(make_submission classroom-partial 01-traditional-io)
	patch -s -p1 -d "$submission/01-traditional-io" <"$patch_file" || { echo "$patch_file does not apply"; return 1; }
	grade --lab 1 --format json --out "$submission.json" "$submission" || return 1
	want=$(jq -r '"\(.score)/\(.max_score)"' "$submission.json")
	decoded_result 1 "$submission" || return 1
	jq -e '[.tests[].score] | add | . > 0' "$scratch/lab-result.json" >/dev/null ||
		{ echo "expected a partial score from $(basename "$patch_file"), observed 0"; return 1; }
	[[ $(jq -r '"\([.tests[].score] | add)/\(.max_score)"' "$scratch/lab-result.json") == "$want" &&
		$(jq -r .status "$scratch/lab-result.json") == fail ]] ||
		{ echo "expected fail $want, as the grader scored it; observed $(jq -c '[.status, ([.tests[].score] | add), .max_score]' "$scratch/lab-result.json")"; return 1; }
	# The reporter's table (autograding-grading-reporter v1, getTestScore): the share of
	# entries passed times max_score. It must agree with the points recorded.
	[[ $(jq -r '"\(([.tests[] | select(.status == "pass")] | length) * .max_score /
		(.tests | length))/\(.max_score)"' "$scratch/lab-result.json") == "$want" ]] ||
		{ echo "the reporter's table would show $(jq -r '([.tests[] | select(.status == "pass")] | length) * .max_score / (.tests | length)' "$scratch/lab-result.json"), not ${want%/*}"; return 1; }
}

classroom_sets_step_output() {
	local output=$scratch/github-output printed
	: >"$output"
	printed=$(GITHUB_OUTPUT=$output grader/classroom/lab-result --lab 1 solutions 2>/dev/null) || return 1
	[[ -z $printed ]] || { echo "expected nothing on standard output, observed: ${printed:0:80}"; return 1; }
	[[ $(wc -l <"$output") == 1 && $(head -c 7 "$output") == "result=" ]] ||
		{ echo "expected one line result=… in GITHUB_OUTPUT, observed: $(head -c 80 "$output")"; return 1; }
	sed 's/^result=//' "$output" | base64 -d | jq -e "$reporter_format and .status == \"pass\"" >/dev/null ||
		{ echo "the step output does not decode to a passing result"; return 1; }
}

# The step's log shows what the text report shows: each test, and under each
# one that failed its expected / observed / hint lines.
classroom_log_shows_feedback() {
	local log=$scratch/lab-result.log failed explained
	grader/classroom/lab-result --lab 1 labs 2>"$log" >/dev/null || return 1
	failed=$(grep -c '^FAILED 1\.[0-9]* ' "$log")
	explained=$(grep -c '^       hint: ' "$log")
	# shellcheck disable=SC2015 # the block runs when any test fails, as it should
	[[ $failed -gt 0 && $failed == "$explained" ]] && grep -q '^       expected: ' "$log" &&
		grep -q '^       observed: ' "$log" ||
		{ echo "expected every failed test with its feedback in the log; it says:"; head -n 8 "$log"; return 1; }
}

# Code that prints a lot in every test (a constructor): each lab's result must
# still fit in the one environment variable the reporter reads (Linux refuses
# one over 128 KiB), its messages cut, the whole feedback kept in the log.
classroom_result_fits() {
	local lab=01-traditional-io submission size
	submission=$(make_submission classroom-flood "$lab")
	cp "labs/$lab/$(student_file "$lab")" "$submission/$lab/" || return 1
	cat >>"$submission/$lab/$(student_file "$lab")" <<-'EOF'

		#include <stdio.h>
		__attribute__((constructor)) static void flood(void)
		{
			for (int i = 0; i < 2000; i++)
				printf("line %d of what this submission prints whenever it starts\n", i);
			fflush(stdout);
		}
	EOF
	size=$(grader/classroom/lab-result --lab 1 "$submission" 2>"$scratch/flood.log" | wc -c)
	((size > 0 && size < 96 * 1024)) ||
		{ echo "lab 1's result is $size bytes of base64, over 96 KiB"; return 1; }
	grep -q "cut here: the whole feedback is in this step's log" <(grader/classroom/lab-result \
		--lab 1 "$submission" 2>/dev/null | base64 -d) || { echo "no message was cut"; return 1; }
	grep -q '^       line 1999 of what' "$scratch/flood.log" ||
		grep -q '^       line 2[0-9][0-9] of what' "$scratch/flood.log" ||
		{ echo "the step's log lost the feedback"; return 1; }
}

classroom_error_result() {
	decoded_result 63 solutions || return 1
	jq -e '.status == "error" and (.tests[0].message | contains("no lab 63"))' \
		"$scratch/lab-result.json" >/dev/null ||
		{ echo "expected status error naming lab 63, observed $(cat "$scratch/lab-result.json")"; return 1; }
}

# ---- older kernels and containers ------------------------------------------

# Grade with a seccomp filter that stands in for an older kernel or container
# (refuse-calls.c says which calls each MODE refuses): grade_refusing MODE ARGS...
grade_refusing() {
	local mode=$1 program=build/selftest/refuse-calls
	shift
	if [[ ! -x $program || grader/selftest/refuse-calls.c -nt $program ]]; then
		mkdir -p build/selftest &&
			cc -std=c11 -Wall -Wextra -Werror -O2 -o "$program" grader/selftest/refuse-calls.c ||
			return 1
	fi
	"$program" "$mode" grader/grade "$@"
}

solutions_full_marks_refusing() {
	local report=$scratch/refusing-$1.json
	grade_refusing "$1" --format json --out "$report" solutions || return 1
	jq -e '.score == .max_score' "$report" >/dev/null ||
		{ echo "expected full marks, observed $(jq -r '"\(.score)/\(.max_score)"' "$report"):"; show_failures "$report" | head -n 20; return 1; }
}

# Under an old container profile only the tests of short transfers cannot run,
# and they say so: not graded, naming pidfd_getfd(); everything else passes.
short_transfers_not_graded_refusing() {
	local report=$scratch/refusing-old-container.json
	grade_refusing old-container --format json --out "$report" solutions || return 1
	jq -e 'all(.tests[]; .status == "passed" or (.extra_data.verdict == "grader error" and
			(.output | startswith("not graded:") and contains("pidfd_getfd()")))) and
		([.tests[] | select(.extra_data.verdict == "grader error")] | length) == 4 and
		(.output | contains("could not run 4 tests on this machine"))' "$report" >/dev/null ||
		{ echo "expected 4 tests not graded (pidfd_getfd) and every other test passed:"; show_failures "$report" | head -n 20; return 1; }
}

# On a kernel without seccomp user notification no test can run: each says so
# and names Linux 5.5; none fails as the code's fault or "does not compile".
nothing_blamed_without_notifications() {
	local report=$scratch/refusing-linux-4.19.json text
	grade_refusing linux-4.19 --format json --out "$report" solutions || return 1
	jq -e '(.tests | length) > 0 and all(.tests[]; .extra_data.verdict == "grader error" and
			(.output | contains("Linux 5.5")))' "$report" >/dev/null ||
		{ echo "expected every test not graded, naming Linux 5.5:"; show_failures "$report" | head -n 12; return 1; }
	text=$(grade_refusing linux-4.19 --lab 3 solutions) || return 1
	local blame='does not compile|^  (ok|FAILED|CRASHED|TIMEOUT|NO VERDICT) '
	! grep -qE "$blame" <<<"$text" ||
		{ echo "the text report judges the code:"; grep -E "$blame" <<<"$text" | head -n 5; return 1; }
	grep -q "could not run 1[0-9] tests on this machine" <<<"$text" ||
		{ echo "the text report does not warn that its total is not the score"; return 1; }
}

older_kernel_checks() {
	section "Older kernels and containers"
	check "pidfd_open() failing with ENOSYS (Linux before 5.3): every solution scores full marks" \
		solutions_full_marks_refusing pidfd-open-enosys
	check "pidfd_open() failing with EPERM (a container that refuses it): every solution scores full marks" \
		solutions_full_marks_refusing pidfd-open-eperm
	check "every call after Linux 4.19 refused (an old container profile): only the 4 short-transfer tests not graded, saying why" \
		short_transfers_not_graded_refusing
	check "no seccomp user notification (before Linux 5.5): every test not graded, none blamed on the code" \
		nothing_blamed_without_notifications
}

platforms_checks() {
	section "Gradescope and GitHub Classroom"
	check "every installer takes its packages from grader/packages, and every task there is asked for" \
		installers_read_the_package_list
	check "make gradescope builds build/gradescope/autograder.zip" gradescope_zip_builds
	check "the zip: setup.sh and run_autograder executable at its root, the kit, no solutions or catalogue" \
		gradescope_zip_layout
	check "Gradescope: setup.sh installs and builds the grader in a stand-in /autograder" \
		gradescope_setup_builds
	check "Gradescope: the solutions uploaded flat score full marks, run unprivileged" \
		gradescope_full_marks
	check "Gradescope: run as root, it runs the student's code as another user" \
		gradescope_code_runs_unprivileged
	check "Gradescope: the skeletons in a repository laid out like labs/ score 0, all found" \
		gradescope_skeletons_score_zero
	check "Gradescope: a misnamed file loses its lab's points, and the output says to rename it" \
		gradescope_misnamed_file
	check "Gradescope: a grader that crashes mid-report leaves the placeholder, valid JSON" \
		gradescope_crash_keeps_placeholder
	check "Classroom: classroom.yml parses: one job, one step per lab, the reporter reads them all" \
		classroom_workflow_is_complete
	check "Classroom: lab-result gives the solutions each lab's full points, in the reporter's format" \
		classroom_labs_score solutions pass max
	check "Classroom: lab-result gives the skeletons 0 of each lab's points" \
		classroom_labs_score labs fail 0
	check "Classroom: lab-result keeps a wrong solution's partial score, in the reporter's table too" \
		classroom_partial_score
	check "Classroom: each step's log shows every failed test's expected, observed and hint" \
		classroom_log_shows_feedback
	check "Classroom: a lab whose code prints in every test still fits the reporter's variable" \
		classroom_result_fits
	check "Classroom: inside GitHub Actions, lab-result sets the step output 'result'" \
		classroom_sets_step_output
	check "Classroom: a lab the grader cannot grade is reported with status error" \
		classroom_error_result
}
