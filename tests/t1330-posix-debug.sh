#!/bin/sh
# Debugging fits POSIX programs: what GDB and the host tools show of
# pthreads (tests/images/posix): their names, futex waits, AVX registers
# from the XSAVE area, thread-local storage and errno per thread.
. "$(dirname "$0")/lib.sh"

POSIX=$BUILD/tests/images/posix.elf

# posix_gdb NAME GDB-ARGS...: GDB on session NAME's stub, detaching at the end.
posix_gdb() {
	_sock=$XDG_RUNTIME_DIR/uniscope/$1/gdb.sock
	shift
	gdb_batch $POSIX -ex "target remote $_sock" "$@" -ex detach
}

test_expect_success 'GDB lists pthreads, one blocked in a futex, named by pthread_setname_np' '
	start_session av $POSIX avxsleep &&
	test_when_finished "stop_session av" &&
	introspect_wait_console av "avxsleep: loaded" &&
	posix_gdb av -ex "info threads" -ex "thread find avx-sleep" >threads &&
	expect_grep "\"main\" \\(blocked \\(futex\\)\\)" threads &&
	expect_grep "\"avx-sleep\" \\(sleeping \\(sleep\\)\\)" threads
'

test_expect_success 'GDB prints $ymm0 and $ymm15 of a switched-out thread (its XSAVE area)' '
	start_session av $POSIX avxsleep &&
	test_when_finished "stop_session av" &&
	introspect_wait_console av "avxsleep: loaded" &&
	posix_gdb av -ex "thread find avx-sleep" >threads &&
	n=$(gdb_thread_of threads avx-sleep) && test -n "$n" &&
	posix_gdb av -ex "thread $n" -ex "p \$ymm0.v8_int32" -ex "p \$ymm15.v8_int32" \
		-ex "p \$xmm0.v4_int32" >out &&
	expect_grep "^\\\$1 = \\{1, 2, 3, 4, 5, 6, 7, 8\\}" out &&
	expect_grep "^\\\$2 = \\{-1, -2, -3, -4, -5, -6, -7, -8\\}" out &&
	expect_grep "^\\\$3 = \\{1, 2, 3, 4\\}" out
'

test_done
