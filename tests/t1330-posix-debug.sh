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

# park_session NAME: the park mode (tests/images/posix/debug.c) running in
# session NAME, its threads parked; sets $p1 to GDB's number for parked-1
# and $main to main's, as the stub numbers them.
park_session() {
	start_session $1 $POSIX park &&
	introspect_wait_console $1 "park: ready" &&
	posix_gdb $1 -ex "thread find parked-1" -ex "thread find main" >threads &&
	p1=$(gdb_thread_of threads parked-1) && main=$(gdb_thread_of threads main) &&
	test -n "$p1" && test -n "$main"
}

test_expect_success 'GDB prints __thread variables and errno of a chosen thread (stub: qGetTLSAddr)' '
	park_session pk &&
	test_when_finished "stop_session pk" &&
	posix_gdb pk -ex "thread $p1" -ex "p tls_value" -ex "p errno" \
		-ex "thread $main" -ex "p tls_value" -ex "p errno" >out &&
	expect_grep "^\\\$1 = 101$" out &&
	expect_grep "^\\\$2 = 201$" out &&
	expect_grep "^\\\$3 = 42$" out &&
	expect_grep "^\\\$4 = 7$" out
'

test_expect_success 'GDB: backtraces of pthreads go through musl to the application (stub)' '
	park_session pk &&
	test_when_finished "stop_session pk" &&
	posix_gdb pk -ex "thread $p1" -ex bt -ex "thread $main" -ex bt >out &&
	expect_grep " in pthread_cond_wait \\(" out &&
	expect_grep " in park_wait \\(\\) at tests/images/posix/debug.c" out &&
	expect_grep " in park_thread \\(" out &&
	expect_grep " in __clone \\(\\)" out &&
	expect_grep " in nanosleep \\(" out &&
	expect_grep " in park_main_sleep \\(\\) at tests/images/posix/debug.c" out &&
	expect_grep " in mode_park \\(\\)" out
'

test_expect_success 'uniscope bt and report: pthreads in futex and nanosleep, through musl' '
	park_session pk &&
	test_when_finished "stop_session pk" &&
	$UNISCOPE bt pk all >bt.out &&
	expect_grep "^thread [0-9]+ .parked-1. \\(blocked" bt.out &&
	expect_grep "in __pthread_cond_timedwait\\+0x[0-9a-f]+ at .*pthread_cond_timedwait.c" bt.out &&
	expect_grep "in park_thread\\+0x[0-9a-f]+ at tests/images/posix/debug.c" bt.out &&
	expect_grep "in park_main_sleep\\+0x[0-9a-f]+ at tests/images/posix/debug.c" bt.out &&
	$UNISCOPE report pk >report.out &&
	expect_grep "\"parked-1\" blocked \\(futex[^)]*\\) in a system call: .* < park_wait\\+0x[0-9a-f]+ at debug.c:[0-9]+" report.out &&
	expect_grep "\"main\" sleeping \\(sleep\\) in a system call: .*nanosleep.* < park_main_sleep\\+0x" report.out
'

test_expect_success 'pthread_setname_np is a thread_rename trace event; later events carry the name' '
	park_session pk &&
	test_when_finished "stop_session pk" &&
	$UNISCOPE trace pk >trace.txt &&
	expect_grep "thread_rename: tid=parked-1:[0-9]+ name=parked-1$" trace.txt &&
	expect_grep "^ *parked-1-[0-9]+ +\\[000\\] .*sys_enter: futex" trace.txt
'

test_expect_success 'uniscope gdbserver: __thread, errno and $fs_base per thread, live and on a core' '
	park_session pk &&
	test_when_finished "stop_session pk" &&
	port=$(test_port) &&
	gdbserver_start gs.err pk --keep --listen tcp:127.0.0.1:$port &&
	test_when_finished "kill $GDBSERVER_PID" &&
	gdb_batch $POSIX -ex "target remote 127.0.0.1:$port" -ex "thread find parked-1" >threads &&
	n=$(gdb_thread_of threads parked-1) && test -n "$n" &&
	gdb_batch $POSIX -ex "target remote 127.0.0.1:$port" -ex "thread $n" -ex "p tls_value" \
		-ex "p errno" -ex "p/x \$fs_base" -ex detach >live.out &&
	expect_grep "^\\\$1 = 101$" live.out &&
	expect_grep "^\\\$2 = 201$" live.out &&
	fs=$(sed -n "s/^\\\$3 = \\(0x[0-9a-f]*\\)$/\\1/p" live.out) && test -n "$fs" && test "$fs" != 0x0 &&
	$UNISCOPE core pk -o pk.core >/dev/null &&
	port2=$(test_port) &&
	gdbserver_start gs2.err pk.core --image $POSIX --listen tcp:127.0.0.1:$port2 &&
	test_when_finished "kill $GDBSERVER_PID" &&
	gdb_batch $POSIX -ex "target remote 127.0.0.1:$port2" -ex "thread $n" -ex "p tls_value" \
		-ex "p errno" -ex detach >core.out &&
	expect_grep "^\\\$1 = 101$" core.out &&
	expect_grep "^\\\$2 = 201$" core.out &&
	gdb_batch $POSIX -ex "core-file pk.core" -ex "thread apply all p/x \$fs_base" >core-fs.out &&
	expect_grep "= $fs$" core-fs.out
'

# deadlock_report NAME: session NAME's report once it has found the
# deadlock (the two threads block a moment after the console line).
deadlock_report() {
	for _i in $(seq 40); do
		$UNISCOPE report $1 >report.out 2>&1 && grep -q "^deadlock:" report.out && return 0
		sleep 0.25
	done
	cat report.out >&2
	return 1
}

test_expect_success 'report: a deadlock between default pthread mutexes, each one owner named (musl keeps it)' '
	start_session dl $POSIX "deadlock normal" &&
	test_when_finished "stop_session dl" &&
	introspect_wait_console dl "deadlock: normal mutexes" &&
	deadlock_report dl &&
	expect_grep "^deadlock: 2 threads wait for each other" report.out &&
	expect_grep "thread [0-9]+ \"lock-b\" holds audit_lock\+4, waits for ledger_lock\+4 held by [0-9]+ \"lock-a\"" report.out &&
	expect_grep "thread [0-9]+ \"lock-a\" holds ledger_lock\+4, waits for audit_lock\+4 held by [0-9]+ \"lock-b\"" report.out &&
	expect_grep "#[0-9]+ +0x[0-9a-f]+ in lock_a\+0x[0-9a-f]+ at tests/images/posix/debug.c" report.out &&
	$UNISCOPE ps dl >ps.out &&
	expect_grep "lock-a +blocked +futex .* audit_lock\+4 held by [0-9]+ \"lock-b\"" ps.out &&
	expect_grep "main +blocked +futex +[0-9]+ +[0-9]+ +0x[0-9a-f]+$" ps.out
'

test_expect_success 'report: the same deadlock between error-checking mutexes' '
	start_session dle $POSIX "deadlock errorcheck" &&
	test_when_finished "stop_session dle" &&
	introspect_wait_console dle "deadlock: errorcheck mutexes" &&
	deadlock_report dle &&
	expect_grep "\"lock-a\" holds ledger_lock\+4, waits for audit_lock\+4 held by [0-9]+ \"lock-b\"" report.out
'

test_done
