#!/bin/sh
# The GDB stub never wedges: debuggers that leave in any state, reattach at
# once, come two at a time, flood, break the protocol or meet a corrupt
# program; the image keeps running and the next debugger is served.
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
RSP="python3 $ROOT/tests/rsp.py"

# GDB on the session's socket, failing fast instead of waiting out its timeouts.
gdb_attach() {
	timeout 60 gdb -batch -nx -ex "set remotetimeout 10" -ex "target remote $SESSION_DIR/gdb.sock" \
		"$@" -ex detach $T 2>&1
}

test_expect_success 'a client that vanishes while the image runs leaves the stub ready' '
	start_session v1 $T "run_ms=0" &&
	test_when_finished "stop_session v1" &&
	$RSP $SESSION_DIR/gdb.sock qSupported "?" noreply:c sleep:0.5 close &&
	gdb_attach -ex "print queue.consumed" >out &&
	expect_grep "^\\\$1 = [0-9]+" out &&
	guest_runs v1
'

test_expect_success 'a client that vanishes in no-ack mode, stopped, with breakpoints set' '
	start_session v2 $T "run_ms=0" &&
	test_when_finished "stop_session v2" &&
	addr=$($UNISCOPE sym v2 sleep_ms | sed -n "s/.*0x\([0-9a-f]*\).*/\1/p" | head -1) &&
	test -n "$addr" &&
	$RSP $SESSION_DIR/gdb.sock qSupported noack "?" "Z1,$addr,1" expect:OK "Z2,$addr,8" close &&
	guest_runs v2 &&
	$RSP $SESSION_DIR/gdb.sock qSupported "?" expect:^T "Z1,$addr,1" expect:OK "z1,$addr,1" close &&
	gdb_attach -ex "info threads" >out &&
	expect_grep "Thread [0-9]+ \"sleeper-10\"" out
'

test_expect_success 'a vanished client left no breakpoint behind: the next continue runs on' '
	start_session v3 $T "run_ms=0" &&
	test_when_finished "stop_session v3" &&
	gdb_attach -ex "set breakpoint always-inserted on" -ex "hbreak sleep_ms" -ex "watch queue.consumed" \
		-ex "shell kill -9 \$PPID" >/dev/null 2>&1 || true &&
	guest_runs v3 &&
	# --foreground: timeout would pass SIGINT on to its whole group as well,
	# and GDB, interrupted twice, asks whether to give up.
	{ timeout --foreground 60 gdb -batch -nx -ex "target remote $SESSION_DIR/gdb.sock" -ex continue -ex "info threads" \
		-ex detach $T >out 2>&1 & } &&
	gdb_pid=$! &&
	sleep 3 && kill -INT $gdb_pid &&
	{ wait $gdb_pid || echo "gdb: exit status $?"; } &&
	expect_grep "received signal SIGINT" out &&
	expect_no_grep "Breakpoint 1," out
'

test_expect_success 'stale replies never reach the next client' '
	start_session v4 $T "run_ms=0" &&
	test_when_finished "stop_session v4" &&
	$RSP $SESSION_DIR/gdb.sock qSupported "?" noreply:m8,7 noreply:m8,6 noreply:m8,5 noreply:g close &&
	$RSP $SESSION_DIR/gdb.sock qSupported expect:PacketSize "?" expect:^T vMustReplyEmpty expect:^\$ close &&
	$RSP $SESSION_DIR/gdb.sock qSupported "?" noreply:qRcmd,7073 noreply:qRcmd,6c6f67 close &&
	$RSP $SESSION_DIR/gdb.sock qSupported expect:PacketSize "?" expect:^T vMustReplyEmpty expect:^\$ close &&
	gdb_attach -ex "print queue.produced" >out &&
	expect_grep "^\\\$1 = [0-9]+" out
'

test_expect_success 'a client in ack mode detaches, acks the OK and goes: the image runs on' '
	start_session v14 $T "run_ms=0" &&
	test_when_finished "stop_session v14" &&
	for i in 1 2 3; do
		$RSP $SESSION_DIR/gdb.sock qSupported "?" D expect:OK close &&
		guest_runs v14 || exit 1
	done
'

test_expect_success 'reattach right after detach, ten times' '
	start_session v5 $T "run_ms=0" &&
	test_when_finished "stop_session v5" &&
	steps="qSupported" &&
	for i in 1 2 3 4 5 6 7 8 9 10; do steps="$steps ? expect:^T D expect:OK reconnect qSupported expect:PacketSize"; done &&
	$RSP $SESSION_DIR/gdb.sock $steps "?" expect:^T D close &&
	gdb_attach -ex "print 1" >out &&
	expect_grep "^\\\$1 = 1$" out
'

test_expect_success 'a second debugger is told that one is attached' '
	start_session v6 $T "run_ms=0" &&
	test_when_finished "stop_session v6" &&
	{ $RSP $SESSION_DIR/gdb.sock qSupported "?" sleep:8 close >first & } &&
	sleep 2 &&
	gdb_attach -ex "info threads" >second || true &&
	wait &&
	expect_grep "another debugger is attached to session .v6." second &&
	expect_grep "reply: T" first
'

test_expect_success 'kill detaches by default: the image keeps running' '
	start_session v7 $T "run_ms=0" &&
	test_when_finished "stop_session v7" &&
	timeout 60 gdb -batch -nx -ex "target remote $SESSION_DIR/gdb.sock" -ex "info threads" -ex kill $T >out 2>&1 &&
	guest_runs v7 &&
	gdb_attach -ex "print queue.consumed" >out2 &&
	expect_grep "^\\\$1 = [0-9]+" out2
'

test_expect_success 'run --gdb-kill: kill ends the image' '
	start_session v8 $T "run_ms=0" --gdb-kill &&
	test_when_finished "stop_session v8" &&
	pid=$(sed -n "s/^pid=//p" $SESSION_DIR/meta) &&
	timeout 60 gdb -batch -nx -ex "target remote $SESSION_DIR/gdb.sock" -ex "info threads" -ex kill $T >out 2>&1 &&
	for i in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done &&
	! kill -0 $pid 2>/dev/null
'

test_expect_success 'an 80 KB packet from a client that does not read: cut off, the loop goes on' '
	start_session v9 $T "run_ms=0" &&
	test_when_finished "stop_session v9" &&
	{ $RSP $SESSION_DIR/gdb.sock bigpacket:81920 sleep:3 close || true; } &&
	gdb_attach -ex "print queue.consumed" >out &&
	expect_grep "^\\\$1 = [0-9]+" out &&
	guest_runs v9 &&
	expect_grep "^gdb_cut_off=[1-9]" $SESSION_DIR/stats &&
	$UNISCOPE stop v9
'

test_expect_success 'floods of junk, dollars, naks, NULs and requests never read' '
	start_session v10 $T "run_ms=0" &&
	test_when_finished "stop_session v10" &&
	head -c 102400 /dev/urandom >junk &&
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(open(\"junk\",\"rb\").read()); s.close()" $SESSION_DIR/gdb.sock &&
	{ $RSP $SESSION_DIR/gdb.sock flood:51200:\$ close || true; } &&
	{ $RSP $SESSION_DIR/gdb.sock qSupported "?" flood:20480:- close || true; } &&
	{ $RSP $SESSION_DIR/gdb.sock flood:65536:\\x00 close || true; } &&
	{ $RSP --timeout=5 $SESSION_DIR/gdb.sock qSupported "?" repeat:30000:m100000,1000 sleep:2 rst || true; } &&
	gdb_attach -ex "print queue.consumed" >out &&
	expect_grep "^\\\$1 = [0-9]+" out &&
	guest_runs v10
'

test_expect_success 'Ctrl-C right after continue always stops (the mailbox cannot overtake it)' '
	start_session v11 $T "run_ms=0" &&
	test_when_finished "stop_session v11" &&
	steps="qSupported noack ?" &&
	for i in $(seq 20); do steps="$steps raw:\$c#63\\x03 wait expect:^T"; done &&
	$RSP --timeout=15 $SESSION_DIR/gdb.sock $steps "z0,0,1" close >out &&
	test $(grep -c "reply: T" out) -ge 21
'

test_expect_success 'sealed: register writes are refused and say why' '
	start_session v12 $T "run_ms=0" &&
	test_when_finished "stop_session v12" &&
	gdb_attach -ex "set \$rip = 0x1234" -ex "set \$rax = 1" -ex "print \$rip" >out &&
	expect_grep "sealed profile: register writes disabled" out &&
	expect_no_grep "= \(void \(\*\)\(\)\) 0x1234" out &&
	guest_runs v12
'

test_expect_success 'sealed: a fifth hardware breakpoint and a memory write say why' '
	start_session v13 $T "run_ms=0" &&
	test_when_finished "stop_session v13" &&
	gdb_attach -ex "hbreak sleep_ms" -ex "hbreak cond_signal" -ex "hbreak cond_wait" -ex "hbreak mutex_unlock" \
		-ex "hbreak sem_post" -ex "stepi" -ex "delete" \
		-ex "maint packet M100000,1:00" -ex "maint packet X100000,1:a" >out &&
	expect_grep "Remote failure reply: all 4 debug registers in use" out &&
	expect_grep "received: \"E.0d.sealed profile: memory writes disabled\"" out
'

FULL=$BUILD/full/examples/threads.elf
# GDB commands that write *ADDR = VALUE (8 bytes) with a raw M packet: no
# register or frame refresh follows, so GDB's own state survives the damage.
poke() {
	echo "eval \"maint packet M%lx,8:%02x%02x%02x%02x%02x%02x%02x%02x\", $1, \
		($2)&255, (($2)>>8)&255, (($2)>>16)&255, (($2)>>24)&255, \
		(($2)>>32)&255, (($2)>>40)&255, (($2)>>48)&255, (($2)>>56)&255"
}
test_expect_success 'full: a cyclic thread list and wild pointers end in errors, not a hang or a fault' '
	build_profile full $FULL &&
	start_session c1 $FULL "run_ms=0" &&
	test_when_finished "stop_session c1" &&
	{
		echo "set \$link = (unsigned long)&thread_list->next_all->next_all" &&
		echo "set \$second = (unsigned long)thread_list->next_all" &&
		echo "set \$third = (unsigned long)thread_list->next_all->next_all" &&
		echo "maint packet Hg1" &&
		poke "\$link" "\$second" && echo "monitor ps" && echo "maint packet qfThreadInfo" &&
		echo "maint packet qsThreadInfo" && echo "maint packet g" &&
		poke "\$link" 0xdead0000 && echo "monitor ps" && echo "maint packet g" &&
		poke "\$link" 0x8000000000000000 && echo "monitor ps" && echo "maint packet g" &&
		poke "\$link" 0x100001 && echo "monitor ps" && echo "maint packet g" &&
		poke "\$link" "\$third" && echo "maint packet Hg0" && echo "info threads"
	} >corrupt.gdb &&
	timeout 120 gdb -batch -nx -ex "set remotetimeout 10" -ex "target remote $SESSION_DIR/gdb.sock" \
		-x corrupt.gdb -ex detach $FULL >out 2>&1 &&
	test $(grep -c -E "^\(.*(thread list loops back|thread [0-9]+ of the list at)" out) = 4 &&
	test $(grep -c "received: \"E0e\"" out) = 4 &&
	expect_grep "Thread [0-9]+ \"sleeper-10\"" out &&
	guest_runs c1
'

test_expect_success 'a stepi cut short by another thread leaves no stale SIGTRAP behind' '
	start_session s1 $T "run_ms=0" &&
	test_when_finished "stop_session s1" &&
	printf "%s\n" "hbreak sleep_ms" "hbreak cond_signal" "continue" "set \$n = 0" "while \$n < 40" "stepi" \
		"continue" "set \$n = \$n + 1" "end" >steps.gdb &&
	gdb_attach -x steps.gdb >out &&
	expect_no_grep "SIGTRAP" out &&
	expect_grep "Breakpoint 1, " out
'

if command -v lldb >/dev/null; then
	test_expect_success 'LLDB: a killed LLDB leaves the stub ready for the next one' '
		port=$(test_port 1) &&
		start_session l1 $T "run_ms=0" --gdb tcp:127.0.0.1:$port &&
		test_when_finished "stop_session l1" &&
		{ timeout -s KILL 20 lldb -b -o "gdb-remote 127.0.0.1:$port" -o "process continue" $T >/dev/null 2>&1 || true; } &&
		guest_runs l1 &&
		timeout 120 lldb -b -o "gdb-remote 127.0.0.1:$port" -o "thread list" -o detach $T >out 2>&1 &&
		expect_grep "thread #[0-9]+: tid = 0x[0-9a-f]+" out
	'
else
	test_skip "LLDB" "lldb is not installed"
fi

test_done
