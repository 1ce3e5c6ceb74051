#!/bin/sh
# make demo: boot the threads example under uniscope.
#
# On a terminal the live UI (uniscope top) opens on it, and q or Ctrl-C
# leaves the UI and stops the session. Without one (a script, CI, a pipe)
# the example runs for DEMO_MS milliseconds (default 5000; 0: until Ctrl-C)
# with its console here, and the demo exits with the guest's exit status,
# so `make demo </dev/null` is a test of the first run.
set -eu
BUILD=${1:-build}
U=$BUILD/uniscope
DEMO_MS=${DEMO_MS:-5000}
if [ -t 0 ] && [ -t 1 ] && $U top --help >/dev/null 2>&1; then
	name=$($U run --detach --append "threads=8" $BUILD/examples/threads.elf)
	trap '$U stop "$name" >/dev/null 2>&1 || true' EXIT
	trap 'exit 130' INT TERM HUP
	status=0
	$U top "$name" || status=$?
	exit $status
fi
case $DEMO_MS in
'' | *[!0-9]*) echo "uniscope demo: DEMO_MS must be a number of milliseconds, not '$DEMO_MS'" >&2; exit 2 ;;
esac
if [ "$DEMO_MS" = 0 ]; then
	echo "uniscope demo: the threads example under uniscope run (Ctrl-C stops it)"
else
	echo "uniscope demo: the threads example under uniscope run for $DEMO_MS ms (no terminal: no UI)"
fi
exec $U run --append "threads=8 run_ms=$DEMO_MS" $BUILD/examples/threads.elf
