#!/bin/sh
# The virtio-net device under plain QEMU: virtio-mmio on microvm (legacy and
# modern, found from the command line or by probing), virtio-pci on q35;
# DHCP and a static address; connections in (user networking's hostfwd) and
# out; link down and up (QMP set_link); packet trace points and drops.
. "$(dirname "$0")/lib.sh"

NET=$BUILD/tests/images/net.elf

# net_boot OUT MACHINE DEVICE HOSTFWD APPEND [QEMU-ARGS...]: the image in the background.
net_boot() {
	_out=$1 _machine=$2 _device=$3 _fwd=$4 _append=$5
	shift 5
	timeout 300 qemu-system-x86_64 -machine "$_machine" -m 128M -display none -no-reboot \
		-serial "file:$_out" -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-netdev "user,id=n0$_fwd" -device "$_device,netdev=n0" \
		-qmp "unix:$TRASH/qmp-$_out.sock,server=on,wait=off" \
		-kernel $NET -append "$_append" "$@" </dev/null >/dev/null 2>"$_out.stderr" &
	echo $! >"$_out.pid"
	test_when_finished "kill \$(cat $TRASH/$_out.pid) 2>/dev/null"
}

# wait_for FILE REGEX: until FILE matches (60 s at most).
wait_for() {
	_tries=600
	until grep -E -q -- "$2" "$1" 2>/dev/null; do
		_tries=$((_tries - 1))
		[ $_tries -gt 0 ] || { echo "timed out waiting for /$2/ in $1:"; cat "$1"; return 1; }
		sleep 0.1
	done
}

# echo_check PORT: a line through the guest's echo server comes back.
echo_check() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
line = b"through the virtio-net device " * 200 + b"\n"
s.sendall(line)
got = b""
while len(got) < len(line):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
assert got == line, "echo: %d of %d bytes came back" % (len(got), len(line))
print("echoed", len(got))
PY
}

qmp() {
	qmp_command "$TRASH/qmp-$1.sock" "$2"
}

test_expect_success 'microvm, legacy virtio-mmio (QEMU default), DHCP: a TCP echo through hostfwd' '
	port=$(test_port) &&
	net_boot legacy microvm virtio-net-device ",hostfwd=tcp:127.0.0.1:$port-:7" "echo 7" &&
	wait_for legacy "^echo: listening on 7" &&
	expect_grep "^uniscope: net: en0 52:54:00:12:34:56 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 \(dhcp\)$" legacy &&
	echo_check $port &&
	wait_for legacy "^echo: connection closed"
'

test_expect_success 'microvm without ACPI, modern virtio-mmio: found from the command line' '
	port=$(test_port) &&
	net_boot modern microvm,acpi=off virtio-net-device ",hostfwd=tcp:127.0.0.1:$port-:7" "echo 7" \
		-global virtio-mmio.force-legacy=false &&
	wait_for modern "^echo: listening on 7" &&
	echo_check $port
'

test_expect_success 'q35, virtio-pci with MSI-X, a static address' '
	port=$(test_port) &&
	net_boot q35 q35 virtio-net-pci ",hostfwd=tcp:127.0.0.1:$port-10.0.2.20:7" "ip=10.0.2.20/24,gw=10.0.2.2 echo 7" &&
	wait_for q35 "^echo: listening on 7" &&
	expect_grep "^uniscope: net: en0 .* 10.0.2.20 netmask 255.255.255.0 gateway 10.0.2.2 \(static\)$" q35 &&
	echo_check $port
'

test_expect_success 'a connection out, to a server on the host (10.0.2.2)' '
	port=$(test_port) &&
	{ python3 -c "
import socket
s = socket.socket(); s.bind((\"127.0.0.1\", $port)); s.listen(1)
s.settimeout(120)
print(\"listening\", flush=True)
c, _ = s.accept(); c.recv(100); c.sendall(b\"hello back\\n\"); c.close()
" >server & } &&
	wait_for server "^listening" &&
	net_boot client microvm virtio-net-device "" "client 10.0.2.2 $port" &&
	wait_for client "^client: got " &&
	expect_grep "^client: got .hello back.$" client
'

test_expect_success 'link down and up (set_link): the guest says so, and sends nothing meanwhile' '
	port=$(test_port) &&
	{ python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"127.0.0.1\", $port)); s.settimeout(120)
n = 0
while n < 5:
    s.recvfrom(100); n += 1
print(\"beats\", n)
" >beats & } &&
	net_boot beat microvm virtio-net-device "" "trace_mask=0xe0000 beat 10.0.2.2 $port" &&
	wait_for beat "^uniscope: net: en0 " &&
	qmp beat "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":false}}" &&
	wait_for beat "^uniscope: net: en0 link down$" &&
	sleep 0.5 &&
	qmp beat "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":true}}" &&
	wait_for beat "^uniscope: net: en0 link up$" &&
	wait_for beats "^beats 5$"
'

# dials_after_link_up FILE: a "dial N: connected" line after the last "link up" (30 s at most).
dials_after_link_up() {
	for _i in $(seq 300); do
		sed -n "/link up/,\$p" "$1" | grep -q "^dial [0-9]*: connected$" && return 0
		sleep 0.1
	done
	cat "$1"
	return 1
}

test_expect_success 'after a link flap the server is reachable again' '
	port=$(test_port) &&
	net_boot flapin microvm virtio-net-device ",hostfwd=tcp:127.0.0.1:$port-:7" "echo 7" &&
	wait_for flapin "^echo: listening on 7$" &&
	echo_check $port &&
	qmp flapin "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":false}}" &&
	wait_for flapin "^uniscope: net: en0 link down$" &&
	sleep 1 &&
	qmp flapin "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":true}}" &&
	wait_for flapin "^uniscope: net: en0 link up$" &&
	echo_check $port && echo_check $port
'

test_expect_success 'across a link flap, new connections out fail while it is down, connect once it is up' '
	sink=$(test_port) &&
	{ python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", $sink)); s.listen(50); s.settimeout(300)
while True:
    c, _ = s.accept(); c.recv(100); c.close()
" & } &&
	echo $! >sink.pid &&
	test_when_finished "kill \$(cat $TRASH/sink.pid) 2>/dev/null" &&
	net_boot flapout microvm virtio-net-device "" "dial 10.0.2.2 $sink" &&
	wait_for flapout "^dial [0-9]+: connected$" &&
	qmp flapout "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":false}}" &&
	wait_for flapout "^uniscope: net: en0 link down$" &&
	wait_for flapout "^dial [0-9]+: Host is unreachable$" &&
	qmp flapout "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":true}}" &&
	wait_for flapout "^uniscope: net: en0 link up$" &&
	dials_after_link_up flapout
'

test_done
