#!/bin/sh
# GDB and LLDB against the in-guest stub of running images, over the channel.
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
gdb_session() {
	gdb_batch $T -ex "target remote $SESSION_DIR/gdb.sock" "$@" -ex detach
}

test_expect_success 'info threads lists every libOS thread by name' '
	start_session g1 $T "run_ms=0 threads=2" &&
	test_when_finished "stop_session g1" &&
	gdb_session -ex "info threads" >out &&
	for name in main idle producer-0 producer-1 consumer-0 consumer-1 sleeper-10 sleeper-25 waiter-0 waiter-1; do
		expect_grep "Thread [0-9]+ \"$name\"" out || exit 1
	done
'

test_expect_success 'thread N and bt on a blocked thread show where it waits' '
	start_session g2 $T "run_ms=0" &&
	test_when_finished "stop_session g2" &&
	gdb_session -ex "info threads" >threads &&
	n=$(sed -n "s/^ *\*\{0,1\} *\([0-9][0-9]*\) *Thread [0-9]* \"sleeper-25\".*/\1/p" threads) &&
	test -n "$n" &&
	gdb_session -ex "thread $n" -ex bt >out &&
	expect_grep "#0 +schedule \(\) at libos/kern/sched.c:[0-9]+" out &&
	expect_grep "sleep_ns \(ns=(ns@entry=)?25000000\) at libos/kern/sched.c" out &&
	expect_grep "in sleeper \(arg=0x19\) at examples/threads/main.c:[0-9]+" out
'

test_expect_success 'break (served by a debug register), continue, print, finish' '
	start_session g3 $T "run_ms=0" &&
	test_when_finished "stop_session g3" &&
	gdb_session -ex "break sleep_ms" -ex continue -ex "print ms" -ex delete -ex finish >out &&
	expect_grep "Breakpoint 1, sleep_ms \(ms=(ms@entry=)?[0-9]+\) at libos/kern/sched.c" out &&
	expect_grep "^\\\$1 = (1|10|25|100)$" out &&
	expect_grep "^(0x[0-9a-f]+ in )?(sleeper \(arg=0x(a|19)\)|main \(\)|producer \(arg=[^)]*\)) at examples/threads/main.c:[0-9]+" out
'

test_expect_success 'hbreak and stepi, next' '
	start_session g4 $T "run_ms=0" &&
	test_when_finished "stop_session g4" &&
	gdb_session -ex "hbreak cond_signal" -ex continue -ex delete -ex "stepi" -ex "x/i \$pc" -ex next -ex "info line *\$pc" >out &&
	expect_grep "Hardware assisted breakpoint 1 at" out &&
	expect_grep "hit Breakpoint 1, cond_signal \(c=(c@entry=)?0x[0-9a-f]+ <queue\+[0-9]+>\) at libos/" out &&
	expect_grep "=> 0x[0-9a-f]+ <cond_signal\+[0-9]+>" out &&
	expect_grep "Line [0-9]+ of .libos/.* starts at address" out
'

test_expect_success 'watch and rwatch trigger on a write and a read' '
	start_session g5 $T "run_ms=0" &&
	test_when_finished "stop_session g5" &&
	gdb_session -ex "watch queue.consumed" -ex continue -ex "delete" -ex "rwatch sleepers_stop" -ex continue >out &&
	expect_grep "Hardware watchpoint 1: queue.consumed" out &&
	expect_grep "Old value = [0-9]+" out &&
	expect_grep "Hardware read watchpoint 2: sleepers_stop" out &&
	expect_grep "Value = false" out
'

test_expect_success 'Ctrl-C (SIGINT to gdb in continue) stops the image with SIGINT' '
	start_session g6 $T "run_ms=0" &&
	test_when_finished "stop_session g6" &&
	gdb -batch -nx -ex "target remote $SESSION_DIR/gdb.sock" -ex continue -ex "info threads" -ex detach $T >out 2>&1 &
	gdb_pid=$! &&
	sleep 5 && kill -INT $gdb_pid && wait $gdb_pid &&
	expect_grep "received signal SIGINT" out &&
	expect_grep "Thread [0-9]+ \"consumer-0\"" out
'

test_expect_success 'detach leaves the image running, and a debugger can attach again' '
	start_session g7 $T "run_ms=0" &&
	test_when_finished "stop_session g7" &&
	gdb_session -ex "print queue.consumed" >first &&
	sleep 1 &&
	gdb_session -ex "print queue.consumed" >second &&
	a=$(sed -n "s/^\\\$1 = //p" first) && b=$(sed -n "s/^\\\$1 = //p" second) &&
	test "$b" -gt "$a"
'

test_expect_success 'a vanished client leaves the image running' '
	start_session g8 $T "run_ms=0" &&
	test_when_finished "stop_session g8" &&
	{ timeout -s KILL 3 gdb -batch -nx -ex "target remote $SESSION_DIR/gdb.sock" -ex "info threads" -ex "shell sleep 10" $T >/dev/null 2>&1 || true; } &&
	gdb_session -ex "print queue.consumed" >out &&
	expect_grep "^\\\$1 = [0-9]+" out
'

test_expect_success 'the sealed profile refuses memory writes' '
	start_session g9 $T "run_ms=0" &&
	test_when_finished "stop_session g9" &&
	gdb_session -ex "set var queue.produced = 5" -ex "monitor seal" >out 2>&1 &&
	expect_grep "Cannot access memory at address" out &&
	expect_grep "profile sealed" out
'

test_expect_success 'monitor ps lists the threads' '
	start_session g10 $T "run_ms=0" &&
	test_when_finished "stop_session g10" &&
	gdb_session -ex "monitor ps" >out &&
	expect_grep "consumer-1" out
'

test_expect_success 'attach to crash: stop at the faulting line with SIGSEGV' '
	start_session g11 $EXAMPLES/crash.elf "null gdb=wait" &&
	test_when_finished "stop_session g11" &&
	gdb_batch $EXAMPLES/crash.elf -ex "target remote $SESSION_DIR/gdb.sock" -ex continue -ex bt -ex kill >out &&
	line=$(grep -n "\*p = 1;" $ROOT/examples/crash/main.c | cut -d: -f1) &&
	expect_grep "received signal SIGSEGV" out &&
	expect_grep "crash_null \(\) at examples/crash/main.c:$line" out
'

test_expect_success 'attach to crash div0: SIGFPE' '
	start_session g12 $EXAMPLES/crash.elf "div0 gdb=wait" &&
	test_when_finished "stop_session g12" &&
	gdb_batch $EXAMPLES/crash.elf -ex "target remote $SESSION_DIR/gdb.sock" -ex continue -ex kill >out &&
	expect_grep "received signal SIGFPE" out &&
	expect_grep "crash_div0" out
'

test_expect_success 'monitor trace switches trace events off and on at run time' '
	start_session g15 $T "run_ms=0" &&
	test_when_finished "stop_session g15" &&
	gdb_session -ex "monitor trace" -ex "monitor trace 0" >out &&
	expect_grep "trace events enabled: 0x[1-9a-f]" out &&
	expect_grep "trace events enabled: 0$" out &&
	$UNISCOPE trace g15 >t1 && sleep 1 && $UNISCOPE trace g15 >t2 &&
	cmp t1 t2 &&
	gdb_session -ex "monitor trace 0xffff" >out2 &&
	expect_grep "trace events enabled: 0xfff[ef]$" out2
'

test_expect_success 'memory reads: the fast path answers them and agrees with the stub' '
	start_session f1 $T "run_ms=0" &&
	test_when_finished "stop_session f1" &&
	(export UNISCOPE_GDB_FASTPATH=0; start_session f2 $T "run_ms=0") &&
	test_when_finished "stop_session f2" &&
	gdb_batch $T -ex "target remote $XDG_RUNTIME_DIR/uniscope/f1/gdb.sock" -ex "x/256xb sleep_ns" -ex "x/s uniscope_info" -ex detach >fast &&
	gdb_batch $T -ex "target remote $XDG_RUNTIME_DIR/uniscope/f2/gdb.sock" -ex "x/256xb sleep_ns" -ex "x/s uniscope_info" -ex detach >slow &&
	grep "^0x[0-9a-f]* <" fast >fast.mem && grep "^0x[0-9a-f]* <" slow >slow.mem &&
	test $(wc -l <fast.mem) -gt 30 &&
	cmp fast.mem slow.mem &&
	sleep 1 &&
	expect_grep "^gdb_fast_reads=[1-9]" $XDG_RUNTIME_DIR/uniscope/f1/stats &&
	expect_grep "^gdb_fast_reads=0$" $XDG_RUNTIME_DIR/uniscope/f2/stats
'

test_expect_success 'stepping: a stopped stub talks through the GDB mailbox, or the channel without it' '
	start_session f3 $T "run_ms=0" &&
	test_when_finished "stop_session f3" &&
	(export UNISCOPE_GDB_FASTPATH=0; start_session f4 $T "run_ms=0") &&
	test_when_finished "stop_session f4" &&
	printf "%s\n" "set \$n = 0" "while \$n < 50" "stepi" "set \$n = \$n + 1" "end" \
		"printf \"steps done: %d\\n\", \$n" "info registers rip" >steps.gdb &&
	for s in f3 f4; do
		gdb_batch $T -ex "target remote $XDG_RUNTIME_DIR/uniscope/$s/gdb.sock" -x steps.gdb -ex "info threads" -ex detach >$s.out &&
		expect_grep "^steps done: 50$" $s.out &&
		expect_grep "^rip  *0x[0-9a-f]* " $s.out &&
		expect_grep "sleeper-10" $s.out || return 1
	done &&
	sleep 1 &&
	expect_grep "^gdb_mailbox_out=[1-9]" $XDG_RUNTIME_DIR/uniscope/f3/stats &&
	expect_grep "^gdb_mailbox_in=[1-9]" $XDG_RUNTIME_DIR/uniscope/f3/stats &&
	expect_grep "^gdb_mailbox_out=0$" $XDG_RUNTIME_DIR/uniscope/f4/stats &&
	gdb_batch $T -ex "target remote $XDG_RUNTIME_DIR/uniscope/f3/gdb.sock" -ex "info threads" -ex detach >again &&
	expect_grep "sleeper-10" again
'

# For GDB's python: change a stopped guest's memory behind the stub's back,
# through the session's RAM file (identity-mapped: offset = address).
cat >poke.py <<'EOF'
import gdb, os
def poke(expr, data):
    with open(os.environ["GUEST_MEM"], "r+b") as f:
        f.seek(int(gdb.parse_and_eval(expr)))
        f.write(data)
def rename_first_thread():
    poke("(long)&thread_list->name", b"renamed\0")
saved_link = None
def break_second_link():
    global saved_link
    saved_link = int(gdb.parse_and_eval("(long)thread_list->next_all->next_all"))
    poke("(long)&thread_list->next_all->next_all", (0x10).to_bytes(8, "little"))
def mend_second_link():
    poke("(long)&thread_list->next_all->next_all", saved_link.to_bytes(8, "little"))
EOF

test_expect_success 'thread lists from the host: every chunk alike, fresh after a rename, cut where the list breaks' '
	start_session f5 $T "run_ms=0" &&
	test_when_finished "stop_session f5" &&
	GUEST_MEM=$SESSION_DIR/mem gdb_session -ex "source poke.py" -ex stepi \
		-ex "maint packet qXfer:threads:read::0,ffb" -ex "maint packet qXfer:threads:read::0,fff" \
		-ex "python rename_first_thread()" -ex "info threads" \
		-ex "python break_second_link()" -ex "info threads" -ex "python mend_second_link()" \
		-ex "info threads" >out &&
	grep "^received: " out >replies &&
	expect_equal "$(sed -n 1p replies)" "$(sed -n 2p replies)" &&
	expect_grep "^received: \"l<\?xml.*sleeper-10" replies &&
	awk "/^  Id / {n++} n == 1" out >renamed &&
	expect_grep "Thread [0-9]+ \"renamed\"" renamed &&
	awk "/^  Id / {n++} n == 2" out >broken &&
	expect_equal "$(grep -c "^[ *] *[0-9][0-9]* *Thread " broken)" 2 &&
	awk "/^  Id / {n++} n == 3" out >mended &&
	expect_equal "$(grep -c "^[ *] *[0-9][0-9]* *Thread " mended)" "$(grep -c "^[ *] *[0-9][0-9]* *Thread " renamed)" &&
	for i in $(seq 20); do grep -q "^gdb_host_answers=[1-9]" $SESSION_DIR/stats && break; sleep 0.5; done &&
	expect_grep "^gdb_host_answers=[1-9]" $SESSION_DIR/stats
'

test_expect_success 'uniscope gdb NAME starts GDB already connected' '
	start_session g13 $T "run_ms=0" &&
	test_when_finished "stop_session g13" &&
	timeout 120 $UNISCOPE gdb g13 -batch -nx -ex "info threads" -ex detach >out 2>&1 &&
	expect_grep "Thread [0-9]+ \"sleeper-10\"" out
'

test_expect_success 'sealed: breakpoints come from the 4 debug registers; a fifth is refused' '
	start_session g14 $T "run_ms=0" &&
	test_when_finished "stop_session g14" &&
	gdb_session -ex "break sleep_ms" -ex "break cond_signal" -ex "break cond_wait" -ex "break mutex_unlock" \
		-ex "break sem_post" -ex continue -ex delete >out 2>&1 || true &&
	expect_grep "Cannot insert breakpoint [0-9]" out && expect_grep "Breakpoint 5 at" out
'

test_expect_success 'full profile: software breakpoints (int3) beyond 4, memory writes' '
	build_profile full $BUILD/full/examples/threads.elf &&
	F=$BUILD/full/examples/threads.elf &&
	start_session full1 $F "run_ms=0" &&
	test_when_finished "stop_session full1" &&
	gdb_batch $F -ex "target remote $XDG_RUNTIME_DIR/uniscope/full1/gdb.sock" \
		-ex "break sleep_ms" -ex "break cond_signal" -ex "break cond_wait" -ex "break mutex_unlock" \
		-ex "break sem_post" -ex continue -ex "set var queue.produced = 5" -ex "print queue.produced" \
		-ex "monitor seal" -ex delete -ex detach >out 2>&1 &&
	expect_no_grep "Cannot insert" out &&
	expect_grep "hit Breakpoint [0-9], " out &&
	expect_grep "^\\\$1 = 5$" out &&
	expect_grep "profile full" out
'

if command -v lldb >/dev/null; then
	test_expect_success 'LLDB: gdb-remote, thread list, bt' '
		port=$(test_port 1) &&
		start_session l1 $T "run_ms=0" --gdb tcp:127.0.0.1:$port &&
		test_when_finished "stop_session l1" &&
		timeout 120 lldb -b -o "gdb-remote 127.0.0.1:$port" -o "thread list" -o "thread select 3" -o bt -o detach $T >out 2>&1 &&
		expect_grep "thread #[0-9]+: tid = 0x[0-9a-f]+, 0x[0-9a-f]+ threads.elf.schedule at sched.c" out &&
		expect_grep "frame #[0-9]+: 0x[0-9a-f]+ threads.elf.sleep_ns" out
	'
else
	test_skip "LLDB" "lldb is not installed"
fi

test_done
