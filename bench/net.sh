#!/bin/sh
# A network server as a uniscope unikernel and as a minimal Linux VM, in
# one run on the same QEMU (microvm, TCG): examples/httpd built once with
# uniscope-cc and once with musl-gcc -static (the same musl), the latter
# started by bench/net-init.c as /init of an initramfs booted by Debian's
# own kernel (fetched once, as bench/vm.sh does; its virtio modules go into
# the initramfs). Both get a virtio-net device on QEMU's user networking
# with the host's port forwarded to the server's 8080, and serve the same
# small file to `ab -k` (keep-alive: QEMU's user networking accepts new
# connections with a backlog of 1, which would measure SYN retries).
# Prints, each the median of NET_RUNS (3) ab runs of NET_REQUESTS (2000)
# requests NET_CONCURRENCY (4) at a time against one boot (every run under
# a timeout). The four servers are booted together and measured in
# rounds, one ab run each per round, so a change in the machine's load
# (it is shared) falls on all of them alike rather than on whichever was
# measured at that moment:
#
#   requests/s and mean latency   uniscope, Linux; the ratio uniscope/Linux
#   the cost of tracing           uniscope with the syscall and packet
#                                 trace points off (trace_mask without
#                                 sys_enter/sys_exit/net_rx/net_tx), on
#                                 (the default: into the ring), and on and
#                                 streamed to the host (run --trace FILE):
#                                 throughput ratios on/off
#
#   bench/net.sh [BUILD]
set -eu
. "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
N=${NET_REQUESTS:-2000}
RUNS=${NET_RUNS:-3}
C=${NET_CONCURRENCY:-4}
TIMEOUT=${NET_TIMEOUT:-300}
UNISCOPE=$BUILD/uniscope
NET=$BUILD/bench/net
OUT=$BUILD/bench/vm # the kernel, shared with bench/vm.sh
say() { echo "net: $*" >&2; }
die() { echo "uniscope: bench/net.sh: $*" >&2; exit 1; }
# The syscall and packet trace points off, every other one as by default.
NOTRACE_MASK=$(python3 -c 'm = ~((1 << 12) | (1 << 13) | 1) & ~((1 << 14) | (1 << 15) | (1 << 18) | (1 << 19)); print(m)')

mkdir -p "$NET"
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
linux_pid=
LABELS="uniscope notrace streamed linux"
cleanup() {
	for l in uniscope notrace streamed; do "$UNISCOPE" stop "net-$l" >/dev/null 2>&1 || true; done
	[ -n "$linux_pid" ] && kill "$linux_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for FILE REGEX [PID]: until FILE matches (at most TIMEOUT seconds,
# and while PID, when given, lives).
wait_for() {
	tries=$((TIMEOUT * 10))
	until grep -E -q "$2" "$1" 2>/dev/null; do
		tries=$((tries - 1))
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || tries=0
		[ $tries -gt 0 ] || { tail -5 "$1" >&2; die "timed out waiting for /$2/ in $1"; }
		sleep 0.1
	done
}

build() {
	fetch_kernel
	gcc -O2 -o "$NET/tsc-hz" bench/tsc-hz.c
	TSC_KHZ=$("$NET/tsc-hz")
	cp "$BUILD/examples/httpd.elf" "$NET/httpd.elf"
	"$BUILD/musl/bin/musl-gcc" -static -O2 -o "$NET/httpd" examples/httpd/main.c
	"$BUILD/musl/bin/musl-gcc" -static -O2 -Wall -Wextra -Werror -o "$NET/init" bench/net-init.c
	strip "$NET/httpd" "$NET/init"
	rm -rf "$NET/www" "$NET/root" && mkdir -p "$NET/www" "$NET/root/modules"
	echo "<h1>hello from a network benchmark</h1>" >"$NET/www/index.html"
	cp "$NET/www/index.html" "$NET/init" "$NET/httpd" "$NET/root/"
	mods="virtio_ring virtio virtio_mmio failover net_failover virtio_net"
	dpkg-deb --fsys-tarfile "$KERNEL_DEB" | (cd "$tmp" && tar -x --wildcards \
		'./lib/modules/*/kernel/drivers/virtio/virtio.ko' \
		'./lib/modules/*/kernel/drivers/virtio/virtio_ring.ko' \
		'./lib/modules/*/kernel/drivers/virtio/virtio_mmio.ko' \
		'./lib/modules/*/kernel/net/core/failover.ko' \
		'./lib/modules/*/kernel/drivers/net/net_failover.ko' \
		'./lib/modules/*/kernel/drivers/net/virtio_net.ko') ||
		die "the virtio modules are not in $KERNEL_DEB"
	for m in $mods; do
		find "$tmp/lib" -name "$m.ko" -exec cp {} "$NET/root/modules/" \;
		echo "$m.ko" >>"$NET/root/modules/order"
	done
	(cd "$NET/root" && find . | cpio -o -H newc --quiet) | gzip -9 >"$NET/initrd.gz"
}

# ab_once LABEL ROUND: one run of NET_REQUESTS keep-alive requests against
# LABEL's server (its port in $NET/LABEL.port); requests/s and the mean
# latency appended to $NET/LABEL.rps and .lat, ab's output in $NET/LABEL.ROUND.ab.
ab_once() {
	ab=$NET/$1.$2.ab
	timeout "$TIMEOUT" ab -q -k -n "$N" -c "$C" "http://127.0.0.1:$(cat "$NET/$1.port")/index.html" >"$ab" 2>&1 ||
		{ tail -5 "$ab" >&2; die "ab against $1 failed"; }
	grep -q "^Failed requests: *0$" "$ab" || die "ab against $1 had failed requests (see $ab)"
	sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$ab" >>"$NET/$1.rps"
	sed -n 's/^Time per request: *\([0-9.]*\) \[ms\] (mean)$/\1/p' "$ab" >>"$NET/$1.lat"
}

# ab_rounds: NET_RUNS rounds, each one ab run per server; the medians,
# "rps latency-ms", in $NET/LABEL.figures.
ab_rounds() {
	for l in $LABELS; do : >"$NET/$l.rps"; : >"$NET/$l.lat"; done
	i=0
	while [ $i -lt "$RUNS" ]; do
		for l in $LABELS; do ab_once "$l" $i; done
		i=$((i + 1))
	done
	for l in $LABELS; do
		echo "$(median <"$NET/$l.rps") $(median <"$NET/$l.lat")" >"$NET/$l.figures"
		say "$l: $(tr '\n' ' ' <"$NET/$l.rps")requests/s; median $(cat "$NET/$l.figures")"
	done
}
median() { sort -n | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "-"}'; }

# uniscope_start LABEL APPEND [RUN-OPTIONS]: the unikernel as session net-LABEL, serving.
uniscope_start() {
	port=$(free_port)
	label=$1 append=$2
	shift 2
	echo "$port" >"$NET/$label.port"
	timeout "$TIMEOUT" "$UNISCOPE" run --detach --name "net-$label" --port "$port:8080" --rootfs "$NET/www" \
		--append "$append" "$@" "$NET/httpd.elf" >/dev/null
	wait_for "$XDG_RUNTIME_DIR/uniscope/net-$label/console.log" "^httpd: serving"
}

linux_start() {
	port=$(free_port)
	echo "$port" >"$NET/linux.port"
	: >"$NET/linux.console"
	timeout "$TIMEOUT" qemu-system-x86_64 -machine microvm -cpu max -m 256M -display none -no-reboot \
		-serial "file:$NET/linux.console" -kernel "$OUT/vmlinuz" -initrd "$NET/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 tsc_early_khz=$TSC_KHZ -- /httpd -d /" \
		-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:8080" \
		-device virtio-net-device,netdev=net0 >"$NET/linux.qemu" 2>&1 &
	linux_pid=$!
	wait_for "$NET/linux.console" "^httpd: serving" "$linux_pid"
}

build
say "kernel $(basename "$KERNEL_DEB"); $RUNS runs of $N requests, $C at a time, ab -k"
uniscope_start uniscope ""
uniscope_start notrace "trace_mask=$NOTRACE_MASK"
uniscope_start streamed "" --trace "$tmp/trace.bin"
linux_start
ab_rounds

fig() { cut -d' ' -f"$2" "$NET/$1.figures"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-" }'; }
printf 'net httpd (microvm, TCG, median of %s rounds of ab -k -n %s -c %s, load %s, %s):\n' "$RUNS" "$N" "$C" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%d)"
printf '  requests/s        uniscope %s   linux %s   (uniscope/linux %s)\n' \
	"$(fig uniscope 1)" "$(fig linux 1)" "$(ratio "$(fig uniscope 1)" "$(fig linux 1)")"
printf '  mean latency      uniscope %s ms   linux %s ms\n' "$(fig uniscope 2)" "$(fig linux 2)"
printf '  tracing, requests/s: syscall+packet trace off %s, on %s, on and streamed %s\n' \
	"$(fig notrace 1)" "$(fig uniscope 1)" "$(fig streamed 1)"
printf 'net ratios: uniscope/linux requests/s %s; tracing on/off %s, streamed/off %s\n' \
	"$(ratio "$(fig uniscope 1)" "$(fig linux 1)")" "$(ratio "$(fig uniscope 1)" "$(fig notrace 1)")" \
	"$(ratio "$(fig streamed 1)" "$(fig notrace 1)")"
