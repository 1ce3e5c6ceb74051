#!/bin/sh
# The libOS boots every example on q35 and microvm, under plain QEMU.
. "$(dirname "$0")/lib.sh"

for machine in microvm q35; do
	test_expect_success "hello prints and exits 0 on $machine" "
		run_qemu $machine $EXAMPLES/hello.elf '' out &&
		expect_grep '^Hello from uniscope!' out &&
		expect_equal \$guest_status 0
	"

	test_expect_success "threads runs producers, consumers and sleepers on $machine" "
		run_qemu $machine $EXAMPLES/threads.elf 'run_ms=1500 threads=20' out &&
		expect_grep '20 waiters running' out &&
		expect_grep 'produced ([0-9]+) consumed \\1 \\(checksums match\\)' out &&
		expect_grep 'sleeper ticks [1-9][0-9]+ [1-9][0-9]*' out &&
		expect_equal \$guest_status 0
	"
done

test_expect_success 'the image carries a PVH entry note and a GNU build-id' '
	readelf -n $EXAMPLES/hello.elf >notes &&
	expect_grep "Xen +0x00000008.*Unknown note type: \\(0x00000012\\)|Xen.*0x12|PHYS32_ENTRY" notes &&
	expect_grep "Build ID: [0-9a-f]{40}" notes
'

test_expect_success 'the command line reaches the application' '
	run_qemu microvm $EXAMPLES/crash.elf "bogus-mode" out &&
	expect_grep "unknown mode .bogus-mode." out &&
	expect_equal $guest_status 2
'

test_expect_success 'many threads fit: 1000 extra threads start and join' '
	run_qemu microvm $EXAMPLES/threads.elf "run_ms=300 threads=1000" out &&
	expect_grep "1000 waiters running" out &&
	expect_equal $guest_status 0
'

test_done
