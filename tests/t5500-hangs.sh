#!/bin/sh
# Hangs are a first-class crash: ps and report name what each blocked thread
# waits on (by symbol) and who holds it; report of a guest that has not
# died finds the deadlock (each thread, what it holds, what it waits for,
# its backtrace), threads blocked for long and a thread keeping the CPU; a
# report that cannot read the panic record says it cannot tell and fails;
# the heap names a double free and a corrupted block header.
. "$(dirname "$0")/lib.sh"

CRASH=$EXAMPLES/crash.elf
SRC=$ROOT/examples/crash/main.c

line() {
	grep -n -F -- "$1" "$SRC" | head -1 | cut -d: -f1
}

# wait_deadlock NAME: until both workers are blocked on a mutex.
wait_deadlock() {
	for _i in $(seq 100); do
		$UNISCOPE ps "$1" >ps.out 2>&1 &&
			[ "$(grep -E -c ' worker-[ab] +blocked +mutex ' ps.out)" = 2 ] && return 0
		sleep 0.2
	done
	cat ps.out
	return 1
}

test_expect_success 'a deadlocking guest starts' '
	start_session dl $CRASH deadlock &&
	introspect_wait_console dl "opposite orders" &&
	wait_deadlock dl
'

test_expect_success 'ps names each wait object by symbol and its owner' '
	$UNISCOPE ps dl >ps &&
	cat ps &&
	a=$(awk "\$2 == \"worker-a\" {print \$1}" ps) && b=$(awk "\$2 == \"worker-b\" {print \$1}" ps) &&
	expect_grep " worker-a +blocked +mutex .* queue\\+32 held by $b \"worker-b\"$" ps &&
	expect_grep " worker-b +blocked +mutex .* store_lock held by $a \"worker-a\"$" ps &&
	expect_grep " crasher +blocked +join .* thread $a \"worker-a\"$" ps &&
	$UNISCOPE ps --json dl >ps.json &&
	expect_json ps.json "[(t[\"wait_object_name\"], t[\"owner\"][\"name\"]) for t in j[\"threads\"] if t[\"name\"] == \"worker-b\"] == [(\"store_lock\", \"worker-a\")]" &&
	expect_json ps.json "all(t[\"owner\"] is None for t in j[\"threads\"] if t[\"state\"] != \"blocked\")"
'

test_expect_success 'report finds the deadlock: who holds what, who waits for what, backtraces' '
	$UNISCOPE report dl >report &&
	cat report &&
	expect_grep "^deadlock: 2 threads wait for each other" report &&
	expect_grep "^    thread [0-9]+ \"worker-a\" holds store_lock, waits for queue\\+32 held by [0-9]+ \"worker-b\", blocked" report &&
	expect_grep "^    thread [0-9]+ \"worker-b\" holds queue\\+32, waits for store_lock held by [0-9]+ \"worker-a\", blocked" report &&
	expect_grep "^      #[0-9]+ +0x[0-9a-f]+ in worker_a\\+0x[0-9a-f]+ at examples/crash/main.c:$(line "worker-a waits here")$" report &&
	expect_grep "^      #[0-9]+ +0x[0-9a-f]+ in worker_b\\+0x[0-9a-f]+ at examples/crash/main.c:$(line "worker-b waits here")$" report &&
	expect_grep "^      #[0-9]+ +0x[0-9a-f]+ in mutex_lock\\+" report
'

# main_ring_turned_over SESSION: until the oldest sched_switch in the ring is younger
# than the mutex_contended events (the main ring has overwritten everything of then).
main_ring_turned_over() {
	for _i in $(seq 150); do
		$UNISCOPE trace "$1" >trace &&
		awk '/ mutex_contended: / { m = $3 } / sched_switch: / && !s { s = $3 }
		     END { exit !(m != "" && s != "" && s + 0 > m + 0) }' trace && return 0
		sleep 0.2
	done
	tail -5 trace
	return 1
}

test_expect_success 'the evidence ring keeps the contention after the main ring turned over' '
	start_session small $CRASH "deadlock trace_ring=4096" &&
	introspect_wait_console small "opposite orders" &&
	wait_deadlock small &&
	main_ring_turned_over small &&
	expect_equal "$(grep -c " mutex_contended: " trace)" 2 &&
	expect_grep " thread_create: tid=worker-a:[0-9]+ name=worker-a" trace &&
	expect_grep " timer: " trace &&
	$UNISCOPE report small >report &&
	expect_grep "^rare events kept \\(the evidence ring\\), last [0-9]+:" report &&
	expect_grep "^  worker-a-[0-9]+ +\\[000\\] .*mutex_contended: mutex=0x[0-9a-f]+ owner=worker-b" report
'

test_expect_success 'report --json: the cycle, and threads blocked past --stuck' '
	sleep 1.2 &&
	$UNISCOPE report --json --stuck 1000 dl >r.json &&
	expect_json r.json "not j[\"crashed\"] and j[\"undecided\"] is None and len(j[\"hangs\"][\"deadlocks\"]) == 1" &&
	expect_json r.json "sorted((m[\"name\"], m[\"holds\"], m[\"waits_for\"]) for m in j[\"hangs\"][\"deadlocks\"][0]) == [(\"worker-a\", \"store_lock\", \"queue+32\"), (\"worker-b\", \"queue+32\", \"store_lock\")]" &&
	expect_json r.json "any(f[\"function\"] == \"worker_a\" for m in j[\"hangs\"][\"deadlocks\"][0] for f in m[\"frames\"])" &&
	expect_json r.json "sorted(t[\"name\"] for t in j[\"hangs\"][\"blocked\"]) == [\"crasher\", \"main\"] and all(t[\"for_ns\"] >= 10**9 for t in j[\"hangs\"][\"blocked\"])" &&
	expect_json r.json "j[\"hangs\"][\"cpu_hog\"] is None"
'

test_expect_success 'a spinning guest: report names the thread that keeps the CPU, live and in a core' '
	start_session spin $CRASH spin &&
	introspect_wait_console spin "crash: spinning" &&
	$UNISCOPE report spin >report &&
	cat report | head -12 &&
	expect_grep "^thread [0-9]+ \"crasher\" kept the CPU [0-9.]+% of the time the report watched" report &&
	expect_grep "^  CPU: thread [0-9]+ \"crasher\" had (9[0-9]|100)\\.[0-9]% of it over the 0\\.[0-9]+ s the report let it run" report &&
	expect_grep "^      #[0-9]+ +0x[0-9a-f]+ in crash_spin\\+0x[0-9a-f]+ at examples/crash/main.c:$(line "spins++;")$" report &&
	$UNISCOPE report --json --cpu-window 200 spin >r.json &&
	expect_json r.json "j[\"hangs\"][\"cpu_hog\"][\"name\"] == \"crasher\" and j[\"hangs\"][\"cpu_hog\"][\"cpu_permille\"] >= 900 and j[\"hangs\"][\"deadlocks\"] == []" &&
	$UNISCOPE core spin -o spin.core >/dev/null &&
	$UNISCOPE report --image $CRASH spin.core >core.report &&
	expect_grep "^thread [0-9]+ \"crasher\" kept the CPU [0-9.]+% of the time since boot \\(the guest was alive when the core was taken\\)" core.report
'

test_expect_success 'pthread mutexes: futex waits named by symbol and offset, reported as blocked' '
	start_session pd $CRASH pdeadlock &&
	introspect_wait_console pd "pstore_lock and pqueue_lock" &&
	for i in $(seq 100); do
		$UNISCOPE ps pd >ps && [ "$(grep -c " futex " ps)" -ge 2 ] && break
		sleep 0.2
	done &&
	cat ps &&
	expect_grep " blocked +futex .* pstore_lock\+4$" ps &&
	expect_grep " blocked +futex .* pqueue_lock\+4$" ps &&
	sleep 1.2 &&
	$UNISCOPE report --stuck 1000 pd >report &&
	expect_grep "^    [0-9]+ \"crasher\" \(futex pstore_lock\+4\), blocked" report
'

test_expect_success 'a guest that is only idle: no deadlock, nothing stuck' '
	start_session calm $EXAMPLES/threads.elf "run_ms=0 threads=1" &&
	introspect_wait_console calm "1 waiters running" &&
	$UNISCOPE report --stuck 3600000 calm >report &&
	expect_grep "^no crash: the guest is alive; no deadlock, nothing stuck" report &&
	expect_grep "^  no deadlock \\(no wait-for cycle\\)" report
'

test_expect_success 'a live guest with a corrupt descriptor: report cannot tell, says why, exits 1' '
	start_session broken $CRASH spin &&
	introspect_wait_console broken "crash: spinning" &&
	guest_poke broken $CRASH uniscope_info 0 $(printf "%0128d" 0) &&
	rc=0; $UNISCOPE report broken >report 2>err || rc=$? &&
	cat report err &&
	expect_equal $rc 1 &&
	expect_grep "^cannot tell whether the guest crashed: .*descriptor" report &&
	expect_grep "^uniscope: report: cannot tell whether broken crashed: .*descriptor" err &&
	expect_no_grep "^no crash" report &&
	rc=0; $UNISCOPE report --json broken >r.json 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_json r.json "j[\"undecided\"] and not j[\"crashed\"] and j[\"hangs\"] is None"
'

test_expect_success 'a core whose panic record is out of reach: report cannot tell, exits 1' '
	$UNISCOPE core calm -o calm.core >/dev/null &&
	python3 -c "
import sys
data = bytearray(open(sys.argv[1], \"rb\").read())
magic = b\"UNISCOPE\"
at = data.find(magic)
while at >= 0:
    data[at:at + 8] = bytes(8)
    at = data.find(magic, at + 8)
open(sys.argv[2], \"wb\").write(bytes(data))
" calm.core damaged.core &&
	rc=0; $UNISCOPE report --image $EXAMPLES/threads.elf damaged.core >report 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^cannot tell whether the guest crashed" report &&
	expect_grep "^uniscope: report: cannot tell whether damaged.core crashed" err
'

# heap_case MODE MESSAGE-REGEX: the crash example's heap misuse, reported by run and report.
heap_case() {
	test_expect_success "malloc names $1" "
		mkdir $1 && cd $1 &&
		rc=0 && timeout 120 \$UNISCOPE run --core-on-crash --append $1 \$CRASH >out 2>err || rc=\$? &&
		expect_equal \$rc 125 &&
		expect_grep '\\*\\*\\* uniscope: panic in thread [0-9]+ .crasher.: $2' out &&
		expect_grep '^panic: $2.* in [a-z_]+ at libos/kern/malloc.c:[0-9]+ \\(thread [0-9]+ .crasher.\\)' crash.report &&
		expect_grep ' in crash_$1\\+0x[0-9a-f]+ at examples/crash/main.c:[0-9]+' crash.report
	"
}

test_expect_success 'without symbols, the panic caller still comes from the panic record' '
	mkdir nosym && cd nosym &&
	rc=0 && timeout 120 $UNISCOPE run --core-on-crash --append panic $CRASH >out 2>err || rc=$? &&
	expect_equal $rc 125 &&
	cp $CRASH ../elsewhere.elf &&
	$UNISCOPE report --json crash.core >r.json 2>/dev/null &&
	pc=$(python3 -c "import json; print(json.load(open(\"r.json\"))[\"where\"][\"pc\"])") &&
	gdb -batch -nx -ex "info symbol $pc - 1" ../elsewhere.elf >sym &&
	cat sym &&
	expect_grep "^crash_panic \+ [0-9]+ in section .text" sym
'

heap_case doublejoin "double free of 0x[0-9a-f]+ \\(free of a block already freed\\)"
heap_case underrun "heap block header corrupted at 0x[0-9a-f]+ \\(free of 0x[0-9a-f]+: magic"

test_done
