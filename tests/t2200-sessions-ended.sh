#!/bin/sh
# Sessions that outlive their guest, as `docker ps -a` keeps containers: a
# detached session whose guest exits, panics, faults, asserts or is killed
# keeps its status, console log and (--core-on-crash) its core and report in
# its directory until `uniscope rm`; ls --all lists them, wait returns their
# status, log and report read them. A foreground session leaves nothing.
. "$(dirname "$0")/lib.sh"

R=$XDG_RUNTIME_DIR/uniscope

test_expect_success 'a detached guest that exits: kept with its status, listed by ls --all only' '
	start_session exit0 $EXAMPLES/threads.elf "run_ms=300 threads=1" &&
	rc=0; $UNISCOPE wait exit0 2>err || rc=$? &&
	expect_equal $rc 0 &&
	expect_grep "^uniscope: session .exit0. ended: exited 0$" err &&
	expect_grep "^how=exit$" $R/exit0/status &&
	expect_grep "^exit_status=0$" $R/exit0/status &&
	$UNISCOPE ls >ls && expect_no_grep "^exit0 " ls &&
	$UNISCOPE ls --all >all && expect_grep "^exit0 +exited 0 +- " all
'

test_expect_success 'what a live guest needs is gone; status, meta, console and stats stay' '
	for f in mem qmp.sock qemu-gdb.sock gdb.sock ctl.sock serial.in serial.out; do
		test ! -e $R/exit0/$f || { echo "$f left behind"; exit 1; }
	done &&
	for f in status meta console.log stats; do test -f $R/exit0/$f || { echo "no $f"; exit 1; }; done
'

test_expect_success 'a damaged stats file: no counter from the tail of a long line, none negative' '
	# 127 and 8191 bytes are where a line reader of 128 or 8192 bytes cuts:
	# the tail of either line must not be read as a line of its own.
	{
		echo frames_in=7
		printf "j=%0125d" 0; echo dropped_in=99
		printf "j=%08189d" 0; echo dropped_in=98
		echo dropped_out=-5
		echo frames_in=
		echo dropped_in=184467440737095516160
	} >$R/exit0/stats &&
	$UNISCOPE ls --all >all &&
	expect_grep "^exit0 +exited 0 .* 7/0/0 " all
'

test_expect_success 'log of an ended session: its whole console, text and JSON' '
	$UNISCOPE log exit0 >log &&
	expect_grep "produced ([0-9]+) consumed \\1 \\(checksums match\\)" log &&
	cmp log $R/exit0/console.log &&
	$UNISCOPE log exit0 --json >log.json &&
	expect_json log.json "j[\"lost\"] == 0 and \"checksums match\" in j[\"text\"]"
'

test_expect_success 'an ended session without a core: the introspection commands say what is left' '
	rc=0; $UNISCOPE ps exit0 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "exit0: the session has ended \(exited 0\) and its guest.s memory with it" err &&
	expect_grep "uniscope log exit0 shows its console" err
'

test_expect_success 'a fault with --core-on-crash: core and report in the session directory' '
	start_session fault $EXAMPLES/crash.elf null --core-on-crash &&
	rc=0; $UNISCOPE wait fault 2>err || rc=$? &&
	expect_equal $rc 125 &&
	expect_grep "ended: fault 125$" err &&
	test -s $R/fault/core.elf && test -s $R/fault/report.txt &&
	test ! -e fault.core && test ! -e fault.report &&
	$UNISCOPE ls --all >all &&
	expect_grep "^fault +fault 125 " all &&
	expect_grep "^ +core $R/fault/core.elf, report $R/fault/report.txt$" all &&
	expect_grep "page fault: write to an unmapped page at 0 \(null pointer\) in crash_null" $R/fault/report.txt
'

test_expect_success 'report, bt, ps and gdb of an ended session read its core' '
	$UNISCOPE report fault >report &&
	expect_grep "^uniscope report: fault \(core\)" report &&
	expect_grep "in crash_null at examples/crash/main.c" report &&
	$UNISCOPE bt fault all >bt && expect_grep "crash_null" bt &&
	$UNISCOPE ps fault >ps && expect_grep " crasher " ps &&
	timeout 120 gdb -batch -nx -ex "info threads" $EXAMPLES/crash.elf $R/fault/core.elf >gdb 2>&1 &&
	expect_grep "crash_null \(\) at examples/crash/main.c" gdb &&
	timeout 120 $UNISCOPE gdb fault -batch -nx -ex bt </dev/null >gdb2 2>&1 &&
	expect_grep "Program terminated with signal SIGSEGV" gdb2 &&
	expect_grep "crash_null \(\) at examples/crash/main.c" gdb2
'

test_expect_success 'panic and assert are told apart; ls --json carries how, status, core' '
	start_session panic $EXAMPLES/crash.elf panic &&
	start_session assert $EXAMPLES/crash.elf assert &&
	rc=0; $UNISCOPE wait panic 2>/dev/null || rc=$? && expect_equal $rc 125 &&
	rc=0; $UNISCOPE wait assert 2>/dev/null || rc=$? && expect_equal $rc 125 &&
	$UNISCOPE ls --all >all &&
	expect_grep "^panic +panic 125 " all && expect_grep "^assert +assert 125 " all &&
	$UNISCOPE ls --all --json >ls.json &&
	expect_json ls.json "{s[\"name\"]: (s[\"state\"], s.get(\"how\"), s.get(\"exit_status\")) for s in j}[\"assert\"] == (\"ended\", \"assert\", 125)" &&
	expect_json ls.json "[s[\"core\"] for s in j if s[\"name\"] == \"fault\"] == [\"$R/fault/core.elf\"]"
'

test_expect_success 'a guest whose QEMU is killed: killed (SIGKILL), wait exits 137' '
	start_session killed $EXAMPLES/threads.elf run_ms=0 &&
	introspect_wait_console killed "waiters running" &&
	kill -9 $(sed -n s/^qemu_pid=//p $R/killed/meta) &&
	rc=0; $UNISCOPE wait killed 2>err || rc=$? &&
	expect_equal $rc 137 &&
	expect_grep "ended: killed \(SIGKILL\): QEMU \(pid [0-9]+\) was killed by signal 9" err &&
	$UNISCOPE ls --all >all && expect_grep "^killed +killed \(SIGKILL\) " all &&
	expect_grep "waiters running" $R/killed/console.log
'

test_expect_success 'wait blocks while the guest runs (--timeout), and returns when it ends' '
	start_session forever $EXAMPLES/threads.elf run_ms=0 &&
	rc=0; $UNISCOPE wait forever --timeout 0.2 2>err || rc=$? &&
	expect_equal $rc 124 && expect_grep "still running after the --timeout" err &&
	$UNISCOPE stop forever &&
	start_session slow $EXAMPLES/threads.elf "run_ms=1500 threads=1" &&
	$UNISCOPE wait slow 2>err && expect_grep "ended: exited 0" err
'

test_expect_success 'wait on a session stopped meanwhile exits 143' '
	start_session stopme $EXAMPLES/threads.elf run_ms=0 &&
	$UNISCOPE wait stopme 2>wait.err &
	waiter=$! &&
	# Blocked on the launcher: it holds a pidfd (nothing timed).
	for i in $(seq 600); do
		ls -l /proc/$waiter/fd 2>/dev/null | grep -q "anon_inode:\[pidfd\]" && break
		sleep 0.1
	done &&
	$UNISCOPE stop stopme &&
	rc=0 && wait $waiter || rc=$? &&
	expect_equal $rc 143 &&
	expect_grep "session .stopme. was stopped and removed" wait.err &&
	test ! -e $R/stopme
'

test_expect_success 'stop leaves an ended session alone; rm refuses a running one unless --force' '
	$UNISCOPE stop exit0 2>err && expect_grep "has already ended \(exited 0\)" err &&
	test -d $R/exit0 &&
	start_session running $EXAMPLES/threads.elf run_ms=0 &&
	rc=0; $UNISCOPE rm running 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "session .running. is running \(uniscope stop running, or rm --force\)" err &&
	$UNISCOPE rm --force running && test ! -e $R/running
'

test_expect_success 'a default name passes an ended session by; --name replaces it' '
	$UNISCOPE run --detach --append "run_ms=100 threads=1" $EXAMPLES/threads.elf >name &&
	expect_equal "$(cat name)" threads &&
	$UNISCOPE wait threads 2>/dev/null &&
	$UNISCOPE run --detach --append run_ms=0 $EXAMPLES/threads.elf >name &&
	test_when_finished "$UNISCOPE stop threads-2" &&
	expect_equal "$(cat name)" threads-2 &&
	$UNISCOPE stop threads-2 &&
	$UNISCOPE run --detach --name threads --append run_ms=0 $EXAMPLES/threads.elf >name 2>err &&
	test_when_finished "$UNISCOPE stop threads" &&
	expect_grep "replacing the ended session .threads. \(exited 0\)" err &&
	test ! -e $R/threads/status && $UNISCOPE stop threads
'

test_expect_success 'rm removes ended sessions, several at once; a path is no name' '
	$UNISCOPE rm fault panic assert killed slow &&
	for n in fault panic assert killed slow; do test ! -e $R/$n || exit 1; done &&
	rc=0; $UNISCOPE rm $R/x 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "is not a session name" err &&
	rc=0; $UNISCOPE rm nosuch 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "no session .nosuch. \(uniscope ls --all lists them\)" err
'

test_expect_success 'a foreground session leaves nothing: status on the terminal, core next to the user' '
	rc=0; $UNISCOPE run --core-on-crash --name fg --append null $EXAMPLES/crash.elf >out 2>err || rc=$? &&
	expect_equal $rc 125 &&
	test ! -e $R/fg && test -s fg.core && test -s fg.report &&
	$UNISCOPE ls --all >all && expect_no_grep "^fg " all
'

test_done
