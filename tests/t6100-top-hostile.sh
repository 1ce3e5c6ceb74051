#!/bin/sh
# uniscope top against a guest whose thread list is corrupt, as a hostile
# or broken guest can make it: a list that loops back on itself, and a
# next pointer into nowhere. top shows the threads it could read, says
# why the list stopped, stays responsive, and quits with the terminal
# restored. Also: top names what each blocked thread waits on, and who
# holds it, in the thread pane and in the Enter view. Driven through tmux.
. "$(dirname "$0")/lib.sh"

CRASH=$EXAMPLES/crash.elf

if ! command -v tmux >/dev/null 2>&1; then
	test_skip "uniscope top in tmux" "tmux is not installed (apt-get install tmux)"
	test_done
fi
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; stop_all_sessions' EXIT

# set_next SESSION THREAD-NAME VALUE: the thread's next pointer (the descriptor's
# thread_layout.off_next) set to VALUE in the live guest's shared RAM.
set_next() {
	info=$(nm $CRASH | awk "\$3 == \"uniscope_info\" {print \$1}") &&
	addr=$($UNISCOPE ps --json "$1" | python3 -c "import json, sys; print([t[\"address\"] for t in json.load(sys.stdin)[\"threads\"] if t[\"name\"] == \"$2\"][0])") &&
	python3 -c "
import struct, sys
mem, info, thread, value = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3], 16), int(sys.argv[4], 0)
with open(mem, \"r+b\") as f:
    f.seek(info + 64 + 11 * 4)   # uniscope_info.thread_layout.off_next (abi.h)
    off_next = struct.unpack(\"<I\", f.read(4))[0]
    f.seek(thread + off_next)
    f.write(struct.pack(\"<Q\", value))
" "$XDG_RUNTIME_DIR/uniscope/$1/mem" "$info" "$addr" "$3"
}

test_expect_success 'a deadlocked guest: top shows what each blocked thread waits on, and who holds it' '
	start_session dl $CRASH deadlock &&
	introspect_wait_console dl "opposite orders" &&
	tui_start dl "$UNISCOPE top dl" &&
	tui_wait dl " worker-a +blocked +mutex .*-> queue\\+32 held by [0-9]+ \"worker-b\" [0-9]+s" &&
	tui_wait dl " worker-b +blocked +mutex .*-> store_lock held by [0-9]+ \"worker-a\" [0-9]+s" &&
	expect_grep " crasher +blocked +join .*-> thread [0-9]+ \"worker-a\"" screen
'

# Sorted by name: by CPU% (the default) rows can swap between the capture
# and the key presses that count down to worker-a.
test_expect_success 'Enter on a blocked thread: its backtrace says what it waits for' '
	tm send-keys -t dl s s &&
	tui_wait dl "\\[NAME\\]" &&
	tm send-keys -t dl Home &&
	tui_capture dl screen &&
	n=$(grep -E "^[ *] +[0-9]+ " screen | grep -n " worker-a " | cut -d: -f1) &&
	i=1 && while [ $i -lt $n ]; do tm send-keys -t dl Down; i=$((i + 1)); done &&
	tm send-keys -t dl Enter &&
	tui_wait dl "waits for queue\\+32 held by [0-9]+ \"worker-b\"" &&
	expect_grep "in worker_a\\+0x[0-9a-f]+ at examples/crash/main.c" screen &&
	tm send-keys -t dl Escape
'

test_expect_success 'a thread list that loops back: top shows what it read and why it stopped' '
	set_next dl worker-a "$($UNISCOPE ps --json dl | python3 -c "import json, sys; print([t[\"address\"] for t in json.load(sys.stdin)[\"threads\"] if t[\"name\"] == \"worker-a\"][0])")" &&
	tui_wait dl "^ ! the thread list stops here: dl: thread list loops back to the thread at 0x[0-9a-f]+" &&
	expect_grep " worker-b +blocked" screen &&
	tm send-keys -t dl s &&
	tui_wait dl "loops back" &&
	tm send-keys -t dl q &&
	for i in $(seq 40); do tm has-session -t dl 2>/dev/null || break; sleep 0.25; done &&
	! tm has-session -t dl 2>/dev/null
'

test_expect_success 'a next pointer into nowhere: top says where the walk stopped' '
	start_session wild $CRASH deadlock &&
	introspect_wait_console wild "opposite orders" &&
	set_next wild worker-b 0xdead00000000 &&
	tui_start wild "$UNISCOPE top wild" &&
	tui_wait wild "^ ! the thread list stops here: wild: thread [0-9]+ of the list at 0xdead00000000" &&
	expect_grep " worker-b +blocked" screen &&
	tm send-keys -t wild q &&
	for i in $(seq 40); do tm has-session -t wild 2>/dev/null || break; sleep 0.25; done &&
	! tm has-session -t wild 2>/dev/null
'

test_expect_success 'ps and report say the same of the corrupt lists, and fail' '
	rc=0; $UNISCOPE ps dl >ps 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "loops back" err &&
	rc=0; $UNISCOPE ps wild >ps 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "0xdead00000000" err &&
	$UNISCOPE report wild >report &&
	expect_grep "^  \\(.*0xdead00000000" report
'

test_done
