#!/bin/sh
# Host unwinding right at every instruction, and backtraces that end where
# the stack begins.
#
# GDB single-steps the vCPU of a live threads session through QEMU's own
# gdbstub -- the trap entry from its first instruction (an interrupt frame
# in every state), the return from a trap (pops, iretq), a C function that
# tail-calls another (prologue, body, calls and returns, epilogue) -- and at
# each instruction `uniscope bt` of the same session (registers read over
# QMP) must name the frames GDB names there. Then GDB on the in-guest stub:
# no backtrace ends in a junk "0x0000000000000000 in ?? ()" frame, whether
# read with bt, GDB/MI or GDB's Python API: each ends at its thread's
# trampoline, or at _start for the application's main thread.
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
S=t5002
SESSION_DIR=$XDG_RUNTIME_DIR/uniscope/$S
TIMER_VECTOR=240 # the LAPIC timer's: it interrupts whatever runs
gdb_frames_script "$TRASH/frames.py"
trap 'stop_session $S' EXIT

# step_commands OUT BREAK N TAG: GDB commands that stop at BREAK (a hardware
# breakpoint) and, N times, record GDB's frames and uniscope's, then stepi.
step_commands() {
	{
		echo "set pagination off"
		echo "source $TRASH/frames.py"
		echo "target remote $SESSION_DIR/qemu-gdb.sock"
		echo "hbreak $2"
		echo "continue"
		echo "delete"
		i=0
		while [ $i -lt "$3" ]; do
			echo "frames-json"
			echo "shell $UNISCOPE bt --json $S >$4-u$i.json 2>$4-u$i.err"
			echo "stepi"
			i=$((i + 1))
		done
		echo "detach"
	} >"$1"
}

# step_and_compare BREAK N TAG: steps N instructions from BREAK; every step agrees.
step_and_compare() {
	step_commands "$3.gdb" "$1" "$2" "$3" &&
	timeout 300 gdb -batch -nx -x "$3.gdb" "$T" >"$3.out" 2>&1 &&
	awk -v tag="$3" '/^FRAMES /{ print > (tag "-g" n++ ".out") }' "$3.out" &&
	expect_equal "$(ls "$3"-g*.out | wc -l)" "$2" &&
	i=0 &&
	while [ $i -lt "$2" ]; do
		expect_frames_agree "$3-g$i.out" "$3-u$i.json" >"$3-cmp$i" ||
			{ echo "step $i after $1:"; cat "$3-cmp$i"; exit 1; }
		i=$((i + 1))
	done
}

test_expect_success 'a threads session starts' '
	start_session $S "$T" "run_ms=0 threads=2" &&
	introspect_wait_console $S "2 waiters running"
'

test_expect_success 'every instruction of the trap entry, from the vector stub on: GDB and bt agree' '
	vectors=$(nm $T | sed -n "s/^\([0-9a-f]*\) [Tt] trap_irq_vectors_start$/\1/p") &&
	step_and_compare "*$(printf 0x%x $((0x$vectors + (TIMER_VECTOR - 32) * 8)))" 37 entry
'

test_expect_success 'every instruction of a trap return, through iretq into the interrupted code' '
	step_and_compare trap_pop_frame 20 return
'

test_expect_success 'a function that tail-calls, its callee, calls and returns: GDB and bt agree' '
	step_and_compare sched_block 30 tail &&
	grep -l "\"kind\": \"tail call\"" tail-u*.json >/dev/null
'

test_expect_success 'GDB on the stub: bt, MI and the Python API end every thread at its entry' '
	gdb_batch $T -ex "target remote $SESSION_DIR/gdb.sock" -ex "source $TRASH/frames.py" \
		-ex "thread apply all bt" -ex "frames-json all" -ex detach >live.out &&
	expect_no_grep "0x0000000000000000 in \\?\\? \\(\\)" live.out &&
	python3 -c "
import json, sys
threads = [json.loads(l[7:]) for l in open(\"live.out\") if l.startswith(\"FRAMES \")]
bad = [t for t in threads if not t or t[-1][0] not in (\"thread_trampoline\", \"_start\")]
print(len(threads), \"threads\")
sys.exit(1 if len(threads) < 8 or bad else 0)
" &&
	gdb_batch $T -ex "target remote $SESSION_DIR/gdb.sock" \
		-ex "interpreter-exec mi \"-stack-list-frames\"" -ex detach >mi.out &&
	expect_grep "\\^done,stack=\\[frame=" mi.out &&
	expect_no_grep "addr=\"0x0000000000000000\"" mi.out &&
	expect_grep "func=\"(thread_trampoline|_start)\"[^}]*\\}\\]" mi.out
'

test_done
