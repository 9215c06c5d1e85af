#!/usr/bin/env bash
# Smoke test of lab 4's demos, built with the reference solution: father-son
# exchanges every message in order, shared-vs-private shows the child's 2000
# through the shared mapping and 100 through the private one, and
# parallel-sum adds up 1..COUNT right for several worker counts (output
# through a pipe, where a child that exit()s would print it twice) and
# refuses a worker count out of range.
# Usage: 04-anon-fork-ipc.sh DEMO_DIR SCRATCH_DIR
set -euo pipefail
demos=$1 scratch=$2
mkdir -p "$scratch"

"$demos/father-son" 4 >"$scratch/father-son.out"
[[ $(wc -l <"$scratch/father-son.out") == 8 ]]
grep -q '^child  got: hello from the parent (1)$' "$scratch/father-son.out"
[[ $(tail -n 1 "$scratch/father-son.out") == 'parent got: hello back from the child (4)' ]]
if "$demos/father-son" 0 2>/dev/null; then
	echo "father-son accepted 0 rounds"
	exit 1
fi

"$demos/shared-vs-private" >"$scratch/shared-vs-private.out"
grep -qE 'MAP_SHARED mapping: +2000 ' "$scratch/shared-vs-private.out"
grep -qE 'MAP_PRIVATE mapping: +100 ' "$scratch/shared-vs-private.out"
grep -qE 'global variable: +100 ' "$scratch/shared-vs-private.out"

for workers in 1 3 64; do
	"$demos/parallel-sum" "$workers" 100000 | cat >"$scratch/parallel-sum.out"
	grep -q '^  sum 5000050000, expected 5000050000: right$' "$scratch/parallel-sum.out"
	[[ $(grep -c '^parallel-sum\|/parallel-sum:' "$scratch/parallel-sum.out") == 1 ]]
done
"$demos/parallel-sum" 8 3 >"$scratch/parallel-sum.out"
grep -q 'an empty slice' "$scratch/parallel-sum.out"
if "$demos/parallel-sum" 65 10 >/dev/null 2>&1; then
	echo "parallel-sum accepted 65 workers"
	exit 1
fi
