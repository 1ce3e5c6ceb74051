#!/bin/sh
# The size budget: hello, stripped, in the default sealed profile, fits in
# 64 KiB (README.md and bench/README.md quote it; bench/size.sh measures
# every profile). When this fails, `nm --size-sort -S` on the image and
# `size -A` on the stripped copy show what grew.
#
# Known breakage: since hello became a musl program on the libOS's POSIX
# layer (2026-12-04) it is over budget. Since 2026-12-05 an image links only
# the syscall handlers (and names) its C library code can reach
# (libos/posix/syscall.c, mk/musl.sh): 88,840 bytes. What remains over the
# budget (bench/README.md): the GDB stub and its register descriptions
# (~27 KiB), the trace point metadata (5.6 KiB, unloaded but in the file),
# the trace ring's code, the virtual files the stub and start-up reach.
# Until it is brought back, the budget is a TODO that prove reports, and a
# ceiling keeps it from growing further unnoticed.
. "$(dirname "$0")/lib.sh"

BUDGET=65536
CEILING=92160 # 90 KiB: 88,840 bytes measured, a little room for work in flight

if ! grep -q UNISCOPE_DEBUG_SEALED "$BUILD/guest/.flags" 2>/dev/null; then
	test_skip 'stripped sealed hello fits in 64 KiB' "$BUILD is not the sealed profile"
	test_done
fi

strip -o hello.stripped $EXAMPLES/hello.elf
bytes=$(stat -c %s hello.stripped)
say "hello.elf stripped: $bytes bytes (budget $BUDGET, ceiling $CEILING)"

# fits LIMIT: the stripped image is at most LIMIT bytes; what is big when not.
fits() {
	if [ $bytes -gt $1 ]; then
		echo "hello.elf stripped is $bytes bytes, over $1:"
		size -A hello.stripped && nm --size-sort -S $EXAMPLES/hello.elf | tail -15
		return 1
	fi
}

test_expect_failure 'stripped sealed hello fits in 64 KiB' '
	fits $BUDGET
'

test_expect_success 'stripped sealed hello does not grow past the 90 KiB ceiling' '
	fits $CEILING
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
