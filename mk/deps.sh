#!/bin/sh
# Check the Debian packages uniscope needs; install them when run as root,
# otherwise print the exact apt-get line and stop.
PACKAGES="gcc make binutils pkg-config perl qemu-system-x86 gdb lldb \
libelf-dev libdw-dev libcapstone-dev libncurses-dev libjansson-dev libxen-dev \
clang libclang-rt-14-dev babeltrace2 tmux valgrind cpio dpkg-dev xz-utils elfutils python3-drgn \
man-db curl apache2-utils"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "uniscope: installing missing packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null &&
	apt-get install -y -q --no-install-recommends $missing >/dev/null ||
		{ echo "uniscope: apt-get install failed for:$missing" >&2; exit 1; }
	exit 0
fi
echo "uniscope: missing build dependencies; run:" >&2
echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
exit 1
