#!/bin/sh
# Threads as every client sees them: one numbering (GDB, cores, ps, traces),
# honest states, names and states in LLDB, and GDB's scheduler-locking.
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
gdb_session() {
	gdb_batch $T -ex "target remote $SESSION_DIR/gdb.sock" "$@" -ex detach
}

# running_threads NAME: a threads session whose items flow, stopped when the test ends.
running_threads() {
	start_session $1 $T "run_ms=0" &&
	test_when_finished "stop_session $1" &&
	introspect_wait_console $1 "items so far"
}

# tid_in FILE NAME SED-REGEX: the number the regex captures on NAME's line.
tid_in() {
	sed -n "s/$3/\\1/p" "$1" | head -1
}

test_expect_success 'one numbering: GDB Thread N, ps, the core LWP and the trace agree' '
	running_threads n1 &&
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
	running_threads n2 &&
	gdb_session -ex "break thread_yield" -ex continue -ex "info threads" >out &&
	expect_grep "Breakpoint 1, thread_yield" out &&
	expect_grep "Thread 2 \"idle\" \\(runnable\\)" out &&
	expect_equal "$(grep -c "(running" out)" 1 &&
	for i in 1 2 3 4 5; do
		$UNISCOPE ps n2 >ps &&
		test "$(grep -c " running " ps)" -le 1 || return 1
	done
'

test_expect_success 'scheduler-locking on: only the chosen thread runs; detach lets all run again' '
	running_threads n4 &&
	gdb_session -ex "thread find sleeper-10" >threads &&
	s10=$(gdb_thread_of threads sleeper-10) &&
	gdb_session -ex "thread $s10" -ex "p queue.consumed" -ex "set scheduler-locking on" \
		-ex "break sleep_ms" -ex continue -ex continue -ex continue -ex "p queue.consumed" \
		-ex delete >out &&
	expect_equal "$(grep -c "hit Breakpoint 1, sleep_ms" out)" 3 &&
	expect_equal "$(grep -c "^Thread $s10 \"sleeper-10\" hit Breakpoint 1" out)" 3 &&
	before=$(sed -n "s/^\\\$1 = //p" out) && after=$(sed -n "s/^\\\$2 = //p" out) &&
	expect_equal "$after" "$before" &&
	sleep 1 &&
	gdb_session -ex "p queue.consumed" >again &&
	later=$(sed -n "s/^\\\$1 = //p" again) &&
	test "$later" -gt "$after"
'

test_expect_success 'scheduler-locking on: stepi a thread switched out in schedule() moves it one instruction' '
	running_threads n5 &&
	gdb_session -ex "thread find sleeper-25" >threads &&
	s25=$(gdb_thread_of threads sleeper-25) &&
	gdb_session -ex "thread $s25" -ex "set scheduler-locking on" -ex "p queue.consumed" \
		-ex "x/2i \$pc" -ex stepi -ex "p \$pc" -ex "p queue.consumed" -ex thread >out &&
	second=$(sed -n "s/^   \\(0x[0-9a-f]*\\) <schedule+[0-9]*>:.*/\\1/p" out | head -1) &&
	test -n "$second" &&
	expect_grep "^\\\$2 = \\(void \\(\\*\\)\\(\\)\\) $second <schedule\\+[0-9]+>" out &&
	expect_equal "$(sed -n "s/^\\\$3 = //p" out)" "$(sed -n "s/^\\\$1 = //p" out)" &&
	expect_grep "^\\[Current thread is $s25 " out
'

test_expect_success 'scheduler-locking step: next holds the other threads' '
	running_threads n6 &&
	line=$(grep -n "queue.produced++;" $ROOT/examples/threads/main.c | cut -d: -f1) &&
	gdb_session -ex "break main.c:$line" -ex continue -ex delete -ex "set scheduler-locking step" \
		-ex "p queue.consumed" -ex next -ex next -ex next -ex "p queue.consumed" -ex thread >out &&
	expect_grep "\"producer-[01]\" hit Breakpoint 1, .* at examples/threads/main.c:" out &&
	expect_equal "$(sed -n "s/^\\\$2 = //p" out)" "$(sed -n "s/^\\\$1 = //p" out)" &&
	expect_no_grep "^\\[Switching to thread" out
'

if command -v lldb >/dev/null; then
	test_expect_success 'LLDB: every thread has its name, and its state as the queue' '
		port=$(test_port 1) &&
		start_session n3 $T "run_ms=0" --gdb tcp:127.0.0.1:$port &&
		test_when_finished "stop_session n3" &&
		introspect_wait_console n3 "items so far" &&
		lldb_batch $T $port -o "thread list" >out &&
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
