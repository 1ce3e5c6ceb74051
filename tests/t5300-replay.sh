#!/bin/sh
# Record and replay: `uniscope run --record DIR` and `uniscope replay DIR`
# served to real GDB. The flagship: a thread clobbers a heap pointer
# (examples/crash, mode corrupt) and another dies of it; the replay stops
# at the crash, and a watchpoint run backwards stops at the write, in the
# thread that made it. Also: the same crash every time, reverse stepping,
# the inspection commands at the current point of the replay, a recording
# ended by `uniscope stop`, and recordings that must not be replayed.
. "$(dirname "$0")/lib.sh"

CRASH=$EXAMPLES/crash.elf
SRC=$ROOT/examples/crash/main.c

# line PATTERN: the line of examples/crash/main.c holding PATTERN (fixed string).
line() {
	grep -n -F -- "$1" "$SRC" | head -1 | cut -d: -f1
}

# replay_start NAME DIR [ARGS...]: a detached replay, its session NAME.
replay_start() {
	_name=$1 _dir=$2
	shift 2
	timeout 120 $UNISCOPE replay --detach --name "$_name" "$@" "$_dir" >/dev/null
}

# replay_gdb NAME OUT COMMAND...: GDB in batch mode on session NAME (uniscope gdb),
# running the GDB commands; its output in OUT.
replay_gdb() {
	_name=$1 _out=$2
	shift 2
	printf 'set pagination off\n' >"$_out.gdb"
	for _c in "$@"; do printf '%s\n' "$_c" >>"$_out.gdb"; done
	timeout 300 $UNISCOPE gdb "$_name" -batch -nx -x "$_out.gdb" >"$_out" 2>&1 || true
	cat "$_out"
}

# registers OUT: rax..rip as GDB's `info registers` printed them.
registers() {
	grep -E '^(r[a-z0-9]+|rip) +0x' "$1" | awk '{ print $1, $2 }'
}

CRASH_LINE=$(line '*current_job->result = 42;')
WRITE_LINE=$(line 'job->result = 0;')
CALL_LINE=$(line 'scribble(current_job);')

test_expect_success 'run --record refuses --accel kvm and says why' '
	rc=0 && $UNISCOPE run --record kvm-rec --accel kvm "$CRASH" 2>err || rc=$?
	cat err &&
	expect_equal "$rc" 2 &&
	expect_grep "^uniscope: --record needs --accel tcg: QEMU records a run only when it emulates" err &&
	! test -e kvm-rec
'

test_expect_success 'run --record: the crash as usual (report, core), the recording tied to the image and the QEMU' '
	rc=0 && timeout 120 $UNISCOPE run --record rec --core-on-crash --append corrupt "$CRASH" >out 2>err || rc=$?
	cat err &&
	expect_equal "$rc" 125 &&
	expect_grep "^uniscope: core saved as crash.core, crash report as crash.report" err &&
	expect_grep " in crash_corrupt at examples/crash/main.c:$CRASH_LINE \(thread [0-9]+ \"crasher\"\)$" crash.report &&
	expect_grep "^uniscope: recorded [0-9]+ instructions \([0-9]+ KiB of log\) in .*/rec: uniscope replay rec$" err &&
	expect_grep "fault in thread [0-9]+ .crasher.: page fault" out &&
	expect_grep "fault in thread [0-9]+ .crasher.: page fault" rec/console.log &&
	id=$(readelf -n "$CRASH" | sed -n "s/.*Build ID: //p") &&
	expect_grep "^build_id=$id$" rec/recording &&
	grep -qxF "qemu=$(qemu-system-x86_64 --version | head -1)" rec/recording &&
	expect_grep "^image=$CRASH$" rec/recording &&
	expect_grep "^append=corrupt$" rec/recording &&
	expect_grep "^end_icount=[0-9]+$" rec/recording &&
	expect_grep "^log_size=$(stat -c %s rec/replay.bin)$" rec/recording
'

test_expect_success 'replay: continue stops at the crash, on the faulting instruction, in the thread that died' '
	replay_start one rec &&
	test_when_finished "$UNISCOPE stop one" &&
	$UNISCOPE ls >ls.out && cat ls.out &&
	expect_grep "^one +[0-9]+ +replay " ls.out &&
	replay_gdb one crash1.out continue "info threads" bt "info registers" "x/i \$pc" \
		"monitor replay" &&
	expect_grep "^Thread [0-9]+ \"crasher\" received signal SIGSEGV, Segmentation fault." crash1.out &&
	expect_grep "in crash_corrupt \(\) at examples/crash/main.c:$CRASH_LINE$" crash1.out &&
	expect_grep "^\* +[0-9]+ +Thread [0-9]+ \"crasher\" \(running\)" crash1.out &&
	expect_grep "Thread [0-9]+ \"scribbler\" \(sleeping on sleep\)" crash1.out &&
	expect_grep "Thread [0-9]+ \"main\" \(blocked on join\)" crash1.out &&
	expect_grep "^#1 .* in crasher \(arg=.*\) at examples/crash/main.c:" crash1.out &&
	expect_grep "^=> 0x[0-9a-f]+ <crash_corrupt\+[0-9]+>:" crash1.out &&
	expect_grep "^the crash stop is at instruction [0-9]+$" crash1.out &&
	expect_no_grep "last problem" crash1.out
'

test_expect_success 'the flagship: watch the clobbered pointer, reverse-continue: the write, its thread, its backtrace' '
	replay_start two rec &&
	test_when_finished "$UNISCOPE stop two" &&
	replay_gdb two watch.out continue "watch -l current_job->result" reverse-continue bt \
		"info threads" &&
	expect_grep "^Thread [0-9]+ \"scribbler\" hit Hardware watchpoint [0-9]+: -location current_job->result" watch.out &&
	expect_grep "^Old value = \(int \*\) 0x0$" watch.out &&
	expect_grep "^New value = \(int \*\) 0x[0-9a-f]+ <job_result>$" watch.out &&
	expect_grep "in scribble \(job=0x[0-9a-f]+\) at examples/crash/main.c:$WRITE_LINE$" watch.out &&
	expect_grep "^#1 .* in scribbler \(arg=.*\) at examples/crash/main.c:$CALL_LINE$" watch.out &&
	expect_grep " in thread_trampoline \(\) at libos/kern/thread.c:[0-9]+" watch.out &&
	expect_grep "^\* +[0-9]+ +Thread [0-9]+ \"scribbler\" \(running\)" watch.out
'

test_expect_success 'the same crash at the same instruction with the same registers, every time, as recorded' '
	port=$(test_port 1) &&
	replay_start three rec --listen tcp:127.0.0.1:$port &&
	test_when_finished "$UNISCOPE stop three" &&
	timeout 300 gdb -batch -nx -ex "target remote 127.0.0.1:$port" -ex continue \
		-ex "info registers" -ex "monitor replay" "$CRASH" >crash2.out 2>&1 || true
	cat crash2.out &&
	registers crash1.out >regs1 && registers crash2.out >regs2 &&
	test -s regs1 && cmp regs1 regs2 &&
	grep "^the crash stop is at" crash1.out >at1 && grep "^the crash stop is at" crash2.out >at2 &&
	cmp at1 at2 &&
	rip=$(sed -n "s/.* rip 0*\([0-9a-f]*\) rflags.*/\1/p" rec/console.log) &&
	expect_grep "^rip 0x$rip$" regs2 &&
	rsp=$(sed -n "s/.* rsp 0*\([0-9a-f]*\)$/\1/p" rec/console.log) &&
	expect_grep "^rsp 0x$rsp$" regs2
'

test_expect_success 'reverse-continue to a breakpoint, reverse-finish, reverse-next, reverse-stepi, and forward again' '
	replay_start four rec &&
	test_when_finished "$UNISCOPE stop four" &&
	replay_gdb four steps.out continue "break scribble" "echo =rc\n" reverse-continue \
		"echo =rfinish\n" reverse-finish "echo =rnext\n" reverse-next "echo =rstepi\n" \
		reverse-stepi "echo =stepi\n" stepi "echo =c1\n" continue "echo =c2\n" continue \
		"echo =c3\n" continue "echo =c4\n" continue "delete" "echo =rc2\n" reverse-continue &&
	sed -n "/^=rc$/,/^=rfinish$/p" steps.out >rc.out &&
	expect_grep "\"scribbler\" hit Breakpoint 1, scribble \(job=0x[0-9a-f]+\) at examples/crash/main.c:$WRITE_LINE" rc.out &&
	sed -n "/^=rfinish$/,/^=rnext$/p" steps.out >rfinish.out &&
	expect_grep "in scribbler \(arg=.*\) at examples/crash/main.c:$CALL_LINE$" rfinish.out &&
	sed -n "/^=rstepi$/,/^=stepi$/p" steps.out >rstepi.out &&
	expect_grep "in sleep_ns \(" rstepi.out &&
	sed -n "/^=stepi$/,/^=c1$/p" steps.out >stepi.out &&
	expect_grep "examples/crash/main.c" stepi.out &&
	sed -n "/^=c1$/,/^=c2$/p" steps.out >c1.out &&
	expect_grep "hit Breakpoint 1, scribble" c1.out &&
	sed -n "/^=c2$/,/^=c3$/p" steps.out >c2.out &&
	expect_grep "received signal SIGSEGV" c2.out &&
	sed -n "/^=c3$/,/^=c4$/p" steps.out >c3.out &&
	expect_grep "^No more reverse-execution history.$" c3.out &&
	sed -n "/^=rc2$/,\$p" steps.out >rc2.out &&
	expect_grep "^No more reverse-execution history.$" rc2.out &&
	expect_grep "boot_main \(si=.*\) at libos/kern/boot.c:" rc2.out
'

test_expect_success 'ps, bt, trace and core read the replay where it stands' '
	replay_start five rec &&
	test_when_finished "$UNISCOPE stop five" &&
	replay_gdb five inspect.out continue \
		"shell $UNISCOPE ps five >ps-crash.out" \
		"shell $UNISCOPE bt five >bt-crash.out" \
		"shell $UNISCOPE trace five >trace-crash.out" \
		"shell $UNISCOPE core five -o crash.core" \
		"watch -l current_job->result" reverse-continue \
		"shell $UNISCOPE ps five >ps-write.out" \
		"shell $UNISCOPE trace five >trace-write.out" &&
	cat ps-crash.out ps-write.out &&
	expect_grep "^\* +[0-9]+ crasher +running" ps-crash.out &&
	expect_grep "^\* +[0-9]+ scribbler +running" ps-write.out &&
	expect_grep "crash_corrupt\+0x[0-9a-f]+ at examples/crash/main.c:$CRASH_LINE" bt-crash.out &&
	test $(wc -l <trace-write.out) -lt $(wc -l <trace-crash.out) &&
	tail -2 trace-crash.out &&
	gdb -batch -nx -ex bt "$CRASH" crash.core >core-bt.out 2>&1 &&
	cat core-bt.out &&
	expect_grep "in crash_corrupt \(\) at examples/crash/main.c:$CRASH_LINE$" core-bt.out
'

test_expect_success 'a recording ended by uniscope stop replays to its end' '
	timeout 120 $UNISCOPE run --detach --name long --record long-rec --append run_ms=0 \
		"$EXAMPLES/threads.elf" >/dev/null &&
	test_when_finished "$UNISCOPE stop long" &&
	introspect_wait_console long "items so far" &&
	$UNISCOPE ls >ls-rec.out && cat ls-rec.out &&
	expect_grep "^long +[0-9]+ +record " ls-rec.out &&
	$UNISCOPE ps long >ps-rec.out && expect_grep "producer-0" ps-rec.out &&
	$UNISCOPE trace long >trace-rec.out && expect_grep "sched_switch" trace-rec.out &&
	$UNISCOPE stop long &&
	expect_grep "^end_icount=[0-9]+$" long-rec/recording &&
	replay_start six long-rec &&
	test_when_finished "$UNISCOPE stop six" &&
	replay_gdb six end.out continue "info threads" &&
	expect_grep "^No more reverse-execution history.$" end.out &&
	expect_grep "Thread [0-9]+ \"producer-0\"" end.out
'

test_expect_success 'a guest that ends before the channel handshake: its exit status; --rootfs and --env replayed' '
	mkdir -p root/etc root/data &&
	printf "first line\nsecond line\n" >root/etc/motd &&
	ln -s ../etc/motd root/data/link &&
	rc=0 && timeout 120 $UNISCOPE run --record posix-rec --rootfs root --env GREETING=hi \
		--append "files /data/link" "$BUILD/tests/images/posix.elf" >posix.out 2>posix.err || rc=$?
	cat posix.err &&
	expect_equal $rc 0 &&
	expect_grep "^files: line first line" posix.out &&
	rc=0 && timeout 120 $UNISCOPE run --record posix-rec2 --rootfs root \
		--append "files /nonexistent" "$BUILD/tests/images/posix.elf" >/dev/null 2>&1 || rc=$?
	expect_equal $rc 1 &&
	expect_grep "^rootfs=yes$" posix-rec/recording &&
	expect_grep "^append=env=GREETING=hi files /data/link$" posix-rec/recording &&
	test -s posix-rec/rootfs.cpio &&
	replay_start posix posix-rec &&
	test_when_finished "$UNISCOPE stop posix" &&
	replay_gdb posix posix-replay.out continue &&
	expect_grep "^No more reverse-execution history.$" posix-replay.out &&
	$UNISCOPE log posix >posix-log.out &&
	expect_grep "^files: line first line" posix-log.out &&
	expect_grep "^files: line second line" posix-log.out
'

# introspect_wait_gdb_sock NAME: until session NAME serves GDB.
introspect_wait_gdb_sock() {
	for _i in $(seq 300); do
		[ -S "$XDG_RUNTIME_DIR/uniscope/$1/gdb.sock" ] && $UNISCOPE ls | grep -q "^$1 " && return 0
		sleep 0.1
	done
	return 1
}

# bad_recording NAME EDIT EXPECTED: a copy of rec changed by EDIT (run in
# it) is refused with EXPECTED, quickly, and leaves no session behind.
bad_recording() {
	test_expect_success "a bad recording is refused: $1" "
		rm -rf bad && cp -r rec bad && (cd bad && $2) &&
		rc=0 && timeout 60 $UNISCOPE replay bad 2>err || rc=\$?
		cat err &&
		expect_equal \$rc 1 &&
		expect_grep '$3' err &&
		$UNISCOPE ls >ls-bad.out && expect_no_grep '^bad ' ls-bad.out
	"
}

bad_recording "a truncated log" "truncate -s 1000 replay.bin" \
	"^uniscope: bad/replay.bin is 1000 bytes, the recording wrote [0-9]+ \(truncated\?\)"
bad_recording "an altered log" \
	"printf X | dd of=replay.bin bs=1 seek=900 conv=notrunc 2>/dev/null" \
	"^uniscope: bad/replay.bin is not the log the recording wrote \(CRC-32C"
bad_recording "another QEMU's" "sed -i 's/^qemu=.*/qemu=QEMU emulator version 9.9.9/' recording" \
	"^uniscope: bad was recorded by .QEMU emulator version 9.9.9., this is .QEMU emulator version"
bad_recording "a run that never ended" "sed -i '/^end_icount=/d; /^log_/d' recording" \
	"^uniscope: bad: the recorded run never ended cleanly"
bad_recording "garbage metadata" "echo garbage >recording" \
	"^uniscope: .*/bad/recording: line 1: not key=value"
bad_recording "no metadata" "rm recording" \
	"is .bad. a directory made by uniscope run --record\?"

test_expect_success 'a bad recording is refused: another image' '
	rc=0 && timeout 60 $UNISCOPE replay --image "$EXAMPLES/hello.elf" rec 2>err || rc=$?
	cat err &&
	expect_equal $rc 1 &&
	expect_grep "^uniscope: rec recorded the image with build-id [0-9a-f]+; .*hello.elf. has build-id [0-9a-f]+ \(rebuilt since\?" err
'

test_expect_success 'a replay that leaves the recorded run ends with QEMU'"'"'s reason, not a hang' '
	rm -rf diverge && cp -r rec diverge &&
	sed -i "s/^append=corrupt/append=null/" diverge/recording &&
	(timeout 120 $UNISCOPE replay --name seven diverge >seven.out 2>seven.err &) &&
	test_when_finished "$UNISCOPE stop seven" &&
	introspect_wait_gdb_sock seven &&
	replay_gdb seven diverge.out continue &&
	expect_grep "^uniscope: QEMU ended the replay: .*replay log" diverge.out &&
	for i in $(seq 50); do grep -q "QEMU ended" seven.err && break; sleep 0.1; done &&
	expect_grep "^uniscope: QEMU ended the replay: .*replay log" seven.err
'

test_expect_success 'a replay that stops moving is stopped after 10 s, with the reason' '
	rm -rf stall && cp -r rec stall &&
	sed -i "s/^mem_size=.*/mem_size=268435456/" stall/recording &&
	replay_start eight stall &&
	test_when_finished "$UNISCOPE stop eight" &&
	replay_gdb eight stall.out continue "monitor replay" &&
	expect_grep "^uniscope: the replay stalled at instruction [0-9]+: the log does not fit the run it replays \(stopping it\)$" stall.out &&
	expect_grep "received signal SIGINT" stall.out &&
	expect_grep "^last problem: the replay stalled at instruction [0-9]+" stall.out
'

test_done
