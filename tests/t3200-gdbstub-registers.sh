#!/bin/sh
# x87 and SSE registers through the in-guest stub (GDB, LLDB), GDB's gcore
# and the memory map it reads. The fpu example keeps known values in its
# threads' registers: fpu-spin (usually on the CPU: live registers) and
# fpu-sleep (switched out: its saved FXSAVE area).
. "$(dirname "$0")/lib.sh"

F=$EXAMPLES/fpu.elf

# fpu_gdb NAME GDB-ARGS...: GDB on session NAME, with $spin and $sleep set
# to the GDB thread numbers of the two threads.
fpu_gdb() {
	_sock=$XDG_RUNTIME_DIR/uniscope/$1/gdb.sock
	shift
	gdb_batch $F -ex "target remote $_sock" -ex "info threads" "$@" -ex detach
}

test_expect_success 'GDB: p $xmm0, $xmm15, $st0 of a live and a switched-out thread' '
	start_session r1 $F "" &&
	test_when_finished "stop_session r1" &&
	introspect_wait_console r1 "fpu: threads running" &&
	fpu_gdb r1 -ex "thread find fpu-spin" -ex "thread find fpu-sleep" >threads &&
	spin=$(gdb_thread_of threads fpu-spin) && sleep=$(gdb_thread_of threads fpu-sleep) &&
	test -n "$spin" && test -n "$sleep" &&
	fpu_gdb r1 -ex "thread $spin" -ex "p \$xmm0.v2_double" -ex "p \$xmm15.v4_int32" \
		-ex "p \$st0" -ex "thread $sleep" -ex "p \$xmm0.v2_double" -ex "p \$xmm15.v4_int32" \
		-ex "p \$st0" -ex "p \$orig_rax" >out &&
	expect_grep "^\\\$1 = \\{1.5, -2.25\\}" out &&
	expect_grep "^\\\$2 = \\{85267733, 15, 21, -15\\}" out &&
	expect_grep "^\\\$3 = 3.14159265358979" out &&
	expect_grep "^\\\$4 = \\{3, 0.5\\}" out &&
	expect_grep "^\\\$5 = \\{86320421, 25, 37, -25\\}" out &&
	expect_grep "^\\\$6 = 1$" out &&
	expect_grep "^\\\$7 = -1$" out
'

test_expect_success 'GDB: info float, info vector, info all-registers' '
	start_session r2 $F "" &&
	test_when_finished "stop_session r2" &&
	introspect_wait_console r2 "fpu: threads running" &&
	fpu_gdb r2 -ex "thread find fpu-sleep" >threads &&
	sleep=$(gdb_thread_of threads fpu-sleep) &&
	fpu_gdb r2 -ex "thread $sleep" -ex "info float" -ex "info vector" -ex "info all-registers" >out &&
	expect_grep "^=>R7: Valid +0x3fff8000000000000000 \\+1 *$" out &&
	expect_grep "^  R6: Empty " out &&
	expect_grep "TOP: 7" out &&
	expect_grep "^Tag Word: +0x3fff" out &&
	expect_grep "^xmm0 +\\{.*v2_double = \\{0x4008000000000000, 0x3fe0000000000000\\}" out &&
	expect_grep "^mxcsr +0x1f80 +\\[ IM DM ZM OM UM PM \\]" out &&
	expect_grep "^st0 +1 +\\(raw 0x3fff8000000000000000\\)" out &&
	expect_grep "^fctrl +0x37f" out &&
	expect_grep "^cr3 +0x[0-9a-f]+" out &&
	expect_no_grep "<unavailable>" out
'

test_expect_success 'the sealed profile refuses register writes, x87/SSE included' '
	start_session r3 $F "" &&
	test_when_finished "stop_session r3" &&
	introspect_wait_console r3 "fpu: threads running" &&
	fpu_gdb r3 -ex "set var \$xmm1.v2_int64[0] = 42" -ex "p \$xmm1.v2_int64" >out 2>&1 &&
	expect_grep "Could not write register|Remote failure reply" out &&
	expect_grep "^\\\$1 = \\{0, 0\\}" out
'

test_expect_success 'full profile: an SSE register write sticks, live and switched out' '
	build_profile full $BUILD/full/examples/fpu.elf &&
	FF=$BUILD/full/examples/fpu.elf &&
	start_session r4 $FF "" &&
	test_when_finished "stop_session r4" &&
	introspect_wait_console r4 "fpu: threads running" &&
	gdb_batch $FF -ex "target remote $XDG_RUNTIME_DIR/uniscope/r4/gdb.sock" -ex thread \
		-ex "thread find fpu-sleep" -ex "thread find fpu-spin" -ex detach >threads &&
	live=$(sed -n "s/^\[Current thread is \([0-9]*\) .*/\1/p" threads) &&
	other=$(gdb_thread_of threads fpu-sleep) &&
	if test "$live" = "$other"; then
		other=$(gdb_thread_of threads fpu-spin)
	fi &&
	test -n "$live" && test -n "$other" &&
	gdb_batch $FF -ex "target remote $XDG_RUNTIME_DIR/uniscope/r4/gdb.sock" -ex thread \
		-ex "set var \$xmm2.v2_int64[1] = 4242" -ex "thread $other" \
		-ex "set var \$xmm3.v4_int32[0] = 77" -ex detach >set.out 2>&1 &&
	expect_no_grep "Could not write|failure" set.out &&
	live=$(sed -n "s/^\[Current thread is \([0-9]*\) .*/\1/p" set.out) &&
	gdb_batch $FF -ex "target remote $XDG_RUNTIME_DIR/uniscope/r4/gdb.sock" \
		-ex "thread $other" -ex "p \$xmm3.v4_int32[0]" -ex "p \$xmm0.v2_double[0] > 1" \
		-ex "thread $live" -ex "p \$xmm2.v2_int64[1]" -ex detach >get.out &&
	expect_grep "^\\\$1 = 77$" get.out &&
	expect_grep "^\\\$2 = 1$" get.out &&
	expect_grep "^\\\$3 = 4242$" get.out
'

if command -v lldb >/dev/null; then
	test_expect_success 'LLDB: real x87/SSE registers, no 0xcc fill' '
		port=$(test_port 1) &&
		start_session r5 $F "" --gdb tcp:127.0.0.1:$port &&
		test_when_finished "stop_session r5" &&
		introspect_wait_console r5 "fpu: threads running" &&
		lldb_batch $F $port -o "register read --all" >out &&
		expect_grep "^ +st0 = \\{0x[0-9a-f]{2}( 0x[0-9a-f]{2}){9}\\}" out &&
		expect_grep "^ +xmm0 = \\{0x[0-9a-f]{2}( 0x[0-9a-f]{2}){15}\\}" out &&
		expect_grep "^ +mxcsr = 0x00001f80" out &&
		expect_grep "^ +fctrl = 0x0000037f" out &&
		expect_no_grep "0xcccc|0xcc 0xcc 0xcc" out
	'
else
	test_skip "LLDB registers" "lldb is not installed"
fi

test_expect_success 'gcore through the stub: GDB writes a core it reopens, which says what is missing' '
	start_session r6 $EXAMPLES/threads.elf "run_ms=0" &&
	test_when_finished "stop_session r6" &&
	introspect_wait_console r6 "items so far" &&
	gdb_batch $EXAMPLES/threads.elf -ex "target remote $XDG_RUNTIME_DIR/uniscope/r6/gdb.sock" \
		-ex "gcore $TRASH/g.core" -ex detach >gcore.out &&
	expect_grep "^Saved corefile " gcore.out &&
	timeout 120 gdb -batch -nx -ex "info threads" -ex bt -ex "p \$xmm0.uint128" \
		$EXAMPLES/threads.elf $TRASH/g.core >core.out 2>&1 &&
	expect_grep "^Core was generated by .unikernel \\(gcore keeps registers, no stacks: run uniscope core for all\\)" core.out &&
	expect_equal "$(grep -E -c "^[* ] +[0-9]+ +LWP [0-9]+ " core.out)" 8 &&
	expect_grep "^#0 +(0x[0-9a-f]+ in )?[a-z_]+ \\(" core.out &&
	expect_grep "^\\\$1 = [0-9]+" core.out
'

test_expect_success 'info proc mappings: the image, every thread stack, the heap' '
	start_session r7 $EXAMPLES/threads.elf "run_ms=0" &&
	test_when_finished "stop_session r7" &&
	introspect_wait_console r7 "items so far" &&
	gdb_batch $EXAMPLES/threads.elf -ex "target remote $XDG_RUNTIME_DIR/uniscope/r7/gdb.sock" \
		-ex "info proc mappings 1" -ex detach >out &&
	text=$(nm $EXAMPLES/threads.elf | sed -n "s/^0*\\([0-9a-f]*\\) [A-Za-z] _text_start$/\\1/p") &&
	expect_grep "^ +0x$text +0x[0-9a-f]+ +0x[0-9a-f]+ +0x0 +r-xp +\\[text\\]" out &&
	expect_grep " rw-p +\\[data\\]" out &&
	expect_grep " rw-p +\\[heap\\]" out &&
	for tid in 1 2 3 4 5 6 7 8; do
		expect_grep " rw-p +\\[stack:$tid\\]$" out || return 1
	done
'

test_done
