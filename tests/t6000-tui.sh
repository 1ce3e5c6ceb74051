#!/bin/sh
# uniscope top, driven through tmux as a person would: the thread pane, the
# event pane, the filter, pause, backtraces, trace on/off through the
# session's control socket, resizing, quitting (the terminal restored) and
# the replay of a recorded trace. Waits poll the screen; nothing is timed.
. "$(dirname "$0")/lib.sh"

S=t6000

# Lines of the event pane: "   12.345678 thread:tid   event ..."
event_lines() {
	grep -E "^ *[0-9]+\.[0-9]{6} " "$1"
}

if ! command -v tmux >/dev/null 2>&1; then
	test_skip "uniscope top in tmux" "tmux is not installed (apt-get install tmux)"
	test_done
fi
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; stop_all_sessions' EXIT # when a test failed: $TRASH stays

test_expect_success 'top without a terminal, or without a target, says so' '
	rc=0; $UNISCOPE top no-such </dev/null >out 2>err || rc=$? &&
	expect_equal $rc 1 &&
	rc=0; $UNISCOPE top 2>err || rc=$? &&
	expect_equal $rc 2 && expect_grep "^usage: uniscope top" err &&
	$UNISCOPE --help >help && expect_grep "^  top " help
'

test_expect_success 'a threads session starts' '
	start_session $S "$EXAMPLES/threads.elf" "threads=3" &&
	introspect_wait_console $S "3 waiters running"
'

test_expect_success 'top needs a terminal' '
	rc=0; $UNISCOPE top $S </dev/null >out 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "^uniscope: top needs a terminal" err
'

test_expect_success 'the thread pane lists the threads by name' '
	tui_start top1 "$UNISCOPE top $S" &&
	tui_wait top1 " producer-0 " &&
	tui_wait top1 " consumer-1 " &&
	tui_wait top1 " sleeper-10 " &&
	tui_wait top1 " waiter-2 +blocked +semaphore" &&
	expect_grep "^ $S \\[live\\] +up [0-9.]+s +ev/s" screen &&
	expect_grep "TID +NAME +STATE +WAIT" screen
'

test_expect_success 'the event pane fills with sched_switch events' '
	tui_wait top1 "^ *[0-9]+\\.[0-9]{6} [a-z0-9-]+:[0-9]+ +sched_switch +prev=" &&
	expect_grep "EVENTS +[0-9]+ shown, following" screen
'

test_expect_success 'a filter narrows the events to the matching ones' '
	tm send-keys -t top1 / i t e m _ p r o d u c e d Enter &&
	tui_wait top1 "filter .item_produced." &&
	tui_wait top1 "^ *[0-9]+\\.[0-9]{6} producer-[01]:[0-9]+ +item_produced +item=" &&
	event_lines screen >events &&
	test -s events &&
	expect_no_grep "sched_switch|sched_wakeup|item_consumed|irq_" events
'

test_expect_success 'pause freezes the view; Space resumes it' '
	tui_wait top1 "\\[live\\] +up [1-9][0-9]*\\.[0-9]s" && # history enough to scrub back through
	tm send-keys -t top1 Space &&
	tui_wait top1 "PAUSED" &&
	for i in $(seq 20); do # the last frame may still be on its way to the terminal
		tui_capture top1 paused1 && sleep 0.25 && tui_capture top1 paused0 &&
			cmp -s paused0 paused1 && break
	done &&
	sleep 2 &&
	tui_capture top1 paused2 &&
	cmp paused1 paused2 &&
	tm send-keys -t top1 Left Left &&
	tui_wait top1 "PAUSED @-0\\.2s" &&
	tm send-keys -t top1 Space Escape &&
	tui_wait top1 "EVENTS +[0-9]+ shown, following" &&
	expect_no_grep "PAUSED" screen
'

test_expect_success 'Enter on a thread shows its backtrace, with function names' '
	tm send-keys -t top1 s &&
	tui_wait top1 "\\[TID\\] +NAME" &&
	tm send-keys -t top1 Home Down Down Down Down Down Down Down Down Enter &&
	tui_wait top1 "backtrace of thread 9" &&
	tui_wait top1 "thread 9 \"waiter-0\" \\(blocked, semaphore\\)" &&
	expect_grep "#0 +0x[0-9a-f]+ in schedule\\+0x[0-9a-f]+ at libos/kern/sched\\.c:[0-9]+" screen &&
	expect_grep " in sem_wait\\+0x" screen &&
	expect_grep " in extra_waiter\\+0x[0-9a-f]+ at examples/threads/main\\.c" screen &&
	tm send-keys -t top1 Escape &&
	tui_wait top1 "EVENTS +[0-9]+ shown" &&
	expect_no_grep "backtrace of thread" screen
'

test_expect_success 'e switches trace events off and on in the guest' '
	tm send-keys -t top1 e &&
	tui_wait top1 "trace off" &&
	tui_wait top1 "trace events off" &&
	tm send-keys -t top1 e &&
	tui_wait top1 "trace events on \\(mask 0x[0-9a-f]+\\)" &&
	tui_wait top1 "trace on"
'

test_expect_success 'the help lists the keys; the UI fits 80x24 after a resize' '
	tm send-keys -t top1 "?" &&
	tui_wait top1 "Left Right +scrub back" &&
	tm send-keys -t top1 Escape &&
	tm resize-window -t top1 -x 80 -y 24 &&
	tui_wait top1 "ON CPU, last 1\\.8s" &&
	tui_wait top1 "^ \\?help q quit" && # the frame is whole once its last line is there
	expect_equal "$(wc -l <screen)" 24 &&
	expect_grep " producer-0 " screen && expect_grep " EVENTS " screen && expect_grep " CONSOLE" screen
'

test_expect_success 'the control socket: trace-enable, and errors for the rest' '
	python3 - "$XDG_RUNTIME_DIR/uniscope/$S/ctl.sock" >ctl.out <<-\EOF &&
	import socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.settimeout(30)
	s.connect(sys.argv[1])
	f = s.makefile("rwb")
	for line in (b"trace-enable 0xfffffffffffffffe\n", b"frobnicate\n", b"trace-enable zz\n"):
	    f.write(line)
	    f.flush()
	    print(f.readline().decode().strip())
	EOF
	cat ctl.out &&
	expect_equal "$(sed -n 1p ctl.out)" "ok" &&
	expect_grep "^error: unknown request" ctl.out &&
	expect_grep "^error: trace-enable takes a mask" ctl.out &&
	test "$(stat -c %a "$XDG_RUNTIME_DIR/uniscope/$S/ctl.sock")" = 600
'

test_expect_success 'q quits and leaves the terminal as it found it' '
	cat >wrapper.sh <<-EOF &&
	stty -g >$TRASH/stty.before
	$UNISCOPE top $S
	echo "status \$?" >$TRASH/top.status
	stty -g >$TRASH/stty.after
	echo TOP-IS-DONE
	sleep 120
	EOF
	tui_start top2 "sh $TRASH/wrapper.sh" &&
	tui_wait top2 " producer-0 " &&
	tm send-keys -t top2 q &&
	tui_wait top2 "^TOP-IS-DONE" &&
	expect_no_grep "EVENTS|CONSOLE|producer-0" screen &&
	expect_equal "$(cat top.status)" "status 0" &&
	cmp stty.before stty.after
'

test_expect_success 'SIGTERM also restores the terminal' '
	cat >wrapper2.sh <<-EOF &&
	stty -g >$TRASH/stty2.before
	sh -c "echo \\\$\\\$ >$TRASH/top.pid; exec $UNISCOPE top $S"
	echo "status \$?" >$TRASH/top2.status
	stty -g >$TRASH/stty2.after
	echo TOP-IS-DONE
	sleep 120
	EOF
	tui_start top3 "sh $TRASH/wrapper2.sh" &&
	tui_wait top3 " producer-0 " &&
	kill -TERM "$(cat top.pid)" &&
	tui_wait top3 "^TOP-IS-DONE" &&
	expect_no_grep "EVENTS|producer-0" screen &&
	expect_equal "$(cat top2.status)" "status 143" &&
	cmp stty2.before stty2.after
'

test_expect_success 'a core file opens in the same UI, its image found from the core' '
	$UNISCOPE core $S -o threads.core &&
	tui_start top4 "$UNISCOPE top $TRASH/threads.core" &&
	tui_wait top4 " \\[core\\] " &&
	tui_wait top4 " waiter-1 +blocked +semaphore" &&
	tui_wait top4 "^ *[0-9]+\\.[0-9]{6} .*sched_switch"
'

test_expect_success 'replay of a recorded trace shows its threads and events' '
	$UNISCOPE run --name rec --trace rec.bin --append run_ms=1500 "$EXAMPLES/threads.elf" >/dev/null 2>&1 &&
	test -s rec.bin &&
	tui_start top5 "$UNISCOPE top --replay $TRASH/rec.bin --image $EXAMPLES/threads.elf" &&
	tui_wait top5 " \\[replay\\] " &&
	tui_wait top5 " producer-0 " &&
	tui_wait top5 "^ *[0-9]+\\.[0-9]{6} [a-z0-9-]+:[0-9]+ +sched_switch +prev=" &&
	tm send-keys -t top5 / i t e m _ p r o d u c e d Enter &&
	tui_wait top5 "^ *[0-9]+\\.[0-9]{6} producer-[01]:[0-9]+ +item_produced +item=" &&
	tm send-keys -t top5 q
'

tm kill-server 2>/dev/null # before test_done removes its socket
test_done
