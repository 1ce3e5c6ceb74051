#!/bin/sh
# The size budget: hello, stripped, in the default sealed profile, fits in
# 64 KiB (README.md and bench/README.md quote it; bench/size.sh measures
# every profile). When this fails, `nm --size-sort -S` on the image and
# `size -A` on the stripped copy show what grew.
#
# History: hello became a musl program on the libOS's POSIX layer on
# 2026-12-04 and grew to 100,392 bytes. It is back within budget since
# 2026-12-05 (bench/README.md, "Image size"): an image links only the
# syscall handlers its C library can reach, musl's set-user-ID start no
# longer links the file layer, the root file system is indexed at the
# first lookup, trace metadata records are text, not padded arrays, the
# interrupt stubs are 8 bytes, the libOS is built -Oz, and what a debugger
# asks that needs no guest CPU (the target description, the thread list
# document, TLS addresses, monitor commands, the memory map for gcore) is
# answered by `uniscope run`'s bridge from the host (cli/gdb_host.c).
. "$(dirname "$0")/lib.sh"

BUDGET=65536

if ! grep -q UNISCOPE_DEBUG_SEALED "$BUILD/guest/.flags" 2>/dev/null; then
	test_skip 'stripped sealed hello fits in 64 KiB' "$BUILD is not the sealed profile"
	test_done
fi

strip -o hello.stripped $EXAMPLES/hello.elf
bytes=$(stat -c %s hello.stripped)
say "hello.elf stripped: $bytes bytes (budget $BUDGET)"

# fits LIMIT: the stripped image is at most LIMIT bytes; what is big when not.
fits() {
	if [ $bytes -gt $1 ]; then
		echo "hello.elf stripped is $bytes bytes, over $1:"
		size -A hello.stripped && nm --size-sort -S $EXAMPLES/hello.elf | tail -15
		return 1
	fi
}

test_expect_success 'stripped sealed hello fits in 64 KiB' '
	fits $BUDGET
'

# What the host answers for the stub is not in the image (cli/gdb_host.c).
test_expect_success 'the image carries no stub code for what the bridge answers from the host' '
	nm $EXAMPLES/hello.elf >stub-symbols &&
	for f in gdb_tdesc_xml gdb_threads_xml gdb_cmd_vfile_open gdb_cmd_tls_address cmd_monitor; do
		! grep -q " $f$" stub-symbols || { echo "$f is linked"; return 1; }
	done &&
	! grep -q "org.gnu.gdb.i386" hello.stripped
'

test_expect_success 'the hypercall page takes no room in the file (a NOBITS page in text)' '
	readelf -SW $EXAMPLES/hello.elf >sections &&
	expect_grep "\.xen_hypercall_page +NOBITS" sections
'

# An image carries the syscall records (handler and name) of the calls its
# C library code can make, no more (libos/posix/syscall.c, mk/musl.sh);
# one that calls syscall(2) carries them all.
test_expect_success 'hello links the syscalls its code makes, not the file system' '
	nm $EXAMPLES/hello.elf >symbols &&
	expect_grep " uniscope_syscall_20$" symbols &&
	! grep -q " uniscope_syscall_2$" symbols &&
	! grep -q " cpio_next$" symbols &&
	! grep -q " uniscope_syscall_257$" symbols &&
	! grep -q " uniscope_syscall_217$" symbols &&
	! grep -q " sys_openat$" symbols
'

test_expect_success 'an image that calls syscall(2) links every syscall record' '
	nm $BUILD/tests/images/posix.elf >symbols &&
	expect_grep " uniscope_syscall_257$" symbols &&
	expect_grep " sys_getdents64$" symbols &&
	test $(grep -c " uniscope_syscall_[0-9]*$" symbols) -gt 300
'

test_done
