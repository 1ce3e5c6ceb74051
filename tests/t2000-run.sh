#!/bin/sh
# uniscope run: every example through the launcher with its console text and
# exit status; sessions listed, stopped, cleaned; a noisy channel survives.
. "$(dirname "$0")/lib.sh"

test_expect_success 'uniscope --help lists the commands; a bad command is a usage error' '
	$UNISCOPE --help >out &&
	expect_grep "^  run " out && expect_grep "^  ls " out &&
	rc=0; $UNISCOPE frobnicate 2>err || rc=$? &&
	expect_equal $rc 2 &&
	expect_grep "uniscope: .frobnicate. is not a uniscope command" err
'

test_expect_success 'uniscope run --help shows the options' '
	$UNISCOPE run --help >out &&
	expect_grep "usage: uniscope run" out && expect_grep "\-\-gdb ADDR" out
'

test_expect_success 'run: an unreadable image is a clear error' '
	rc=0; $UNISCOPE run /nonexistent.elf 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "uniscope: ./nonexistent.elf.: No such file" err
'

test_expect_success 'run hello: console text and exit status 0' '
	$UNISCOPE run $EXAMPLES/hello.elf >out 2>err &&
	expect_grep "^Hello from uniscope!" out &&
	expect_grep "session .hello. ended, exit status 0" err
'

test_expect_success 'run threads: framed console text arrives whole, status 0' '
	$UNISCOPE run --append "run_ms=1500 threads=3" $EXAMPLES/threads.elf >out 2>err &&
	expect_grep "3 waiters running" out &&
	expect_grep "produced ([0-9]+) consumed \\1 \\(checksums match\\)" out &&
	expect_grep "exit status 0; channel: [1-9][0-9]* frames in, 0 dropped in" err
'

for mode in null assert stack; do
	test_expect_success "run crash $mode: the report on the console, status 125" "
		rc=0; \$UNISCOPE run --append $mode \$EXAMPLES/crash.elf >out 2>err || rc=\$? &&
		expect_equal \$rc 125 &&
		expect_grep '\\*\\*\\* uniscope: (fault|assertion failed)' out
	"
done

test_expect_success 'run: the session directory exists while running, 0700, and is removed after' '
	$UNISCOPE run --detach --name t2000 --append run_ms=0 $EXAMPLES/threads.elf >name &&
	test_when_finished "$UNISCOPE stop t2000" &&
	expect_equal "$(cat name)" t2000 &&
	dir=$XDG_RUNTIME_DIR/uniscope/t2000 &&
	expect_equal "$(stat -c %a $dir)" 700 &&
	for f in meta console.log qmp.sock mem qemu-gdb.sock gdb.sock; do test -e $dir/$f || { echo "no $f"; exit 1; }; done &&
	expect_equal "$(stat -c %a $dir/gdb.sock)" 600 &&
	expect_grep "^build_id=[0-9a-f]{40}$" $dir/meta &&
	expect_equal "$(sed -n s/^build_id=//p $dir/meta)" "$(readelf -n $EXAMPLES/threads.elf | sed -n "s/.*Build ID: //p")" &&
	$UNISCOPE ls >ls &&
	expect_grep "^t2000 +[0-9]+ +(tcg|kvm) " ls &&
	$UNISCOPE stop t2000 &&
	test ! -e $dir &&
	$UNISCOPE ls >ls2 && expect_no_grep "^t2000 " ls2
'

test_expect_success 'run: two sessions of one image get distinct names' '
	$UNISCOPE run --detach --append run_ms=0 $EXAMPLES/threads.elf >n1 &&
	$UNISCOPE run --detach --append run_ms=0 $EXAMPLES/threads.elf >n2 &&
	test_when_finished "$UNISCOPE stop threads; $UNISCOPE stop threads-2" &&
	expect_equal "$(cat n1) $(cat n2)" "threads threads-2"
'

test_expect_success 'ls: a session whose launcher was killed is recorded as lost, its QEMU gone' '
	$UNISCOPE run --detach --name stale --append run_ms=0 $EXAMPLES/threads.elf >/dev/null &&
	dir=$XDG_RUNTIME_DIR/uniscope/stale &&
	pid=$(sed -n s/^pid=//p $dir/meta) && qemu=$(sed -n s/^qemu_pid=//p $dir/meta) &&
	kill -9 $pid && sleep 0.5 &&
	$UNISCOPE ls >ls &&
	expect_no_grep "^stale " ls &&
	process_gone $qemu &&
	expect_grep "^how=lost$" $dir/status &&
	test -f $dir/console.log && test ! -e $dir/mem && test ! -e $dir/qmp.sock &&
	$UNISCOPE ls --all >all &&
	expect_grep "^stale +lost " all &&
	$UNISCOPE rm stale && test ! -e $dir
'

test_expect_success 'run: SIGINT (Ctrl-C) stops the image cleanly and removes the session' '
	$UNISCOPE run --name sigint --append run_ms=0 $EXAMPLES/threads.elf >out 2>err &
	pid=$! &&
	for i in $(seq 50); do grep -q "waiters running" out && break; sleep 0.2; done &&
	kill -INT $pid &&
	rc=0; wait $pid || rc=$? &&
	expect_equal $rc 130 &&
	test ! -e $XDG_RUNTIME_DIR/uniscope/sigint
'

test_expect_success 'run: a channel corrupting 1% of guest bytes stays alive; drops are counted' '
	UNISCOPE_CORRUPT_IN=10 $UNISCOPE run --append "run_ms=2000" $EXAMPLES/threads.elf >out 2>err &&
	expect_grep "exit status 0; channel: [0-9]+ frames in, [1-9][0-9]* dropped in" err
'

test_done
