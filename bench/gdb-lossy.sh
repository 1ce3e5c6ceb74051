#!/bin/sh
# GDB through the in-guest stub over a lossy channel: `uniscope run` with
# UNISCOPE_CORRUPT_IN=PER_MILLE (that many bytes in a thousand from the guest
# get a bit flipped before decoding, as on a noisy line), fast path on and
# off. Each of SESSIONS GDB sessions attaches, lists threads, takes every
# backtrace, reads memory, steps three times and detaches; a session
# counts when all of it came back right. Prints, per setting, how many
# sessions completed and their median time.
set -eu
BUILD=${1:-build}
PER_MILLE=${2:-10}
SESSIONS=${3:-5}
U=$BUILD/uniscope
T=$BUILD/examples/threads.elf
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
trap '$U stop lossy-1 >/dev/null 2>&1; $U stop lossy-0 >/dev/null 2>&1; rm -rf "$tmp"' EXIT

one_session() {
	timeout -s KILL 120 gdb -batch -nx -ex "set pagination off" -ex "target remote $1" -ex "info threads" \
		-ex "thread apply all bt" -ex "x/64xg &queue" -ex stepi -ex stepi -ex stepi \
		-ex "print queue.consumed" -ex detach "$T" >"$tmp/gdb.out" 2>&1 || return 1
	grep -q '"sleeper-10"' "$tmp/gdb.out" && grep -q "in sleeper" "$tmp/gdb.out" &&
		grep -q '^\$1 = [0-9]' "$tmp/gdb.out" && grep -q "Inferior 1 .* detached" "$tmp/gdb.out"
}

for fast in 1 0; do
	UNISCOPE_CORRUPT_IN=$PER_MILLE UNISCOPE_GDB_FASTPATH=$fast \
		$U run --detach --name lossy-$fast --append run_ms=0 "$T" >/dev/null
	ok=0 times=
	for i in $(seq "$SESSIONS"); do
		start=$(date +%s%N)
		if one_session "$XDG_RUNTIME_DIR/uniscope/lossy-$fast/gdb.sock"; then
			ok=$((ok + 1))
		fi
		times="$times $((($(date +%s%N) - start) / 1000000))"
	done
	median=$(echo $times | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	dropped=$(sed -n 's/^dropped_in=//p' "$XDG_RUNTIME_DIR/uniscope/lossy-$fast/stats")
	echo "corrupt $PER_MILLE/1000, fast path $([ $fast = 1 ] && echo on || echo off):" \
		"$ok of $SESSIONS GDB sessions complete, median $median ms ($dropped frames dropped)"
	$U stop lossy-$fast >/dev/null
done
