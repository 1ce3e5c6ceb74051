#!/bin/sh
# make install ships an SDK a user builds with from an empty directory:
# the installed uniscope-cc (found relative to itself, so a DESTDIR tree
# works where it lies), pkg-config's uniscope.pc, every profile's libOS.
. "$(dirname "$0")/lib.sh"

DEST=$TRASH/dest
PREFIX=/opt/uniscope
INST=$DEST$PREFIX

test_expect_success 'make install DESTDIR=... installs the SDK' '
	nice make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$DEST" PREFIX=$PREFIX install >install.log 2>&1 ||
		{ tail -20 install.log; exit 1; } &&
	test -x $INST/bin/uniscope && test -x $INST/bin/uniscope-cc &&
	for p in full sealed off; do test -f $INST/lib/uniscope/lib/libos-$p.a || exit 1; done &&
	test -f $INST/lib/uniscope/include/stdio.h && test -f $INST/lib/uniscope/include/libos.h &&
	test -f $INST/lib/pkgconfig/uniscope.pc
'

cat >hello.c <<'END'
#include <pthread.h>
#include <stdio.h>
#include <string.h>
static __thread int calls;
static void *work(void *arg)
{
	calls++;
	printf("sdk: thread %s calls %d\n", (char *)arg, calls);
	return 0;
}
int main(int argc, char **argv)
{
	pthread_t t;
	pthread_create(&t, 0, work, "one");
	pthread_join(t, 0);
	printf("sdk: %d args, last %s, %.2f\n", argc, argv[argc - 1], 1.5);
	return (int)strlen(argv[0]) > 0 ? 3 : 4;
}
END

test_expect_success 'the installed uniscope-cc builds an image from an empty directory' '
	mkdir empty && cp hello.c empty/ && cd empty &&
	$INST/bin/uniscope-cc -O2 -o hello.elf hello.c -lpthread &&
	run_qemu microvm hello.elf "a b" out &&
	expect_grep "^sdk: thread one calls 1$" out &&
	expect_grep "^sdk: 3 args, last b, 1.50$" out &&
	expect_equal $guest_status 3
'

test_expect_success 'the installed uniscope runs it; every profile links' '
	cd empty &&
	$INST/bin/uniscope run --append "x" hello.elf </dev/null >run.out 2>&1 || test $? = 3 &&
	expect_grep "^sdk: 2 args, last x, 1.50$" run.out &&
	$INST/bin/uniscope-cc --profile off -o off.elf hello.c &&
	$INST/bin/uniscope-cc --profile full -o full.elf hello.c &&
	run_qemu microvm off.elf "" out && expect_grep "^sdk: 1 args" out
'

test_expect_success 'pkg-config --cflags/--libs uniscope, compile and link apart' '
	mkdir pc && cp hello.c pc/ && cd pc &&
	export PKG_CONFIG_PATH=$INST/lib/pkgconfig &&
	cc=$(pkg-config --define-prefix --variable=cc uniscope) &&
	expect_equal "$cc" "$INST/bin/uniscope-cc" &&
	cflags=$(pkg-config --define-prefix --cflags uniscope) &&
	libs=$(pkg-config --define-prefix --libs uniscope) &&
	echo "cflags $cflags libs $libs" &&
	$cc $cflags -c -o hello.o hello.c &&
	$cc -o hello.elf hello.o $libs -lpthread &&
	run_qemu microvm hello.elf "" out &&
	expect_grep "^sdk: thread one calls 1$" out
'

test_expect_success 'an SDK moved away says where it looked' '
	mkdir moved && cp $INST/bin/uniscope-cc moved/ &&
	! moved/uniscope-cc -o x.elf hello.c 2>err &&
	expect_grep "uniscope-cc: no SDK at .*moved/../lib/uniscope" err
'

test_done
