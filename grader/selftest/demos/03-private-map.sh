#!/usr/bin/env bash
# Smoke test of lab 3's demos, built with the reference solution: private-edit
# changes its mapping but never the file (also one of mode 0444), and
# fork-private runs to the end with each process seeing only its own store.
# Usage: 03-private-map.sh DEMO_DIR SCRATCH_DIR
set -euo pipefail
demos=$1 scratch=$2
mkdir -p "$scratch"
printf 'aaaaaaaaa\nbbbbbbbbb\nccccccccc\nddddddddd\n' >"$scratch/data.txt"
cp "$scratch/data.txt" "$scratch/original.txt"
chmod 0444 "$scratch/data.txt"
"$demos/private-edit" "$scratch/data.txt" >"$scratch/private-edit.out"
"$demos/private-edit" "$scratch/data.txt" 39 X >>"$scratch/private-edit.out"
cmp "$scratch/original.txt" "$scratch/data.txt"
grep -q 'pm_cow_pages() after: *1$' "$scratch/private-edit.out"
if "$demos/private-edit" "$scratch/data.txt" 40 >/dev/null 2>&1; then
	echo "private-edit accepted an offset past the end of the file"
	exit 1
fi
if "$demos/private-edit" --bogus "$scratch/data.txt" 2>/dev/null; then
	echo "private-edit accepted an unknown option"
	exit 1
fi
(cd "$scratch" && "$demos/fork-private" >fork-private.out)
grep -q 'the file has neither' "$scratch/fork-private.out"
[[ ! -e $scratch/fork-private.dat ]]
