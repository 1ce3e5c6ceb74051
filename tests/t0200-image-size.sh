#!/bin/sh
# The size budget: hello, stripped, in the default sealed profile, fits in
# 64 KiB (README.md and bench/README.md quote it; bench/size.sh measures
# every profile). When this fails, `nm --size-sort -S` on the image and
# `size -A` on the stripped copy show what grew.
#
# Known breakage: since hello became a musl program on the libOS's POSIX
# layer (2026-12-04) it is ~114 KiB: the libOS's syscall layer (its table of
# every Linux syscall's name, 12 KiB, and the handlers it keeps alive), musl's
# printf and stdio (~14 KiB) and GDB's register descriptions. Until it is
# brought back, the budget is a TODO that prove reports, and a ceiling
# keeps it from growing further unnoticed.
. "$(dirname "$0")/lib.sh"

BUDGET=65536
CEILING=122880 # 120 KiB: 114 KiB measured, a little room for work in flight

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

test_expect_success 'stripped sealed hello does not grow past the 120 KiB ceiling' '
	fits $CEILING
'

test_expect_success 'the hypercall page takes no room in the file (a NOBITS page in text)' '
	readelf -SW $EXAMPLES/hello.elf >sections &&
	expect_grep "\.xen_hypercall_page +NOBITS" sections
'

test_done
