#!/bin/sh
# Threads as every client sees them: one numbering (GDB, cores, ps, traces),
# honest states, names and states in LLDB, and GDB's scheduler-locking.
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
gdb_session() {
	gdb_batch $T -ex "target remote $SESSION_DIR/gdb.sock" "$@" -ex detach
}

# tid_in FILE NAME SED-REGEX: the number the regex captures on NAME's line.
tid_in() {
	sed -n "s/$3/\\1/p" "$1" | head -1
}

test_expect_success 'one numbering: GDB Thread N, ps, the core LWP and the trace agree' '
	start_session n1 $T "run_ms=0" &&
	test_when_finished "stop_session n1" &&
	introspect_wait_console n1 "items so far" &&
	$UNISCOPE ps n1 >ps &&
	gdb_session -ex "info threads" >gdb.out &&
	$UNISCOPE core n1 -o n1.core >/dev/null &&
	timeout 120 gdb -batch -nx -ex "thread apply all bt 4" $T n1.core >core.out 2>&1 &&
	$UNISCOPE trace n1 >trace.out &&
	for name in main idle producer-0 consumer-1 sleeper-25; do
		ps_tid=$(tid_in ps $name "^[* ]*\\([0-9][0-9]*\\) $name .*") &&
		gdb_tid=$(tid_in gdb.out $name ".*Thread \\([0-9][0-9]*\\) \"$name\".*") &&
		echo "$name: ps $ps_tid, gdb $gdb_tid" &&
		expect_equal "$gdb_tid" "$ps_tid" || return 1
	done &&
	expect_equal "$(tid_in ps main "^[* ]*\\([0-9][0-9]*\\) main .*")" 1 &&
	expect_equal "$(tid_in ps idle "^[* ]*\\([0-9][0-9]*\\) idle .*")" 2 &&
	s25=$(tid_in ps sleeper-25 "^[* ]*\\([0-9][0-9]*\\) sleeper-25 .*") &&
	expect_grep "^Thread [0-9]+ \\(LWP $s25\\):" core.out &&
	awk "/^Thread [0-9]+ \\(LWP $s25\\):/ {on = 1; next} /^Thread / {on = 0} on" core.out >lwp.bt &&
	expect_grep "sleep_ns \\(ns=(ns@entry=)?25000000\\)" lwp.bt &&
	c1=$(tid_in ps consumer-1 "^[* ]*\\([0-9][0-9]*\\) consumer-1 .*") &&
	expect_grep "^ *consumer-1-$c1 +\\[000\\]" trace.out
'

test_expect_success 'the idle thread is runnable, not running, while another thread has the CPU' '
	start_session n2 $T "run_ms=0" &&
	test_when_finished "stop_session n2" &&
	introspect_wait_console n2 "items so far" &&
	gdb_session -ex "break thread_yield" -ex continue -ex "info threads" >out &&
	expect_grep "Breakpoint 1, thread_yield" out &&
	expect_grep "Thread 2 \"idle\" \\(runnable\\)" out &&
	expect_equal "$(grep -c "(running" out)" 1 &&
	for i in 1 2 3 4 5; do
		$UNISCOPE ps n2 >ps &&
		test "$(grep -c " running " ps)" -le 1 || return 1
	done
'

if command -v lldb >/dev/null; then
	test_expect_success 'LLDB: every thread has its name, and its state as the queue' '
		port=$(test_port 1) &&
		start_session n3 $T "run_ms=0" --gdb tcp:127.0.0.1:$port &&
		test_when_finished "stop_session n3" &&
		introspect_wait_console n3 "items so far" &&
		timeout 120 lldb -b -o "gdb-remote 127.0.0.1:$port" -o "thread list" -o detach $T >out 2>&1 &&
		expect_equal "$(grep -c "^[* ] thread #[0-9]*: tid = " out)" 8 &&
		expect_equal "$(grep "^[* ] thread #[0-9]*: tid = " out | grep -c ", name = ")" 8 &&
		expect_grep "tid = 0x0008, .*, name = .sleeper-25., queue = .(sleeping \\(sleep\\)|runnable|running \\(debugger\\))." out &&
		expect_grep "tid = 0x0005, .*, name = .consumer-0., queue = .(blocked \\((condvar|mutex)\\)|runnable|running \\(debugger\\))." out &&
		expect_grep "tid = 0x0002, .*, name = .idle., queue = .(runnable|running \\(debugger\\))." out &&
		expect_grep "^\\* thread #1: .*, name = .[a-z0-9-]+., queue = .running \\(debugger\\)., stop reason = signal SIGINT" out
	'
else
	test_skip "LLDB threads" "lldb is not installed"
fi

test_done
