#!/usr/bin/env bash
# Smoke test of lab 5's demos, built with the reference solution: stu-write
# publishes a class that stu-read, run afterwards, prints; stu-read refuses a
# damaged file cleanly; chan-recv and chan-send, started separately, move text
# lines and then framed messages through small rings byte for byte, and bad
# command lines are refused with status 2.
# Usage: 05-unrelated-ipc.sh DEMO_DIR SCRATCH_DIR
set -euo pipefail
demos=$1 scratch=$2
mkdir -p "$scratch"
cd "$scratch"
rm -f class.stu cut.stu chan

# The writer and the reader never meet.
"$demos/stu-write" class.stu >stu-write.out
[[ $(stat -c %s class.stu) == 148 ]]
[[ $(head -c 4 class.stu) == STU1 ]]
"$demos/stu-read" class.stu >stu-read.out
[[ $(wc -l <stu-read.out) == 5 ]]
grep -q 'name=xiaoming' stu-read.out
head -c 100 class.stu >cut.stu
status=0
"$demos/stu-read" cut.stu >/dev/null 2>&1 || status=$?
[[ $status == 1 ]] || { echo "stu-read on a cut file: status $status, expected 1"; exit 1; }

# Start a receiver that creates the channel; wait until the file is complete.
start_receiver() { # OUTPUT ARGS...
	local output=$1
	shift
	rm -f chan
	"$demos/chan-recv" "$@" >"$output" &
	receiver=$!
	for _ in $(seq 500); do
		[[ -s chan && $(head -c 8 chan) == MMLCHAN1 ]] && return 0
		sleep 0.01
	done
	echo "chan-recv $* did not create the channel"
	exit 1
}

# Lines, some longer than a 2048-byte message, through the smallest ring.
{
	seq 1 20000
	head -c 9000 /dev/zero | tr '\0' x
	echo
	echo last
} >lines.txt
start_receiver lines.out -c 4096 chan
"$demos/chan-send" chan <lines.txt
wait "$receiver"
cmp lines.txt lines.out

# Framed messages: chan-recv -l frames the lines, chan-send -l sends the frames again.
start_receiver framed.bin -l -c 4096 chan
"$demos/chan-send" chan <lines.txt
wait "$receiver"
start_receiver again.bin -l -c 65536 chan
"$demos/chan-send" -l chan <framed.bin
wait "$receiver"
cmp framed.bin again.bin

# Bad command lines.
for command in "chan-send" "chan-recv -c 5x chan" "chan-recv -x chan" "stu-write" "stu-read a b"; do
	status=0
	# shellcheck disable=SC2086 # the words are separate arguments on purpose
	"$demos/"$command >/dev/null 2>&1 </dev/null || status=$?
	[[ $status == 2 ]] || { echo "$command: status $status, expected 2"; exit 1; }
done
