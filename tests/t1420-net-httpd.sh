#!/bin/sh
# examples/httpd under `uniscope run --port`: files from --rootfs, the
# dynamic /stats, 404, HEAD, keep-alive, a large file, a load generator
# (ab) with no failures; clients that reset mid-request, 1,000 connections
# opened and dropped: the server stays up and serves afterwards. `ls`
# shows the forwards; the trace shows the packets.
. "$(dirname "$0")/lib.sh"

HTTPD=$EXAMPLES/httpd.elf
PORT=$(test_port)
URL=http://127.0.0.1:$PORT

mkdir -p www/docs &&
echo "<h1>hello from uniscope</h1>" >www/index.html &&
echo "a text file" >www/docs/readme.txt &&
head -c 2500000 /dev/urandom >www/big.bin

stats() {
	curl -s -m 30 $URL/stats >stats.json && cat stats.json
}

test_expect_success 'the server starts with the forward; ls shows it' '
	start_session web $HTTPD "" --port $PORT:8080 --rootfs www &&
	introspect_wait_console web "^httpd: serving / on port 8080" &&
	expect_grep "^uniscope: net: en0 .* 10.0.2.15 .*\(dhcp\)$" $SESSION_DIR/console.log &&
	$UNISCOPE ls >ls &&
	expect_grep "^web +[0-9]+ +(tcg|kvm) +[0-9/]+ +127.0.0.1:$PORT->8080 " ls &&
	$UNISCOPE ls --json >ls.json &&
	expect_json ls.json "[s for s in j if s[\"name\"] == \"web\"][0][\"ports\"] == [{\"proto\": \"tcp\", \"host_addr\": \"127.0.0.1\", \"host_port\": $PORT, \"guest_port\": 8080}]" &&
	expect_grep "^net=user$" $SESSION_DIR/meta &&
	expect_grep "^ports=127.0.0.1:$PORT:8080$" $SESSION_DIR/meta
'

test_expect_success 'curl: a file, a file in a directory, the dynamic /stats, 404, HEAD' '
	curl -s -m 30 -o index.out $URL/ && cmp index.out www/index.html &&
	curl -s -m 30 $URL/docs/readme.txt >readme.out && cmp readme.out www/docs/readme.txt &&
	stats && expect_json stats.json "j[\"requests\"] >= 2 and j[\"workers\"] == 2" &&
	expect_equal "$(curl -s -m 30 -o /dev/null -w "%{http_code}" $URL/no/such/file)" 404 &&
	curl -s -m 30 -I $URL/big.bin >head.out &&
	expect_grep "^Content-Length: 2500000" head.out
'

test_expect_success 'keep-alive: two requests on one connection' '
	curl -s -m 30 -v $URL/ $URL/stats >two.out 2>two.err &&
	expect_grep "Re-using existing connection" two.err &&
	expect_grep "hello from uniscope" two.out
'

test_expect_success 'a large file arrives whole' '
	curl -s -m 120 -o big.out $URL/big.bin &&
	cmp big.out www/big.bin
'

test_expect_success 'ab: requests 4 at a time, keep-alive and not, no failures' '
	ab -q -k -n 600 -c 4 $URL/index.html >ab-k.out 2>&1 &&
	expect_grep "^Complete requests: +600$" ab-k.out &&
	expect_grep "^Failed requests: +0$" ab-k.out &&
	expect_no_grep "^Non-2xx" ab-k.out &&
	ab -q -n 200 -c 2 $URL/ >ab.out 2>&1 &&
	expect_grep "^Complete requests: +200$" ab.out &&
	expect_grep "^Failed requests: +0$" ab.out
'

test_expect_success 'clients that reset mid-request and mid-response; the server serves on' '
	python3 - $PORT <<-PY &&
	import socket, struct, sys
	port = int(sys.argv[1])
	for i in range(30):
	    s = socket.create_connection(("127.0.0.1", port), timeout=30)
	    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	    if i % 2:
	        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	        s.recv(1000)
	    else:
	        s.sendall(b"GET /index.html HTTP/1.1\r\nHo")
	    s.close()
	PY
	curl -s -m 30 -o index2.out $URL/ && cmp index2.out www/index.html
'

test_expect_success '1,000 connections opened and dropped; the server serves on' '
	python3 - $PORT <<-PY &&
	import socket, sys, time
	port = int(sys.argv[1])
	for i in range(1000):
	    socket.create_connection(("127.0.0.1", port), timeout=30).close()
	    time.sleep(0.005) # QEMU takes forwarded connections with a backlog of 1
	PY
	curl -s -m 30 -o index3.out $URL/ && cmp index3.out www/index.html &&
	stats && expect_json stats.json "j[\"connections\"] >= 1000 and j[\"active\"] <= 2"
'

test_expect_success 'the threads: acceptor and workers wait in poll, the stack in net' '
	$UNISCOPE ps web >ps &&
	expect_grep "acceptor +blocked +poll" ps &&
	expect_grep "worker-0 +blocked +poll" ps &&
	expect_grep "^ +[0-9]+ tcpip " ps
'

test_expect_success 'the network descriptor: found from uniscope_info, its offsets are the compiler.s' '
	timeout 120 $UNISCOPE gdb web -batch \
		-ex "p uniscope_info.net == (unsigned long)&net_info" \
		-ex "p net_info.magic == 0x54454e4f43534e55" \
		-ex "p net_info.tcp.off_local_port == (unsigned long)&((struct tcp_pcb *)0)->local_port" \
		-ex "p net_info.socket.socket_off_conn == (unsigned long)&((struct socket *)0)->conn" \
		-ex "p ((struct tcp_pcb_listen *)tcp_listen_pcbs.listen_pcbs)->local_port" \
		-ex "p/x net_info.ipv4_addr" >desc.out 2>&1 &&
	expect_equal "$(grep -c "^[$][1-4] = 1$" desc.out)" 4 &&
	expect_grep "^[$]5 = 8080$" desc.out &&
	expect_grep "^[$]6 = 0xf02000a$" desc.out
'

test_expect_success 'the trace has the packets' '
	curl -s -m 30 -o /dev/null $URL/ &&
	$UNISCOPE trace web >trace &&
	expect_grep "net_rx: len=[0-9]+ type=0x800" trace &&
	expect_grep "net_tx: len=[0-9]+ type=0x800" trace
'

test_expect_success '/quit: the server ends with status 0' '
	curl -s -m 30 $URL/quit >quit.out &&
	introspect_wait_console web "^httpd: [0-9]+ requests on [0-9]+ connections" &&
	expect_grep "^200 OK" quit.out
'

test_done
