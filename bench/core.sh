#!/bin/sh
# Post-mortem benchmark: writing a core of a live 1 GiB guest (the threads
# example, --mem 1G) with `uniscope core`, against QEMU's own
# `dump-guest-memory` (paging=false, over QMP) of the same guest, in the
# same run, alternately. Both pause the VM, write a file GDB opens and
# resume. A third figure, `uniscope core` of QEMU's dump, shows the writer
# when nothing tells it which pages are untouched: every page is read
# through the page tables and scanned for zeros.
# Prints medians and minima in ms and the ratio. Usage: bench/core.sh [BUILD] [RUNS]
set -eu
BUILD=${1:-build}
RUNS=${2:-5}
MEM=${MEM:-1G}
UNISCOPE=$BUILD/uniscope
S=bench-core
. "$(dirname "$0")/lib.sh"
start_threads_session $S "$MEM" 5

python3 - "$RUNS" "$UNISCOPE" "$S" "$tmp" "$MEM" <<'PY'
import json, os, socket, statistics, subprocess, sys, time
runs, uniscope, session, tmp, mem = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
qmp_path = os.path.join(tmp, "run", "uniscope", session, "qmp.sock")

def qmp_dump(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(qmp_path)
    f = s.makefile("rwb")
    f.readline()
    for cmd in ({"execute": "qmp_capabilities"},
                {"execute": "dump-guest-memory",
                 "arguments": {"paging": False, "protocol": "file:" + path}}):
        f.write((json.dumps(cmd) + "\n").encode())
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "event" not in reply:
                break
        if "error" in reply:
            sys.exit("QMP: %s" % reply["error"])
    s.close()

def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3

ours, qemu, sizes = [], [], {}
ucore, qcore = os.path.join(tmp, "u.core"), os.path.join(tmp, "q.core")
for _ in range(runs):
    for f in (ucore, qcore):
        if os.path.exists(f):
            os.unlink(f)
    ours.append(timed(lambda: subprocess.run([uniscope, "core", session, "-o", ucore],
                                             stdout=subprocess.DEVNULL, check=True)))
    qemu.append(timed(lambda: qmp_dump(qcore)))
    sizes = {"ours": os.path.getsize(ucore), "qemu": os.path.getsize(qcore)}
conv = [timed(lambda: subprocess.run([uniscope, "core", "--image", os.path.join(tmp, "threads.elf"),
                                      qcore, "-o", ucore + ".2"], stdout=subprocess.DEVNULL, check=True))
        for _ in range(max(1, runs // 2))]
med = statistics.median
print("core (%s guest, %d runs): uniscope core median %.1f ms min %.1f ms, %.1f MiB file"
      % (mem, runs, med(ours), min(ours), sizes["ours"] / 2**20))
print("  peer QEMU dump-guest-memory (paging=false) median %.1f ms min %.1f ms, %.1f MiB file"
      % (med(qemu), min(qemu), sizes["qemu"] / 2**20))
print("  uniscope core of that QEMU dump (every page read and scanned) median %.1f ms" % med(conv))
print("core ratio dump-guest-memory/uniscope core: %.1fx faster on medians, %.1fx on minima (target >= 2x)"
      % (med(qemu) / med(ours), min(qemu) / min(ours)))
PY
