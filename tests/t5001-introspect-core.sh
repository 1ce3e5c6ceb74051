#!/bin/sh
# Introspection of a QEMU `dump-guest-memory` core (taken over QMP from a
# live threads session), after the VM is gone: ps and bt read the same
# threads from the file, with symbols from --image, --debug-dir, or none.
. "$(dirname "$0")/lib.sh"

S=t5001
cp "$EXAMPLES/threads.elf" "$TRASH/threads.elf"
IMAGE=$TRASH/threads.elf
CORE=$TRASH/guest.core
trap 'stop_session $S' EXIT

test_expect_success 'a threads session is dumped with QMP dump-guest-memory' '
	start_session $S "$IMAGE" "run_ms=0 threads=3" &&
	introspect_wait_console $S "3 waiters running" &&
	introspect_qmp $S "{\"execute\":\"stop\"}" &&
	$UNISCOPE ps --json $S >live.json &&
	introspect_qmp $S "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"protocol\":\"file:$CORE\"}}" &&
	stop_session $S &&
	readelf -h $CORE >hdr && expect_grep "Type: +CORE" hdr
'

test_expect_success 'ps reads the core: the same threads as the paused VM' '
	$UNISCOPE ps --image $IMAGE $CORE >ps &&
	cat ps &&
	expect_grep "^  +[0-9]+ waiter-2 +blocked +semaphore " ps &&
	expect_grep " sleeper-10 +" ps && expect_grep " producer-0 +" ps && expect_grep " consumer-0 +" ps &&
	expect_equal "$(grep -c "^\\*" ps)" 1 &&
	$UNISCOPE ps --json --image $IMAGE $CORE >core.json &&
	python3 -c "
import json, sys
live = json.load(open(\"live.json\"))[\"threads\"]
core = json.load(open(\"core.json\"))[\"threads\"]
key = lambda t: (t[\"tid\"], t[\"name\"], t[\"state\"], t[\"switches\"])
sys.exit(0 if sorted(map(key, live)) == sorted(map(key, core)) else 1)
"
'

test_expect_success 'bt reads the core, symbolized' '
	$UNISCOPE bt --image $IMAGE $CORE all >bt &&
	expect_grep " in schedule\\+0x[0-9a-f]+ at libos/kern/sched\\.c:[0-9]+$" bt &&
	expect_grep " in sem_wait\\+0x[0-9a-f]+ at " bt &&
	expect_grep " in sleep_ns\\+0x[0-9a-f]+ at " bt &&
	$UNISCOPE bt --image $IMAGE $CORE >bt0 &&
	expect_grep "^thread [0-9]+ \"[^\"]+\" \\(running, on vCPU\\)" bt0
'

test_expect_success 'without an image: ps works (descriptor scan), bt says how to get symbols' '
	mkdir bare && cp $CORE bare/ &&
	$UNISCOPE ps bare/guest.core >ps-bare &&
	expect_grep " waiter-0 +blocked +semaphore" ps-bare &&
	$UNISCOPE bt bare/guest.core all >bt-bare 2>err &&
	expect_grep "warning: no symbols .*--image PATH or --debug-dir DIR" err &&
	expect_grep "^#0  0x[0-9a-f]{16} in \\?\\?$" bt-bare
'

test_expect_success 'next to the core, the image is found by the build-id in guest memory' '
	$UNISCOPE bt $CORE all >bt-near 2>err &&
	expect_grep "warning: the image was found by its build-id: $IMAGE" err &&
	expect_grep " in sem_wait\\+0x" bt-near
'

test_expect_success '--debug-dir finds the image by the build-id in guest memory' '
	mkdir dbg && cp $IMAGE dbg/whatever.elf &&
	$UNISCOPE bt --debug-dir dbg $CORE all >bt-dbg &&
	expect_grep " in sem_wait\\+0x" bt-dbg
'

test_expect_success 'log, heap, sym and dis read the core too' '
	$UNISCOPE log $CORE >log && expect_grep "3 waiters running" log &&
	$UNISCOPE heap --json $CORE >heap.json && expect_json heap.json "j[\"pages_total\"] > 0" &&
	$UNISCOPE sym --image $IMAGE $CORE idle_loop >sym && expect_grep "^idle_loop = 0x" sym &&
	$UNISCOPE dis --image $IMAGE $CORE idle_loop >dis && expect_grep "hlt" dis
'

test_expect_success 'a truncated core is read up to where it ends, with clear errors' '
	head -c 2000000 $CORE >short.core &&
	rc=0; $UNISCOPE ps short.core >out 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^uniscope: " err
'

test_done
