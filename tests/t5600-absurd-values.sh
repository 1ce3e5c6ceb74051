#!/bin/sh
# Absurd values are flagged, never passed on as facts: a core truncated by
# one byte says so; heap statistics no heap can have (more free pages than
# pages) are printed as read, flagged, and the command fails.
. "$(dirname "$0")/lib.sh"

THREADS=$EXAMPLES/threads.elf

test_expect_success 'a core truncated by one byte is reported' '
	start_session c $THREADS "run_ms=0 threads=1" &&
	introspect_wait_console c "1 waiters running" &&
	$UNISCOPE core c -o c.core >/dev/null &&
	head -c -1 c.core >cut.core &&
	$UNISCOPE ps --image $THREADS c.core >ps 2>err &&
	test ! -s err &&
	$UNISCOPE ps --image $THREADS cut.core >ps 2>err &&
	cat err &&
	expect_grep "^uniscope: warning: the core is truncated: 1 bytes of memory its segments declare lie past its end" err &&
	expect_grep " waiter-0 " ps
'

test_expect_success 'heap statistics no heap can have are flagged and fail' '
	$UNISCOPE heap c >heap &&
	guest_poke c $THREADS heap_stats 8 ffffffffffffffff &&
	rc=0; $UNISCOPE heap c >heap 2>err || rc=$? &&
	cat heap err &&
	expect_equal $rc 1 &&
	expect_grep "^pages free +18446744073709551615" heap &&
	expect_grep "^uniscope: heap: c: the statistics are absurd: 18446744073709551615 pages free of [0-9]+ in total" err &&
	rc=0; $UNISCOPE heap --json c >heap.json 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_json heap.json "j[\"absurd\"].startswith(\"18446744073709551615 pages free\")"
'

test_done
