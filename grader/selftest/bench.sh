# bench.sh — the checks of `make bench`, sourced by grader/selftest/check after lib.sh.
#
# A quick run (BENCH_QUICK=1) must finish and write results.json with every
# method and size and a positive figure for each, and two SVG charts; a lab 5
# channel that corrupts messages must stop the benchmark with a message that
# names the transfer, and the skeleton's channel with one that says it is not
# implemented. No check looks at how fast anything was.

# shellcheck shell=bash disable=SC2154 # kit and scratch: set by grader/selftest/check, which sources this file

bench_out=build/bench

bench_quick_run_succeeds() {
	BENCH_QUICK=1 make --no-print-directory -s bench >"$scratch/bench.out" 2>"$scratch/bench.err" ||
		{ echo "expected exit status 0, observed $? with:"; tail -n 5 "$scratch/bench.err"; return 1; }
	grep -q 'x pipe' "$scratch/bench.out" ||
		{ echo "expected a table with an 'x pipe' column, observed:"; head -n 5 "$scratch/bench.out"; return 1; }
}

# Every IPC method at every size, every file method, each with positive figures.
bench_json_is_complete() {
	local json=$bench_out/results.json missing
	[[ -f $json ]] || { echo "expected $json, observed no such file"; return 1; }
	missing=$(jq -r '
		def positive(f): (f | type == "number") and f > 0;
		([.ipc[] | select(positive(.gb_per_s) and positive(.msgs_per_s)) |
			"\(.method) \(.msg_bytes)"]) as $ipc |
		([(.file + .file_variants)[] | select(positive(.gb_per_s)) | .method]) as $file |
		([("pipe", "unix-socket", "channel", "shared-buffer", "memcpy") as $m | (64, 4096, 65536, 1048576) as $s |
			"\($m) \($s)" | select(. as $x | $ipc | index($x) | not) | "ipc: \(.)"] +
		 [("read", "mmap", "mmap-populate", "mmap-second-pass", "copy-rw", "copy-mmap",
		   "copy-mmap-populate", "copy_file_range") |
			select(. as $x | $file | index($x) | not) | "file: \(.)"] +
		 (if positive(.cacheline_roundtrip_ns) then [] else ["cacheline_roundtrip_ns"] end))[]' \
		"$json") || { echo "expected JSON, observed a file jq cannot read"; return 1; }
	[[ -z $missing ]] ||
		{ echo "expected a positive figure for each of these, observed none:"; echo "$missing"; return 1; }
	[[ $(jq '.ipc | length' "$json") == 20 && $(jq '.file | length' "$json") == 5 ]] ||
		{ echo "expected 20 ipc and 5 file entries, observed $(jq '.ipc | length' "$json") and $(jq '.file | length' "$json")"; return 1; }
}

bench_charts_are_svg() {
	local chart
	for chart in "$bench_out/ipc.svg" "$bench_out/file.svg"; do
		/usr/bin/python3 "$kit/grader/selftest/py/svg_chart.py" "$chart" || return 1
	done
}

# bench --help prints the usage line on stdout, exit 0; a bad command line
# gets the same line on stderr, exit 2, and nothing else.
bench_command_line_is_checked() {
	local bench=$bench_out/bench usage arguments
	make --no-print-directory -s "$bench" || return 1
	usage=$("$bench" --help) || { echo "expected exit status 0 for --help, observed $?"; return 1; }
	[[ $usage == "usage: bench "* ]] || { echo "expected the usage line for --help, observed: $usage"; return 1; }
	for arguments in "" "--peer" "--bogus" "--peer p --dir d --file-system f --out o stray" \
		"--peer p --dir d --file-system f"; do
		# shellcheck disable=SC2086 # one word per argument
		"$bench" $arguments >"$scratch/bench.out" 2>"$scratch/bench.err"
		[[ $? == 2 && ! -s $scratch/bench.out && $(cat "$scratch/bench.err") == "$usage" ]] ||
			{ echo "bench $arguments: expected the usage line alone on stderr and exit status 2"; return 1; }
	done
}

# make bench SUBMISSION=FOLDER must fail, say TEXT on stderr and print no figure.
bench_refuses() {
	local folder=$1 text=$2
	if BENCH_QUICK=1 make --no-print-directory -s bench SUBMISSION="$folder" \
		>"$scratch/bench.out" 2>"$scratch/bench.err"; then
		echo "expected make bench to fail, observed exit status 0"
		return 1
	fi
	grep -q -- "$text" "$scratch/bench.err" ||
		{ echo "expected '$text' on stderr, observed:"; tail -n 5 "$scratch/bench.err"; return 1; }
	! grep -q 'GB/s' "$scratch/bench.out" ||
		{ echo "expected no figures, observed a table on stdout"; return 1; }
	[[ ! -e $bench_out/results.json ]] ||
		{ echo "expected no $bench_out/results.json, observed one"; return 1; }
}

bench_refuses_corrupt_channel() {
	local folder
	folder=$(make_submission bench-corrupt 05-unrelated-ipc)
	patch -s -p1 -d "$folder/05-unrelated-ipc" \
		<grader/catalogue/wrong/05-unrelated-ipc/wrap-copy-second-part-misplaced.patch ||
		{ echo "the patch does not apply"; return 1; }
	bench_refuses "$folder" "channel, [0-9]*-byte messages: message [0-9]* .*corrupt" || return 1
	head -n 1 "$scratch/bench.err"
}

bench_refuses_skeleton_channel() {
	local folder
	folder=$(make_submission bench-skeleton 05-unrelated-ipc)
	cp labs/05-unrelated-ipc/file_ipc.c "$folder/05-unrelated-ipc/"
	bench_refuses "$folder" "the channel under test is not implemented"
}

bench_checks() {
	section "Performance evidence (make bench)"
	check "the benchmark builds warning-free with clang" \
		make --no-print-directory -s CC=clang BUILD=build/clang bench-channel bench-programs
	check "bench --help prints the usage line; a bad command line, the same on stderr" \
		bench_command_line_is_checked
	check "BENCH_QUICK=1 make bench runs and prints its table" bench_quick_run_succeeds
	check "results.json has every IPC method and size and every file method, all positive" \
		bench_json_is_complete
	check "the charts ipc.svg and file.svg are SVG" bench_charts_are_svg
	check "a channel that corrupts wrapped messages stops the run, naming the transfer" \
		bench_refuses_corrupt_channel
	check "the skeleton's channel: make bench says it is not implemented" \
		bench_refuses_skeleton_channel
}
