#!/bin/sh
# uniscope trace on a live session (from memory), on a recorded stream, and
# its exporters judged by babeltrace2 and a JSON parser.
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf

test_expect_success 'trace from memory: text with thread names' '
	start_session tr1 $T "run_ms=0" &&
	test_when_finished "stop_session tr1" &&
	sleep 1 &&
	$UNISCOPE trace tr1 >out &&
	expect_grep "producer-0-[0-9]+ +\[000\] +[0-9]+\.[0-9]+: sched_switch: prev=producer-0:[0-9]+ prev_state=" out &&
	expect_grep "item_produced: item=[0-9]+ queued=[0-9]+" out
'

test_expect_success 'trace -f ctf: babeltrace2 reads it with no error' '
	start_session tr2 $T "run_ms=0" &&
	test_when_finished "stop_session tr2" &&
	sleep 1 &&
	$UNISCOPE trace tr2 -f ctf -o ctf &&
	babeltrace2 ctf >bt 2>bterr &&
	expect_grep "sched_switch: \{ cpu_id = 0 \}" bt &&
	expect_grep "item_consumed" bt &&
	expect_no_grep "ERROR" bterr
'

test_expect_success 'trace -f json: parses, one track per thread with its name' '
	start_session tr3 $T "run_ms=0" &&
	test_when_finished "stop_session tr3" &&
	sleep 1 &&
	$UNISCOPE trace tr3 -f json -o t.json &&
	python3 - t.json <<-PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	ev = d["traceEvents"] if isinstance(d, dict) else d
	names = {e["args"]["name"] for e in ev if e.get("ph") == "M" and e.get("name") == "thread_name"}
	for n in ("producer-0", "producer-1", "consumer-0", "consumer-1", "sleeper-10"):
	    assert n in names, (n, names)
	assert any(e.get("ph") == "X" for e in ev), "no scheduling slices"
	PY
'

test_expect_success 'trace --json is -f json' '
	start_session tr5 $T "run_ms=0" &&
	test_when_finished "stop_session tr5" &&
	$UNISCOPE trace tr5 --json >j &&
	python3 -c "import json,sys; json.load(open(\"j\"))"
'

test_expect_success 'trace --follow prints events of a running image' '
	start_session tr4 $T "run_ms=0" &&
	test_when_finished "stop_session tr4" &&
	{ timeout -s INT 4 $UNISCOPE trace tr4 --follow >out || true; } &&
	expect_grep "sched_switch" out &&
	test $(wc -l <out) -gt 100
'

test_expect_success 'run --trace records the stream; trace decodes it with the image' '
	$UNISCOPE run --trace rec.bin --append "run_ms=1500 trace_mask=0x3" $T >/dev/null 2>err &&
	$UNISCOPE trace rec.bin --image $T >out &&
	expect_grep "sched_switch: prev=" out &&
	expect_no_grep ": lost: " out
'

# frames_in NAME: the frames session NAME's launcher has received so far.
frames_in() {
	$UNISCOPE ls --json | python3 -c "import json, sys; print([s for s in json.load(sys.stdin) if s[\"name\"] == \"$1\"][0][\"frames\"].split(\"/\")[0])"
}

test_expect_success 'without --trace the guest streams nothing over the line (the host would keep nothing)' '
	start_session tr5 $T "run_ms=0" &&
	test_when_finished "stop_session tr5" &&
	start_session tr6 $T "run_ms=0" --trace streamed.bin &&
	test_when_finished "stop_session tr6" &&
	sleep 3 &&
	a=$(frames_in tr5) && b=$(frames_in tr6) &&
	echo "frames in: without --trace $a, with $b" &&
	test $b -gt 100 && test $a -lt 30 &&
	$UNISCOPE trace tr5 >mem.out && expect_grep "sched_switch: prev=" mem.out
'

test_expect_success 'trace: bad format and missing -o are usage errors' '
	rc=0; $UNISCOPE trace x -f xml 2>err || rc=$? &&
	expect_equal $rc 2 && expect_grep "text, ctf or json" err &&
	rc=0; $UNISCOPE trace x -f ctf 2>err || rc=$? &&
	expect_equal $rc 2
'

test_done
