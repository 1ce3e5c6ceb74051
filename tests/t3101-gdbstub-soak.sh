#!/bin/sh
# Soak: debuggers careful and careless, one after another in a random order
# (tests/gdb-soak.py), against a running image. Afterwards the image still
# runs, a normal GDB attaches at once and `uniscope stop` works. The count
# here is modest; bench/gdb-soak.sh runs hundreds and reports the rate.
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
CYCLES=${GDB_SOAK_CYCLES:-40}

test_expect_success "$CYCLES debuggers, careful and careless, and the stub still serves" '
	start_session soak $T "run_ms=0" &&
	test_when_finished "stop_session soak" &&
	bp=$($UNISCOPE sym soak sleep_ms | sed -n "s/.*0x\([0-9a-f]*\).*/\1/p" | head -1) &&
	python3 $ROOT/tests/gdb-soak.py $SESSION_DIR/gdb.sock $CYCLES 7 $bp >soak.out &&
	cat soak.out &&
	expect_grep "soak: $CYCLES cycles .* 0 failures" soak.out &&
	guest_runs soak &&
	timeout 60 gdb -batch -nx -ex "set remotetimeout 10" -ex "target remote $SESSION_DIR/gdb.sock" \
		-ex "info threads" -ex detach $T >gdb.out 2>&1 &&
	expect_grep "Thread [0-9]+ \"sleeper-10\"" gdb.out &&
	$UNISCOPE stop soak
'

test_done
