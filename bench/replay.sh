#!/bin/sh
# Record/replay benchmark: the `threads` example for RUN_MS of guest time,
# run plainly under TCG (`uniscope run --accel tcg`) and recorded
# (`uniscope run --record`), alternately, RUNS times each, on the same
# machine in the same run; then one recording replayed to its end under
# GDB (`uniscope replay`, continue). Prints the medians, the ratio
# recorded/plain and replayed/recorded, and the log's bytes per second of
# guest time. Usage: bench/replay.sh [BUILD] [RUNS] [RUN_MS]
set -eu
BUILD=${1:-build}
RUNS=${2:-5}
RUN_MS=${3:-2000}
UNISCOPE=$BUILD/uniscope
IMAGE=$BUILD/examples/threads.elf
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
trap '"$UNISCOPE" stop bench-replay >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

now_us() { echo $(($(date +%s%N) / 1000)); }
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run_us OUT ARGS...: wall time of one `uniscope run ARGS` (its exit status is the guest's).
run_us() {
	_out=$1
	shift
	_start=$(now_us)
	"$UNISCOPE" run --accel tcg --append "run_ms=$RUN_MS" "$@" "$IMAGE" >/dev/null 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; exit 1; }
	echo $(($(now_us) - _start)) >>"$_out"
}

i=0
while [ $i -lt "$RUNS" ]; do
	run_us "$tmp/plain.us"
	rm -rf "$tmp/rec"
	run_us "$tmp/record.us" --record "$tmp/rec"
	sed -n 's/^log_size=//p' "$tmp/rec/recording" >>"$tmp/log.bytes"
	sed -n 's/^end_icount=//p' "$tmp/rec/recording" >>"$tmp/icount"
	i=$((i + 1))
done

# The last recording, replayed from its first instruction to its end.
"$UNISCOPE" replay --detach --name bench-replay "$tmp/rec" >/dev/null
start=$(now_us)
timeout 600 "$UNISCOPE" gdb bench-replay -batch -nx -ex continue >"$tmp/gdb.out" 2>&1
replay_us=$(($(now_us) - start))
grep -q "No more reverse-execution history" "$tmp/gdb.out" ||
	{ echo "the replay did not reach the end:" >&2; cat "$tmp/gdb.out" >&2; exit 1; }

plain=$(median "$tmp/plain.us")
record=$(median "$tmp/record.us")
bytes=$(median "$tmp/log.bytes")
icount=$(median "$tmp/icount")
echo "threads, ${RUN_MS} ms of guest time, TCG, $RUNS runs each: plain median $((plain / 1000)) ms," \
	"recorded median $((record / 1000)) ms; one replay to the end $((replay_us / 1000)) ms"
awk -v r="$record" -v p="$plain" -v y="$replay_us" -v b="$bytes" -v ms="$RUN_MS" -v n="$icount" 'BEGIN {
	printf "record ratio recorded/plain: %.2f; replay ratio replayed/recorded: %.2f\n", r / p, y / r
	printf "log: %d bytes for %d instructions, %.1f KiB per second of guest time\n", b, n, b / 1024 / (ms / 1000)
}'
