#!/bin/sh
# Xen: the examples as PVH domUs under Debian's Xen 4.17, nested in QEMU
# (tests/xen/rig.sh). One boot of the rig runs tests/xen/dom0-tests.sh in
# dom0, which leaves each check's output and status in the share; this file
# judges them, and drives host GDB against the in-guest stub served from dom0
# through the rig's forwarded port while the rig runs.
. "$(dirname "$0")/../lib.sh"

RIG=$BUILD/xen-rig
SHARE=$TRASH/share
PORT=$(test_port 7)
CRASH=$EXAMPLES/crash.elf
THREADS=$EXAMPLES/threads.elf

if [ ! -f "$RIG/initrd.cpio.gz" ]; then
	test_skip 'the Xen rig' "not built: run tests/xen/rig.sh build (make check-xen does)"
	test_done
fi

# --- boot the rig, in the background -------------------------------------------

mkdir -p "$SHARE"
nm -n "$THREADS" >"$SHARE/threads.map"
nm -n "$CRASH" >"$SHARE/crash.map"
XEN_SHARE=$SHARE XEN_GDB_PORT=$PORT XEN_RIG_TIMEOUT=${XEN_RIG_TIMEOUT:-1500} \
	sh "$ROOT/tests/xen/rig.sh" run "$ROOT/tests/xen/dom0-tests.sh" >"$TRASH/rig.log" 2>&1 &
rig_pid=$!
stop_rig() {
	kill "$rig_pid" 2>/dev/null
	stop_all_sessions
}
trap stop_rig EXIT

# wait_share FILE SECONDS: until the dom0 script writes FILE, while the rig
# runs (the first wait includes waiting for another engineer's rig to end).
wait_share() {
	_n=$(($2 * 2))
	while [ ! -e "$SHARE/$1" ]; do
		if ! kill -0 "$rig_pid" 2>/dev/null || [ $_n -le 0 ]; then
			echo "no $1 from dom0 after $2 s; the rig's console ends with:"
			tail -25 "$TRASH/rig.log"
			return 1
		fi
		sleep 0.5
		_n=$((_n - 1))
	done
}

# dom0_check NAME [STATUS]: the check ran in dom0 and exited with STATUS
# (default 0); its output is shown either way.
dom0_check() {
	if [ ! -f "$SHARE/$1.rc" ]; then
		echo "dom0 never ran check $1"
		return 1
	fi
	echo "--- dom0 check $1 (status $(cat "$SHARE/$1.rc")):"
	cat "$SHARE/$1.out"
	expect_equal "$(cat "$SHARE/$1.rc")" "${2:-0}"
}

out() {
	echo "$SHARE/$1.out"
}

# Lines of examples/crash/main.c, for where GDB must stop.
line() {
	grep -n -F -- "$1" "$ROOT/examples/crash/main.c" | head -1 | cut -d: -f1
}

test_expect_success 'the rig boots Xen with a PV dom0 that runs the checks (HAP: nested SVM)' '
	wait_share xl-info.rc $((${XEN_RIG_LOCK_WAIT:-1800} + 400)) &&
	dom0_check xl-info &&
	expect_grep "^xen_version +: 4\.17" $(out xl-info) &&
	expect_grep "^virt_caps +: .*hvm hap" $(out xl-info)
'

# --- live GDB, while the rig runs ------------------------------------------------

# gdb_xen GDB-ARGS... >OUT: batch GDB against the stub served in dom0; when
# it fails, its output and the launcher's (console text included) say why.
gdb_xen() {
	if ! timeout 120 gdb -batch -nx -ex "target remote 127.0.0.1:$PORT" "$@" -ex detach \
		"$THREADS" >"$TRASH/gdb.last" 2>&1; then
		cat "$TRASH/gdb.last" >&2
		echo "--- uniscope run --gdb in dom0, so far:" >&2
		tail -30 "$SHARE/gdb-run.out" >&2
		return 1
	fi
	cat "$TRASH/gdb.last"
}

test_expect_success 'uniscope gdbserver xen:NAME: host GDB sees every thread, no stub involved' '
	wait_share gdbserver-ready 900 &&
	cat "$SHARE/gdbserver-ready" &&
	expect_equal "$(cat "$SHARE/gdbserver-ready")" ready &&
	timeout 120 gdb -batch -nx -ex "target remote 127.0.0.1:$PORT" -ex "info threads" \
		-ex "thread apply all bt" -ex detach "$THREADS" >out 2>&1 || { cat out; false; } &&
	cat out &&
	expect_grep "Thread [0-9]+ \"sleeper-10\"" out &&
	expect_grep "in sleeper \(arg=0xa\) at examples/threads/main.c:[0-9]+" out
'
echo done >"$SHARE/gdbserver-done"

test_expect_success 'run --platform xen --gdb serves the in-guest stub from dom0' '
	wait_share gdb-ready 900 &&
	cat "$SHARE/gdb-ready" &&
	expect_equal "$(cat "$SHARE/gdb-ready")" ready
'

test_expect_success 'GDB over the PV console: info threads names every libOS thread' '
	gdb_xen -ex "info threads" >out &&
	for name in main idle producer-0 producer-1 consumer-0 consumer-1 sleeper-10 sleeper-25; do
		expect_grep "Thread [0-9]+ \"$name\"" out || exit 1
	done
'

test_expect_success 'GDB over the PV console: bt of a sleeping thread' '
	gdb_xen -ex "info threads" >threads &&
	n=$(sed -n "s/^ *\*\{0,1\} *\([0-9][0-9]*\) *Thread [0-9]* \"sleeper-25\".*/\1/p" threads) &&
	test -n "$n" &&
	gdb_xen -ex "thread $n" -ex bt >out &&
	expect_grep "sleep_ns \(.*\) at libos/kern/sched.c" out &&
	expect_grep "in sleeper \(arg=0x19\) at examples/threads/main.c:[0-9]+" out
'

test_expect_success 'GDB over the PV console: break at a function, continue hits it' '
	gdb_xen -ex "break sleep_ms" -ex continue -ex "print ms" -ex delete >out &&
	expect_grep "Breakpoint 1, sleep_ms \(ms=(ms@entry=)?[0-9]+\) at libos/kern/sched.c" out &&
	expect_grep "^\\\$1 = [0-9]+$" out
'

test_expect_success 'GDB over the PV console: Ctrl-C stops the running image with SIGINT' '
	gdb -batch -nx -ex "target remote 127.0.0.1:$PORT" -ex continue -ex "info threads" \
		-ex detach "$THREADS" >out 2>&1 &
	gdb_pid=$! &&
	sleep 8 &&
	if ! kill -INT $gdb_pid; then
		echo "gdb ended before Ctrl-C:" && cat out && tail -30 "$SHARE/gdb-run.out"
		exit 1
	fi &&
	wait $gdb_pid &&
	cat out &&
	expect_grep "received signal SIGINT" out &&
	expect_grep "Thread [0-9]+ \"consumer-0\"" out
'

echo done >"$SHARE/gdb-done"

# Under Xen, GDB can attach before the guest reaches its gdb=wait point
# (boot is slower than under QEMU): the stub then does not stop a second
# time there, so `continue` runs on to the crash.
test_expect_success 'GDB at boot (gdb=wait) to crash null: SIGSEGV at the faulting line' '
	wait_share gdbwait-ready 300 &&
	expect_equal "$(cat "$SHARE/gdbwait-ready")" ready &&
	if ! timeout 120 gdb -batch -nx -ex "target remote 127.0.0.1:$PORT" -ex continue -ex bt -ex kill \
		"$CRASH" >out 2>&1; then
		cat out && tail -30 "$SHARE/gdbwait-run.out"
		exit 1
	fi &&
	cat out &&
	expect_grep "received signal SIGSEGV" out &&
	expect_grep "crash_null \(\) at examples/crash/main.c:$(line "*p = 1;")" out
'

# Whatever happened above, let dom0 finish, then wait for the rig to power off.
echo done >"$SHARE/gdbwait-done"
rig_rc=0
wait "$rig_pid" || rig_rc=$?

test_expect_success 'the rig powers off after the checks with status 0' '
	tail -5 "$TRASH/rig.log" &&
	expect_equal "$rig_rc" 0 &&
	expect_grep "^dom0-tests: done" "$TRASH/rig.log"
'

test_expect_success 'the GDB launcher stayed up through the GDB tests and cleaned up' '
	dom0_check gdb-run-alive &&
	cat "$SHARE/gdb-run.out" &&
	dom0_check gdb-after &&
	expect_no_grep "^gdb " $(out gdb-after)
'

# --- uniscope run --platform xen ---------------------------------------------------

test_expect_success 'run --platform xen hello: console text, exit status 0, domain gone after' '
	dom0_check run-hello &&
	expect_grep "^Hello from uniscope!" $(out run-hello) &&
	expect_grep "session .hello. ended, exit status 0" $(out run-hello) &&
	dom0_check run-hello-after &&
	expect_no_grep "^hello " $(out run-hello-after)
'

test_expect_success 'run --platform xen threads: framed console text, status 0' '
	dom0_check run-threads &&
	expect_grep "3 waiters running" $(out run-threads) &&
	expect_grep "produced ([0-9]+) consumed \\1 \\(checksums match\\)" $(out run-threads) &&
	expect_grep "exit status 0; channel: [1-9][0-9]* frames in, 0 dropped in" $(out run-threads)
'

test_expect_success 'run --platform xen --core-on-crash crash null: status 125, core and report of the preserved domain' '
	dom0_check run-crash 125 &&
	expect_grep "\\*\\*\\* uniscope: fault" $(out run-crash) &&
	expect_grep "core saved as crash.core, crash report as crash.report" $(out run-crash) &&
	test -s "$SHARE/run-crash.d/crash.core" && test -s "$SHARE/run-crash.d/crash.report" &&
	expect_grep " in crash_null at examples/crash/main.c:$(line "*p = 1;")" "$SHARE/run-crash.d/crash.report" &&
	timeout 120 gdb -batch -nx -ex bt "$CRASH" "$SHARE/run-crash.d/crash.core" >gdb.out 2>&1 &&
	cat gdb.out &&
	expect_grep "^#0  (0x[0-9a-f]+ in )?crash_null \\(.*\\) at examples/crash/main.c:$(line "*p = 1;")" gdb.out &&
	dom0_check run-crash-after &&
	expect_no_grep "^crash " $(out run-crash-after)
'

# --- introspection of a live domain ------------------------------------------------

test_expect_success 'a PVH domU created with xl runs threads.elf' '
	dom0_check live-create &&
	dom0_check live-state-after &&
	expect_grep "^live +[0-9]+ +" $(out live-state-after)
'

test_expect_success 'uniscope ls lists the Xen domain' '
	dom0_check live-ls &&
	expect_grep "live" $(out live-ls)
'

test_expect_success 'uniscope ps xen:NAME lists the libOS threads of a live domain' '
	dom0_check live-ps-name &&
	for name in main idle producer-0 consumer-1 sleeper-25 waiter-1; do
		expect_grep " $name " $(out live-ps-name) || exit 1
	done
'

test_expect_success 'uniscope ps xen:DOMID reads the same threads' '
	dom0_check live-ps-domid &&
	expect_grep " sleeper-25 " $(out live-ps-domid) &&
	expect_equal "$(wc -l <$(out live-ps-domid))" "$(wc -l <$(out live-ps-name))"
'

test_expect_success 'uniscope ps --json xen:NAME parses' '
	dom0_check live-ps-json &&
	expect_json $(out live-ps-json) "len(j[\"threads\"]) >= 10"
'

test_expect_success 'uniscope bt xen:NAME all: symbolized backtraces' '
	dom0_check live-bt &&
	expect_grep "sleeper.* at .*examples/threads/main.c:[0-9]+" $(out live-bt) &&
	expect_grep "sched.c:[0-9]+" $(out live-bt)
'

test_expect_success 'uniscope log and report xen:NAME on a live domain' '
	dom0_check live-log &&
	expect_grep "2 waiters running" $(out live-log) &&
	dom0_check live-report &&
	expect_grep "^no crash: the guest (is|was) alive" $(out live-report)
'

test_expect_success 'uniscope core xen:NAME of a live domain: GDB sees every thread' '
	dom0_check live-core &&
	test -s "$SHARE/live.core" &&
	timeout 120 gdb -batch -nx -ex "info threads" -ex "thread apply all bt" "$THREADS" "$SHARE/live.core" >gdb.out 2>&1 &&
	expect_grep " in sleeper \\(arg=0x19\\) at examples/threads/main.c:[0-9]+" gdb.out &&
	expect_grep "^Thread [0-9]+ \\(LWP [0-9]+\\):" gdb.out
'

test_expect_success 'uniscope trace xen:NAME reads the trace ring from the domain'"'"'s memory' '
	dom0_check live-trace &&
	expect_grep "sched_switch: .*prev=" $(out live-trace) &&
	expect_grep "(producer|consumer)-[0-9]" $(out live-trace)
'

test_expect_success 'uniscope top xen:NAME shows the live threads' '
	dom0_check live-top &&
	cat $(out live-top) &&
	expect_grep "sleeper-10" $(out live-top) &&
	expect_grep "consumer-0" $(out live-top)
'

test_expect_success 'xenctx reads the same live domain (the peer of the benchmark)' '
	dom0_check live-xenctx &&
	expect_grep "rip: " $(out live-xenctx)
'

# --- a crashed domain kept by on_crash="preserve" ------------------------------------

test_expect_success 'crash null as a PVH domU: SCHEDOP_shutdown(crash) leaves it preserved' '
	dom0_check crashed-create &&
	dom0_check crashed-state &&
	expect_grep "^crashed +[0-9]+ +[0-9]+ +[0-9]+ +[-a-z]*c" $(out crashed-state)
'

test_expect_success 'uniscope ps, bt, report xen:NAME on the crashed domain' '
	dom0_check crashed-ps &&
	expect_grep " crasher " $(out crashed-ps) &&
	dom0_check crashed-bt &&
	expect_grep "crash_null" $(out crashed-bt) &&
	dom0_check crashed-report &&
	expect_grep "^page fault: write to an unmapped page at 0 \\(null pointer\\) in crash_null at examples/crash/main.c:$(line "*p = 1;")" $(out crashed-report)
'

test_expect_success 'uniscope core xen:NAME of the crashed domain: GDB bt shows crash_null' '
	dom0_check crashed-core &&
	timeout 120 gdb -batch -nx -ex bt "$CRASH" "$SHARE/crashed.core" >gdb.out 2>&1 &&
	cat gdb.out &&
	expect_grep "Program terminated with signal SIGSEGV" gdb.out &&
	expect_grep "^#0  (0x[0-9a-f]+ in )?crash_null \\(.*\\) at examples/crash/main.c:$(line "*p = 1;")" gdb.out
'

test_expect_success 'nothing is left running in dom0 but the checks cleaned up' '
	dom0_check final-xl-list &&
	expect_equal "$(grep -c . $(out final-xl-list))" 2
'

trap - EXIT
test_done
