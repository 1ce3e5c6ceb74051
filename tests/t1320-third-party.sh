#!/bin/sh
# Unmodified third-party C programs from Debian source packages, built with
# uniscope-cc (mk/third-party.sh: fetched with apt-get source, cached in
# build/) and checked against the same sources built for Linux with the
# same musl, given the same input: Lua 5.4 (an interpreter) running a
# script from the root file system, and zlib's minigzip compressing and
# decompressing through binary standard output.
. "$(dirname "$0")/lib.sh"

third_party() {
	dir=$(nice sh "$ROOT/mk/third-party.sh" "$1" "$BUILD" 2>"$TRASH/build-$1.log") ||
		{ cat "$TRASH/build-$1.log"; return 1; }
}

test_expect_success 'lua5.4 builds unmodified with uniscope-cc, and for Linux' '
	third_party lua5.4 &&
	test -x $dir/guest/lua && test -x $dir/linux/lua &&
	readelf -n $dir/guest/lua | grep -q "Xen"
'

test_expect_success 'a Lua script: strings, tables, closures, coroutines, math, os, io, pcall; as on Linux' '
	third_party lua5.4 &&
	mkdir -p root/data && cp "$ROOT/tests/third-party/lua-test.lua" root/test.lua &&
	printf "alpha 3\nbeta 1\ngamma 2\n" >root/data/input.txt &&
	(cd root && printf "one\ntwo\n" | GREETING=hi $dir/linux/lua test.lua >../linux.out; echo $? >../linux.status) &&
	expect_equal "$(cat linux.status)" 7 &&
	printf "one\ntwo\n" | $UNISCOPE run --rootfs root --env GREETING=hi --append test.lua \
		$dir/guest/lua >guest.out 2>guest.err || echo $? >guest.status &&
	expect_equal "$(cat guest.status)" 7 &&
	expect_grep "^coroutine	1	4	9	done$" guest.out &&
	expect_grep "^stdin	owt$" guest.out &&
	diff -u linux.out guest.out
'

test_expect_success 'Lua errors: a runtime error in a script exits 1 with a traceback, as on Linux' '
	third_party lua5.4 &&
	mkdir -p root && printf "local t = {}\nprint(t.x.y)\n" >root/bad.lua &&
	(cd root && ! PATH=$dir/linux:$PATH lua bad.lua >../linux.out 2>&1) &&
	! $UNISCOPE run --rootfs root --append "argv0=lua bad.lua" $dir/guest/lua >guest.out 2>guest.err &&
	expect_grep "attempt to index a nil value \\(field .x.\\)" guest.out &&
	diff -u linux.out guest.out
'

test_expect_success 'zlib: minigzip builds with its own ./configure and make, CC=uniscope-cc' '
	third_party zlib &&
	test -x $dir/guest/minigzip && test -x $dir/linux/minigzip &&
	grep -q "uniscope-cc" $dir/guest/src/Makefile
'

test_expect_success 'zlib: minigzip -c compresses a root file system file to binary stdout, as on Linux' '
	third_party zlib &&
	mkdir -p root && seq 1 3000 | sed "s/$/ the quick brown fox/" >root/text &&
	$dir/linux/minigzip -c root/text >linux.gz &&
	$UNISCOPE run --rootfs root --append "-c /text" $dir/guest/minigzip >guest.gz 2>guest.err &&
	cmp linux.gz guest.gz &&
	gzip -dc <guest.gz | cmp - root/text
'

test_expect_success 'zlib: minigzip -d -c decompresses what gzip made' '
	third_party zlib &&
	mkdir -p root && seq 1 3000 >root/numbers && gzip -9 -n -c root/numbers >root/numbers.gz &&
	$UNISCOPE run --rootfs root --append "-d -c /numbers.gz" $dir/guest/minigzip >guest.out 2>guest.err &&
	cmp guest.out root/numbers
'

test_done
