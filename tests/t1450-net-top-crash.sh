#!/bin/sh
# A server's connections in the views a person uses under load, and a
# handler that crashes under load: examples/httpd (-C serves /crash, a
# handler that writes through a null pointer) under `uniscope run --port
# --core-on-crash` with ab running against it. `top`'s connections view
# (n, driven in tmux) lists the listening socket and the connections as
# `uniscope net` does, scrolls through them and shows an owner's
# backtrace; a listening socket's Recv-Q is its accept queue and Send-Q
# its backlog (net, --json); the crash leaves a core and a report that
# names the connection the dying worker was serving: the request in flight.
. "$(dirname "$0")/lib.sh"

HTTPD=$EXAMPLES/httpd.elf
NET=$BUILD/tests/images/net.elf
PORT=$(test_port)
URL=http://127.0.0.1:$PORT
HELD=30
WEB=$XDG_RUNTIME_DIR/uniscope/web

if ! command -v tmux >/dev/null 2>&1 || ! command -v ab >/dev/null 2>&1; then
	test_skip "top and a crash under load" "tmux or ab is missing (apt-get install tmux apache2-utils)"
	test_done
fi
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; touch "$TRASH/release" 2>/dev/null; kill $(cat "$TRASH/ab.pid" 2>/dev/null) 2>/dev/null; stop_all_sessions' EXIT

mkdir -p www &&
echo "<h1>hello from uniscope</h1>" >www/index.html

# load SECONDS: ab in the background (keep-alive, 4 at a time), its pid in ab.pid.
load() {
	ab -q -k -t $1 -n 10000000 -c 4 $URL/index.html >ab.out 2>&1 &
	echo $! >ab.pid
}

test_expect_success 'the server starts; connections are held and ab runs' '
	start_session web $HTTPD "-C" --port $PORT:8080 --rootfs www --core-on-crash &&
	introspect_wait_console web "^httpd: serving / on port 8080" &&
	hold_connections $PORT $HELD &&
	load 600
'

test_expect_success 'top: n opens the connections view, as net lists them' '
	tui_start top "$UNISCOPE top web" &&
	tui_wait top "^ net  rx [0-9.k]+ pkt/s" &&
	tm send-keys -t top n &&
	tui_wait top "^ CONNECTIONS  [0-9]+, rows 1-25 " &&
	expect_grep "^ STATE +RECV-Q +SEND-Q +LOCAL +PEER +FD +THREAD" screen &&
	expect_grep "^ LISTEN +0 +128 +\*:8080 +\*:\* +[0-9]+ 1 acceptor$" screen &&
	expect_grep "^ ESTAB +[0-9]+ +[0-9]+ +10.0.2.15:8080 +10.0.2.2:[0-9]+ +[0-9]+ [0-9]+ (worker-[01]|acceptor)" screen &&
	$UNISCOPE net web >net.out &&
	n=$(grep -c -E "^(LISTEN|ESTAB) " net.out) &&
	test $n -ge $((HELD + 1))
'

test_expect_success 'top: End scrolls to the last connection, Home back; the list is live' '
	tm send-keys -t top End &&
	tui_wait top "^ CONNECTIONS  ([0-9]+), rows [0-9]+-\\1 " &&
	total=$(sed -n "s/^ CONNECTIONS  \\([0-9]*\\),.*/\\1/p" screen) &&
	test $total -ge $((HELD + 1)) &&
	expect_no_grep "^ LISTEN " screen &&
	tm send-keys -t top Home &&
	tui_wait top "^ LISTEN +0 +128 +\*:8080 " &&
	tui_wait top "^ ESTAB .* [0-9]+ worker-[01]$"
'

test_expect_success 'top: Enter on a connection shows its owner.s backtrace; n goes back' '
	tm send-keys -t top Home Enter &&
	tui_wait top "backtrace of thread 1 " &&
	tui_wait top "accept_loop|main" &&
	tm send-keys -t top Escape &&
	tui_wait top "^ CONNECTIONS " &&
	tm send-keys -t top n &&
	tui_wait top "TID +NAME +STATE +WAIT" &&
	expect_no_grep "^ CONNECTIONS " screen &&
	tm send-keys -t top q
'

test_expect_success 'net, --json: a listening socket.s Recv-Q is its accept queue, Send-Q its backlog' '
	eport=$(test_port) &&
	start_session echo $NET "echo 7" --port $eport:7 &&
	introspect_wait_console echo "^echo: listening on 7" &&
	python3 - $eport <<-PY &
	import os, socket, sys, time
	port = int(sys.argv[1])
	first = socket.create_connection(("127.0.0.1", port), timeout=60)
	first.sendall(b"served\n")
	assert first.recv(100) == b"served\n"
	waiting = []
	for i in range(2): # the echo server serves one at a time: these wait
	    waiting.append(socket.create_connection(("127.0.0.1", port), timeout=60))
	    time.sleep(0.2)
	open("waiting", "w").write("2\n")
	end = time.time() + 600
	while not os.path.exists("release") and time.time() < end:
	    time.sleep(0.1)
	PY
	for i in $(seq 300); do [ -s waiting ] && break; sleep 0.1; done &&
	for i in $(seq 50); do
		$UNISCOPE net echo >echo-net.out && grep -q -E "^LISTEN +2 " echo-net.out && break
		sleep 0.2
	done &&
	cat echo-net.out &&
	expect_grep "^LISTEN +2 +16 +0.0.0.0:7 |^LISTEN +2 +16 +\*:7 " echo-net.out &&
	$UNISCOPE net --json echo >echo-net.json &&
	expect_json echo-net.json "[(c[\"recv_q\"], c[\"send_q\"]) for c in j[\"connections\"] if c[\"state\"] == \"LISTEN\"] == [(2, 16)]"
'

test_expect_success 'a handler crashes under load: a core, and a report naming the request in flight' '
	kill -0 $(cat ab.pid) && # the load is still on
	python3 - $PORT <<-PY &&
	import socket, sys
	s = socket.socket()
	s.bind(("127.0.0.1", 0))
	open("crash-port", "w").write("%d\n" % s.getsockname()[1])
	s.settimeout(60)
	s.connect(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"GET /crash HTTP/1.1\r\nHost: x\r\n\r\n")
	try:
	    print(s.recv(100))
	except OSError as e:
	    print(e)
	PY
	cport=$(cat crash-port) &&
	rc=0 && timeout 120 $UNISCOPE wait web 2>wait.err || rc=$? &&
	expect_equal $rc 125 &&
	{ kill $(cat ab.pid) 2>/dev/null; touch release; } &&
	test -s $WEB/core.elf && test -s $WEB/report.txt &&
	expect_grep "^page fault: write to an unmapped page at 0 \(null pointer\) in serve_crash at examples/httpd/main.c:[0-9]+ \(thread [0-9]+ \"worker-[01]\"\)$" $WEB/report.txt &&
	expect_grep "^  the request in flight: ESTAB +10.0.2.15:8080 +10.0.2.2:$cport +fd=[0-9]+ tid=[0-9]+\(\"worker-[01]\"\)$" $WEB/report.txt &&
	expect_equal "$(grep -c "<- the request in flight" $WEB/report.txt)" 1 &&
	expect_grep "^  ESTAB +10.0.2.15:8080 +10.0.2.2:$cport .*<- the request in flight \(the thread that died\)$" $WEB/report.txt
'

test_expect_success 'report on the core: the same connection, in --json too' '
	cport=$(cat crash-port) &&
	$UNISCOPE report --image $HTTPD $WEB/core.elf >core-report.out &&
	expect_grep "^  the request in flight: ESTAB +10.0.2.15:8080 +10.0.2.2:$cport " core-report.out &&
	$UNISCOPE report --json --image $HTTPD $WEB/core.elf >core-report.json &&
	expect_json core-report.json "[c[\"peer\"] for c in j[\"connections\"] if c[\"in_flight\"]] == [\"10.0.2.2:$cport\"]" &&
	expect_json core-report.json "all(c[\"of_dead_thread\"] for c in j[\"connections\"] if c[\"in_flight\"])"
'

tm kill-server 2>/dev/null # before test_done removes its socket
test_done
