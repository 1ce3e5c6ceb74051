#!/bin/sh
# make demo: boot the threads example under uniscope. With a terminal, the
# live UI (uniscope top) opens on it when available; otherwise the console
# streams here. Ctrl-C ends it.
set -eu
BUILD=${1:-build}
U=$BUILD/uniscope
if [ -t 1 ] && $U top --help >/dev/null 2>&1; then
	name=$($U run --detach --name demo --append "threads=8" $BUILD/examples/threads.elf)
	trap '$U stop $name >/dev/null 2>&1 || true' EXIT INT TERM
	$U top "$name"
else
	echo "uniscope demo: the threads example under uniscope run (Ctrl-C stops it)"
	exec $U run --name demo --append "threads=8" $BUILD/examples/threads.elf
fi
