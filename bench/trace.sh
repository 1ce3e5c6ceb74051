#!/bin/sh
# Tracer benchmark, all figures from one run on this machine:
#  - instructions per trace point, disabled and enabled (on a ring with
#    room, and on a full 256 KiB ring that overwrites as it goes), counted
#    by callgrind on the host build of the ring code the guest runs
#    (bench/trace-bench.c), less the same loop without a trace point;
#  - host decode and CTF export rate in events/s for a synthetic stream,
#    and babeltrace2 reading that same CTF, as a ratio.
# Usage: bench/trace.sh [BUILD] [EVENTS]   (make unit builds BUILD/bench/trace-bench)
set -eu
BUILD=${1:-build}
EVENTS=${2:-1000000}
LOOPS=100000
BENCH=$BUILD/bench/trace-bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$BENCH" ] || { echo "trace.sh: $BENCH is missing (run make unit)" >&2; exit 1; }

instructions() {
	valgrind --tool=callgrind --toggle-collect=run_loop --callgrind-out-file="$tmp/cg.$1" \
		"$BENCH" "$1" $LOOPS >/dev/null 2>&1
	callgrind_annotate "$tmp/cg.$1" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

base=$(instructions baseline)
for mode in disabled enabled wrapping; do
	ir=$(instructions $mode)
	awk -v ir="$ir" -v base="$base" -v n=$LOOPS -v mode=$mode 'BEGIN {
		target = mode == "disabled" ? 3 : 40
		printf "trace point %-9s %6.1f instructions (target <= %d)\n", mode, (ir - base) / n, target }'
done

"$BENCH" export "$EVENTS" "$tmp/ctf" >"$tmp/export"
start=$(date +%s%N)
babeltrace2 "$tmp/ctf" >/dev/null
end=$(date +%s%N)
bt_events=$(babeltrace2 "$tmp/ctf" | wc -l)
awk -v bt_ns=$((end - start)) -v bt_events="$bt_events" '{
	events = $2; decode = $6; ctf = $8
	printf "stream of %d events (%.1f MB)\n", events, $4 / 1e6
	printf "decode      %12.0f events/s\n", events / decode
	printf "CTF export  %12.0f events/s\n", events / ctf
	printf "babeltrace2 %12.0f events/s reading that CTF (%d lines)\n", bt_events / (bt_ns / 1e9), bt_events
	printf "ratio decode+export / babeltrace2 read: %.1fx\n", (bt_ns / 1e9) / (decode + ctf)
}' "$tmp/export"
