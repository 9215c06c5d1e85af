#!/usr/bin/env bash
# Smoke test of lab 2's demos, built with the reference solution: se-edit changes
# one byte in place (through a whole-file or a one-page mapping) and appends,
# se-replace replaces and counts, both refuse bad command lines (status 2) and
# edits a mapping cannot make (status 1) without touching the file, and
# se-watch sees an edit that another process makes.
# Usage: 02-shared-edit.sh DEMO_DIR SCRATCH_DIR
set -euo pipefail
demos=$1 scratch=$2
mkdir -p "$scratch"
data=$scratch/data.txt

# The exit status of a command must be $1; its output is not of interest here.
expect_status() {
	local want=$1 got=0
	shift
	"$@" >/dev/null 2>&1 || got=$?
	[[ $got == "$want" ]] || { echo "$*: exit status $got, expected $want"; exit 1; }
}

printf 'aaaaaaaaa\nbbbbbbbbb\nccccccccc\nddddddddd\n' >"$data"
"$demos/se-edit" "$data" 20 9 >"$scratch/edit.out"
printf 'aaaaaaaaa\nbbbbbbbbb\n9cccccccc\nddddddddd\n' | cmp - "$data"
grep -q "stored '9' at byte 20" "$scratch/edit.out"

"$demos/se-edit" --page "$data" 30 8 >/dev/null
printf 'aaaaaaaaa\nbbbbbbbbb\n9cccccccc\n8dddddddd\n' | cmp - "$data"
"$demos/se-edit" --append "$data" 'eeee' >/dev/null
printf 'aaaaaaaaa\nbbbbbbbbb\n9cccccccc\n8dddddddd\neeee' | cmp - "$data"

"$demos/se-replace" "$data" bbb XYZ >"$scratch/replace.out"
grep -q '^replaced 3 occurrences' "$scratch/replace.out"
printf 'aaaaaaaaa\nXYZXYZXYZ\n9cccccccc\n8dddddddd\neeee' | cmp - "$data"

cp "$data" "$scratch/before-errors"
expect_status 2 "$demos/se-edit" "$data" 20
expect_status 2 "$demos/se-edit" "$data" twenty 9
expect_status 2 "$demos/se-edit" "$data" 20 99
expect_status 1 "$demos/se-edit" "$data" 44 9
expect_status 1 "$demos/se-edit" --page "$data" 44 9
expect_status 1 "$demos/se-edit" "$scratch/missing" 0 9
expect_status 2 "$demos/se-replace" "$data" bbb
expect_status 1 "$demos/se-replace" "$data" XYZ XY
expect_status 1 "$demos/se-replace" "$data" '' ''
cmp "$scratch/before-errors" "$data"

# A second process sees the edit through its own mapping.
rm -f "$scratch/watch.out"
timeout 20 "$demos/se-watch" --changes 1 "$data" >"$scratch/watch.out" 2>&1 &
watcher=$!
for _ in $(seq 100); do
	grep -q '^watching' "$scratch/watch.out" 2>/dev/null && break
	sleep 0.1
done
grep -q 'rw-s\|r--s' "$scratch/watch.out"
"$demos/se-edit" "$data" 0 Z >/dev/null
wait "$watcher"
grep -q "^byte 0: 'a' -> 'Z'" "$scratch/watch.out"
