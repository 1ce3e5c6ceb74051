#!/bin/sh
# mk/musl.sh BUILD: the applications' C library. musl from Debian's source
# package (fetched once into BUILD/src), built with frame pointers and
# debug information (C code: .debug_frame; assembly: CFI added by musl's
# own tools/add-cfi) so that backtraces through libc frames are complete,
# and installed into BUILD/musl (include/, lib/). Debian's prebuilt
# musl-dev libc.a has neither frame pointers nor CFI: README, "The C library".
set -eu
build=$1
prefix=$build/musl
[ -f "$prefix/lib/libc.a" ] && exit 0
tree=$(sh "$(dirname "$0")/source-package.sh" musl "$build/src")
obj=$build/musl-build
rm -rf "$obj" && mkdir -p "$obj"
prefix_abs=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
echo "   MUSL    $prefix (from $(basename "$tree"), ~30 s)"
(
	cd "$obj"
	"$tree/configure" --prefix="$prefix_abs" --disable-shared \
		CC="${GUEST_CC:-gcc}" CFLAGS="-Os -g -fno-omit-frame-pointer" >configure.log 2>&1
	make -j2 >make.log 2>&1
	make install >install.log 2>&1
) || { echo "uniscope: building musl failed (see $obj/*.log)" >&2; exit 1; }
