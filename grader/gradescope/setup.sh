#!/usr/bin/env bash
# setup.sh — Gradescope runs this once, when it builds the autograder's image.
#
# Installs the Debian/Ubuntu packages the grader needs (through the kit's own
# grader/require-packages, which reads them from the kit's grader/packages) and
# builds the grader once, so that each submission only grades. The kit is in
# $AUTOGRADER_ROOT/source (/autograder/source unless set). Run as root (as on
# Gradescope), it then makes the kit readable by root alone: the grader copies
# what a test needs into a folder of its own, and the unprivileged users that
# run student code have no reason to read the kit (its test sources, hidden
# tests included).
set -euo pipefail

root=${AUTOGRADER_ROOT:-/autograder}
kit=$root/source

"$kit/grader/require-packages" grading gradescope
make --no-print-directory -s -C "$kit" grader
if [[ $(id -u) == 0 ]]; then
	chmod 700 "$kit"
fi
echo "setup.sh: the grader is built in $kit/build/grader"
