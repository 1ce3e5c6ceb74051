#!/bin/sh
# make demo, as its first user meets it: without a terminal (CI, a script)
# it runs the threads example for DEMO_MS and exits with its status; on a
# terminal (tmux here) it opens uniscope top, and q leaves the UI and
# stops the session. (.ci/run runs `make demo` on a machine missing a
# build dependency: the first run, packages installed on the way.)
. "$(dirname "$0")/lib.sh"

test_expect_success 'demo without a terminal: the example runs for DEMO_MS and exits 0' '
	DEMO_MS=1500 sh $ROOT/mk/demo.sh $BUILD </dev/null >out 2>err &&
	expect_grep "^uniscope demo: the threads example under uniscope run for 1500 ms" out &&
	expect_grep "produced ([0-9]+) consumed \\1 \\(checksums match\\)" out &&
	expect_grep "session .threads. ended, exit status 0" err &&
	test ! -e $XDG_RUNTIME_DIR/uniscope/threads
'

test_expect_success 'demo: a DEMO_MS that is no number is a usage error' '
	rc=0; DEMO_MS=soon sh $ROOT/mk/demo.sh $BUILD </dev/null >out 2>err || rc=$? &&
	expect_equal $rc 2 &&
	expect_grep "DEMO_MS must be a number" err
'

if ! command -v tmux >/dev/null 2>&1; then
	test_skip "demo on a terminal" "tmux is not installed (apt-get install tmux)"
	test_done
fi
TMUX_SOCK=$TRASH/tmux.sock
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; stop_all_sessions' EXIT

# screen_wait REGEX: polls the tmux window until its text matches.
screen_wait() {
	for _i in $(seq 240); do
		tmux -S "$TMUX_SOCK" capture-pane -p -t demo >screen 2>/dev/null && grep -E -q -- "$1" screen && return 0
		sleep 0.25
	done
	echo "timed out waiting for /$1/:"; cat screen
	return 1
}

test_expect_success 'demo on a terminal opens uniscope top; q stops the session' '
	tmux -S "$TMUX_SOCK" new-session -d -x 100 -y 30 -s demo \
		"env XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR TERM=screen sh $ROOT/mk/demo.sh $BUILD; echo demo-exit=\$?; sleep 60" &&
	screen_wait "^ threads \\[live\\]" &&
	screen_wait "producer-0" &&
	test -d $XDG_RUNTIME_DIR/uniscope/threads &&
	tmux -S "$TMUX_SOCK" send-keys -t demo q &&
	screen_wait "^demo-exit=0" &&
	test ! -e $XDG_RUNTIME_DIR/uniscope/threads
'

test_done
