#!/bin/sh
# mk/musl.sh BUILD: the applications' C library. musl from Debian's source
# package (fetched once into BUILD/src), built with frame pointers and
# debug information (C code: .debug_frame; assembly: CFI added by musl's
# own tools/add-cfi) so that backtraces through libc frames are complete,
# and installed into BUILD/musl (include/, lib/). Debian's prebuilt
# musl-dev libc.a has neither frame pointers nor CFI: README, "The C library".
# _start gets CFI too, "undefined rip" (as glibc's has): it is where the
# application's main thread's stack begins, and without the mark debuggers
# unwind past it into junk (libos/arch/x86_64/stack_entry.h); and a type
# and size, so that debuggers name it rather than a label at its address.
set -eu
build=$1
prefix=$build/musl
[ -f "$prefix/lib/libc.a" ] && [ -f "$prefix/.start-cfi" ] && exit 0
tree=$(sh "$(dirname "$0")/source-package.sh" musl "$build/src")
crt_arch=$tree/arch/x86_64/crt_arch.h
grep -q cfi_undefined "$crt_arch" ||
	sed -i -e 's|^START ": \\n"$|".type " START ", @function\\n" START ": \\n" "\t.cfi_startproc\\n\t.cfi_undefined rip\\n\t.cfi_undefined rsp\\n\t.cfi_undefined rbp\\n\t.cfi_undefined rbx\\n\t.cfi_undefined r12\\n\t.cfi_undefined r13\\n\t.cfi_undefined r14\\n\t.cfi_undefined r15\\n"|' \
		-e 's|^"\tcall " START "_c \\n"$|"\tcall " START "_c \\n\t.cfi_endproc\\n.size " START ", . - " START "\\n"|' \
		"$crt_arch"
grep -q cfi_endproc "$crt_arch" ||
	{ echo "uniscope: cannot mark musl's _start as the outermost frame ($crt_arch)" >&2; exit 1; }
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
touch "$prefix/.start-cfi"
