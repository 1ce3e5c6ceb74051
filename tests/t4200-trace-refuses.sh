#!/bin/sh
# uniscope trace never turns what is not a trace into a successful empty
# one: random bytes, zeros, an empty file, a text file and a stream of an
# unknown version are refused (exit 1, saying what the file is not); damage
# in a real stream is decoded around and counted on stderr; a file named
# like a session does not hide the session.
. "$(dirname "$0")/lib.sh"

THREADS=$EXAMPLES/threads.elf

test_expect_success 'a recorded stream decodes, with nothing skipped' '
	timeout 120 $UNISCOPE run --trace good.bin --append run_ms=500 $THREADS >/dev/null 2>&1 &&
	$UNISCOPE trace --image $THREADS good.bin >out 2>err &&
	expect_grep "sched_switch" out &&
	test ! -s err
'

# refused FILE REGEX: trace FILE exits 1, says REGEX, prints no events.
refused() {
	rc=0; $UNISCOPE trace "$1" >out 2>err || rc=$?
	cat err
	expect_equal $rc 1 && expect_grep "$2" err && test ! -s out
}

test_expect_success 'what is not a stream is refused' '
	head -c 100000 /dev/urandom >random &&
	head -c 100000 /dev/zero >zeros &&
	: >empty &&
	cp /etc/passwd passwd &&
	refused random "^uniscope: random: trace: not a uniscope trace stream" &&
	refused zeros "^uniscope: zeros: trace: not a uniscope trace stream" &&
	refused empty "^uniscope: empty: trace: empty: not a uniscope trace stream" &&
	refused passwd "^uniscope: passwd: trace: not a uniscope trace stream" &&
	head -c 40 good.bin >short &&
	refused short "^uniscope: short: trace: 40 bytes is too short"
'

test_expect_success 'a stream of another version is refused' '
	python3 -c "
import sys
d = bytearray(open(\"good.bin\", \"rb\").read())
d[16:20] = (99).to_bytes(4, \"little\")
open(\"v99.bin\", \"wb\").write(bytes(d))
" &&
	refused v99.bin "^uniscope: v99.bin: trace: stream version 99, this uniscope reads version [0-9]+$"
'

test_expect_success 'damage and a truncated end are decoded around and counted on stderr' '
	python3 -c "
d = bytearray(open(\"good.bin\", \"rb\").read())
d[4000:4200] = b\"\\xff\" * 200
open(\"damaged.bin\", \"wb\").write(bytes(d[:-3]))
" &&
	$UNISCOPE trace --image $THREADS damaged.bin >out 2>err &&
	cat err &&
	expect_grep "sched_switch" out &&
	expect_grep "^uniscope: warning: damaged.bin: [0-9]+ records decoded; [0-9]+ corrupt records rejected, [0-9]+ bytes skipped to resynchronise, [0-9]+ bytes of a truncated record at the end$" err
'

test_expect_success 'a stream where nothing decodes fails' '
	head -c 64 good.bin >header-only &&
	refused header-only "^uniscope: trace: header-only: nothing decodes"
'

test_expect_success 'a file named like a session does not hide the session' '
	start_session tr $THREADS "run_ms=0" &&
	cp good.bin tr &&
	rc=0; $UNISCOPE trace tr >out 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^uniscope: .tr. is both a file here and a session: say ./tr for the file, or qemu:SESSION-DIR for the session" err &&
	rc=0; $UNISCOPE ps tr >out 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "is both a file here and a session" err &&
	$UNISCOPE trace --image $THREADS ./tr >out &&
	expect_grep "sched_switch" out &&
	$UNISCOPE trace qemu:$SESSION_DIR >out &&
	expect_grep "sched_switch" out
'

test_done
