#!/bin/sh
# Introspection of a running guest from the host, with no help from it:
# ps, bt, log, heap, mem, sym, dis over a live `threads` session, their
# --json output, symbols by --image/--debug-dir/build-id, a stripped image,
# and the errors users meet.
. "$(dirname "$0")/lib.sh"

S=t5000
cp "$EXAMPLES/threads.elf" "$TRASH/threads.elf"
IMAGE=$TRASH/threads.elf
trap 'stop_session $S' EXIT

test_expect_success 'a threads session starts and its waiters are up' '
	start_session $S "$IMAGE" "run_ms=0 threads=5" &&
	introspect_wait_console $S "5 waiters running"
'

test_expect_success 'ps lists every thread with a sensible state and wait reason' '
	$UNISCOPE ps $S >ps &&
	cat ps &&
	expect_grep "^ +TID +NAME +STATE +WAIT +CPU\\(ms\\) +SWITCHES" ps &&
	for i in 0 1 2 3 4; do
		expect_grep "^  +[0-9]+ waiter-$i +blocked +semaphore +[0-9]+ +1 +extra_release$" ps || exit 1
	done &&
	expect_grep " sleeper-10 +(sleeping +sleep|runnable +-|running +-) " ps &&
	expect_grep " producer-0 +(sleeping +sleep|runnable +-|running +-|blocked +(mutex|condvar)) " ps &&
	expect_grep " consumer-0 +(blocked +(condvar|mutex)|runnable +-|running +-) " ps &&
	expect_grep " idle +" ps &&
	expect_equal "$(grep -c "^\\*" ps)" 1 &&
	expect_grep "^\\* +[0-9]+ [^ ]+ +running " ps
'

test_expect_success 'ps resumes the guest: it keeps running after' '
	$UNISCOPE ps --json $S >before.json &&
	sleep 1 &&
	$UNISCOPE ps --json $S >after.json &&
	python3 -c "
import json, sys
b = {t[\"name\"]: t[\"switches\"] for t in json.load(open(\"before.json\"))[\"threads\"]}
a = {t[\"name\"]: t[\"switches\"] for t in json.load(open(\"after.json\"))[\"threads\"]}
sys.exit(0 if a[\"sleeper-10\"] > b[\"sleeper-10\"] else 1)
"
'

test_expect_success 'ps --json parses and has all 13 threads' '
	$UNISCOPE ps --json $S >ps.json &&
	expect_json ps.json "len(j[\"threads\"]) == 13 and j[\"error\"] is None" &&
	expect_json ps.json "sum(t[\"running\"] for t in j[\"threads\"]) == 1" &&
	expect_json ps.json "all(t[\"wait\"] == \"semaphore\" for t in j[\"threads\"] if t[\"name\"].startswith(\"waiter-\"))"
'

test_expect_success 'ps --no-pause reads the running guest' '
	$UNISCOPE ps --no-pause $S >ps &&
	expect_grep " waiter-4 +blocked +semaphore" ps
'

test_expect_success 'bt all names the blocking functions with file:line' '
	$UNISCOPE bt $S all >bt &&
	cat bt &&
	expect_grep "^thread [0-9]+ \"waiter-0\" \\(blocked, switched out\\)" bt &&
	expect_grep "^#0  0x[0-9a-f]{16} in schedule\\+0x[0-9a-f]+ at libos/kern/sched\\.c:[0-9]+$" bt &&
	expect_grep " in sem_wait\\+0x[0-9a-f]+ at libos/kern/[a-z_]+\\.c:[0-9]+$" bt &&
	expect_grep " in sleep_ns\\+0x[0-9a-f]+ at libos/kern/sched\\.c:[0-9]+$" bt &&
	expect_grep " in (cond_wait|mutex_lock)\\+0x[0-9a-f]+ at libos/kern/[a-z_]+\\.c:[0-9]+$" bt &&
	expect_grep " in extra_waiter\\+0x[0-9a-f]+ at examples/threads/main\\.c:[0-9]+$" bt &&
	expect_grep " in thread_trampoline\\+0x[0-9a-f]+ at libos/kern/thread\\.c:[0-9]+$" bt &&
	expect_no_grep "backtrace stopped" bt
'

test_expect_success 'bt TID shows one thread; bt without TID the one on the CPU' '
	tid=$(sed -n "s/^ *\\([0-9]*\\) waiter-2 .*/\\1/p" ps) &&
	$UNISCOPE bt $S $tid >bt1 &&
	expect_equal "$(grep -c "^thread " bt1)" 1 &&
	expect_grep "^thread $tid \"waiter-2\"" bt1 &&
	$UNISCOPE bt $S >bt0 &&
	expect_grep "^thread [0-9]+ \"[^\"]+\" \\(running, on vCPU\\)" bt0
'

test_expect_success 'bt --json parses, frames symbolized' '
	$UNISCOPE bt --json $S all >bt.json &&
	expect_json bt.json "len(j[\"threads\"]) == 13" &&
	expect_json bt.json "any(f[\"function\"] == \"sem_wait\" and f[\"line\"] > 0 for t in j[\"threads\"] for f in t[\"frames\"])"
'

test_expect_success 'log shows the console text from guest memory' '
	$UNISCOPE log $S >log &&
	expect_grep "^threads: 2 producers, 2 consumers, 2 sleepers, 5 waiters running forever" log &&
	$UNISCOPE log --json $S >log.json &&
	expect_json log.json "\"5 waiters running\" in j[\"text\"]"
'

test_expect_success 'heap shows the allocator statistics' '
	$UNISCOPE heap $S >heap &&
	expect_grep "^pages total +[1-9][0-9]+ " heap &&
	expect_grep "^allocations +[1-9][0-9]*$" heap &&
	$UNISCOPE heap --json $S >heap.json &&
	expect_json heap.json "j[\"pages_total\"] > j[\"pages_free\"] > 0"
'

test_expect_success 'sym: name to address and back' '
	$UNISCOPE sym $S schedule >sym &&
	expect_grep "^schedule = 0x[0-9a-f]+ \\(function, [0-9]+ bytes\\) at libos/kern/sched\\.c:[0-9]+$" sym &&
	addr=$(sed -n "s/^schedule = \\(0x[0-9a-f]*\\) .*/\\1/p" sym) &&
	expect_equal "$addr" "0x$(nm $IMAGE | sed -n "s/^0*\\([0-9a-f]*\\) [Tt] schedule$/\\1/p")" &&
	$UNISCOPE sym $S $addr >back &&
	expect_grep "^$addr = schedule\\+0x0 at libos/kern/sched\\.c:[0-9]+$" back &&
	$UNISCOPE sym --json $S schedule+0x4 >sym.json &&
	expect_json sym.json "j[\"function\"] == \"schedule\" and j[\"offset\"] == 4"
'

test_expect_success 'mem: the descriptor starts with its magic' '
	$UNISCOPE mem $S uniscope_info 32 >mem &&
	expect_grep "^0x[0-9a-f]{16}  55 4e 49 53 43 4f 50 45 03 00 00 00 .*\\|UNISCOPE" mem &&
	expect_equal "$(wc -l <mem)" 2 &&
	$UNISCOPE mem --json $S uniscope_info 8 >mem.json &&
	expect_json mem.json "j[\"hex\"] == \"554e4953434f5045\""
'

test_expect_success 'mem --phys reads physical memory; an unmapped address is a fault' '
	addr=$(sed -n "s/^0x0*\\([0-9a-f]*\\)  .*/\\1/p" mem | head -1) &&
	$UNISCOPE mem --phys $S 0x$addr 8 >phys &&
	expect_grep "\\|UNISCOPE\\|" phys &&
	rc=0; $UNISCOPE mem $S 0x10 16 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^uniscope: address 0x10 is not mapped" err
'

test_expect_success 'dis: a function from live memory, with call targets named' '
	$UNISCOPE dis $S schedule 8 >dis &&
	expect_equal "$(wc -l <dis)" 8 &&
	expect_grep "^0x[0-9a-f]{16} <schedule\\+0>:	55 +push" dis &&
	$UNISCOPE dis $S idle_loop >dis2 &&
	expect_grep "hlt" dis2 &&
	$UNISCOPE dis --json $S schedule 3 >dis.json &&
	expect_json dis.json "len(j[\"instructions\"]) == 3 and j[\"instructions\"][0][\"mnemonic\"].startswith(\"push\")"
'

test_expect_success 'a stripped image: the descriptor is found by scanning, ps works' '
	strip -o stripped.elf $IMAGE &&
	$UNISCOPE ps --image stripped.elf $S >ps-stripped 2>err &&
	expect_grep " waiter-3 +blocked +semaphore" ps-stripped
'

test_expect_success 'a wrong image is refused by build-id; --debug-dir finds the right one' '
	$UNISCOPE bt --image $EXAMPLES/hello.elf $S 2>err >/dev/null &&
	expect_grep "warning: image .*hello.elf. does not match the guest \\(build-id differs\\)" err &&
	mkdir -p dbg && cp $IMAGE dbg/app.elf &&
	$UNISCOPE bt --image $EXAMPLES/hello.elf --debug-dir dbg $S all >bt-dbg 2>/dev/null &&
	expect_grep " in sem_wait\\+0x" bt-dbg &&
	id=$(readelf -n $IMAGE | sed -n "s/.*Build ID: //p") &&
	mkdir -p dbg2/.build-id/$(echo $id | cut -c1-2) &&
	cp $IMAGE dbg2/.build-id/$(echo $id | cut -c1-2)/$(echo $id | cut -c3-).debug &&
	$UNISCOPE sym --image stripped.elf --debug-dir dbg2 $S schedule >sym-dbg &&
	expect_grep "^schedule = 0x" sym-dbg
'

test_expect_success 'errors: unknown session, xen, bad thread id, bad arguments' '
	rc=0; $UNISCOPE ps no-such-session 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^uniscope: .no-such-session.: no such session or core file \\(see .uniscope ls.\\)" err &&
	rc=0; $UNISCOPE ps xen:7 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^uniscope: xen:7: Xen domains are not supported in this build" err &&
	rc=0; $UNISCOPE bt $S 9999 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "no thread with id 9999" err &&
	rc=0; $UNISCOPE mem $S 0x1000 2>err || rc=$? &&
	expect_equal $rc 2 && expect_grep "^usage: uniscope mem" err &&
	rc=0; $UNISCOPE ps $EXAMPLES/threads.elf 2>err || rc=$? &&
	expect_equal $rc 1 && expect_grep "is an image, not a core file" err
'

test_expect_success 'the session stops cleanly' '
	stop_session $S &&
	rc=0; $UNISCOPE ps $S 2>err || rc=$? &&
	expect_equal $rc 1
'

test_done
