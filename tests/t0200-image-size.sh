#!/bin/sh
# The size budget: hello, stripped, in the default sealed profile, fits in
# 64 KiB (README.md and bench/README.md quote it; bench/size.sh measures
# every profile). When this fails, `nm --size-sort -S` on the image and
# `size -A` on the stripped copy show what grew.
. "$(dirname "$0")/lib.sh"

BUDGET=65536

if ! grep -q UNISCOPE_DEBUG_SEALED "$BUILD/guest/.flags" 2>/dev/null; then
	test_skip 'stripped sealed hello fits in 64 KiB' "$BUILD is not the sealed profile"
	test_done
fi

test_expect_success 'stripped sealed hello fits in 64 KiB' '
	strip -o hello.stripped $EXAMPLES/hello.elf &&
	bytes=$(stat -c %s hello.stripped) &&
	echo "hello.elf stripped: $bytes bytes (budget $BUDGET)" &&
	if [ $bytes -gt $BUDGET ]; then
		size -A hello.stripped && nm --size-sort -S $EXAMPLES/hello.elf | tail -15
		exit 1
	fi
'

test_expect_success 'the hypercall page takes no room in the file (a NOBITS page in text)' '
	readelf -SW $EXAMPLES/hello.elf >sections &&
	expect_grep "\.xen_hypercall_page +NOBITS" sections
'

test_done
