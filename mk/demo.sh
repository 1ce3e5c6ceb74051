#!/bin/sh
# make demo: boot the threads example under uniscope. On a terminal the live
# UI (uniscope top) opens on it, and q or Ctrl-C leaves the UI and stops the
# session; otherwise the console streams here until Ctrl-C.
set -eu
BUILD=${1:-build}
U=$BUILD/uniscope
if [ -t 0 ] && [ -t 1 ] && $U top --help >/dev/null 2>&1; then
	name=$($U run --detach --append "threads=8" $BUILD/examples/threads.elf)
	trap '$U stop "$name" >/dev/null 2>&1 || true' EXIT
	trap 'exit 130' INT TERM HUP
	status=0
	$U top "$name" || status=$?
	exit $status
else
	echo "uniscope demo: the threads example under uniscope run (Ctrl-C stops it)"
	exec $U run --name demo --append "threads=8" $BUILD/examples/threads.elf
fi
