#!/bin/sh
# GDB through the in-guest stub vs through QEMU's own gdbstub, same image,
# same session: `stepi` x1000 and reading 64 MiB of guest heap memory (best of 3). Prints the
# times and the ratios (ours / QEMU's for stepi time; QEMU's / ours for read
# throughput, so higher is better for both "x" figures below), then where a
# stepi goes: the packets GDB sends per step on each stub, with their mean
# round trip as GDB sees it (200 steps with `set debug remote 1`).
#
#	bench/gdbstub.sh [BUILD] [LOAD]
#
# LOAD busy loops (default 0) run beside the measurement, for the figure on
# a loaded machine; the load average at the end is printed with the figures.
set -eu
BUILD=${1:-build}
LOAD=${2:-0}
loaders=
for i in $(seq "$LOAD"); do
	sh -c 'while :; do :; done' &
	loaders="$loaders $!"
done
U=$BUILD/uniscope
T=$BUILD/examples/threads.elf
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_RUNTIME_DIR"
name=$($U run --detach --name bench-gdb --append run_ms=0 "$T")
trap '$U stop $name >/dev/null 2>&1; rm -rf "$tmp"; [ -z "$loaders" ] || kill $loaders' EXIT
dir=$XDG_RUNTIME_DIR/uniscope/$name

gdb_once() {
	sock=$1
	shift
	start=$(date +%s%N)
	gdb -batch -nx -ex "set pagination off" -ex "target remote $sock" "$@" -ex detach "$T" >"$tmp/gdb.out" 2>&1 ||
		{ echo "gdbstub.sh: GDB failed on $sock:" >&2; tail -5 "$tmp/gdb.out" >&2; exit 1; }
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

# The best of three: the least disturbed by whatever else the machine does.
gdb_ms() {
	best=
	for i in 1 2 3; do
		t=$(gdb_once "$@")
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}

# 1000 separate stepi commands: `stepi 1000` ends early when a step lands in
# another thread (our stub steps through context switches), which would
# flatter us; each single stepi is one step on either stub.
cat >"$tmp/steps.gdb" <<'EOF'
set $n = 0
while $n < 1000
  stepi
  set $n = $n + 1
end
printf "steps done: %d\n", $n
EOF

base_ours=$(gdb_ms "$dir/gdb.sock")
base_qemu=$(gdb_ms "$dir/qemu-gdb.sock")
step_ours=$(gdb_ms "$dir/gdb.sock" -x "$tmp/steps.gdb")
grep -q "steps done: 1000" "$tmp/gdb.out" || { echo "gdbstub.sh: stepping through our stub failed:" >&2; tail -5 "$tmp/gdb.out" >&2; exit 1; }
step_qemu=$(gdb_ms "$dir/qemu-gdb.sock" -x "$tmp/steps.gdb")
grep -q "steps done: 1000" "$tmp/gdb.out" || { echo "gdbstub.sh: stepping through QEMU's gdbstub failed:" >&2; tail -5 "$tmp/gdb.out" >&2; exit 1; }
read_ours=$(gdb_ms "$dir/gdb.sock" -ex "dump binary memory $tmp/m1 0x3000000 0x7000000")
read_qemu=$(gdb_ms "$dir/qemu-gdb.sock" -ex "dump binary memory $tmp/m2 0x3000000 0x7000000")
cmp "$tmp/m1" "$tmp/m2" >/dev/null 2>&1 || echo "note: the two 1 MiB reads differ (the guest ran between them)"
awk -v so=$((step_ours - base_ours)) -v sq=$((step_qemu - base_qemu)) \
    -v ro=$((read_ours - base_ours)) -v rq=$((read_qemu - base_qemu)) 'BEGIN {
	printf "stepi x1000: uniscope stub %d ms, QEMU gdbstub %d ms, ratio %.2f (target <= 1.5)\n", so, sq, so / (sq > 0 ? sq : 1);
	printf "read 64 MiB: uniscope stub %d ms (%.0f KB/s), QEMU gdbstub %d ms (%.0f KB/s), throughput ratio %.2f (target >= 0.5)\n",
		ro, 67108864 / (ro > 0 ? ro : 1), rq, 67108864 / (rq > 0 ? rq : 1), (rq > 0 ? rq : 1) / (ro > 0 ? ro : 1) }'

# Per packet kind: how many per step, and the mean time from sending it to the reply.
packets_per_step() {
	sed "s/1000/200/" "$tmp/steps.gdb" >"$tmp/steps200.gdb"
	gdb -batch -nx -ex "set pagination off" -ex "target remote $1" -ex "set debug timestamp on" \
		-ex "set debug remote 1" -x "$tmp/steps200.gdb" -ex "set debug remote 0" -ex detach "$T" >"$tmp/packets" 2>&1
	# The clock is the word before "[remote]": GDB's own output may share the line.
	awk 'function stamp(line) { sub(/ +\[remote\].*/, "", line); sub(/.*[^0-9.]/, "", line); return line }
	/\[remote\] Sending packet: / {
		t = stamp($0); k = $0; sub(/.*Sending packet: \$/, "", k)
		if (k ~ /^vCont;s/) k = "vCont;s"; else if (k ~ /^qXfer:threads/) k = "qXfer:threads"
		else if (k ~ /^q[fs]ThreadInfo/) k = substr(k, 1, 12); else k = substr(k, 1, 1)
		pending = 1; next }
	/\[remote\] Packet received: / && pending { sum[k] += stamp($0) - t; n[k]++; pending = 0 }
	END { for (k in n) printf "  %-14s %.2f per stepi, %.3f ms each\n", k, n[k] / 200, 1000 * sum[k] / n[k] }' \
		"$tmp/packets" | sort
}
echo "where a stepi goes, uniscope stub (packet, count per step, mean round trip):"
packets_per_step "$dir/gdb.sock"
echo "where a stepi goes, QEMU gdbstub:"
packets_per_step "$dir/qemu-gdb.sock"
echo "load: $LOAD busy loops of ours; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
