#!/bin/sh
# Every crash mode faults with the right report and a non-zero exit status;
# the sealing violations (write to text, execute data) fault.
. "$(dirname "$0")/lib.sh"

expect_crash() {
	mode=$1 report=$2
	test_expect_success "crash $mode: $report" "
		run_qemu microvm $EXAMPLES/crash.elf $mode out &&
		expect_grep \"crash: mode $mode\" out &&
		expect_grep \"$report\" out &&
		expect_no_grep 'survived' out &&
		expect_equal \$guest_status 125
	"
}

expect_crash null "fault in thread [0-9]+ 'crasher': page fault: write to an unmapped page at 0 \\(null pointer\\)"
expect_crash div0 "fault in thread [0-9]+ 'crasher': divide error"
expect_crash ud "fault in thread [0-9]+ 'crasher': invalid opcode"
expect_crash stack "page fault: .* \\(stack overflow\\)"
expect_crash assert "assertion failed in thread [0-9]+ 'crasher': answer == 42 \\(in crash_assert\\)"
expect_crash text "page fault: write to a read-only page at 0x[0-9a-f]+ \\(sealed text\\)"
expect_crash data "page fault: execute of a non-executable page"
expect_crash panic "panic in thread [0-9]+ 'crasher': crash example: deliberate panic \\(7\\)"

test_expect_success 'a fault report shows vector, error code, cr2 and all registers' '
	run_qemu microvm $EXAMPLES/crash.elf null out &&
	expect_grep "vector 14 error code 0x2 cr2 0 rip 0x[0-9a-f]+" out &&
	for r in rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip rflags cr0 cr2 cr3 cr4; do
		expect_grep " $r +[0-9a-f]+" out || exit 1
	done
'

test_expect_success 'the assert report names the file and line' '
	run_qemu q35 $EXAMPLES/crash.elf assert out &&
	line=$(grep -n "assert(answer == 42)" $ROOT/examples/crash/main.c | cut -d: -f1) &&
	expect_grep "at examples/crash/main.c:$line" out
'

test_expect_success 'the sealed text really is the text: the faulting address is a function' '
	run_qemu microvm $EXAMPLES/crash.elf text out &&
	addr=$(sed -n "s/.*write to a read-only page at 0x\([0-9a-f]*\).*/\1/p" out) &&
	nm $EXAMPLES/crash.elf | grep -i "^0*$addr t crash_null"
'

test_done
