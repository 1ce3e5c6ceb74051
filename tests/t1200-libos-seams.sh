#!/bin/sh
# The libOS hides its names: only the application interface is global.
. "$(dirname "$0")/lib.sh"

LIBOS_O=$BUILD/guest/libos.o

test_expect_success 'libos.o exports exactly the names of libos/api/exports.txt' '
	nm -g --defined-only $LIBOS_O | awk "NF == 3 { print \$3 }" |
		sed "s/^uniscope_syscall_[0-9a-z]*\$/uniscope_syscall_*/" | sort -u >exported &&
	grep -v "^#" $ROOT/libos/api/exports.txt | tr " " "\n" | grep -v "^\$" | sort >expected &&
	diff expected exported &&
	say "exported libOS symbols: $(wc -l <exported)"
'

test_expect_success 'no weak definition in libos.o lets an application replace a libOS hook' '
	nm -g --defined-only $LIBOS_O | grep " [WV] " >weak || true &&
	expect_equal "$(wc -l <weak)" 0
'

test_expect_success 'internal names stay in the symbol table for debuggers, as locals' '
	nm $LIBOS_O >all &&
	expect_grep " t schedule$" all &&
	expect_grep " [bd] panic_record$" all
'

test_expect_success 'an application defining schedule, plat and panic_record links and runs' '
	run_qemu microvm $BUILD/tests/images/seams.elf "" out &&
	expect_grep "^seams: schedule\\(21\\)=42 plat=42 panic_record=app.s own" out &&
	expect_equal $guest_status 0
'

test_done
