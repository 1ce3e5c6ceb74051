#!/bin/sh
# The TCP GDB port: a loopback connection from another user's socket is
# refused (the kernel names a socket's owner through sock_diag), and a
# port beyond loopback is an explicit, warned choice (--gdb-allow-remote).
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
OTHER=uniscope-t3102

test_expect_success '--gdb off loopback is refused without --gdb-allow-remote' '
	port=$(test_port 3) &&
	! $UNISCOPE run --detach --name r1 --gdb tcp:0.0.0.0:$port --append run_ms=0 $T 2>err &&
	expect_grep "listens beyond this machine.*--gdb-allow-remote" err &&
	! test -d $XDG_RUNTIME_DIR/uniscope/r1
'

test_expect_success '--gdb-allow-remote serves it, with a warning' '
	port=$(test_port 4) &&
	$UNISCOPE run --detach --name r2 --gdb tcp:0.0.0.0:$port --gdb-allow-remote --append run_ms=0 $T 2>err >/dev/null &&
	test_when_finished "stop_session r2" &&
	expect_grep "warning: GDB on .tcp:0.0.0.0:$port. is open to other machines" err &&
	python3 $ROOT/tests/rsp.py 127.0.0.1:$port qSupported expect:PacketSize close
'

if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null || ! command -v runuser >/dev/null; then
	test_skip "another user's connection" "needs root, useradd and runuser to make a second local user"
else
	test_expect_success 'a connection from another local user is closed unanswered; the owner is served' '
		port=$(test_port 5) &&
		{ id $OTHER >/dev/null 2>&1 || useradd --no-create-home --shell /bin/sh $OTHER; } &&
		test_when_finished "userdel $OTHER" &&
		rsp=$(mktemp /tmp/uniscope-rsp-XXXXXX.py) &&
		test_when_finished "rm -f $rsp" &&
		cp $ROOT/tests/rsp.py $rsp && chmod 644 $rsp &&
		start_session o1 $T "run_ms=0" --gdb tcp:127.0.0.1:$port &&
		test_when_finished "stop_session o1" &&
		{ runuser -u $OTHER -- python3 $rsp 127.0.0.1:$port qSupported "?" >other 2>&1 || true; } &&
		expect_grep "closed the connection|reset by peer|Broken pipe" other &&
		expect_no_grep "reply:" other &&
		python3 $rsp 127.0.0.1:$port qSupported expect:PacketSize "?" expect:^T D close &&
		sleep 1 &&
		expect_grep "^gdb_refused=[1-9]" $SESSION_DIR/stats &&
		guest_runs o1
	'
fi

test_done
