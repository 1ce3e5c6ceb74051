#!/bin/sh
# How long the trace keeps the evidence of a hang: the crash example
# deadlocks (two mutex_contended events show the cycle), then sits idle but
# for its bystander thread, which sleeps 50 ms at a time. For the default
# trace mask, and for one without the timer/irq housekeeping events, each
# ring's write position is read twice, WINDOW seconds apart (`uniscope
# mem`, no help from the guest): bytes written per second, and so how long
# until the main ring (256 KiB) and the evidence ring (64 KiB) overwrite
# what they hold. Then the trace is checked for the mutex_contended events.
# Usage: bench/trace-evidence.sh [BUILD] [WINDOW-SECONDS]
set -eu
BUILD=${1:-build}
WINDOW=${2:-10}
U=$BUILD/uniscope
IMAGE=$BUILD/examples/crash.elf
export XDG_RUNTIME_DIR=$(mktemp -d)
trap 'for s in ev-on ev-off; do $U stop $s >/dev/null 2>&1 || true; done; rm -rf "$XDG_RUNTIME_DIR"' EXIT

info=$(nm "$IMAGE" | awk '$3 == "uniscope_trace" {print $1}')
u64() { # SESSION ADDR: the little-endian u64 at ADDR
	$U mem "$1" "$2" 8 | awk '{ v = ""; for (i = 9; i >= 2; i--) v = v $i; print "0x" v; exit }'
}
head_pos() { # SESSION RING-INDEX: that ring's head (rings[] from offset 32, head at 32)
	r=$(u64 "$1" $(printf '0x%x' $((0x$info + 32 + 8 * $2))))
	u64 "$1" $(printf '0x%x' $((r + 32)))
}
lifetime() { # BYTES RATE
	if [ "$2" -gt 0 ]; then echo "$(($1 / $2)) s"; else echo "unbounded"; fi
}

measure() { # NAME MASK LABEL
	$U run --detach --name "$1" --append "deadlock trace_mask=$2" "$IMAGE" >/dev/null
	sleep 2
	m0=$(head_pos "$1" 0); e0=$(head_pos "$1" 1)
	sleep "$WINDOW"
	m1=$(head_pos "$1" 0); e1=$(head_pos "$1" 1)
	main=$(( (m1 - m0) / WINDOW )) keep=$(( (e1 - e0) / WINDOW ))
	kept=$($U trace "$1" | grep -c mutex_contended || true)
	printf '%-26s main %5d B/s, overwritten after %-9s evidence %3d B/s, after %-9s mutex_contended kept: %d\n' \
		"$3" "$main" "$(lifetime 262144 $main)," "$keep" "$(lifetime 65536 $keep);" "$kept"
	$U stop "$1" >/dev/null
}

echo "trace-evidence: idle hung guest (crash deadlock), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%Y-%m-%d)"
measure ev-on -12290 "timer/irq on (default)"
measure ev-off -12642 "timer/irq off"
