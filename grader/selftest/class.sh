# class.sh — the checks of grader/grade-class, which grades a whole class.
#
# class_build_submissions makes a class in $scratch/class/subs from solutions/,
# the skeletons and catalogue patches: plain folders, a .tar.gz, a .zip, two
# corrupt archives, a zip bomb and a gzip bomb, archives with '../escape' and
# with links to /etc, misnamed files, two students named bob, hostile code, a
# folder with no lab and a file that is no submission. class_grade_runs grades
# it once (labs 1 and 2); the checks after it read that run's output, compare
# it with a lone grader/grade of each submission, and try the bad inputs.
# Sourced by check after lib.sh: uses $kit, $scratch, grade(), check and section.

# shellcheck shell=bash disable=SC2154 # kit and scratch: set by grader/selftest/check, which sources this file

grade_class() { "$kit/grader/grade-class" "$@"; }
class_dir() { printf '%s/class\n' "$scratch"; }
class_labs() { lab_folders | head -n 2; }

# LAB SOURCE_ROOT DEST: copy the student file of LAB from SOURCE_ROOT (solutions or labs).
class_copy_file() {
	mkdir -p "$3/$1"
	cp "$2/$1/$(student_file "$1")" "$3/$1/"
}

# ARCHIVE_FORM DEST SOURCE [EXTRA]: archive the folder SOURCE's contents as DEST
# (tar.gz or zip, written by Python so no archiver has to be installed); EXTRA
# adds hostile members: escape (../escape), links (a symlink to /etc and a hard
# link to /etc/passwd), zipbomb or gzipbomb (a 256 MiB tio.c of zeros).
class_archive() {
	/usr/bin/python3 "$kit/grader/selftest/py/make_archive.py" "$@"
}

class_build_submissions() {
	local c subs sources lab
	c=$(class_dir)
	subs=$c/subs sources=$c/sources
	rm -rf "$c"
	mkdir -p "$subs" "$sources"
	for lab in $(class_labs); do
		class_copy_file "$lab" solutions "$subs/alice"
		# carol hands in her whole copy of the skeletons, inside one more folder.
		mkdir -p "$sources/carol/carol-labs"
		cp -r "labs/$lab" "$sources/carol/carol-labs/"
		class_copy_file "$lab" solutions "$sources/dave"
	done
	patch -s -p1 -d "$sources/dave/01-traditional-io" \
		<grader/catalogue/wrong/01-traditional-io/read-full-single-read.patch || return 1
	class_copy_file 01-traditional-io solutions "$sources/erin"
	class_copy_file 01-traditional-io solutions "$sources/frank"
	class_copy_file 01-traditional-io labs "$sources/bob-2"
	class_copy_file 02-shared-edit solutions "$subs/bob"
	class_archive tar.gz "$subs/carol.tar.gz" "$sources/carol" &&
		class_archive zip "$subs/dave.zip" "$sources/dave" &&
		class_archive tar.gz "$subs/erin.tgz" "$sources/erin" escape &&
		class_archive tar.gz "$subs/frank.tar.gz" "$sources/frank" links &&
		class_archive zip "$subs/bob.zip" "$sources/bob-2" &&
		mkdir -p "$sources/bomb" &&
		class_archive zip "$subs/zipbomb.zip" "$sources/bomb" zipbomb &&
		class_archive tar.gz "$subs/gzbomb.tar.gz" "$sources/bomb" gzipbomb || return 1
	head -c 4000 /dev/urandom >"$subs/corrupt.zip"
	head -c 300 "$subs/carol.tar.gz" >"$subs/truncated.tar.gz"
	mkdir -p "$subs/misnamed/01-traditional-io"
	cp solutions/01-traditional-io/tio.c "$subs/misnamed/01-traditional-io/Tio.c"
	cp solutions/02-shared-edit/shared_edit.c "$subs/misnamed/"
	mkdir -p "$subs/nolab"
	echo "I did not do the labs." >"$subs/nolab/README.txt"
	echo "not a submission" >"$subs/notes.txt"
	class_copy_file 01-traditional-io solutions "$subs/mallory"
	patch -s -p1 -d "$subs/mallory/01-traditional-io" \
		<grader/catalogue/hostile/01-traditional-io/fork-bomb.patch || return 1
}

# What the run could have written besides --out: $scratch and the shared temporary folders.
class_outside_listing() {
	local c
	c=$(class_dir)
	{
		# listing-*: what this check itself writes (the listings, the run's output).
		find "$scratch" -path "$c/out" -prune -o -path "$c/listing-*" -prune -o -printf '%p %s\n'
		find /tmp /var/tmp /dev/shm -mindepth 1 -maxdepth 1 -path "$scratch" -prune -o -printf '%p\n'
		find /etc -maxdepth 1 -newer "$c/subs/notes.txt" -printf '%p\n'
		find "$kit/grader" -name __pycache__
	} 2>/dev/null | sort
}

class_grade_runs() {
	local c status full
	c=$(class_dir)
	full=$(($(class_full_marks 1) + $(class_full_marks 2)))
	class_build_submissions || { echo "the test class could not be built"; return 1; }
	class_outside_listing >"$c/listing-before"
	grade_class --jobs 2 --lab 1 --lab 2 --out "$c/out" "$c/subs" >"$c/listing-stdout" 2>"$c/listing-stderr"
	status=$?
	class_outside_listing >"$c/listing-after"
	[[ $status == 0 ]] || { echo "exit status $status, expected 0:"; cat "$c/listing-stderr"; return 1; }
	# Not a terminal: one line per student, then the closing line.
	[[ $(grep -cE "^\[[0-9]+/14\] [a-z2-]+: ([0-9]+/$full|not graded)\$" "$c/listing-stderr") == 14 ]] ||
		{ echo "expected 14 progress lines '[k/14] name: score/$full', got:"; cat "$c/listing-stderr"; return 1; }
}

# STUDENT: its CSV row as "lab1 lab2 total".
class_csv_scores() {
	/usr/bin/python3 "$kit/grader/selftest/py/csv_scores.py" "$(class_dir)/out/grades.csv" "$1"
}

# Full marks of lab N as this kit grades it: visible and hidden tests.
class_full_marks() { jq '[.tests[].points] | add' "build/grader/lab0$1/lab.json"; }

class_csv_is_right() {
	local c student want got status=0 f1 f2
	c=$(class_dir)
	f1=$(class_full_marks 1)
	f2=$(class_full_marks 2)
	[[ $(head -n 1 "$c/out/grades.csv") == student,lab1,lab2,total,notes ]] ||
		{ echo "header: expected 'student,lab1,lab2,total,notes', observed $(head -n 1 "$c/out/grades.csv")"; return 1; }
	# Scores that do not depend on the grader's own verdicts.
	for want in "alice $f1 $f2 $((f1 + f2))" "bob 0 $f2 $f2" "bob-2 0 0 0" "carol 0 0 0" \
		"corrupt 0 0 0" "erin $f1 0 $f1" "frank $f1 0 $f1" "gzbomb 0 0 0" \
		"misnamed 0 0 0" "nolab 0 0 0" "truncated 0 0 0" "zipbomb 0 0 0"; do
		student=${want%% *}
		got=$(class_csv_scores "$student")
		[[ "$student $got" == "$want" ]] ||
			{ echo "$student: expected '${want#* }', observed '$got'"; status=1; }
	done
	got=$(class_csv_scores dave)
	[[ $got =~ ^[0-9]+\ $f2\ [0-9]+$ && ${got%% *} -lt $f1 ]] ||
		{ echo "dave (a read_full that reads once): expected lab1 < $f1 and lab2 $f2, observed '$got'"; status=1; }
	[[ $(($(wc -l <"$c/out/grades.csv") - 1)) == 14 ]] ||
		{ echo "expected 14 rows, observed $(($(wc -l <"$c/out/grades.csv") - 1))"; status=1; }
	return $status
}

# Every results.json equals what grader/grade gives the same folder alone, and the CSV agrees.
class_equals_lone_grade() {
	local c student folder lone mine projection status=0
	c=$(class_dir)
	projection='[.score, .max_score, [.tests[] | [.number, .name, .score, .status, .extra_data.verdict]]]'
	for student in alice bob bob-2 carol dave erin frank mallory misnamed; do
		folder=$c/subs/$student
		[[ -d $folder ]] || folder=$c/sources/$student
		[[ $student != carol ]] || folder=$c/sources/carol/carol-labs # graded inside its one folder
		[[ -f $c/out/students/$student/results.json ]] ||
			{ echo "$student: no students/$student/results.json"; status=1; continue; }
		lone=$(grade --lab 1 --lab 2 --jobs 2 --format json "$folder" | jq -c "$projection")
		mine=$(jq -c "$projection" "$c/out/students/$student/results.json")
		[[ $lone == "$mine" ]] ||
			{ echo "$student: grade-class and a lone grade differ:"; diff <(jq . <<<"$lone") <(jq . <<<"$mine") | head -n 8; status=1; }
		mine=$(jq -r '[([.tests[] | select(.number | startswith("1.")) | .score] | add),
			([.tests[] | select(.number | startswith("2.")) | .score] | add), .score] | join(" ")' \
			"$c/out/students/$student/results.json")
		[[ $(class_csv_scores "$student") == "$mine" ]] ||
			{ echo "$student: CSV '$(class_csv_scores "$student")', results.json '$mine'"; status=1; }
	done
	for student in corrupt truncated zipbomb gzbomb nolab; do
		[[ ! -e $c/out/students/$student/results.json ]] ||
			{ echo "$student was not graded but has a results.json"; status=1; }
	done
	return $status
}

# summary.json's statistics are those of the CSV's columns, and summary.txt shows them.
class_summary_statistics() {
	/usr/bin/python3 "$kit/grader/selftest/py/summary_statistics.py" "$(class_dir)/out"
}

# Every test's failure fraction, from the students' results.json files, worst first.
class_summary_failures() {
	/usr/bin/python3 "$kit/grader/selftest/py/summary_failures.py" "$(class_dir)/out"
}

# One clear line for each bad input: "STUDENT: what was found".
class_summary_problems() {
	local summary pattern status=0
	summary=$(class_dir)/out/summary.txt
	while IFS= read -r pattern; do
		grep -qE "^  $pattern" "$summary" || { echo "no problem line matching: $pattern"; status=1; }
	done <<-'LINES'
		notes.txt: not a folder or a .tar.gz, .tgz or .zip archive
		two submissions are named bob: bob/ is graded as bob, bob.zip as bob-2
		corrupt: corrupt archive: corrupt.zip cannot be read .*; not graded
		truncated: corrupt archive: truncated.tar.gz cannot be read .*; not graded
		zipbomb: archive bomb: 01-traditional-io/tio.c unpacks to more than 1 MiB
		gzbomb: archive bomb: 01-traditional-io/tio.c unpacks to more than 1 MiB
		erin: path escape: member '../escape' would be written outside the submission; skipped
		frank: link 01-traditional-io/include -> /etc is not followed
		frank: link 02-shared-edit/shared_edit.c -> /etc/passwd is not followed
		misnamed: found 01-traditional-io/Tio.c, expected 01-traditional-io/tio.c
		misnamed: found shared_edit.c, expected 02-shared-edit/shared_edit.c
		nolab: no lab at all: expected folders like 01-traditional-io/ holding tio.c
	LINES
	# carol's kit files (headers, demos, handout) are no problem: only what a student added is.
	! grep -q '^  carol:' "$summary" || { echo "carol's untouched skeletons were called a problem:"; grep '^  carol:' "$summary"; status=1; }
	return $status
}

# Bombs stop at the cap: unpacking each one directly writes at most 1 MiB and refuses it.
class_bombs_stop_at_cap() {
	local c
	c=$(class_dir)
	PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$kit/grader/selftest/py/bombs_stop_at_cap.py" "$kit/grader" "$c"
}

class_writes_only_out() {
	local c
	c=$(class_dir)
	# Only what appeared: the machine's own programs may remove temporary files meanwhile.
	comm -13 "$c/listing-before" "$c/listing-after" >"$c/listing-new"
	[[ ! -s $c/listing-new ]] ||
		{ echo "written outside --out, expected nothing:"; head -n 10 "$c/listing-new"; return 1; }
	[[ ! -e $c/escape && ! -e $c/out/escape && ! -e /etc/include ]] ||
		{ echo "'../escape' or a link target was written"; return 1; }
	[[ ! -e $c/out/.work ]] || { echo "the work folder $c/out/.work was left"; return 1; }
}

# No test process of an ended runner (lib.sh), and no program still running in the class.
class_nothing_left_running() {
	local processes left
	no_test_process_left || return 1
	processes=$(ps -eo pid=,args=) # listed before grep runs, so grep is not in the list
	left=$(grep -F -- "$scratch/class" <<<"$processes")
	[[ -z $left ]] || { echo "still running, expected nothing: $left"; return 1; }
}

# ARGS...: grade-class refuses them as lib.sh's refused_in_one_line wants grader/grade
# to: exit status 2, nothing on stdout, one line on stderr (printed).
class_refused_in_one_line() (
	# shellcheck disable=SC2317 # called by refused_in_one_line
	grade() { grade_class "$@"; }
	refused_in_one_line "$@"
)

class_empty_folder_refused() {
	local c refusal
	c=$(class_dir)
	mkdir -p "$c/empty-class"
	refusal=$(class_refused_in_one_line --out "$c/empty-out" "$c/empty-class") ||
		{ echo "$refusal"; return 1; }
	[[ $refusal == *"holds no submission"* ]] ||
		{ echo "expected 'holds no submission', observed: $refusal"; return 1; }
	[[ ! -e $c/empty-out ]] || { echo "--out was created for an empty class"; return 1; }
}

class_foreign_out_refused() {
	local c
	c=$(class_dir)
	mkdir -p "$c/foreign"
	echo keep >"$c/foreign/thesis.txt"
	class_refused_in_one_line --lab 1 --out "$c/foreign" "$c/subs" || return 1
	[[ $(cat "$c/foreign/thesis.txt") == keep && $(ls -A "$c/foreign") == thesis.txt ]] ||
		{ echo "the foreign folder's contents changed"; return 1; }
}

# A second run into an earlier result replaces it.
class_rerun_replaces() {
	local c full
	c=$(class_dir)
	full=$(class_full_marks 1)
	mkdir -p "$c/tiny"
	cp -r "$c/subs/alice" "$c/tiny/"
	grade_class --lab 1 --out "$c/out-twice" "$c/tiny" 2>/dev/null || return 1
	mv "$c/tiny/alice" "$c/tiny/zoe"
	grade_class --lab 1 --out "$c/out-twice" "$c/tiny" 2>"$c/rerun.err" ||
		{ echo "the second run failed: $(cat "$c/rerun.err")"; return 1; }
	[[ $(ls "$c/out-twice/students") == zoe && $(tail -n 1 "$c/out-twice/grades.csv") == "zoe,$full,$full," ]] ||
		{ echo "expected only zoe's result, observed: $(ls "$c/out-twice/students") / $(tail -n 1 "$c/out-twice/grades.csv")"; return 1; }
}

# The fairness of a class's grading: a student who grabs memory (lab 4: six
# children that touch 2.25 GiB) and disk (lab 1: 256 MiB files in its folder
# until 4 GiB) is graded just before a correct one, and the same hog is graded
# again and again beside the class until it ends. The correct one keeps full
# marks, the hog is stopped by the limits of a test as a whole, and nothing of
# either is left.
class_fair_beside_hogs() {
	local c full status=0 beside
	c=$(class_dir)/fair
	full=$(($(class_full_marks 1) + $(class_full_marks 4)))
	rm -rf "$c"
	for student in a-hog b-fair; do
		class_copy_file 01-traditional-io solutions "$c/subs/$student"
		class_copy_file 04-anon-fork-ipc solutions "$c/subs/$student"
	done
	patch -s -p1 -d "$c/subs/a-hog/01-traditional-io" \
		<grader/catalogue/hostile/01-traditional-io/fills-own-folder.patch &&
		patch -s -p1 -d "$c/subs/a-hog/04-anon-fork-ipc" \
			<grader/catalogue/hostile/04-anon-fork-ipc/children-touch-memory.patch &&
		cp -r "$c/subs/a-hog" "$c/beside" || return 1
	(while [[ ! -e $c/class-done ]]; do grade --jobs 1 --lab 4 --lab 1 "$c/beside" >/dev/null 2>&1; done) &
	beside=$!
	grade_class --jobs 2 --lab 1 --lab 4 --out "$c/out" "$c/subs" 2>"$c/stderr" ||
		{ echo "grade-class failed: $(cat "$c/stderr")"; status=1; }
	touch "$c/class-done"
	pkill -TERM -P "$beside" # the grader running beside: it ends its tests and stops
	wait "$beside"
	/usr/bin/python3 "$kit/grader/selftest/py/fair_beside_hog.py" "$c/out/grades.csv" "$full" || status=1
	for limit in "used more than 1 GiB of memory in all" "wrote more than 1 GiB in all"; do
		grep -qF "$limit" "$c/out/students/a-hog/results.json" ||
			{ echo "the hog's report never says: $limit"; status=1; }
	done
	class_nothing_left_running || status=1
	return $status
}

# grade-class and Gradescope's gather share one rule for a misnamed student file:
# each names "tio (1).c" and "Tio.c" in a submission that has no tio.c.
class_misnamed_like_gradescope() {
	local c upload
	c=$(class_dir)
	upload=$c/misnamed-upload
	rm -rf "$upload" "$c/misnamed-staged"
	mkdir -p "$upload/01-traditional-io" "$upload/02-shared-edit" "$c/misnamed-staged" || return 1
	cp solutions/01-traditional-io/tio.c "$upload/01-traditional-io/tio (1).c" &&
		cp solutions/02-shared-edit/shared_edit.c "$upload/02-shared-edit/Shared_Edit.c" || return 1
	grader/gradescope/gather "$kit" "$upload" "$c/misnamed-staged" >"$c/gathered.txt" || return 1
	grep -qF "01-traditional-io/tio (1).c (only a file named exactly tio.c is graded for lab 1: rename it)" \
		"$c/gathered.txt" || { echo "gather did not name tio (1).c:"; cat "$c/gathered.txt"; return 1; }
	/usr/bin/python3 - "$upload" <<-'PYTHON'
		import sys
		sys.dont_write_bytecode = True
		sys.path.insert(0, "grader")
		from classlib import kit, layout
		labs = kit.load_labs()
		entries, _ = layout.list_folder(sys.argv[1])
		notes = layout.examine(entries, layout.find_root(entries, labs), labs)
		for want in ("found 01-traditional-io/tio (1).c, expected 01-traditional-io/tio.c",
		             "found 02-shared-edit/Shared_Edit.c, expected 02-shared-edit/shared_edit.c"):
		    if not any(note.startswith(want) for note in notes):
		        sys.exit(f"grade-class does not say '{want}'; it says: {notes}")
	PYTHON
}

# grade-class takes the ranges of --jobs and --timeout from the runner (--print-config):
# one past the largest --jobs is refused by both with the same words. (One
# option only, to stay quick: grade-class checks both ranges in one loop.)
class_ranges_match_runner() {
	local high said command
	high=$(build/grader/runner --print-config | jq -er .jobs.max) ||
		{ echo "runner --print-config has no jobs.max"; return 1; }
	for command in build/grader/runner grader/grade-class; do
		said=$($command --jobs $((high + 1)) labs 2>&1 >/dev/null)
		grep -qF -- "--jobs must be a number from 1 to $high" <<<"$said" ||
			{ echo "$command --jobs $((high + 1)): expected the range 1 to $high, observed: $said"; return 1; }
	done
}

class_checks() {
	section "Grading a whole class (grade-class)"
	check "a class of folders and archives is graded: exit 0, one progress line per student" \
		class_grade_runs
	check "grades.csv: a row per student, lab1, lab2, total and notes, with the right scores" \
		class_csv_is_right
	check "every student's results.json and CSV row equal a lone grader/grade of the folder" \
		class_equals_lone_grade
	check "summary: mean, median, std dev, min and max per lab and for the total" \
		class_summary_statistics
	check "summary: every test's failure fraction, worst first" class_summary_failures
	check "summary: one clear line per bad input (corrupt, bombs, escape, links, names, ...)" \
		class_summary_problems
	check "grade-class and Gradescope's gather both name tio (1).c and Tio.c as misnamed" \
		class_misnamed_like_gradescope
	check "a zip bomb and a gzip bomb stop at the cap (at most 1 MiB written)" \
		class_bombs_stop_at_cap
	check "nothing is written outside --out, and its work folder is removed" class_writes_only_out
	check "no process of the class's grading is left" class_nothing_left_running
	check "an empty submissions folder is refused in one line, writing nothing" \
		class_empty_folder_refused
	check "an unknown --lab is refused in one line" class_refused_in_one_line --lab 63 labs
	check "--jobs 0 is refused in one line" class_refused_in_one_line --jobs 0 labs
	check "--jobs past the runner's limit (runner --print-config) is refused alike by grade-class" \
		class_ranges_match_runner
	check "a submissions folder that does not exist is refused in one line" \
		class_refused_in_one_line /nonexistent/class
	check "an --out holding other files is refused, and left untouched" class_foreign_out_refused
	check "an --out holding an earlier result is replaced by the new one" class_rerun_replaces
	check "a student grabbing memory and disk, graded before and beside a correct one, costs it nothing" \
		class_fair_beside_hogs
}
