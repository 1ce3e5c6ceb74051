#!/bin/sh
# The trace ring read straight from guest memory, with no help from the
# guest: the threads example runs under QEMU with its RAM in a file, and
# tests/tracer/trace-mem decodes the ring from that file, live while the
# guest runs and after it has exited, then exports text, JSON and CTF
# (read back by babeltrace2).
. "$(dirname "$0")/lib.sh"

IMAGE=$EXAMPLES/threads.elf
RAM=$TRASH/ram

# run_shared APPEND: boots threads with its RAM in $RAM; sets guest_status.
run_shared() {
	rm -f "$RAM"
	rc=0
	timeout 120 qemu-system-x86_64 -m 128M -display none -no-reboot \
		-object memory-backend-file,id=mem,size=128M,mem-path="$RAM",share=on \
		-machine microvm,memory-backend=mem -serial file:out \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$IMAGE" -append "$1" \
		</dev/null >/dev/null 2>qemu.err || rc=$?
	guest_status=$(((rc - 1) / 2))
	echo "guest exit status: $guest_status"
}

info_addr() {
	nm "$IMAGE" | awk '$3 == "uniscope_info" { print $1 }'
}

test_expect_success 'the trace helper builds against libuniscope' '
	cc -std=c11 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o trace-mem "$ROOT/tests/tracer/trace-mem.c" \
		"$BUILD/host/libuniscope.a" $(pkg-config --libs libelf libdw jansson capstone) -lm
'

test_expect_success 'the flight recorder of a running guest decodes from its RAM' '
	rm -f "$RAM" &&
	{ qemu-system-x86_64 -m 128M -display none -no-reboot \
		-object memory-backend-file,id=mem,size=128M,mem-path="$RAM",share=on \
		-machine microvm,memory-backend=mem -serial file:out \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$IMAGE" \
		</dev/null >/dev/null 2>qemu.err & } &&
	qemu=$! &&
	sleep 1 &&
	{ ./trace-mem "$RAM" "$IMAGE" "$(info_addr)" text >trace.txt 2>counts; rc=$?; } &&
	kill $qemu && wait $qemu 2>/dev/null || : &&
	expect_equal $rc 0 &&
	expect_grep "sched_switch: prev=" trace.txt &&
	expect_grep "producer-[01]-[0-9]+ +\[000\] .*item_produced: item=[0-9]+ queued=" trace.txt &&
	expect_grep "consumer-[01]-[0-9]+ +\[000\] .*item_consumed: item=" trace.txt &&
	expect_grep "^records [1-9][0-9]+ lost [0-9]+" counts
'

test_expect_success 'the JSON has a track per thread' '
	./trace-mem "$RAM" "$IMAGE" "$(info_addr)" json >trace.json 2>/dev/null &&
	python3 -c "
import json, sys
d = json.load(open(\"trace.json\"))
names = {e[\"args\"][\"name\"] for e in d[\"traceEvents\"] if e.get(\"name\") == \"thread_name\"}
need = {\"main\", \"producer-0\", \"producer-1\", \"consumer-0\", \"consumer-1\", \"idle\"}
slices = [e for e in d[\"traceEvents\"] if e[\"ph\"] == \"X\"]
sys.exit(0 if need <= names and slices else 1)
"
'

if babeltrace2 --version >/dev/null 2>&1; then
	test_expect_success 'babeltrace2 reads the CTF export without error' '
		./trace-mem "$RAM" "$IMAGE" "$(info_addr)" ctf ctf 2>/dev/null &&
		babeltrace2 ctf >bt.out 2>bt.err &&
		expect_grep "item_produced: .*item = [0-9]+" bt.out &&
		expect_grep "sched_switch: " bt.out &&
		expect_no_grep "ERROR" bt.err
	'
else
	test_skip 'babeltrace2 reads the CTF export' 'babeltrace2 is not installed'
fi

# Only item_produced (bit 32) records: kept + lost must equal what the guest says it produced.
for mode in overwrite discard; do
	test_expect_success "a forced overflow ($mode mode) loses exactly what is missing" "
		run_shared 'run_ms=300 trace_ring=4096 trace_mask=0x100000000 trace_mode=$mode' &&
		expect_equal \$guest_status 0 &&
		./trace-mem \"\$RAM\" \"\$IMAGE\" \"\$(info_addr)\" text >trace.txt 2>counts &&
		produced=\$(sed -n 's/.*produced \\([0-9]*\\) consumed.*/\\1/p' out) &&
		records=\$(awk '{ print \$2 }' counts) && lost=\$(awk '{ print \$4 }' counts) &&
		echo \"produced \$produced records \$records lost \$lost\" &&
		test \$lost -gt 0 && expect_equal \$((records + lost)) \$produced
	"
done

test_done
