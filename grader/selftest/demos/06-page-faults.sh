#!/usr/bin/env bash
# Smoke test of lab 6's demos, built with the reference solution: fault-map's
# predictions all come true for the articles' sizes, an empty file and sizes
# on page boundaries, with SIGBUS and SIGSEGV where they belong and no file
# left behind; past-eof stores past the end of a file that keeps its size and
# content; bad command lines are refused with status 2.
# Usage: 06-page-faults.sh DEMO_DIR SCRATCH_DIR
set -euo pipefail
demos=$1 scratch=$2
mkdir -p "$scratch"
cd "$scratch"
page=$(getconf PAGESIZE)

# The articles' experiment: a 5000-byte file mapped with length 15000.
"$demos/fault-map" >fault-map.out
if grep -q 'wrong prediction' fault-map.out; then
	echo "fault-map made a wrong prediction"
	exit 1
fi
grep -qE "^ +0 +0 +ok +ok$" fault-map.out
grep -qE "^ +5000 +[0-9]+ +ok +ok$" fault-map.out
grep -qE "SIGBUS +SIGBUS$" fault-map.out || [[ $page -gt 8192 ]]
grep -qE "SIGSEGV +SIGSEGV$" fault-map.out
grep -q 'guard page' fault-map.out

# An empty file: SIGBUS from the first byte; sizes on page boundaries.
"$demos/fault-map" 0 $((page + 1)) >empty.out
grep -qE "^ +0 +0 +SIGBUS +SIGBUS$" empty.out
"$demos/fault-map" $((2 * page)) $((2 * page)) >exact.out
grep -qE "^ +$((2 * page)) +2 +SIGSEGV +SIGSEGV$" exact.out
"$demos/fault-map" 1 $((3 * page - 1)) >small.out
grep -qE "^ +$((3 * page - 1)) +2 +SIGBUS +SIGBUS$" small.out
[[ -z $(find . -name 'fault-map.*' ! -name '*.out') ]]

# Bytes past the end of the file never reach it.
printf 'old content\n' >kept.dat
"$demos/past-eof" kept.dat >past-eof.out
[[ $(stat -c %s kept.dat) == 31 ]]
[[ $(cat kept.dat) == 'only this line is in the file.' ]]
grep -q 'exactly as it was' past-eof.out
"$demos/past-eof" >/dev/null
[[ ! -e past-eof.dat ]]

# Bad command lines.
for command in "fault-map 1" "fault-map 10 0" "fault-map x 10" "fault-map 1 2 3" "past-eof -x" \
	"past-eof a b"; do
	status=0
	# shellcheck disable=SC2086 # the words are separate arguments on purpose
	"$demos/"$command >/dev/null 2>&1 </dev/null || status=$?
	[[ $status == 2 ]] || { echo "$command: status $status, expected 2"; exit 1; }
done
