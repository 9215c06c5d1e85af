# lib.sh — the checks behind `make check`, and the little framework they run in.
#
# `check TITLE FUNCTION ARGS...` runs one check, prints "ok" or "FAILED" with
# the check's own explanation, and counts it; `summary` prints the closing
# "N passed, N failed" line and sets the exit status. Checks read the grader's
# JSON report with jq and never look at anything the graded code printed.

# shellcheck shell=bash disable=SC2154 # kit and scratch: set by grader/selftest/check, which sources this file

passed=0
failed=0

section() { printf '\n== %s\n' "$1"; }

check() {
	local title=$1 log
	shift
	if log=$("$@" 2>&1); then
		passed=$((passed + 1))
		printf 'ok      %s\n' "$title"
	else
		failed=$((failed + 1))
		printf 'FAILED  %s\n' "$title"
		printf '%s\n' "$log" | tail -n 25 | sed 's/^/        /'
	fi
}

summary() {
	printf '\n%d passed, %d failed\n' "$passed" "$failed"
	[[ $failed == 0 ]]
}

# ---- the kit's labs ----------------------------------------------------------

# The student release has no solutions/ (nor hidden tests, nor catalogue).
is_student_release() { [[ ! -d solutions ]]; }

# The kit's files: those git tracks in a checkout of its own, else every file but build/.
kit_files() {
	if [[ $(git rev-parse --show-toplevel 2>/dev/null) == "$PWD" ]]; then
		git ls-files
	else
		find . \( -path ./.git -o -path ./build \) -prune -o -type f -printf '%P\n'
	fi
}

# Every shell script of the kit (a #! line naming sh or bash, or a .sh file that
# another sources) is shellcheck-clean, and every Python file (.py, or a #! line
# naming python3) pyflakes-clean. A deliberate exception is disabled on its line,
# with the reason beside it. Each sourced file is checked on its own, so no
# script needs to follow its sources (SC1091); the scripts are checked in
# parallel, shellcheck taking some 10 s of processor time over them all.
scripts_are_lint_clean() {
	local file first shell=() python=() status=0
	while IFS= read -r file; do
		[[ -f $file ]] || continue
		first=
		IFS= read -r first <"$file" 2>/dev/null
		if [[ $file == *.sh || $first =~ ^\#!.*[/\ ](ba)?sh([[:space:]]|$) ]]; then
			shell+=("$file")
		elif [[ $file == *.py || $first =~ ^\#!.*python3 ]]; then
			python+=("$file")
		fi
	done < <(kit_files)
	((${#shell[@]} > 0 && ${#python[@]} > 0)) ||
		{ echo "found ${#shell[@]} shell scripts and ${#python[@]} Python files, expected some of each"; return 1; }
	printf '%s\0' "${shell[@]}" | xargs -0 -n 2 -P "$(nproc)" shellcheck --exclude=SC1091 || status=1
	PYTHONDONTWRITEBYTECODE=1 pyflakes3 "${python[@]}" || status=1
	return $status
}

# The folder whose student files make a submission that compiles: the
# reference solutions, or in the student release the skeletons.
reference_submission() { if is_student_release; then echo labs; else echo solutions; fi; }

lab_folders() {
	local json
	for json in build/grader/lab[0-9][0-9]/lab.json; do
		jq -r .folder "$json"
	done
}

lab_json() { grep -l "\"folder\": \"$1\"" build/grader/lab[0-9][0-9]/lab.json; }
lab_number() { jq -r .number "$(lab_json "$1")"; }
student_file() { jq -r .student_file "$(lab_json "$1")"; }
suite_source() { printf 'grader/suites/lab%02d.c\n' "$(lab_number "$1")"; }

# ---- consistency of the kit's own texts --------------------------------------

# The flags the grader compiles student files with (toolchain.json), one a line.
student_compile_flags() { jq -r '.compile_flags[]' build/grader/toolchain.json; }

student_files_compile_strictly() {
	local lab folder file compiler flags status=0
	mapfile -t flags < <(student_compile_flags)
	((${#flags[@]} > 0)) || { echo "no compile flags in build/grader/toolchain.json"; return 1; }
	for lab in $(lab_folders); do
		for folder in labs $(is_student_release || echo solutions); do
			file=$folder/$lab/$(student_file "$lab")
			for compiler in gcc clang; do
				"$compiler" "${flags[@]}" -Werror -Wmissing-prototypes -fsyntax-only \
					-Ilabs/common "-Ilabs/$lab" "$file" || { echo "$compiler: $file"; status=1; }
			done
		done
	done
	return $status
}

# make BUILD=DIR CC=gcc, then CC=clang: toolchain.json names the compiler of the last
# build, and lists the student files' flags as a JSON array of strings.
toolchain_follows_cc() {
	local build=$scratch/build-toolchain json
	json=$build/grader/toolchain.json
	rm -rf "$build"
	make --no-print-directory -s BUILD="$build" CC=gcc "$json" || return 1
	jq -e '.cc == "gcc" and (.compile_flags | type == "array" and length > 1 and
		all(type == "string" and (contains(" ") | not))) and (.link_flags | type == "array")' \
		"$json" >/dev/null || { echo "after CC=gcc: $(cat "$json")"; return 1; }
	make --no-print-directory -s BUILD="$build" CC=clang "$json" || return 1
	jq -e '.cc == "clang"' "$json" >/dev/null ||
		{ echo "make CC=clang after CC=gcc left toolchain.json as it was: $(jq -c . "$json")"; return 1; }
}

# The files make would compile (-c FILE) after HEADER changed, in the built tree.
compiled_after_change() {
	make --no-print-directory -s grader >/dev/null || return 1
	make --no-print-directory -n -W "$1" grader | grep -oE -- '-c [^ ]+\.c' | sed 's/^-c //'
}

# Editing a header rebuilds what includes it, and nothing that does not: FILE
# includes HEADER, OTHER does not.
header_rebuilds_includers() {
	local header=$1 file=$2 other=$3 compiled
	compiled=$(compiled_after_change "$header") || return 1
	grep -qxF "$file" <<<"$compiled" ||
		{ echo "changing $header would not rebuild $file, which includes it"; return 1; }
	! grep -qxF "$other" <<<"$compiled" ||
		{ echo "changing $header would rebuild $other, which does not include it"; return 1; }
}

# The N.M numbers of "TODO N.M" (skeleton), "Step N.M" (solution), "**Step N.M**" (handout).
step_numbers() { grep -oE "$1 [0-9]+\.[0-9]+" "$2" | grep -oE '[0-9]+\.[0-9]+'; }

steps_agree() {
	local lab=$1 file skeleton solution handout
	file=$(student_file "$lab")
	skeleton=$(step_numbers TODO "labs/$lab/$file")
	solution=$(step_numbers Step "solutions/$lab/$file")
	handout=$(grep -oE '\*\*Step [0-9]+\.[0-9]+\*\*' "labs/$lab/HANDOUT.md" |
		grep -oE '[0-9]+\.[0-9]+')
	[[ -n $skeleton ]] || { echo "the skeleton has no 'TODO N.M' steps"; return 1; }
	if [[ $skeleton != "$solution" ]]; then
		echo "skeleton TODOs and solution steps differ:"
		diff <(echo "$skeleton") <(echo "$solution")
		return 1
	fi
	if [[ $(sort -V <<<"$skeleton") != "$(sort -uV <<<"$handout")" ]]; then
		echo "skeleton TODOs and the handout's **Step N.M** markers differ:"
		diff <(sort -V <<<"$skeleton") <(sort -uV <<<"$handout")
		return 1
	fi
}

# Hidden tests are the instructors' own: no handout lists them.
grading_table_matches() {
	local lab=$1 from_suite from_handout
	from_suite=$(jq -r '.tests[] | select(.hidden | not) | "\(.name) \(.points)"' \
		"$(lab_json "$lab")")
	# shellcheck disable=SC2016 # the backquotes are the handout's own, not the shell's
	from_handout=$(sed -nE 's/^\| *[0-9]+\.[0-9]+ *\| *`([a-z0-9_]+)` *\| *([0-9]+) *\|.*/\1 \2/p' \
		"labs/$lab/HANDOUT.md")
	if [[ $from_suite != "$from_handout" ]]; then
		echo "suite (left) and handout table (right) differ:"
		diff <(echo "$from_suite") <(echo "$from_handout")
		return 1
	fi
}

# Section numbers as pandoc --number-sections assigns them, outside code blocks.
# The section numbers a handout's headings carry ("## 4.1 Task 1: ..." gives 4.1).
handout_section_numbers() {
	awk '/^```/ { fenced = !fenced; next } !fenced && /^#+ [0-9]/ { print $2 }' "$1"
}

# The numbers the headings should carry: 1, 1.1, 1.2, 2, ... by their levels.
handout_expected_numbers() {
	awk '
		/^```/ { fenced = !fenced; next }
		fenced || !/^#+ / { next }
		{
			level = index($0, " ") - 1
			count[level]++
			for (deeper = level + 1; deeper <= 6; deeper++) count[deeper] = 0
			number = count[1]
			for (l = 2; l <= level; l++) number = number "." count[l]
			print number
		}' "$1"
}

# Every heading carries its number, and the numbers run in order: what a hint
# or another section cites as "§4.1" is the heading that says 4.1.
handout_numbers_in_order() {
	local handout=labs/$1/HANDOUT.md
	diff <(handout_expected_numbers "$handout") <(handout_section_numbers "$handout") >/dev/null ||
		{ echo "headings without their number, or out of order (expected left, written right):"
		  diff <(handout_expected_numbers "$handout") <(handout_section_numbers "$handout") | head; return 1; }
}

hints_cite_real_sections() {
	local lab=$1 cited missing
	cited=$(grep -oE '§[0-9]+(\.[0-9]+)*' "$(suite_source "$lab")" | tr -d '§' | sort -u)
	[[ -n $cited ]] || { echo "the suite's hints cite no handout section"; return 1; }
	missing=$(comm -23 <(echo "$cited") <(handout_section_numbers "labs/$lab/HANDOUT.md" | sort -u))
	[[ -z $missing ]] || { echo "hints cite sections the handout does not have: $missing"; return 1; }
}

# The handout's prose: its text outside code blocks and inline code.
handout_prose() {
	# shellcheck disable=SC2016 # the backquotes are Markdown's, not the shell's
	awk '/^```/ { fenced = !fenced; next } !fenced' "$1" | sed 's/`[^`]*`//g'
}

# The source articles are cited by their titles: the numbers of their files
# (000 to 004) mean nothing to a student, who does not have them.
handout_cites_articles_by_title() {
	local found
	found=$(handout_prose "labs/$1/HANDOUT.md" | grep -nE '(^|[^0-9A-Za-z_.,])00[0-4]([^0-9A-Za-z_]|$)')
	[[ -z $found ]] || { echo "a source article cited by its file's number:"; head -n 5 <<<"$found"; return 1; }
	# The catalogue's Source: lines too, where the kit has its catalogue.
	[[ -d grader/catalogue ]] || return 0
	found=$(grep -HE '^Source:.*(^|[^0-9A-Za-z_.,])00[0-4]([^0-9A-Za-z_]|$)' grader/catalogue/*/"$1"/*.patch)
	[[ -z $found ]] || { echo "a catalogue entry cites a source article by number:"; head -n 5 <<<"$found"; return 1; }
}

# A References section with the man pages and the books the lab builds on.
handout_has_references() {
	local references
	references=$(awk '/^# [0-9]+ References$/ { on = 1; next } /^# / { on = 0 } on' "labs/$1/HANDOUT.md")
	[[ -n $references ]] || { echo "no top-level section '# N References'"; return 1; }
	grep -q 'mmap(2)' <<<"$references" || { echo "the references do not list mmap(2)"; return 1; }
	grep -q 'The Linux Programming Interface' <<<"$references" ||
		{ echo "the references do not cite The Linux Programming Interface"; return 1; }
}

# Each task says how long it takes and how hard it is, on the line under its heading.
tasks_have_estimates() {
	local missing
	missing=$(awk '/^## [0-9.]+ Task [0-9]+/ { task = $0; next }
		task != "" && NF { if ($0 !~ /^\*About .*\*$/) print task; task = "" }' "labs/$1/HANDOUT.md")
	[[ -z $missing ]] || { echo "no '*About N minutes · difficulty ...*' line under:"; echo "$missing"; return 1; }
}

# Experiments ask for a prediction first; what they show comes in its own section after them.
experiments_ask_first() {
	local handout=labs/$1/HANDOUT.md
	grep -qE '^# [0-9]+ What the experiments showed$' "$handout" ||
		{ echo "no section '# N What the experiments showed'"; return 1; }
	local experiments
	# Read whole before grep: `awk | grep -q` fails under pipefail when grep stops first.
	experiments=$(awk '/^# [0-9]+ Experiments$/ { on = 1; next } /^# / { on = 0 } on' "$handout")
	grep -qiE 'predict' <<<"$experiments" || { echo "the experiments never ask for a prediction"; return 1; }
}

handout_has_references_and_estimates() {
	handout_has_references "$1" && tasks_have_estimates "$1"
}

# Lab 1 takes mmap() apart once, for every later lab to cite: its arguments,
# its flags (MAP_FIXED's danger included) and protection against open mode.
lab1_has_the_anatomy_of_mmap() {
	local handout=labs/01-traditional-io/HANDOUT.md word
	# shellcheck disable=SC2016 # the backquotes are Markdown's, not the shell's
	grep -qE '^## [0-9.]+ Anatomy of `?mmap\(\)`?$' "$handout" ||
		{ echo "lab 1 has no section 'Anatomy of mmap()'"; return 1; }
	for word in MAP_FIXED_NOREPLACE MAP_SHARED_VALIDATE MAP_POPULATE PROT_NONE O_WRONLY EACCES; do
		grep -q "$word" "$handout" || { echo "lab 1's anatomy of mmap() never names $word"; return 1; }
	done
	grep -qE '^## [0-9.]+ Protection and the open mode' "$handout" ||
		{ echo "lab 1 has no table of protection against open mode"; return 1; }
}

# Every "Step N.M" a hint of the suite cites is a step of the handout.
hints_cite_real_steps() {
	local lab=$1 cited missing
	cited=$(grep -ohE 'Step [0-9]+\.[0-9]+' "$(suite_source "$lab")" | sort -u)
	missing=$(comm -23 <(echo "$cited") \
		<(grep -oE '\*\*Step [0-9]+\.[0-9]+\*\*' "labs/$lab/HANDOUT.md" | tr -d '*' | sort -u))
	[[ -z $missing ]] || { echo "hints cite steps the handout does not have: $missing"; return 1; }
}

# Every promise of the lab's header has tests that fail when it is broken, and
# every visible test checks a promise: grader/contract/LAB.clauses, read
# against the header itself (grader/selftest/contract-coverage says how).
contract_is_covered() {
	local lab=$1 file
	file=$(student_file "$lab")
	grader/selftest/contract-coverage "labs/$lab/${file%.c}.h" "grader/contract/$lab.clauses" \
		"$(lab_json "$lab")" <(handout_section_numbers "labs/$lab/HANDOUT.md")
}

# Questions: the numbered list of the handout's "Self-check questions" section.
answers_exist() {
	local lab=$1 questions answers
	questions=$(awk '/^# ([0-9]+ )?Self-check questions/ { on = 1; next } /^# / { on = 0 }
		on && /^[0-9]+\. / { n++ } END { print n + 0 }' "labs/$lab/HANDOUT.md")
	answers=$(grep -cE '^(#+ *)?[0-9]+[.)] ' "solutions/$lab/ANSWERS.md")
	[[ $questions -gt 0 ]] || { echo "the handout has no numbered self-check questions"; return 1; }
	[[ $questions == "$answers" ]] || { echo "$questions questions but $answers answers"; return 1; }
}

# ---- grading -----------------------------------------------------------------

# Print the tests of a JSON report that did not pass, with their feedback.
show_failures() {
	jq -r '.tests[] | select(.status != "passed") | "\(.number) \(.name): \(.extra_data.verdict)\n\(.output)\n"' "$1"
}

solutions_score_full_marks() {
	grade --format json --out "$scratch/solutions.json" solutions || return 1
	jq -e '.score == .max_score and .max_score > 0 and all(.tests[]; .status == "passed")' \
		"$scratch/solutions.json" >/dev/null && return 0
	show_failures "$scratch/solutions.json"
	return 1
}

skeletons_score_zero() {
	grade --format json --out "$scratch/skeletons.json" labs || return 1
	if ! jq -e '.score == 0 and all(.tests[]; .status == "failed")' "$scratch/skeletons.json" >/dev/null; then
		echo "labs/ does not hold the untouched skeletons (make check tests the kit as shipped):"
		jq -r '.tests[] | select(.status == "passed") | "  \(.number) \(.name) passed"' "$scratch/skeletons.json"
		return 1
	fi
	# Useful feedback: every test says what was expected and what was observed.
	jq -e 'all(.tests[]; .output | test("expected:") and test("observed:"))' \
		"$scratch/skeletons.json" >/dev/null || { echo "a test of a skeleton gave no expected/observed feedback"; return 1; }
}

clang_grader_agrees() {
	build/clang/grader/runner --format json solutions | jq -e '.score == .max_score' >/dev/null ||
		{ echo "the solutions lose points when graded with clang"; return 1; }
	build/clang/grader/runner --format json labs | jq -e '.score == 0' >/dev/null ||
		{ echo "the skeletons score points when graded with clang"; return 1; }
}

tree_fingerprint() { find "$@" -printf '%p %m %s %T@\n' | sort | sha256sum; }

grading_modifies_nothing() {
	local before after
	before=$(tree_fingerprint labs solutions)
	grade --format json labs >/dev/null && grade --format json solutions >/dev/null || return 1
	after=$(tree_fingerprint labs solutions)
	[[ $before == "$after" ]] || { echo "files under labs/ or solutions/ changed"; return 1; }
}

# A submission folder holding one lab's student file; prints its path.
make_submission() {
	local name=$1 lab=$2 folder="$scratch/submissions/$1/$2"
	rm -rf "$scratch/submissions/$name"
	mkdir -p "$folder"
	cp "$(reference_submission)/$lab/$(student_file "$lab")" "$folder/"
	printf '%s\n' "$scratch/submissions/$name"
}

header_field() { sed -nE "s/^[ *]*$1: *(.*)$/\1/p" "$2"; }
wrong_name() { printf 'wrong: %s (%s)\n' "$(header_field 'Wrong solution' "$1")" "$(basename "$1" .patch)"; }

wrong_solution_is_caught() {
	local patch_file=$1 lab must_fail submission report
	lab=$(basename "$(dirname "$patch_file")")
	must_fail=$(header_field 'Must fail' "$patch_file")
	[[ -n $must_fail ]] || { echo "no 'Must fail:' line in $patch_file"; return 1; }
	submission=$(make_submission "$(basename "$patch_file" .patch)" "$lab")
	patch -s -p1 -d "$submission/$lab" <"$patch_file" || { echo "the patch does not apply"; return 1; }
	report="$submission.json"
	# The named test alone: what the check proves, at a fraction of the cost of the lab.
	grade --lab "$(lab_number "$lab")" --test "$must_fail" --format json --out "$report" \
		"$submission" || return 1
	jq -e --arg name "$must_fail" 'any(.tests[]; .name == $name)' "$report" >/dev/null ||
		{ echo "the suite has no test named $must_fail"; return 1; }
	jq -e '.score < .max_score' "$report" >/dev/null || { echo "it scored full marks"; return 1; }
	jq -e --arg name "$must_fail" '.tests[] | select(.name == $name) | .status == "failed"' \
		"$report" >/dev/null || { echo "$must_fail passed"; return 1; }
}

correct_name() {
	printf 'correct: %s (%s)\n' "$(header_field 'Correct variant' "$1")" \
		"$(basename "$1" .patch)"
}

# A correct solution of another design must never lose a point.
correct_variant_scores_full() {
	local patch_file=$1 lab submission report
	lab=$(basename "$(dirname "$patch_file")")
	[[ -n $(header_field 'Correct variant' "$patch_file") ]] ||
		{ echo "no 'Correct variant:' line in $patch_file"; return 1; }
	submission=$(make_submission "correct-$(basename "$patch_file" .patch)" "$lab")
	patch -s -p1 -d "$submission/$lab" <"$patch_file" || { echo "the patch does not apply"; return 1; }
	report="$submission.json"
	grade --lab "$(lab_number "$lab")" --format json --out "$report" "$submission" || return 1
	jq -e '.score == .max_score' "$report" >/dev/null && return 0
	jq -r '.tests[] | select(.status != "passed") | "\(.name): \(.output)"' "$report" | head -n 8
	return 1
}

# ---- a correct solution never loses a point by chance -------------------------

# The reference solutions and every correct variant in as few submissions as
# possible: solutions/, then round K holding the K-th variant of each lab that
# has one. Prints one line per submission: its --lab options, then its folder.
steady_submissions() {
	local patch_file lab round folder options
	local -A rounds_of=()
	echo "solutions"
	for patch_file in grader/catalogue/correct/*/*.patch; do
		lab=$(basename "$(dirname "$patch_file")")
		round=$((${rounds_of[$lab]:-0} + 1))
		rounds_of[$lab]=$round
		folder=$scratch/steady/round-$round/$lab
		# shellcheck disable=SC2015 # the block runs when any step fails, as it should
		mkdir -p "$folder" && cp "solutions/$lab/$(student_file "$lab")" "$folder/" &&
			patch -s -p1 -d "$folder" <"$patch_file" >/dev/null ||
			{ echo "$patch_file does not apply" >&2; return 1; }
	done
	for folder in "$scratch"/steady/round-*; do
		options=""
		for lab in "$folder"/*/; do options+="--lab $(lab_number "$(basename "$lab")") "; done
		echo "$options$folder"
	done
}

# Grade every submission steady_submissions printed ($1, one per line); print
# the tests that lost points, with the situation ($2), and fail if any did.
grade_steady_submissions() {
	local line status=0 report=$scratch/steady/report.json
	while read -r line; do
		# shellcheck disable=SC2086 # the line holds several words on purpose
		grade --format json --out "$report" $line || { echo "$2: cannot grade $line"; return 1; }
		jq -e '.score == .max_score' "$report" >/dev/null && continue
		status=1
		jq -r --arg when "$2" '.tests[] | select(.status != "passed") |
			"\($when): \(.number) \(.name) \(.extra_data.verdict): \(.output | .[0:300])"' "$report"
	done <<<"$1"
	return $status
}

# A correct solution must never lose a point by chance (a slow machine, a busy
# one, a race between processes). Every correct submission is graded once more
# alone, then beside two CPU-bound loops, one per CPU of a 2-CPU machine: every
# test then waits for a processor at every step. The loops stop by themselves
# after 2 minutes, should this check be interrupted.
correct_grading_is_steady() {
	local submissions status=0 loops=()
	submissions=$(steady_submissions) || return 1
	grade_steady_submissions "$submissions" "alone" || status=1
	for _ in 1 2; do
		(end=$((SECONDS + 120)); while ((SECONDS < end)); do :; done) &
		loops+=($!)
	done
	grade_steady_submissions "$submissions" "beside two CPU-bound loops" || status=1
	kill "${loops[@]}" 2>/dev/null
	wait "${loops[@]}" 2>/dev/null
	return $status
}

# Whether the grader's --sandbox gets bubblewrap to run here (asked once).
bubblewrap_runs_here() {
	if [[ -z ${bubblewrap_verdict:-} ]]; then
		bubblewrap_verdict=no
		grade --sandbox --lab 1 --format json --out "$scratch/sandbox-probe.json" labs \
			2>/dev/null && jq -e '.extra_data.isolation | contains("bubblewrap:")' \
			"$scratch/sandbox-probe.json" >/dev/null && bubblewrap_verdict=yes
	fi
	[[ $bubblewrap_verdict == yes ]]
}

hostile_name() { printf 'hostile: %s (%s)\n' "$(header_field 'Hostile' "$1")" "$(basename "$1" .patch)"; }

# A jq filter that keeps the tests of a JSON report that are not hidden (hidden
# ones are shown after the due date).
VISIBLE_TEST='select(.visibility != "after_due_date")'
visible_tests() { jq -r ".tests[] | $VISIBLE_TEST | .name" "$1"; }

# The verdict the report gives a test ("passed", "crashed", ...).
verdict_of() { jq -r --arg name "$2" '.tests[] | select(.name == $name) | .extra_data.verdict' "$1"; }

# A hostile patch turns the reference solution into a submission that misbehaves.
# Each "Expect: TEST VERDICT" line must hold, every other visible test must
# pass (the misbehaviour harms nothing else), and nothing may be left running
# or lying around afterwards. Hidden tests are left out: which functions they
# call, and so which misbehaviour they meet, is the instructors' choice.
# HOSTILE_PATCH [GRADER_OPTION...]: extra options (--sandbox) are passed to the grader.
hostile_submission_is_contained() {
	local patch_file=$1 lab submission report test verdict named status=0
	shift
	# A case whose verdicts hold only when the grader drops privileges, or
	# only inside bubblewrap's namespaces.
	if [[ $(header_field 'Requires' "$patch_file") == root && $(id -u) != 0 ]]; then
		echo "skipped: this case needs the grader to run as root"
		return 0
	fi
	if [[ $(header_field 'Requires' "$patch_file") == bubblewrap ]] && ! bubblewrap_runs_here; then
		echo "skipped: bubblewrap cannot run here"
		return 0
	fi
	# A case that bubblewrap's own small private /dev/shm contains before the grader's limits.
	if [[ $(header_field 'Sandboxed' "$patch_file") == contained* && " $* " == *" --sandbox "* ]]; then
		echo "skipped: $(header_field 'Sandboxed' "$patch_file")"
		return 0
	fi
	lab=$(basename "$(dirname "$patch_file")")
	submission=$(make_submission "$(basename "$patch_file" .patch)" "$lab")
	patch -s -p1 -d "$submission/$lab" <"$patch_file" || { echo "the patch does not apply"; return 1; }
	report="$submission.json"
	# shellcheck disable=SC2046 # the options are words on purpose
	grade $(header_field 'Grade-options' "$patch_file") "$@" --lab "$(lab_number "$lab")" \
		--format json --out "$report" "$submission" || return 1
	[[ -n $(header_field 'Expect' "$patch_file") ]] || { echo "no 'Expect:' line"; return 1; }
	named=$(header_field 'Expect' "$patch_file" | grep -v '^every other test passed$')
	while read -r test verdict; do
		[[ -z $test || $(verdict_of "$report" "$test") == "$verdict" ]] ||
			{ echo "$test: expected $verdict, got $(verdict_of "$report" "$test")"; status=1; }
	done <<<"$named"
	for test in $(visible_tests "$report"); do
		grep -q "^$test " <<<"$named" && continue
		[[ $(verdict_of "$report" "$test") == passed ]] ||
			{ echo "$test: expected passed, got $(verdict_of "$report" "$test")"; status=1; }
	done
	no_test_process_left || status=1
	no_stray_files_left || status=1
	return $status
}

# Work of the student's code that is stuck ends its test long before the
# test's limit, explained by the judge: what it waited for, why it is stuck,
# and what the processes were doing. Graded with the tests' own limits (the
# patch's Grade-options are left out). PATCH TEST VERDICT PATTERN: TEST's
# verdict must be VERDICT and its output match the extended regex PATTERN.
stuck_work_is_explained() {
	local patch_file=$1 test=$2 verdict=$3 pattern=$4 lab submission report output
	lab=$(basename "$(dirname "$patch_file")")
	submission=$(make_submission "stuck-$(basename "$patch_file" .patch)" "$lab")
	patch -s -p1 -d "$submission/$lab" <"$patch_file" || { echo "the patch does not apply"; return 1; }
	report="$submission.json"
	grade --lab "$(lab_number "$lab")" --format json --out "$report" "$submission" || return 1
	[[ $(verdict_of "$report" "$test") == "$verdict" ]] ||
		{ echo "$test: expected $verdict, got $(verdict_of "$report" "$test")"; return 1; }
	output=$(jq -r --arg name "$test" '.tests[] | select(.name == $name) | .output' "$report")
	grep -qE "$pattern" <<<"$output" ||
		{ echo "$test: not ended early as expected ($pattern):"; printf '%s\n' "$output"; return 1; }
	no_test_process_left
}

# What the judge says of a call it ended. The seconds: under the test's limit of 10. A
# spin uses up its 2 s of processor time in 2 s on an idle machine, later on a busy one.
# shellcheck disable=SC2034 # used by grader/selftest/check, which sources this file
STUCK_CALL='^timed out: .+ had not returned after [1-9] s: '
# shellcheck disable=SC2034 # used by grader/selftest/check too
STUCK_ACTIVITY='; the subject was (running|asleep in|in state) '

# ---- the memory of a test as a whole ------------------------------------------

# Bytes of memory the machine may lend one test beyond its 1 GiB in all: the
# grader's own processes and, under the watchdog, what the test takes in the
# 50 ms between two samples (measured: README, "How the grader protects itself").
MEMORY_OVERSHOOT_MIB=256

available_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

# Run COMMAND...; peak_mib is then the most memory it and all its processes
# held at once, measured from outside: as root in a memory cgroup of its own
# (its peak counts files in memory too), elsewhere as the largest fall of the
# machine's MemAvailable, sampled every 20 ms.
measure_peak_memory() {
	local parent group status=0 start lowest now pid
	parent=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
	group=${parent%/}/selftest-memory-$$
	if [[ $(id -u) == 0 ]] && mkdir "$group" 2>/dev/null; then
		(echo "$BASHPID" >"$group/cgroup.procs" && "$@") || status=1
		peak_mib=$(($(cat "$group/memory.max_usage_in_bytes") >> 20))
		rmdir "$group"
		return $status
	fi
	start=$(available_kib) lowest=$start
	"$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		now=$(available_kib)
		((now < lowest)) && lowest=$now
		sleep 0.02
	done
	wait "$pid" || status=1
	peak_mib=$(((start - lowest) >> 10))
	return $status
}

# Control groups the grader made (mmap-labs-PID) whose runner is gone.
no_test_group_left() {
	local group pid left=""
	for group in /sys/fs/cgroup/memory/ /sys/fs/cgroup/pids/ /sys/fs/cgroup/; do
		[[ -d $group ]] || continue
		while read -r group; do
			pid=${group##*/mmap-labs-}
			runner_is_running "$pid" || left+=" $group"
		done < <(find "$group" -maxdepth 4 -type d -name 'mmap-labs-*' 2>/dev/null)
	done
	[[ -z $left ]] || { echo "control groups left behind:$left"; return 1; }
}

peak_within_bound() {
	((peak_mib <= 1024 + MEMORY_OVERSHOOT_MIB)) ||
		{ echo "the run held ${peak_mib} MiB at its peak, bound $((1024 + MEMORY_OVERSHOOT_MIB)) MiB"; return 1; }
}

# A hostile case that takes memory in many processes or in files in memory
# gets its verdicts (hostile_submission_is_contained), and the grading run,
# one test at a time, never holds more than 1 GiB + the overshoot at once.
hostile_memory_is_bounded() { # HOSTILE_PATCH
	local status=0
	measure_peak_memory hostile_submission_is_contained "$1" --jobs 1 || status=1
	peak_within_bound || status=1
	no_test_group_left || status=1
	return $status
}

# The same where no cgroup can be used (an ordinary user: the watchdog): every
# test its Expect lines name fails with the memory line, every other passes,
# and the run's peak stays within the bound. The watchdog's is used as root too.
hostile_memory_is_bounded_by_watchdog() { # HOSTILE_PATCH
	local patch_file=$1 lab home status=0 test verdict named
	lab=$(basename "$(dirname "$patch_file")")
	home=$(mktemp -d /tmp/mmap-labs-watchdog.XXXXXX)
	mkdir -p "$home/submission/$lab"
	cp "solutions/$lab/$(student_file "$lab")" "$home/submission/$lab/"
	patch -s -p1 -d "$home/submission/$lab" <"$patch_file" || { echo "the patch does not apply"; return 1; }
	measure_peak_memory grade_unprivileged "$home/submission" "$(lab_number "$lab")" \
		"$home/report.json" --jobs 1 >/dev/null || status=1
	jq -e '.extra_data.isolation | contains("limited as a whole (watchdog)")' "$home/report.json" \
		>/dev/null || { echo "the watchdog was not used"; status=1; }
	named=$(header_field 'Expect' "$patch_file" | grep -v '^every other test passed$')
	for test in $(visible_tests "$home/report.json"); do
		verdict=$(verdict_of "$home/report.json" "$test")
		if grep -q "^$test " <<<"$named"; then
			jq -e --arg name "$test" '.tests[] | select(.name == $name) | .output |
				test("more than 1 GiB of memory in all")' "$home/report.json" >/dev/null ||
				{ echo "$test: $verdict, without the memory line"; status=1; }
		elif [[ $verdict != passed ]]; then
			echo "$test: expected passed, got $verdict"
			status=1
		fi
	done
	peak_within_bound || status=1
	no_test_process_left || status=1
	rm -rf "$home"
	return $status
}

# ---- the files of a test as a whole -------------------------------------------

# What a test may write beyond its 1 GiB of files in all before it is stopped:
# the watchdog samples every 100 ms (measured: README, "How the grader protects itself").
FILES_OVERSHOOT_MIB=256

# KiB of files on the machine now: on the disk of the grader's work folder, and in tmpfs.
files_in_use_kib() {
	echo $(($(df -k --output=used "${TMPDIR:-/tmp}" | tail -n 1) +
		$(awk '/^Shmem:/ { print $2 }' /proc/meminfo)))
}

# Grade a case that fills the disk, one test at a time, sampling the machine
# from outside every 20 ms: it must never hold more than 1 GiB + the overshoot
# of files, must give it all back, and must leave nothing behind.
hostile_files_are_bounded() {
	local patch_file=$1 lab submission start peak=0 now pid status=0
	lab=$(basename "$(dirname "$patch_file")")
	submission=$(make_submission "files-$(basename "$patch_file" .patch)" "$lab")
	patch -s -p1 -d "$submission/$lab" <"$patch_file" || { echo "the patch does not apply"; return 1; }
	start=$(files_in_use_kib)
	grade --jobs 1 --lab "$(lab_number "$lab")" --format json --out "$submission.json" \
		"$submission" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		now=$(($(files_in_use_kib) - start))
		((now > peak)) && peak=$now
		sleep 0.02
	done
	wait "$pid" || status=1
	((peak >> 10 <= 1024 + FILES_OVERSHOOT_MIB)) || { echo "held $((peak >> 10)) MiB"; status=1; }
	now=$(($(files_in_use_kib) - start))
	((now >> 10 < 64)) || { echo "still held afterwards: $((now >> 10)) MiB"; status=1; }
	no_test_process_left || status=1
	no_stray_files_left || status=1
	no_work_folder_left || status=1
	return $status
}

# ---- forgeries ------------------------------------------------------------------

forgery_name() {
	printf 'forgery: %s (%s)\n' "$(header_field 'Forgery' "$1" | head -n 1)" "$(basename "$1" .c)"
}

# The submission of a forgery case: its base (the skeleton, or the solution with
# a wrong patch) with the attack appended; prints the submission's folder.
forgery_submission() { # CASE BASE_KIND(base|solution)
	local case=$1 lab base name folder
	lab=$(header_field 'Lab' "$case")
	base=$(header_field 'Base' "$case")
	name="forgery-$2-$(basename "$case" .c)"
	folder=$(make_submission "$name" "$lab")
	if [[ $2 == base && $base == skeleton ]]; then
		cp "labs/$lab/$(student_file "$lab")" "$folder/$lab/"
	elif [[ $2 == base ]]; then
		patch -s -p1 -d "$folder/$lab" <"grader/catalogue/wrong/$lab/${base#wrong }.patch" ||
			return 1
	fi
	cat "$case" >>"$folder/$lab/$(student_file "$lab")"
	printf '%s\n' "$folder"
}

# An attempt to speak for the grader gains nothing: on its base it scores what
# the base deserves (0 for the skeleton; the wrong solution's test still fails),
# on the reference solution it costs nothing when it leaves the behaviour
# alone, and nothing of it is left running or lying around.
forgery_gains_nothing() {
	local case=$1 lab base folder report status=0
	lab=$(header_field 'Lab' "$case")
	base=$(header_field 'Base' "$case")
	folder=$(forgery_submission "$case" base) || { echo "the base does not build"; return 1; }
	report="$folder.json"
	grade --lab "$(lab_number "$lab")" --format json --out "$report" "$folder" || return 1
	if [[ $base == skeleton ]]; then
		jq -e '.score == 0' "$report" >/dev/null ||
			{ echo "on the skeleton it scored $(jq .score "$report")"; show_failures "$report" | head; status=1; }
	else
		local must_fail
		must_fail=$(header_field 'Must fail' "grader/catalogue/wrong/$lab/${base#wrong }.patch")
		jq -e --arg name "$must_fail" '.score < .max_score and any(.tests[]; .name == $name and .status == "failed")' \
			"$report" >/dev/null || { echo "$must_fail passed on the wrong solution"; status=1; }
	fi
	if [[ $(header_field 'Intact' "$case") == yes ]]; then
		folder=$(forgery_submission "$case" solution) || return 1
		grade --lab "$(lab_number "$lab")" --format json --out "$folder.json" "$folder" || return 1
		jq -e '.score == .max_score' "$folder.json" >/dev/null ||
			{ echo "it cost the reference solution points:"; show_failures "$folder.json" | head -n 12; status=1; }
	fi
	if [[ $(header_field 'Unprivileged' "$case") == yes ]]; then
		forgery_gains_nothing_unprivileged "$case" || status=1
	fi
	no_test_process_left || status=1
	no_stray_files_left || status=1
	return $status
}

# The grader run by an ordinary user: no user id of the test's own, so only
# the grader's own defences stand between the submission and the grader's
# files. As root, the case is graded as the user nobody.
grade_unprivileged() { # FOLDER_OF_SUBMISSION LAB REPORT [GRADER_OPTION...]
	if [[ $(id -u) == 0 ]]; then
		chown -R nobody: "$(dirname "$1")"
		setpriv --reuid=nobody --regid=nogroup --clear-groups env TMPDIR=/tmp \
			"$runner" --lab "$2" --format json --out "$3" "${@:4}" "$1"
	else
		grade --lab "$2" --format json --out "$3" "${@:4}" "$1"
	fi
}

forgery_gains_nothing_unprivileged() {
	local case=$1 lab number home status=0
	lab=$(header_field 'Lab' "$case")
	number=$(lab_number "$lab")
	home=$(mktemp -d /tmp/mmap-labs-unprivileged.XXXXXX)
	chmod 755 "$home"
	mkdir -p "$home/skeleton/$lab" "$home/solution/$lab"
	cat "labs/$lab/$(student_file "$lab")" "$case" >"$home/skeleton/$lab/$(student_file "$lab")"
	cat "solutions/$lab/$(student_file "$lab")" "$case" >"$home/solution/$lab/$(student_file "$lab")"
	grade_unprivileged "$home/skeleton" "$number" "$home/skeleton.json" || status=1
	jq -e '.score == 0' "$home/skeleton.json" >/dev/null 2>&1 ||
		{ echo "graded by an ordinary user, on the skeleton it scored $(jq .score "$home/skeleton.json")"; status=1; }
	if ! jq -e '.extra_data.isolation | contains("Landlock")' "$home/skeleton.json" >/dev/null 2>&1; then
		echo "(no Landlock on this kernel: writes outside a test's folder are not checked)"
	else
		grade_unprivileged "$home/solution" "$number" "$home/solution.json" || status=1
		jq -e '.score == .max_score' "$home/solution.json" >/dev/null 2>&1 ||
			{ echo "graded by an ordinary user, a write outside the test's folder succeeded:"; show_failures "$home/solution.json" | head -n 8; status=1; }
	fi
	rm -rf "$home"
	return $status
}

# ---- the command line --------------------------------------------------------

# One submission misbehaving in all six labs at once (lab 5 does not even
# compile), graded in one run: each lab's score must be the one its case's
# Expect lines give, within a time bound.
ALL_LABS_HOSTILE="01-traditional-io/fork-bomb 02-shared-edit/stdout-flood
	03-private-map/memory-bomb 04-anon-fork-ipc/deadlocked-pingpong
	05-unrelated-ipc/does-not-compile 06-page-faults/signal-blocker"
ALL_LABS_SECONDS=90

# The visible tests of one lab ($lab is "N.") in a JSON report.
LAB_VISIBLE_TESTS=".tests[] | select(.number | startswith(\$lab)) | $VISIBLE_TEST"

expected_lab_score() { # REPORT LAB_NUMBER PATCH: the points of the tests expected to pass
	local failing
	failing=$(header_field 'Expect' "$3" | grep -v '^every other test passed$' |
		grep -v ' passed$' | cut -d' ' -f1 | jq -R . | jq -s .)
	jq --arg lab "$2." --argjson failing "${failing:-[]}" "[$LAB_VISIBLE_TESTS |
		select(.name as \$n | \$failing | index(\$n) | not) | .max_score] | add // 0" "$1"
}

all_labs_hostile_in_bound() {
	local submission=$scratch/submissions/all-labs-hostile case lab start seconds status=0
	rm -rf "$submission"
	for lab in $(lab_folders); do
		mkdir -p "$submission/$lab"
		cp "solutions/$lab/$(student_file "$lab")" "$submission/$lab/"
	done
	for case in $ALL_LABS_HOSTILE; do
		patch -s -p1 -d "$submission/${case%%/*}" <"grader/catalogue/hostile/$case.patch" ||
			{ echo "$case does not apply"; return 1; }
	done
	start=$SECONDS
	grade --timeout 5 --format json --out "$submission.json" "$submission" || return 1
	seconds=$((SECONDS - start))
	((seconds <= ALL_LABS_SECONDS)) ||
		{ echo "took ${seconds} s, bound ${ALL_LABS_SECONDS} s"; status=1; }
	for case in $ALL_LABS_HOSTILE; do
		lab=$(lab_number "${case%%/*}")
		local want got
		want=$(expected_lab_score "$submission.json" "$lab" "grader/catalogue/hostile/$case.patch")
		got=$(jq --arg lab "$lab." "[$LAB_VISIBLE_TESTS | .score] | add // 0" \
			"$submission.json")
		[[ $want == "$got" ]] || { echo "lab $lab ($case): scored $got, expected $want"; status=1; }
	done
	no_test_process_left || status=1
	no_stray_files_left || status=1
	return $status
}

# ---- --sandbox -------------------------------------------------------------------

# The case that looks for a way out must lose points without --sandbox: the
# grader's other protections do not hide the machine, so only bubblewrap can
# be what makes it pass.
machine_visible_without_sandbox() {
	local case=grader/catalogue/hostile/01-traditional-io/looks-for-a-way-out.patch submission
	submission=$(make_submission way-out 01-traditional-io)
	patch -s -p1 -d "$submission/01-traditional-io" <"$case" || { echo "the patch does not apply"; return 1; }
	grade --lab 1 --format json --out "$submission.json" "$submission" || return 1
	jq -e '.score < .max_score' "$submission.json" >/dev/null ||
		{ echo "it scored full marks without --sandbox"; return 1; }
}

# Every format says how the tests were isolated: ISOLATION_TEXT appears in each.
reports_state_isolation() {
	local text=$1 format report
	shift
	for format in text json tap junit; do
		report=$(grade "$@" --lab 1 --format "$format" labs) || return 1
		case $format in
		text) grep -q "^Isolation: .*$text" <<<"$report" ;;
		json) jq -e --arg text "$text" '(.extra_data.isolation | contains($text)) and
			(.output | contains("Isolation: "))' <<<"$report" >/dev/null ;;
		tap) grep -q "^# Isolation: .*$text" <<<"$report" ;;
		junit) grep -q "<property name=\"isolation\" value=\".*$text" <<<"$report" ;;
		esac || { echo "--format $format does not state '$text'"; return 1; }
	done
}

# With a bwrap on PATH that cannot create namespaces (as inside many
# containers), --sandbox grades anyway and the report says why it did not sandbox.
# A bubblewrap as old as Ubuntu 22.04's (0.6): no --size, no --disable-userns.
# It stands in the kit's build folder, since a test's /tmp is private.
older_bubblewrap_still_sandboxes() {
	local folder=build/old-bwrap real report
	real=$(command -v bwrap) || return 1
	mkdir -p "$folder" && chmod 755 "$folder" || return 1
	cat >"$folder/bwrap" <<-EOF
		#!/bin/sh
		# Stands in for bubblewrap 0.6, which has neither --size nor --disable-userns.
		for argument in "\$@"; do
			case \$argument in
			--size | --disable-userns) echo "bwrap: Unknown option \$argument" >&2; exit 1 ;;
			esac
		done
		if [ "\$1" = --help ]; then
			"$real" --help | grep -v -e --size -e --disable-userns
			exit 0
		fi
		exec "$real" "\$@"
	EOF
	chmod 755 "$folder/bwrap"
	report=$(PATH="$PWD/$folder:$PATH" grade --sandbox --lab 6 --format json solutions)
	rm -rf "$folder"
	jq -e '.score == .max_score and (.extra_data.isolation |
		contains("bubblewrap: no network") and contains("no --size") and
		contains("no --disable-userns"))' <<<"$report" >/dev/null ||
		{ echo "report: $(jq -c '[.score, .max_score, .extra_data.isolation]' <<<"$report")"; return 1; }
}

sandbox_falls_back() {
	local fake report
	fake=$(mktemp -d "$scratch/fake-bwrap.XXXXXX")
	chmod 755 "$scratch" "$fake"
	printf '#!/bin/sh\necho "bwrap: No permissions to create a new namespace" >&2\nexit 1\n' \
		>"$fake/bwrap"
	chmod 755 "$fake/bwrap"
	report=$(PATH="$fake:$PATH" grade --sandbox --lab 1 --format json solutions 2>"$scratch/stderr")
	chmod 700 "$scratch"
	jq -e '.score == .max_score and (.extra_data.isolation |
		contains("bubblewrap cannot run here (bwrap: No permissions"))' <<<"$report" >/dev/null ||
		{ echo "report: $(jq .extra_data <<<"$report")"; return 1; }
	grep -q "grading without it" "$scratch/stderr" || { echo "no warning on stderr"; return 1; }
}

refused_in_one_line() {
	local out err code
	out=$(grade "$@" 2>"$scratch/stderr")
	code=$?
	err=$(cat "$scratch/stderr")
	[[ $code == 2 ]] || { echo "exit status $code, expected 2"; return 1; }
	[[ -z $out ]] || { echo "it printed a report"; return 1; }
	[[ -n $err && $(wc -l <<<"$err") == 1 ]] || { echo "not one line: ${err:-(nothing)}"; return 1; }
	echo "$err"
}

# How many tests a run had at once, from its JSON report: "N at a time (why)".
tests_at_once() { jq -r .extra_data.tests_at_once "$1"; }

# One quick test of lab 6 as a JSON report into FILE, with the runner started by "$@".
quick_report() { # FILE COMMAND...
	local report=$1
	shift
	"$@" "$runner" --lab 6 --test predict_at_4k_pages --format json --out "$report" \
		"$(reference_submission)"
}

# Pinned to one CPU, the grader runs one test at a time (not one per online CPU).
jobs_follow_affinity() {
	local report=$scratch/affinity.json
	quick_report "$report" taskset -c 0 || return 1
	[[ $(tests_at_once "$report") == "1 at a time (1 CPU usable,"* ]] ||
		{ echo "under taskset -c 0: $(tests_at_once "$report")"; return 1; }
}

# Run "$@" inside the cgroups GROUP of the v1 cpu and memory controllers.
run_in_cgroups() { # GROUP COMMAND...
	local group=$1
	shift
	(echo "$BASHPID" >"/sys/fs/cgroup/cpu/$group/cgroup.procs" &&
		echo "$BASHPID" >"/sys/fs/cgroup/memory/$group/cgroup.procs" && exec "$@")
}

# Half a CPU and 768 MB, Gradescope's default machine: one test at a time, for both reasons.
jobs_follow_cgroup_limits() {
	local group=mmap-labs-check.$$ report=$scratch/quota.json status
	if [[ $(id -u) != 0 || ! -w /sys/fs/cgroup/cpu || ! -w /sys/fs/cgroup/memory ]]; then
		echo "skipped: needs root and the cgroup v1 cpu and memory controllers"
		return 0
	fi
	mkdir "/sys/fs/cgroup/cpu/$group" "/sys/fs/cgroup/memory/$group" || return 1
	echo 100000 >"/sys/fs/cgroup/cpu/$group/cpu.cfs_period_us"
	echo 50000 >"/sys/fs/cgroup/cpu/$group/cpu.cfs_quota_us"
	echo $((768 << 20)) >"/sys/fs/cgroup/memory/$group/memory.limit_in_bytes"
	quick_report "$report" run_in_cgroups "$group"
	status=$?
	for _ in 1 2 3 4 5; do
		rmdir "/sys/fs/cgroup/cpu/$group" "/sys/fs/cgroup/memory/$group" 2>/dev/null && break
		sleep 0.2
	done
	((status == 0)) || return 1
	[[ $(tests_at_once "$report") == "1 at a time ("*"a CPU quota of 1, memory for 0 tests"* ]] ||
		{ echo "in half a CPU and 768 MB: $(tests_at_once "$report")"; return 1; }
}

# ---- the runner's parts, alone -------------------------------------------------

# The records the judge's library writes, read back by the runner's parser
# (protocol-check.c): both sides follow judge_protocol.h.
runner_reads_what_judges_write() {
	make --no-print-directory -s selftest-programs && build/grader/selftest/protocol-check
}

# The runner when realloc() fails, a lab description lacks a field, or the
# machine has more CPUs than a fixed cpu_set_t holds (runner-faults.c).
runner_survives_faults() {
	make --no-print-directory -s selftest-programs &&
		build/grader/selftest/runner-faults "$scratch"
}

missing_file_scores_zero() {
	local lab submission
	lab=$(lab_folders | head -n 1)
	submission="$scratch/submissions/missing"
	mkdir -p "$submission/$lab"
	grade --format json --out "$submission.json" "$submission" || return 1
	jq -e --arg text "missing $(student_file "$lab")" '.score == 0 and (.output | contains($text))' \
		"$submission.json" >/dev/null || { jq .output "$submission.json"; return 1; }
}

compile_error_scores_zero() {
	local lab submission
	lab=$(lab_folders | head -n 1)
	submission=$(make_submission broken "$lab")
	printf 'this is not C;\n' >>"$submission/$lab/$(student_file "$lab")"
	grade --format json --out "$submission.json" "$submission" || return 1
	jq -e '.score == 0 and (.output | test("does not compile")) and (.output | test("error"))' \
		"$submission.json" >/dev/null || { jq -r .output "$submission.json"; return 1; }
	# CI systems show a report test by test: the compiler's words must be there too.
	local format
	for format in tap junit; do
		grade --format "$format" --out "$submission.$format" "$submission" || return 1
		grep -q 'the compiler said:.*error' "$submission.$format" ||
			{ echo "--format $format does not give the compiler's message"; return 1; }
	done
}

# The hostile submission whose output no report may pass through as it is.
unprintable_submission() {
	local patch_file=grader/catalogue/hostile/01-traditional-io/unprintable-output.patch
	local submission
	submission=$(make_submission unprintable-report 01-traditional-io)
	patch -s -p1 -d "$submission/01-traditional-io" <"$patch_file" || return 1
	printf '%s\n' "$submission"
}

# TAP 13: the version line, a plan, one test point per test, in order.
tap_is_valid() {
	local submission report points
	submission=$(unprintable_submission) || { echo "the patch does not apply"; return 1; }
	report=$(grade --format tap --lab 1 "$submission") || return 1
	[[ $(head -n 1 <<<"$report") == "TAP version 13" ]] || { echo "no version line"; return 1; }
	points=$(grep -cE '^(not )?ok [0-9]+ - ' <<<"$report")
	[[ $(sed -n 2p <<<"$report") == "1..$points" ]] || { echo "plan does not match"; return 1; }
	# Five visible tests call tio_write_full; hidden ones may too.
	[[ $(grep -E '^not ok ' <<<"$report" | grep -cv ' (hidden) ') == 5 ]] ||
		{ echo "expected 5 failures of visible tests"; return 1; }
	# Student text stays inside the indented YAML blocks: no forged test point.
	! grep -q '^not ok 99' <<<"$report" || { echo "a forged test point got out"; return 1; }
	printf '%s\n' "$report" >"$scratch/report.tap"
	tap_messages_read_whole "$scratch/report.tap"
}

# Two TAP consumers (Python's tap.py, Perl's TAP::Parser) read every failed
# test's YAML message whole: it ends with the last line the code printed
# ("not ok 99 - forged", after lines "---" and "..." that end a block).
tap_messages_read_whole() {
	local report=$1 whole='not ok 99 - forged' counts
	counts=$(/usr/bin/python3 "$kit/grader/selftest/py/tap_read_whole.py" "$report" "$whole") ||
		{ echo "tap.py could not read the report"; return 1; }
	[[ ${counts% *} -gt 0 && ${counts% *} == "${counts#* }" ]] ||
		{ echo "tap.py: of the failed tests (first number), only the second read whole: $counts"; return 1; }
	counts=$(perl -MTAP::Parser -e '
		my ($failed, $whole) = (0, 0);
		my $parser = TAP::Parser->new({ source => $ARGV[0] });
		while (my $result = $parser->next) {
			$failed++ if $result->is_test && !$result->is_ok;
			$whole++ if $result->is_yaml && $result->data->{message} =~ /\Q$ARGV[1]\E\z/;
		}
		print "$failed $whole\n";' "$report" "$whole") || { echo "TAP::Parser failed"; return 1; }
	[[ ${counts% *} -gt 0 && ${counts% *} == "${counts#* }" ]] ||
		{ echo "TAP::Parser: of the failed tests (first number), only the second read whole: $counts"; return 1; }
}

# JUnit XML that an XML parser accepts, with the right counts.
junit_is_well_formed() {
	local submission
	submission=$(unprintable_submission) || { echo "the patch does not apply"; return 1; }
	grade --format junit --out "$scratch/junit.xml" --lab 1 "$submission" || return 1
	/usr/bin/python3 "$kit/grader/selftest/py/junit_counts.py" "$scratch/junit.xml"
}

# The reports CI systems and Gradescope read, checked with the validators they
# stand for: Jenkins' JUnit rules (schemas/junit.xsd, with xmllint) and
# Gradescope's results.json specification (schemas/gradescope-results.json,
# with python3-jsonschema). Each is checked on code that prints what no report
# may pass through as it is, and on code that does not compile.
reports_follow_their_schemas() {
	local printing broken lab status=0
	printing=$(unprintable_submission) || { echo "the patch does not apply"; return 1; }
	lab=$(lab_folders | head -n 1)
	broken=$(make_submission broken-for-schemas "$lab")
	printf 'this is not C;\n' >>"$broken/$lab/$(student_file "$lab")"
	for submission in "$printing" "$broken"; do
		grade --lab 1 --format junit --out "$submission.xml" "$submission" || return 1
		xmllint --noout --schema grader/selftest/schemas/junit.xsd "$submission.xml" 2>&1 |
			grep -v ' validates$' && status=1
		grade --lab 1 --format json --out "$submission.json" "$submission" || return 1
		/usr/bin/python3 "$kit/grader/selftest/py/gradescope_schema.py" grader/selftest/schemas/gradescope-results.json \
			"$submission.json" || status=1
	done
	return $status
}

json_is_gradescope() {
	local report=$scratch/solutions.json
	is_student_release && report=$scratch/skeletons.json
	jq -e '(.score | type == "number") and (.max_score | type == "number") and
		.output_format == "text" and .test_output_format == "text" and
		all(.tests[]; (.name | type == "string") and (.number | test("^[0-9]+\\.[0-9]+$")) and
			(.score | type == "number") and (.max_score | type == "number") and
			(.status == "passed" or .status == "failed") and (.output | type == "string"))' \
		"$report" >/dev/null
}

text_report_has_table() {
	local report
	report=$(grade labs) || return 1
	grep -qE '^  Total +[0-9]+/[0-9]+' <<<"$report" || { echo "no Total line"; return 1; }
	grep -qE '^  Lab [0-9]+ ' <<<"$report" || { echo "no per-lab line"; return 1; }
	! grep -q $'\033' <<<"$report" || { echo "colour codes in a report that is not on a terminal"; return 1; }
}

# ---- demos and leftovers -----------------------------------------------------

demos_run() {
	local lab=$1 runner="grader/selftest/demos/$1.sh"
	[[ -x $runner ]] || { echo "no demo check $runner"; return 1; }
	"$runner" "$kit/build/demos-solution/$lab" "$scratch/demo-$lab"
}

# Other runs of the grader may be in progress on the same machine (an
# instructor grading while the kit checks itself): what is left behind is what
# belongs to a runner that has exited. A test uid belongs to the runner whose
# pid owns its block of 128 uids (scheduler.c); a work folder's name carries
# its runner's pid (main.c).
runner_is_running() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == runner ]]; }

# The test uid scheme, as the runner prints it (--print-config): the first test
# uid and the size of each runner's block.
test_uid_scheme() {
	build/grader/runner --print-config | jq -r '"\(.test_uids.first) \(.test_uids.per_runner)"'
}

# Lines "UID ..." whose uid is a test uid of a runner that is no longer running
# (a uid's block names its runner: test_uid_scheme).
orphans_by_uid() {
	local uid rest first per_runner
	read -r first per_runner < <(test_uid_scheme)
	# Printed, not only failed: the callers read what this prints through a pipe.
	[[ -n $per_runner ]] || { echo "(the runner does not say which uids are test uids)"; return 1; }
	while read -r uid rest; do
		((uid >= first)) || continue
		runner_is_running $(((uid - first) / per_runner)) || printf '%s %s\n' "$uid" "$rest"
	done
}

no_test_process_left() {
	local left
	left=$(ps -eo uid=,pid=,args= | orphans_by_uid) || return 1
	[[ -z $left ]] || { echo "still running: $left"; return 1; }
}

no_stray_files_left() {
	local left
	left=$(find /tmp /var/tmp /dev/shm -maxdepth 1 -printf '%U %p\n' 2>/dev/null | orphans_by_uid)
	[[ -z $left ]] || { echo "files of a test user left behind: $left"; return 1; }
}

no_work_folder_left() {
	local folder pid left=""
	for folder in "${TMPDIR:-/tmp}"/mmap-labs-grade.*; do
		[[ -e $folder ]] || continue
		pid=${folder##*/mmap-labs-grade.}
		pid=${pid%%.*}
		runner_is_running "$pid" || left+=" $folder"
	done
	[[ -z $left ]] || { echo "left:$left"; return 1; }
}
