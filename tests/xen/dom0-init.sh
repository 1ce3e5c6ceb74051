#!/bin/sh
# /init of the Xen rig's dom0 (busybox sh, PID 1): bring up just enough of a
# Xen control domain for xl to create domUs, mount the host's share, run the
# command tests/xen/rig.sh left in /share/.rig, record its status, power off.
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin:/uniscope
export HOME=/root

log() { echo "dom0-init: $*"; }

# Whatever happens, end the machine: a PID 1 that exits panics dom0 and
# leaves QEMU running until rig.sh's timeout.
finish() {
	sync
	umount /share 2>/dev/null
	poweroff -f
	sleep 30
}

mount_basics() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	# xenconsoled hands out console ptys; without devpts `xl create` times
	# out waiting for the console tty.
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	mount -t tmpfs tmpfs /run
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /dev/shm
	mkdir -p /run/xen /run/xenstored /var/lib/xen /var/log/xen
	hostname dom0
}

start_xen_toolstack() {
	modprobe xenfs && mount -t xenfs xenfs /proc/xen || return 1
	for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc; do
		modprobe "$m" || return 1
	done
	xenstored --pid-file /run/xenstored.pid || return 1
	# xenstored is up when dom0's entry can be read.
	tries=50
	until xenstore-read /local/domain/0/name >/dev/null 2>&1 || xenstore-ls / >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || { log "xenstored did not come up"; return 1; }
		sleep 0.1
	done
	xen-init-dom0 || return 1
	xenconsoled --pid-file=/run/xenconsoled.pid --log=none || return 1
}

mount_share() {
	modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p || return 1
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share /share
}

# QEMU's user network: dom0 is 10.0.2.15, the host's forwarded GDB port
# arrives on dom0's port 1234.
start_network() {
	modprobe virtio_net || return 1
	ip link set lo up
	ip link set eth0 up &&
		ip addr add 10.0.2.15/24 dev eth0 &&
		ip route add default via 10.0.2.2
}

mount_basics
start_xen_toolstack || { log "the Xen toolstack did not start"; finish; }
if ! mount_share; then
	log "cannot mount the host share (virtio 9p)"
	finish
fi
start_network || log "no network: the forwarded GDB port will not work"
log "dom0 ready after $(cut -d' ' -f1 /proc/uptime) s"

if [ -f /share/.rig/command ]; then
	cd /root
	sh /share/.rig/command </dev/null
	rc=$?
	log "script exited with status $rc"
	echo $rc >/share/.rig/status
else
	log "no /share/.rig/command: nothing to run"
fi
finish
