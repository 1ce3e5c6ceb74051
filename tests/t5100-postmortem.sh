#!/bin/sh
# Post-mortem: `run --core-on-crash` for every way the crash example dies,
# `uniscope core` of a live session and of a QEMU dump, stock GDB on those
# cores (every libOS thread, backtraces that match the fault), `uniscope
# report`, and `uniscope gdbserver` serving GDB from a core and from a live
# image built without any stub (DEBUG=off).
. "$(dirname "$0")/lib.sh"

CRASH=$EXAMPLES/crash.elf
THREADS=$EXAMPLES/threads.elf
SRC=$ROOT/examples/crash/main.c

# line PATTERN: the line of examples/crash/main.c holding PATTERN (fixed string).
line() {
	grep -n -F -- "$1" "$SRC" | head -1 | cut -d: -f1
}

# crash_run MODE: `run --core-on-crash` in directory MODE; leaves MODE/crash.{core,report}.
crash_run() {
	mkdir -p "$1" && cd "$1" &&
	rc=0 && timeout 120 $UNISCOPE run --core-on-crash --append "$1" "$CRASH" >out 2>err || rc=$?
	cat err
	expect_equal "$rc" 125 &&
	test -s crash.core && test -s crash.report &&
	expect_grep "^uniscope: core saved as crash.core, crash report as crash.report" err
}

# gdb_core IMAGE CORE OUT: info threads and every backtrace, as a user would ask.
gdb_core() {
	timeout 120 gdb -batch -nx -ex "info threads" -ex "thread apply all bt" "$1" "$2" >"$3" 2>&1
}

# expect_gdb_threads OUT CORE IMAGE: GDB lists as many LWPs as `uniscope ps` threads.
expect_gdb_threads() {
	n=$($UNISCOPE ps --json --image "$3" "$2" | python3 -c "import json, sys; print(len(json.load(sys.stdin)['threads']))") &&
	expect_equal "$(grep -E -c "^[* ] *[0-9]+ +LWP [0-9]+ " "$1" || true)" "$n"
}

# One test per way to die: MODE, signal GDB names, function of frame #0, its line.
crash_case() {
	test_expect_success "core-on-crash $1: GDB shows every thread, $2 in $3 at main.c:$4; report names it" "
		crash_run $1 &&
		gdb_core $CRASH crash.core gdb.out &&
		expect_grep 'Program terminated with signal $2' gdb.out &&
		expect_grep '^#0  (0x[0-9a-f]+ in )?$3 \\(.*\\) at examples/crash/main.c:$4$' gdb.out &&
		expect_gdb_threads gdb.out crash.core $CRASH &&
		expect_grep '^Thread [0-9]+ \\(LWP [0-9]+\\):' gdb.out &&
		expect_grep ' in thread_trampoline \\(\\) at libos/kern/thread.c:[0-9]+' gdb.out &&
		head -3 crash.report >summary && cat summary &&
		expect_grep ' in $3 at examples/crash/main.c:$4 \\(thread [0-9]+ \"crasher\"\\)$' summary &&
		expect_grep '^=> 0x[0-9a-f]{16} <$3\\+[0-9]+>:' crash.report
	"
}

crash_case null SIGSEGV crash_null "$(line '*p = 1;')"
crash_case div0 SIGFPE crash_div0 "$(line 'return 42 / zero;')"
crash_case ud SIGILL crash_ud "$(line '__builtin_trap();')"
crash_case stack SIGSEGV crash_stack "$(line 'frame[0] = (char)depth;')"
crash_case text SIGSEGV crash_text "$(line '*text = 0xcc;')"

test_expect_success 'core-on-crash assert: SIGABRT, GDB reaches crash_assert; report blames its line' '
	crash_run assert &&
	gdb_core $CRASH crash.core gdb.out &&
	expect_grep "Program terminated with signal SIGABRT" gdb.out &&
	expect_grep "in __assert_fail \\(.*\\) at libos/kern/panic.c" gdb.out &&
	expect_grep "in crash_assert \\(\\) at examples/crash/main.c:$(line "assert(answer == 42);")$" gdb.out &&
	expect_gdb_threads gdb.out crash.core $CRASH &&
	expect_grep "^assertion failed: answer == 42 \\(in crash_assert\\) in crash_assert at examples/crash/main.c:$(line "assert(answer == 42);") " crash.report &&
	expect_grep "at examples/crash/main.c:$(line "assert(answer == 42);") \\(from the panic record\\)" crash.report
'

test_expect_success 'core-on-crash panic: SIGABRT, GDB reaches crash_panic; report blames it' '
	crash_run panic &&
	gdb_core $CRASH crash.core gdb.out &&
	expect_grep "Program terminated with signal SIGABRT" gdb.out &&
	expect_grep "in crash_panic \\(\\) at examples/crash/main.c:$(line "panic(\"crash example")$" gdb.out &&
	expect_gdb_threads gdb.out crash.core $CRASH &&
	expect_grep "^panic: crash example: deliberate panic \\(7\\) in crash_panic at examples/crash/main.c:$(line "panic(\"crash example") " crash.report
'

test_expect_success 'core-on-crash data: frame #0 in data_code, #1 in crash_data; report names the jump' '
	crash_run data &&
	gdb_core $CRASH crash.core gdb.out &&
	expect_grep "Program terminated with signal SIGSEGV" gdb.out &&
	expect_grep "^#0  0x[0-9a-f]+ in data_code \\(\\)$" gdb.out &&
	expect_grep "^#1  0x[0-9a-f]+ in crash_data \\(\\) at examples/crash/main.c:$(line "fn();")$" gdb.out &&
	expect_gdb_threads gdb.out crash.core $CRASH &&
	expect_grep "^page fault: execute of a non-executable page at 0x[0-9a-f]+ in data_code" crash.report &&
	expect_grep "^  jumped there from crash_data\\+0x[0-9a-f]+ at examples/crash/main.c:$(line "fn();")$" crash.report
'

test_expect_success 'the report: registers, code, threads, events, console; --json parses' '
	cd null &&
	expect_grep "^registers \\(panic record\\):" crash.report &&
	expect_grep "^  rip [0-9a-f]{16}  rflags" crash.report &&
	expect_grep "^  [0-9]+ \"bystander\" sleeping \\(sleep\\): .*bystander\\+0x[0-9a-f]+ at main.c:[0-9]+" crash.report &&
	expect_grep "^last [0-9]+ trace events \\(of [0-9]+ in the ring\\):" crash.report &&
	expect_grep "crasher-[0-9]+ +\\[000\\] .*exception: vector=14" crash.report &&
	expect_grep "^console, last [0-9]+ lines? before the death notice:" crash.report &&
	expect_grep "^  crash: mode null$" crash.report &&
	$UNISCOPE report --image $CRASH crash.core >again &&
	expect_grep "^page fault: write to an unmapped page at 0 \\(null pointer\\) in crash_null at examples/crash/main.c:$(line "*p = 1;")" again &&
	$UNISCOPE report --json --events 5 --image $CRASH crash.core >r.json &&
	expect_json r.json "j[\"crashed\"] and j[\"panic\"][\"vector\"] == 14 and j[\"where\"][\"function\"] == \"crash_null\"" &&
	expect_json r.json "len(j[\"events\"]) == 5 and len(j[\"threads\"]) == 4 and j[\"threads\"][0][\"died\"]" &&
	expect_json r.json "sum(i[\"faulting\"] for i in j[\"disassembly\"]) == 1"
'

test_expect_success 'run --core-on-crash of a guest that does not crash leaves nothing' '
	mkdir fine && cd fine &&
	$UNISCOPE run --core-on-crash $EXAMPLES/hello.elf >out 2>err &&
	expect_no_grep "core saved" err &&
	test ! -e hello.core
'

test_expect_success 'uniscope core of a live threads session: GDB sees every thread, ps/log/report read it' '
	start_session live $THREADS "run_ms=0 threads=5" &&
	test_when_finished "stop_session live" &&
	introspect_wait_console live "5 waiters running" &&
	$UNISCOPE core live -o live.core >out &&
	cat out &&
	expect_grep "^live.core: 13 threads, [0-9]+ segments?, " out &&
	gdb_core $THREADS live.core gdb.out &&
	expect_gdb_threads gdb.out live.core $THREADS &&
	expect_equal "$(grep -E -c "^Thread [0-9]+ \\(LWP [0-9]+\\):" gdb.out)" 13 &&
	expect_grep "(in | )sem_wait \\(.*\\) at libos/kern/wait.c:[0-9]+" gdb.out &&
	expect_grep " in extra_waiter \\(.*\\) at examples/threads/main.c:[0-9]+" gdb.out &&
	expect_grep " in sleeper \\(arg=0x19\\) at examples/threads/main.c:[0-9]+" gdb.out &&
	$UNISCOPE ps --image $THREADS live.core >ps && expect_grep " waiter-4 +blocked +semaphore" ps &&
	$UNISCOPE log live.core >log && expect_grep "5 waiters running" log &&
	$UNISCOPE report --image $THREADS live.core >report &&
	expect_grep "^no crash: the guest was alive when the core was taken" report &&
	expect_grep "^last 32 trace events \\(of [0-9]+ in the ring\\):" report
'

test_expect_success 'the trace ring is in the core: uniscope trace reads it' '
	if ! $UNISCOPE trace --help >/dev/null 2>&1; then
		echo "uniscope trace is not there yet: checked through the report instead" &&
		$UNISCOPE report --json --image $THREADS live.core >r.json &&
		expect_json r.json "len(j[\"events\"]) == 32 and j[\"events_error\"] is None"
	else
		$UNISCOPE trace --image $THREADS live.core >trace &&
		expect_grep "sched_switch" trace
	fi
'

test_expect_success 'a QEMU dump-guest-memory core: ps and bt read it, uniscope core converts it for GDB' '
	start_session dump $THREADS "run_ms=0 threads=2" &&
	test_when_finished "stop_session dump" &&
	introspect_wait_console dump "2 waiters running" &&
	introspect_qmp dump "{\"execute\":\"stop\"}" &&
	introspect_qmp dump "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"protocol\":\"file:$TRASH/qemu.core\"}}" &&
	$UNISCOPE ps --image $THREADS qemu.core >ps && expect_grep " waiter-1 +blocked +semaphore" ps &&
	$UNISCOPE bt --image $THREADS qemu.core all >bt && expect_grep " in sem_wait\\+0x" bt &&
	$UNISCOPE core --image $THREADS qemu.core -o converted.core &&
	gdb_core $THREADS converted.core gdb.out &&
	expect_equal "$(grep -E -c "^Thread [0-9]+ \\(LWP [0-9]+\\):" gdb.out)" 10 &&
	expect_grep "(in | )sem_wait \\(.*\\) at libos/kern/wait.c:[0-9]+" gdb.out
'

test_expect_success 'gdbserver on a core: threads by name, bt, read-only, no resume' '
	gdbserver_start gs.err --image $CRASH null/crash.core --listen unix:$TRASH/gs.sock &&
	test_when_finished "kill $GDBSERVER_PID" &&
	expect_equal "$(stat -c %a $TRASH/gs.sock)" 600 &&
	gdb_batch $CRASH -ex "target remote $TRASH/gs.sock" -ex "info threads" -ex bt \
		-ex "set var zero = 5" -ex "monitor help" -ex continue -ex "thread" >out &&
	cat out &&
	expect_grep "Thread [0-9]+ \"crasher\" \\(died\\) +(0x[0-9a-f]+ in )?crash_null \\(\\) at examples/crash/main.c" out &&
	expect_grep "Thread [0-9]+ \"bystander\" \\(sleeping on sleep\\)" out &&
	expect_grep "^#1  0x[0-9a-f]+ in crasher \\(" out &&
	expect_grep "Cannot access memory at address" out &&
	expect_grep "no breakpoints, watchpoints or single-stepping here" out &&
	expect_grep "Remote failure reply: E0d" out &&
	expect_grep "Current thread is 1 \\(Thread [0-9]+\\)" out &&
	wait $GDBSERVER_PID &&
	test ! -e $TRASH/gs.sock
'

test_expect_success 'gdbserver on a live DEBUG=off image: attach pauses, threads, bt, detach resumes' '
	build_profile off $BUILD/off/examples/threads.elf &&
	OFF=$BUILD/off/examples/threads.elf &&
	! nm $OFF | grep -q " stub_monitor$" &&
	start_session off $OFF "run_ms=0 threads=2" &&
	test_when_finished "stop_session off" &&
	introspect_wait_console off "2 waiters running" &&
	port=$(test_port 7) &&
	gdbserver_start gs.err off --listen tcp:127.0.0.1:$port &&
	test_when_finished "kill $GDBSERVER_PID" &&
	timeout 120 gdb -batch -nx -ex "target remote 127.0.0.1:$port" -ex "info threads" -ex bt \
		-ex detach $OFF >out 2>&1 &&
	cat out &&
	expect_equal "$(grep -E -c "Thread [0-9]+ \"waiter-[01]\" \\(blocked on semaphore\\)" out)" 2 &&
	expect_grep "Thread [0-9]+ \"sleeper-10\"" out &&
	expect_grep "^#[0-9]+ +0x[0-9a-f]+ in thread_trampoline \\(\\) at libos/kern/thread.c" out &&
	expect_grep "Inferior 1 \\(Remote target\\) detached" out &&
	{ wait $GDBSERVER_PID || { echo "gdbserver exit $?"; cat gs.err; exit 1; }; } &&
	a=$($UNISCOPE ps --json off | python3 -c "import json, sys; print([t[\"switches\"] for t in json.load(sys.stdin)[\"threads\"] if t[\"name\"] == \"sleeper-10\"][0])") &&
	sleep 1 &&
	b=$($UNISCOPE ps --json off | python3 -c "import json, sys; print([t[\"switches\"] for t in json.load(sys.stdin)[\"threads\"] if t[\"name\"] == \"sleeper-10\"][0])") &&
	{ test "$b" -gt "$a" || { echo "switches did not grow: $a -> $b"; exit 1; }; }
'

test_expect_success 'gdbserver: x87/SSE registers from the vCPU and from saved FXSAVE areas; ps TIDs' '
	start_session fpu $EXAMPLES/fpu.elf "" &&
	test_when_finished "stop_session fpu" &&
	introspect_wait_console fpu "fpu: threads running" &&
	$UNISCOPE ps fpu >ps &&
	spin=$(sed -n "s/^[* ]*\\([0-9][0-9]*\\) fpu-spin .*/\\1/p" ps) &&
	sleep=$(sed -n "s/^[* ]*\\([0-9][0-9]*\\) fpu-sleep .*/\\1/p" ps) &&
	port=$(test_port 8) &&
	gdbserver_start gs.err fpu --listen tcp:127.0.0.1:$port &&
	test_when_finished "kill $GDBSERVER_PID" &&
	timeout 120 gdb -batch -nx -ex "target remote 127.0.0.1:$port" -ex "info threads" \
		-ex "thread find fpu-spin" -ex "thread find fpu-sleep" -ex detach $EXAMPLES/fpu.elf >threads 2>&1 &&
	expect_grep "Thread $spin \"fpu-spin\"" threads &&
	expect_grep "Thread $sleep \"fpu-sleep\"" threads &&
	gspin=$(gdb_thread_of threads fpu-spin) && gsleep=$(gdb_thread_of threads fpu-sleep) &&
	wait $GDBSERVER_PID &&
	gdbserver_start gs.err fpu --listen tcp:127.0.0.1:$port &&
	test_when_finished "kill $GDBSERVER_PID" &&
	timeout 120 gdb -batch -nx -ex "target remote 127.0.0.1:$port" -ex "thread $gspin" \
		-ex "p \$xmm0.v2_double" -ex "p \$st0" -ex "thread $gsleep" -ex "p \$xmm15.v4_int32" \
		-ex "p \$st0" -ex "info float" -ex detach $EXAMPLES/fpu.elf >out 2>&1 &&
	cat out &&
	expect_grep "^\\\$1 = \\{1.5, -2.25\\}" out &&
	expect_grep "^\\\$2 = 3.14159265358979" out &&
	expect_grep "^\\\$3 = \\{86320421, 25, 37, -25\\}" out &&
	expect_grep "^\\\$4 = 1$" out &&
	expect_grep "^=>R7: Valid +0x3fff8000000000000000 \\+1" out
'

test_expect_success 'errors: core without -o, gdbserver on a bad address, report of nothing' '
	rc=0; $UNISCOPE core null/crash.core 2>err || rc=$? &&
	expect_equal $rc 2 && expect_grep "^uniscope: core: say where the core goes with -o FILE" err &&
	rc=0; $UNISCOPE gdbserver null/crash.core --listen bogus 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "^uniscope: .bogus. is not tcp:HOST:PORT or unix:PATH" err &&
	rc=0; $UNISCOPE report no-such-session 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "no such session or core file" err
'

test_expect_success 'core --json says what was written' '
	start_session cj $EXAMPLES/threads.elf "run_ms=0" &&
	test_when_finished "stop_session cj" &&
	introspect_wait_console cj "waiters running" &&
	$UNISCOPE core cj -o cj.core --json >j &&
	python3 -c "import json; j = json.load(open(\"j\")); assert j[\"threads\"] >= 8 and j[\"written\"] > 0, j" &&
	test -s cj.core
'

test_done
