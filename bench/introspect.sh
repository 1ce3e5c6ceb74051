#!/bin/sh
# Introspection benchmark: `uniscope ps` on a live session of the threads
# example with 1000 extra threads (1013 in all, 256 MiB guest), against the
# floor of any uniscope command, `uniscope --version` (process start and
# dynamic linking of the same binary), in the same run. `ps` connects to
# QMP, pauses the VM, reads vCPU 0's registers (for CR3), maps the RAM
# file, loads the image's symbols, finds the descriptor, walks the thread
# list through the page tables, resumes the VM and prints.
# Prints medians and minima in ms (wall and CPU) and the ratio. Usage: bench/introspect.sh [BUILD] [RUNS]
set -eu
BUILD=${1:-build}
RUNS=${2:-31}
THREADS=${THREADS:-1000}
UNISCOPE=$BUILD/uniscope
S=bench-introspect
. "$(dirname "$0")/lib.sh"
start_threads_session $S 256M "$THREADS"
listed=$("$UNISCOPE" ps $S | grep -c " waiter-")
[ "$listed" = "$THREADS" ] || { echo "ps listed $listed waiters, not $THREADS" >&2; exit 1; }

# Wall time and CPU time (user + sys of the command) per run, alternating the
# three commands; CPU time is what a loaded machine disturbs least.
python3 - "$RUNS" "$THREADS" "$UNISCOPE" "$S" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, threads, uniscope, session = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
cases = {"floor": [uniscope, "--version"], "ps": [uniscope, "ps", session],
         "nopause": [uniscope, "ps", "--no-pause", session]}
wall = {k: [] for k in cases}
cpu = {k: [] for k in cases}
def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
for _ in range(runs):
    for name, argv in cases.items():
        c0, t0 = child_cpu(), time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        wall[name].append((time.perf_counter() - t0) * 1e3)
        cpu[name].append((child_cpu() - c0) * 1e3)
med = lambda v: statistics.median(v)
print("introspect (%d threads, 256 MiB, TCG, %d runs): ps wall median %.2f ms min %.2f ms, cpu median %.2f ms;"
      % (threads + 13, runs, med(wall["ps"]), min(wall["ps"]), med(cpu["ps"])))
print("  ps --no-pause wall median %.2f ms min %.2f ms, cpu median %.2f ms;"
      % (med(wall["nopause"]), min(wall["nopause"]), med(cpu["nopause"])))
print("  peer uniscope --version wall median %.2f ms min %.2f ms, cpu median %.2f ms"
      % (med(wall["floor"]), min(wall["floor"]), med(cpu["floor"])))
print("introspect ratio ps/--version: %.2f on wall minima, %.2f on wall medians (target: ps <= 10 ms)"
      % (min(wall["ps"]) / min(wall["floor"]), med(wall["ps"]) / med(wall["floor"])))
PY
