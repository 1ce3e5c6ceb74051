#!/bin/sh
# How long the trace ring keeps the evidence of a hang: the crash example
# deadlocks (two mutex_contended events show the cycle), then sits idle but
# for its bystander thread, which sleeps 50 ms at a time. For each trace
# mask, the ring's write position is read twice, WINDOW seconds apart
# (`uniscope mem`, no help from the guest): bytes written per second, and
# so how long the 256 KiB ring takes to overwrite the evidence. Then the
# ring is checked for the mutex_contended events after the wait.
# Usage: bench/trace-evidence.sh [BUILD] [WINDOW-SECONDS]
set -eu
BUILD=${1:-build}
WINDOW=${2:-10}
U=$BUILD/uniscope
IMAGE=$BUILD/examples/crash.elf
export XDG_RUNTIME_DIR=$(mktemp -d)
trap 'for s in ev-old ev-new; do $U stop $s >/dev/null 2>&1 || true; done; rm -rf "$XDG_RUNTIME_DIR"' EXIT

ring=$(nm "$IMAGE" | awk '$3 == "uniscope_trace" {print $1}')
u64() { # SESSION ADDR: the little-endian u64 at ADDR
	$U mem "$1" "$2" 8 | awk '{ v = ""; for (i = 9; i >= 2; i--) v = v $i; print "0x" v; exit }'
}
head_pos() { # SESSION: the ring's head
	r=$(u64 "$1" $(printf '0x%x' $((0x$ring + 32))))
	u64 "$1" $(printf '0x%x' $((r + 32)))
}

measure() { # NAME MASK LABEL
	$U run --detach --name "$1" --append "deadlock trace_mask=$2" "$IMAGE" >/dev/null
	sleep 2
	a=$(head_pos "$1"); sleep "$WINDOW"; b=$(head_pos "$1")
	rate=$(( (b - a) / WINDOW ))
	kept=$($U trace "$1" | grep -c mutex_contended || true)
	if [ "$rate" -gt 0 ]; then life="$((262144 / rate)) s"; else life="unbounded"; fi
	printf '%-34s %8d B/s  ring turns over in %-10s  mutex_contended kept: %d\n' "$3" "$rate" "$life" "$kept"
	$U stop "$1" >/dev/null
}

echo "trace-evidence: idle hung guest (crash deadlock), 256 KiB ring, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
measure ev-old -12290 "housekeeping on (the old default)"
measure ev-new -12642 "housekeeping off (the default now)"
