#!/usr/bin/env bash
# Smoke test of lab 1's demos, built with the reference solution: tio-cp copies
# a file both ways byte for byte, and two-readers runs to the end.
# Usage: 01-traditional-io.sh DEMO_DIR SCRATCH_DIR
set -euo pipefail
demos=$1 scratch=$2
mkdir -p "$scratch"
head -c 3000017 /dev/urandom >"$scratch/original"
"$demos/tio-cp" --rw --bufsize 4096 "$scratch/original" "$scratch/by-read"
"$demos/tio-cp" --mmap "$scratch/original" "$scratch/by-mmap"
cmp "$scratch/original" "$scratch/by-read"
cmp "$scratch/original" "$scratch/by-mmap"
if "$demos/tio-cp" --bogus "$scratch/original" "$scratch/x" 2>/dev/null; then
	echo "tio-cp accepted an unknown option"
	exit 1
fi
(cd "$scratch" && "$demos/two-readers" >two-readers.out)
