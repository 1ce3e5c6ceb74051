#!/bin/sh
# Debugging a server under load: examples/httpd under `uniscope run --port`
# with ab running against it. `uniscope net` reads the listening socket and
# the ESTABLISHED connections from guest memory (live, --json, and on a
# core); GDB attaches through the stub, stops the server, sees its worker
# threads, stops at a hardware breakpoint in the request path, continues
# and detaches; ab ends with no failed request. A corrupted PCB list gives
# a clear error, not a hang.
. "$(dirname "$0")/lib.sh"
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; stop_all_sessions' EXIT

HTTPD=$EXAMPLES/httpd.elf
PORT=$(test_port)
URL=http://127.0.0.1:$PORT
SESSION_DIR=$XDG_RUNTIME_DIR/uniscope/web
AB_REQUESTS=4000

mkdir -p www &&
echo "<h1>hello from uniscope</h1>" >www/index.html

test_expect_success 'the server starts with the forward' '
	start_session web $HTTPD "" --port $PORT:8080 --rootfs www &&
	introspect_wait_console web "^httpd: serving / on port 8080"
'

test_expect_success 'net: the listening socket and held connections, live' '
	hold_connections $PORT 3 &&
	$UNISCOPE net web >net.out &&
	cat net.out &&
	expect_grep "^en0 ([0-9a-f]{2}:){5}[0-9a-f]{2} inet 10.0.2.15$" net.out &&
	expect_grep "^LISTEN +0 +128 +\*:8080 +\*:\* +fd=[0-9]+ tid=1\(\"acceptor\"\)" net.out &&
	expect_equal "$(grep -c -E "^ESTAB +[0-9]+ +[0-9]+ +10.0.2.15:8080 +10.0.2.2:[0-9]+ +fd=[0-9]+ tid=[0-9]+\(\"worker-[01]\"\)" net.out)" 3
'

test_expect_success 'net --json: the same, as JSON' '
	$UNISCOPE net --json web >net.json &&
	expect_json net.json "j[\"error\"] is None and j[\"device\"] and j[\"stats\"][\"rx_packets\"] > 0" &&
	expect_json net.json "[c[\"local_port\"] for c in j[\"connections\"] if c[\"state\"] == \"LISTEN\"] == [8080]" &&
	expect_json net.json "len([c for c in j[\"connections\"] if c[\"state\"] == \"ESTAB\" and c[\"local_port\"] == 8080 and c[\"owner\"][\"name\"].startswith(\"worker-\")]) >= 3"
'

test_expect_success 'top: the network line counts the connections' '
	tui_start top "$UNISCOPE top web" &&
	tui_wait top "^ net  rx [0-9.k]+ pkt/s [0-9]+[BKM]/s  tx [0-9.k]+ pkt/s [0-9]+[BKM]/s  conns 3  drops 0" &&
	tm send-keys -t top q
'

test_expect_success 'net on a core of the server' '
	$UNISCOPE core web -o web.core >/dev/null &&
	$UNISCOPE net --image $HTTPD web.core >core-net.out &&
	expect_grep "^LISTEN +0 +128 +\*:8080 " core-net.out &&
	expect_equal "$(grep -c -E "^ESTAB .* 10.0.2.15:8080 +10.0.2.2:" core-net.out)" 3
'

test_expect_success 'report lists the connections' '
	$UNISCOPE report --image $HTTPD web.core >report.out &&
	expect_grep "^connections \([0-9]+\):$" report.out &&
	expect_grep "^  LISTEN +\*:8080 +\*:\* +fd=[0-9]+ tid=1\(\"acceptor\"\)$" report.out &&
	expect_equal "$(grep -c -E "^  ESTAB +10.0.2.15:8080 +10.0.2.2:[0-9]+ +fd=[0-9]+ tid=[0-9]+\(\"worker-[01]\"\)$" report.out)" 3 &&
	$UNISCOPE report --json --image $HTTPD web.core >report.json &&
	expect_json report.json "len([c for c in j[\"connections\"] if c[\"state\"] == \"ESTAB\" and c[\"local\"] == \"10.0.2.15:8080\"]) == 3 and not any(c[\"of_dead_thread\"] for c in j[\"connections\"])"
'

# GDB attaches (the server stops), starts ab from its shell (so ab runs
# across the pause), breaks at the hardware breakpoint in the request path,
# where `uniscope net` sees ab's connections, continues until ab is done,
# is interrupted (SIGINT, as Ctrl-C) and detaches.
test_expect_success 'ab runs; GDB stops the server, breaks in the request path, detaches; net sees the load' '
	test_when_finished "touch release" &&
	AB="ab -q -k -n $AB_REQUESTS -c 4 -s 600 $URL/index.html >ab.out 2>&1 & echo \$! >ab.pid" &&
	# --foreground: timeout would pass SIGINT on to its whole group as well.
	{ timeout --foreground 900 gdb -batch -nx -ex "set remotetimeout 10" \
		-ex "target remote $SESSION_DIR/gdb.sock" -ex "info threads" -ex "shell $AB" \
		-ex "hbreak handle_request" -ex continue -ex bt -ex "shell $UNISCOPE net web >net-load.out" \
		-ex delete -ex "info breakpoints" -ex continue -ex detach $HTTPD >gdb.out 2>&1 & } &&
	GDB_PID=$! &&
	for i in $(seq 3000); do [ -s ab.pid ] && ! kill -0 $(cat ab.pid) 2>/dev/null && break; sleep 0.2; done &&
	kill -INT $GDB_PID &&
	{ wait $GDB_PID || echo "gdb: exit status $?"; } &&
	cat gdb.out &&
	expect_grep "Thread [0-9]+ \"worker-0\"" gdb.out &&
	expect_grep "Thread [0-9]+ \"worker-1\"" gdb.out &&
	expect_grep "Thread [0-9]+ \"acceptor\"" gdb.out &&
	expect_grep "^Hardware assisted breakpoint 1 at 0x[0-9a-f]+: file .*main.c" gdb.out &&
	expect_grep "^Thread [0-9]+ \"worker-[01]\" hit (Hardware assisted )?Breakpoint 1, handle_request" gdb.out &&
	expect_grep "^#2 .* worker_main " gdb.out &&
	expect_grep "^No breakpoints or watchpoints" gdb.out &&
	expect_grep "^\[Inferior 1 \(.*\) detached\]" gdb.out &&
	cat net-load.out &&
	expect_grep "^LISTEN .* \*:8080 " net-load.out &&
	expect_grep "^ESTAB .* 10.0.2.15:8080 +10.0.2.2:[0-9]+ .*tid=[0-9]+\(\"worker-[01]\"\)" net-load.out &&
	expect_grep "^Complete requests: +$AB_REQUESTS$" ab.out &&
	expect_grep "^Failed requests: +0$" ab.out &&
	expect_no_grep "^Non-2xx" ab.out &&
	curl -s -m 60 -o after.out $URL/index.html && cmp after.out www/index.html
'

# Clients that reset: QEMU's user networking passes a reset on to the guest
# as a reset or as a FIN, as its timing has it; so resets (tcp_reset) are
# not looked for here.
test_expect_success 'trace: TCP accepts, state changes, closes' '
	python3 - $PORT <<-PY &&
	import socket, struct, sys
	for i in range(3):
	    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
	    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	    s.sendall(b"GET /index.html HTTP/1.1\\r\\nHo")
	    s.close()
	PY
	curl -s -m 60 -o /dev/null $URL/index.html &&
	$UNISCOPE trace web >trace &&
	expect_grep "tcp_accept: fd=[0-9]+ listen_fd=[0-9]+ port=8080 peer_port=[0-9]+" trace &&
	expect_grep "tcp_state: fd=[0-9]+ CLOSE-WAIT port=8080 peer_port=[0-9]+" trace &&
	expect_grep "tcp_close: fd=[0-9]+ state=CLOSE-WAIT" trace
'

# QEMU holds the network's frames for 5 s (a filter-buffer on the netdev):
# the guest hears no answer to its SYN-ACK and sends it again.
test_expect_success 'trace: a retransmission, in the evidence ring' '
	introspect_qmp web "{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"filter-buffer\", \"id\": \"delay\", \"netdev\": \"net0\", \"queue\": \"all\", \"interval\": 5000000}}" &&
	curl -s -m 120 -o delayed.out $URL/index.html && cmp delayed.out www/index.html &&
	introspect_qmp web "{\"execute\": \"object-del\", \"arguments\": {\"id\": \"delay\"}}" &&
	$UNISCOPE trace web >trace-rexmit &&
	expect_grep "tcp_retransmit: port=8080 peer_port=[0-9]+ seq=0x[0-9a-f]+ tries=[1-9]" trace-rexmit
'

test_expect_success 'net on an image without a network stack says so' '
	start_session plain $EXAMPLES/threads.elf "run_ms=0" &&
	introspect_wait_console plain "threads: " &&
	! $UNISCOPE net plain >plain.out 2>plain.err &&
	expect_grep "^uniscope: plain: no network stack in this image \(it never calls socket\(\)\)$" plain.err &&
	stop_session plain
'

test_expect_success 'a PCB list that loops: net says so and ends' '
	touch release &&
	$UNISCOPE net --json web >before.json &&
	pcb=$(python3 -c "import json; print([c[\"pcb\"] for c in json.load(open(\"before.json\"))[\"connections\"] if c[\"state\"] == \"LISTEN\"][0])") &&
	next=$(gdb -batch -nx -ex "p/d (long)&((struct tcp_pcb_listen *)0)->next" $HTTPD | sed -n "s/^\$1 = //p") &&
	introspect_qmp web "{\"execute\": \"stop\"}" >/dev/null &&
	python3 -c "
import struct, sys
with open(sys.argv[1], \"r+b\") as f:
    f.seek(int(sys.argv[2], 16) + int(sys.argv[3]))
    f.write(struct.pack(\"<Q\", int(sys.argv[2], 16)))
" $SESSION_DIR/mem $pcb $next &&
	! timeout 60 $UNISCOPE net web >loop.out 2>loop.err &&
	expect_grep "^uniscope: tcp_listen_pcbs: the list loops back to PCB $pcb" loop.err &&
	! timeout 60 $UNISCOPE net --json web >loop.json 2>/dev/null &&
	expect_json loop.json "j[\"error\"].startswith(\"tcp_listen_pcbs: the list loops\")"
'

tm kill-server 2>/dev/null # before test_done removes its socket
test_done
