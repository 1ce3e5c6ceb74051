#!/bin/sh
# tests/xen/rig.sh — a nested Xen rig: Debian's Xen 4.17 and a PV dom0 booted
# under QEMU (TCG), with uniscope's host tools and example images inside dom0.
#
#   rig.sh build              download + extract the Debian packages (cached),
#                             make xen.elf, vmlinuz and the dom0 initramfs
#   rig.sh run SCRIPT [ARGS]  boot the rig, run SCRIPT with busybox sh inside
#                             dom0, print dom0's console, exit with its status
#                             (tests/xen/smoke.sh is the smallest such SCRIPT)
#
# Nothing is installed on the host: packages are fetched with `apt-get
# download` and unpacked with `dpkg-deb -x` under $BUILD/xen-rig. The Xen
# libraries the tools need are the host's own (libxen-dev pulls in the same
# 4.17 runtime libraries), found with ldd and copied into the initramfs.
#
# Inside dom0: uniscope at /uniscope/uniscope, images at
# /uniscope/examples/*.elf, the Xen tools on PATH, and the host directory
# $XEN_SHARE mounted read-write at /share (virtio 9p). TCP port 1234 of dom0
# (10.0.2.15) is forwarded to 127.0.0.1:$XEN_GDB_PORT on the host.
#
# Environment: BUILD (default build), XEN_SHARE (default
# $BUILD/xen-rig/share), XEN_GDB_PORT (default 21234), XEN_RIG_TIMEOUT
# (seconds, default 600), XEN_RIG_LOCK (default /tmp/uniscope-xen-rig.lock),
# XEN_RIG_LOCK_WAIT (seconds to wait for another rig, default 1800) and
# XEN_RIG_LOGLEVEL (dom0 kernel console loglevel, default 4: warnings).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RIG=$BUILD/xen-rig
XEN_SHARE=${XEN_SHARE:-$RIG/share}
XEN_GDB_PORT=${XEN_GDB_PORT:-21234}
XEN_RIG_TIMEOUT=${XEN_RIG_TIMEOUT:-600}
XEN_RIG_LOCK=${XEN_RIG_LOCK:-/tmp/uniscope-xen-rig.lock}
XEN_RIG_LOCK_WAIT=${XEN_RIG_LOCK_WAIT:-1800}

XEN_VER=4.17
XEN_BIN=/usr/lib/xen-$XEN_VER/bin
# Everything but the kernel, whose versioned package name comes from the
# linux-image-amd64 metapackage.
PACKAGES="xen-hypervisor-$XEN_VER-amd64 xen-utils-$XEN_VER xen-utils-common xenstore-utils busybox-static"
# dom0 needs: xenfs and the Xen device drivers for the toolstack, virtio-pci
# + 9p for /share, virtio-net for the GDB port.
MODULES="xenfs xen-evtchn xen-privcmd xen-gntdev xen-gntalloc virtio_pci 9p 9pnet_virtio virtio_net"
XEN_TOOLS="xl xenstored xenconsoled xenconsole xen-init-dom0 xenctx xentop"

say() { echo "rig: $*" >&2; }
die() { echo "rig: $*" >&2; exit 1; }

# --- build -----------------------------------------------------------------

# fetch_deb PACKAGE: the package's .deb in $RIG/debs, downloaded once.
fetch_deb() {
	set -- "$1" "$RIG"/debs/"$1"_*.deb
	[ -f "$2" ] && return 0
	say "downloading $1"
	(cd "$RIG/debs" && apt-get download -q "$1" >/dev/null 2>&1) ||
		die "apt-get download $1 failed (run apt-get update? is the package in Debian 12?)"
}

deb_of() {
	ls "$RIG"/debs/"$1"_*.deb | head -1
}

fetch_debs() {
	mkdir -p "$RIG/debs"
	fetch_deb linux-image-amd64
	KPKG=$(dpkg-deb -f "$(deb_of linux-image-amd64)" Depends | tr ',' '\n' |
		sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -1)
	[ -n "$KPKG" ] || die "cannot find the kernel package linux-image-amd64 depends on"
	for p in $PACKAGES $KPKG; do
		fetch_deb "$p"
	done
}

# Unpack every package into $RIG/root once (again when a .deb changes).
extract_debs() {
	stamp=$RIG/root/.extracted
	if [ -f "$stamp" ] && [ -z "$(find "$RIG/debs" -newer "$stamp" -name '*.deb')" ]; then
		return 0
	fi
	say "extracting packages"
	rm -rf "$RIG/root" && mkdir -p "$RIG/root"
	for p in $PACKAGES $KPKG; do
		dpkg-deb -x "$(deb_of "$p")" "$RIG/root"
	done
	KVER=$(ls "$RIG/root/lib/modules" | head -1)
	# The package has no modules.dep (depmod runs at install): busybox's
	# depmod makes one that busybox's modprobe reads inside dom0.
	"$RIG/root/bin/busybox" depmod -b "$RIG/root" "$KVER"
	touch "$stamp"
}

build_images() {
	# QEMU's -kernel loads the hypervisor as a multiboot ELF.
	zcat "$RIG/root/boot/xen-$XEN_VER-amd64.gz" >"$RIG/xen.elf.tmp"
	mv "$RIG/xen.elf.tmp" "$RIG/xen.elf"
	cp "$RIG/root/boot/vmlinuz-$KVER" "$RIG/vmlinuz"
}

# copy_file SRC [DEST]: SRC (symlinks followed) into the initramfs at DEST,
# by default at its own path.
copy_file() {
	mkdir -p "$STAGE$(dirname "${2:-$1}")"
	cp -L "$1" "$STAGE${2:-$1}"
}

# copy_binary SRC DEST: a dynamically linked program and the host libraries
# ldd finds for it, at the paths ldd names.
copy_binary() {
	copy_file "$1" "$2"
	ldd "$1" >"$RIG/ldd.out" 2>&1 || die "ldd $1 failed: $(cat "$RIG/ldd.out")"
	if grep -q 'not found' "$RIG/ldd.out"; then
		die "$1 needs libraries the host lacks: $(grep 'not found' "$RIG/ldd.out" | tr -s ' \t' ' ')
(install libxen-dev and the packages mk/deps.sh lists)"
	fi
	for lib in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' "$RIG/ldd.out"); do
		[ -f "$STAGE$lib" ] || copy_file "$lib"
	done
}

stage_busybox() {
	copy_file "$RIG/root/bin/busybox" /bin/busybox
	for applet in $("$STAGE/bin/busybox" --list); do
		[ -e "$STAGE/bin/$applet" ] || ln -s busybox "$STAGE/bin/$applet"
	done
}

# The modules in $MODULES with everything they depend on, and their lines of
# modules.dep.
stage_modules() {
	mdir=/lib/modules/$KVER
	dep=$RIG/root$mdir/modules.dep
	mkdir -p "$STAGE$mdir"
	for m in $MODULES; do
		line=$(grep -E "/$m\\.ko:" "$dep") || die "module $m not in $dep"
		for ko in $(echo "$line" | tr -d ':'); do
			[ -f "$STAGE$mdir/$ko" ] && continue
			copy_file "$RIG/root$mdir/$ko" "$mdir/$ko"
			grep -E "^$ko:" "$dep" >>"$STAGE$mdir/modules.dep"
		done
	done
	cp "$RIG/root$mdir/modules.builtin" "$STAGE$mdir/"
}

stage_xen_tools() {
	for t in $XEN_TOOLS; do
		copy_binary "$RIG/root$XEN_BIN/$t" "$XEN_BIN/$t"
	done
	copy_binary "$RIG/root/usr/bin/xenstore" /usr/bin/xenstore
	for t in read write ls list rm exists watch chmod; do
		ln -s xenstore "$STAGE/usr/bin/xenstore-$t"
	done
	# glibc dlopens libgcc_s for pthread_cancel, which xl's threads use;
	# ldd cannot see that.
	copy_file /lib/x86_64-linux-gnu/libgcc_s.so.1
	mkdir -p "$STAGE/etc/xen"
	cp "$RIG/root/etc/xen/xl.conf" "$STAGE/etc/xen/"
}

stage_uniscope() {
	[ -x "$BUILD/uniscope" ] || die "$BUILD/uniscope missing: run make first"
	copy_binary "$BUILD/uniscope" /uniscope/uniscope
	# tmux runs `uniscope top` on a terminal of its own, for the checks.
	copy_binary "$(command -v tmux)" /usr/bin/tmux
	for ti in x/xterm x/xterm-256color s/screen t/tmux t/tmux-256color; do
		[ -f "/lib/terminfo/$ti" ] && copy_file "/lib/terminfo/$ti"
	done
	# tmux refuses to start without a UTF-8 locale (glibc's C.UTF-8).
	for f in /usr/lib/locale/C.utf8/*; do
		[ -f "$f" ] && copy_file "$f"
	done
	mkdir -p "$STAGE/usr/lib/locale/C.utf8/LC_MESSAGES"
	[ -f /usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES ] &&
		copy_file /usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES
	mkdir -p "$STAGE/uniscope/examples"
	cp "$BUILD"/examples/*.elf "$STAGE/uniscope/examples/"
}

build_initrd() {
	STAGE=$RIG/initrd
	rm -rf "$STAGE" && mkdir -p "$STAGE"
	for d in dev proc sys run tmp share root etc var/lib/xen var/log/xen; do
		mkdir -p "$STAGE/$d"
	done
	ln -s ../run "$STAGE/var/run"
	stage_busybox
	stage_modules
	stage_xen_tools
	stage_uniscope
	cp "$ROOT/tests/xen/dom0-init.sh" "$STAGE/init"
	chmod 755 "$STAGE/init"
	(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -1 >"$RIG/initrd.cpio.gz.tmp"
	mv "$RIG/initrd.cpio.gz.tmp" "$RIG/initrd.cpio.gz"
}

cmd_build() {
	for tool in apt-get dpkg-deb cpio gzip zcat ldd; do
		command -v $tool >/dev/null || die "$tool not found (sh mk/deps.sh lists what to install)"
	done
	fetch_debs
	extract_debs
	KVER=$(ls "$RIG/root/lib/modules" | head -1)
	build_images
	build_initrd
	say "built $RIG: xen.elf vmlinuz ($KVER) initrd.cpio.gz ($(du -k "$RIG/initrd.cpio.gz" | cut -f1) KiB)"
}

# --- run -------------------------------------------------------------------

# shell_quote ARG: ARG in single quotes for sh.
shell_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The command dom0's /init runs, with the arguments quoted, in $XEN_SHARE/.rig.
write_command() {
	script=$1
	shift
	rm -rf "$XEN_SHARE/.rig" && mkdir -p "$XEN_SHARE/.rig"
	cp "$script" "$XEN_SHARE/.rig/script"
	{
		printf 'sh /share/.rig/script'
		for a in "$@"; do
			printf ' %s' "$(shell_quote "$a")"
		done
		echo
	} >"$XEN_SHARE/.rig/command"
}

# QEMU's multiboot loader takes the modules as "FILE ARGS,FILE ARGS": the
# first module is dom0's kernel, the second its initramfs. Run from $RIG so
# the file names hold no spaces or commas. QEMU runs in the background so
# that a signal to rig.sh (a test harness giving up) takes it down too.
boot_rig() {
	cd "$RIG"
	trap 'kill $qemu_pid 2>/dev/null' INT TERM HUP
	timeout --foreground -k 10 "$XEN_RIG_TIMEOUT" \
		qemu-system-x86_64 -machine q35 -cpu max -smp 2 -m 2048 \
		-kernel xen.elf \
		-initrd "vmlinuz console=hvc0 earlyprintk=xen loglevel=${XEN_RIG_LOGLEVEL:-4},initrd.cpio.gz" \
		-append "console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 noreboot smap=0" \
		-virtfs "local,path=$XEN_SHARE,mount_tag=share,security_model=none" \
		-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$XEN_GDB_PORT-10.0.2.15:1234" \
		-device virtio-net-pci,netdev=net0 \
		-display none -serial stdio -monitor none -no-reboot </dev/null &
	qemu_pid=$!
	# wait returns early when a trapped signal arrives: wait again for QEMU
	# to go, then report the signal.
	wait $qemu_pid
	rc=$?
	if kill -0 $qemu_pid 2>/dev/null; then
		wait $qemu_pid
		return 130
	fi
	return $rc
}

cmd_run() {
	[ $# -ge 1 ] || die "usage: rig.sh run SCRIPT [ARGS...]"
	[ -f "$1" ] || die "no script '$1'"
	for f in xen.elf vmlinuz initrd.cpio.gz; do
		[ -f "$RIG/$f" ] || die "$RIG/$f missing: run tests/xen/rig.sh build"
	done
	mkdir -p "$XEN_SHARE"
	XEN_SHARE=$(cd "$XEN_SHARE" && pwd)
	exec 9>"$XEN_RIG_LOCK"
	if ! flock -n 9; then
		say "waiting for another rig to finish ($XEN_RIG_LOCK)"
		flock -w "$XEN_RIG_LOCK_WAIT" 9 ||
			die "another rig held $XEN_RIG_LOCK for $XEN_RIG_LOCK_WAIT s (XEN_RIG_LOCK_WAIT)"
	fi
	write_command "$@"
	rc=0
	boot_rig || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		die "timed out after $XEN_RIG_TIMEOUT s (XEN_RIG_TIMEOUT); dom0's console is above"
	fi
	[ "$rc" = 0 ] || die "qemu-system-x86_64 exited with status $rc"
	[ -f "$XEN_SHARE/.rig/status" ] ||
		die "dom0 powered off without the script's status (see dom0's console above)"
	status=$(cat "$XEN_SHARE/.rig/status")
	exit "$status"
}

case ${1:-} in
build) shift; cmd_build "$@" ;;
run) shift; cmd_run "$@" ;;
*) die "usage: rig.sh build | rig.sh run SCRIPT [ARGS...]" ;;
esac
