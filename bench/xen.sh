#!/bin/sh
# Xen introspection benchmark, inside the nested Xen rig (tests/xen/rig.sh):
# one PVH domU running the threads example (213 threads, 64 MiB), and in
# dom0, alternately on that same domain:
#   thread list:  `uniscope ps xen:bench` (pause, HVM context for CR3, map
#                 frames, walk the thread list, unpause) against `xenctx -s
#                 MAP DOMID 0` (Xen's own tool: vCPU 0's registers and a
#                 symbolized stack), the peer for reading a domain's state;
#   whole memory: `uniscope core xen:bench -o FILE` against `xl dump-core`
#                 (Xen's own core of the whole domain), both to dom0's tmpfs.
# Prints medians and minima in ms and the ratios. Usage: bench/xen.sh [BUILD] [RUNS]
# (environment: THREADS extra threads, default 200; MEM MiB, default 64;
# DUMP_RUNS, default 1, 0 to leave xl dump-core out). Run from the source tree.
set -eu
BUILD=${1:-build}
RUNS=${2:-7}
THREADS=${THREADS:-200}
MEM=${MEM:-64}
# xl dump-core takes about 8 minutes in the nested rig (for a 64 MiB domain
# as for a 128 MiB one), so it runs once unless asked.
DUMP_RUNS=${DUMP_RUNS:-1}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/share"
nm -n "$BUILD/examples/threads.elf" >"$tmp/share/threads.map"

# The dom0 half: results as "CASE MS" lines in /share/bench.txt.
cat >"$tmp/dom0.sh" <<'EOF'
RUNS=$1 THREADS=$2 MEM=$3 DUMP_RUNS=$4
# Both cores go to /tmp: let it hold a whole-memory dump.
mount -o remount,size=90% /tmp
U=/uniscope/uniscope
IMG=/uniscope/examples/threads.elf
cat >/tmp/bench.cfg <<CFG
name = "bench"
type = "pvh"
kernel = "$IMG"
cmdline = "run_ms=0 threads=$THREADS"
memory = $MEM
vcpus = 1
on_crash = "preserve"
CFG
xl create /tmp/bench.cfg || exit 1
domid=$(xl domid bench)
n=120
until $U ps xen:bench >/tmp/ps.out 2>&1 && grep -q "waiter-$((THREADS - 1)) " /tmp/ps.out; do
	n=$((n - 1))
	if [ $n -le 0 ]; then
		echo "bench: the guest did not start its threads; ps says:"
		tail -5 /tmp/ps.out
		xl list
		$U report --image $IMG xen:bench | head -20
		exit 1
	fi
	sleep 1
done
# busybox date has no %N: the kernel's monotonic clock from timer_list, else
# /proc/uptime (10 ms steps).
now_ns() {
	t=$(sed -n 's/^now at \([0-9]*\) nsecs$/\1/p' /proc/timer_list 2>/dev/null | head -n 1)
	[ -n "$t" ] || t=$(awk '{ printf "%.0f", $1 * 1e9 }' /proc/uptime)
	echo "$t"
}
# timed CASE CMD...: one run of CMD, its wall time in ms appended to bench.txt.
timed() {
	name=$1
	shift
	t0=$(now_ns)
	"$@" >/dev/null 2>&1 || echo "bench: $name failed: $*"
	t1=$(now_ns)
	echo "$name $(((t1 - t0) / 1000))" >>/share/bench.txt
}
: >/share/bench.txt
i=0
while [ $i -lt "$RUNS" ]; do
	timed floor true
	timed version $U --version
	timed ps $U ps xen:bench
	timed xenctx xenctx -s /share/threads.map "$domid" 0
	timed core $U core xen:bench --image $IMG -o /tmp/u.core
	echo "core_size $(stat -c %s /tmp/u.core)" >>/share/bench.txt
	rm -f /tmp/u.core
	if [ $i -lt "$DUMP_RUNS" ]; then
		timed dumpcore xl dump-core bench /tmp/x.core
		echo "dumpcore_size $(stat -c %s /tmp/x.core)" >>/share/bench.txt
		rm -f /tmp/x.core
	fi
	i=$((i + 1))
done
echo "ps_threads $($U ps xen:bench | grep -c ' waiter-')" >>/share/bench.txt
xl destroy bench
EOF

BUILD=$BUILD sh tests/xen/rig.sh build >/dev/null
# xl dump-core alone takes minutes: a longer limit than the rig's default.
BUILD=$BUILD XEN_SHARE=$tmp/share XEN_RIG_TIMEOUT=${XEN_RIG_TIMEOUT:-1800} sh tests/xen/rig.sh run "$tmp/dom0.sh" "$RUNS" "$THREADS" "$MEM" "$DUMP_RUNS" >"$tmp/rig.log" 2>&1 || {
	tail -30 "$tmp/rig.log" >&2
	echo "bench/xen.sh: the rig run failed" >&2
	exit 1
}
grep '^bench:' "$tmp/rig.log" >&2 || true

python3 - "$tmp/share/bench.txt" "$RUNS" "$THREADS" "$MEM" "$DUMP_RUNS" <<'PY'
import statistics, sys
runs, threads, mem, dump_runs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
v = {}
for line in open(sys.argv[1]):
    k, x = line.split()
    v.setdefault(k, []).append(int(x))
ms = {k: [x / 1000 for x in v[k]] for k in v if not k.endswith(("_size", "_threads"))}
med, lo = statistics.median, min
floor = med(ms["floor"])
print("xen (nested Xen 4.17 under QEMU TCG, PVH domU %d MiB, %d threads, %d runs, dump-core %d):"
      % (mem, threads + 13, runs, dump_runs))
print("  timing floor (spawning `true` between two clock reads): median %.1f ms" % floor)
print("  uniscope --version (start-up: its shared libraries): median %.1f ms" % med(ms["version"]))
print("  uniscope ps xen:   median %.1f ms min %.1f ms (listed %d waiters)"
      % (med(ms["ps"]), lo(ms["ps"]), v["ps_threads"][0]))
print("  peer xenctx:       median %.1f ms min %.1f ms" % (med(ms["xenctx"]), lo(ms["xenctx"])))
print("  uniscope core:     median %.1f ms min %.1f ms, %.1f MiB file"
      % (med(ms["core"]), lo(ms["core"]), v["core_size"][0] / 2**20))
if "dumpcore" in ms:
    print("  peer xl dump-core: median %.1f ms min %.1f ms, %.1f MiB file"
          % (med(ms["dumpcore"]), lo(ms["dumpcore"]), v["dumpcore_size"][0] / 2**20))
ratio = lambda a, b: (med(ms[a]) / med(ms[b]), (med(ms[a]) - floor) / (med(ms[b]) - floor))
print("xen ratio xenctx/ps (thread list vs one vCPU's stack): %.2f on medians, %.2f less the floor"
      % ratio("xenctx", "ps"))
print("xen ratio xenctx/ps less uniscope's start-up: %.2f"
      % ((med(ms["xenctx"]) - floor) / (med(ms["ps"]) - med(ms["version"]))))
if "dumpcore" in ms:
    print("xen ratio dump-core/core (whole memory): %.1f on medians, %.1f less the floor"
          % ratio("dumpcore", "core"))
PY
