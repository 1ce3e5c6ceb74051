#!/bin/sh
# The GDB stub's soak (tests/gdb-soak.py) at full length: CYCLES debuggers
# (default 200), careful and careless in a random order, against a running
# `threads` guest. Prints the soak's own summary (cycles, time per cycle,
# careful clients served, failures) and then checks what must hold after:
# the guest still runs, a normal GDB attaches at once, `uniscope stop` ends it.
set -eu
BUILD=${1:-build}
CYCLES=${2:-200}
SEED=${3:-1}
UNISCOPE=$BUILD/uniscope
. "$(dirname "$0")/lib.sh"
start_threads_session bench-soak 128M 2
dir=$XDG_RUNTIME_DIR/uniscope/bench-soak
bp=$("$UNISCOPE" sym bench-soak sleep_ms | sed -n 's/.*0x\([0-9a-f]*\).*/\1/p' | head -1)
python3 "$(dirname "$0")/../tests/gdb-soak.py" "$dir/gdb.sock" "$CYCLES" "$SEED" "$bp"
start=$(date +%s%N)
gdb -batch -nx -ex "set remotetimeout 5" -ex "target remote $dir/gdb.sock" -ex "info threads" \
	-ex detach "$tmp/threads.elf" >"$tmp/gdb.out" 2>&1
end=$(date +%s%N)
grep -q '"sleeper-10"' "$tmp/gdb.out" || { echo "gdb-soak.sh: GDB could not attach afterwards:" >&2; tail -5 "$tmp/gdb.out" >&2; exit 1; }
echo "after the soak: GDB attached and listed the threads in $(((end - start) / 1000000)) ms"
"$UNISCOPE" stop bench-soak
echo "after the soak: uniscope stop ended the session"
