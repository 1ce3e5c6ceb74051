#!/bin/sh
# Ordinary C programs on musl, built with uniscope-cc: each syscall group
# of the libOS's Linux ABI, bad arguments included (tests/images/posix).
. "$(dirname "$0")/lib.sh"

POSIX=$BUILD/tests/images/posix.elf

# posix_mode MODE [MORE-APPEND]: runs the image under plain QEMU with argv[1] = MODE.
posix_mode() {
	run_qemu microvm $POSIX "$*" out
}

test_expect_success 'libc: stdio to stdout and stderr, %f, sscanf, strtok, rand, time' '
	posix_mode libc &&
	expect_grep "^libc: to stderr" out &&
	expect_grep "^libc: 3.142 1.000000e-05 2.5$" out &&
	expect_grep "^libc: sscanf 12 34 5.5$" out &&
	expect_grep "^libc: strtok 3 tokens$" out &&
	expect_grep "^libc: time after 2020$" out &&
	expect_equal $guest_status 0
'

test_expect_success 'threads: pthreads, mutexes, __thread, join, a timed wait that times out, sem_t' '
	posix_mode threads &&
	expect_grep "^threads: total 8000 \\(expected 8000\\), tls sum 38, main tls 7$" out &&
	expect_grep "^threads: timedwait timed out$" out &&
	expect_grep "^threads: sem empty$" out &&
	expect_equal $guest_status 0
'

test_expect_success 'memory: mmap, mremap, munmap, brk; no executable memory after sealing' '
	posix_mode memory &&
	expect_grep "^memory: mmap/mremap ok$" out &&
	expect_grep "^memory: mprotect exec EACCES$" out &&
	expect_grep "not supported by the libOS: executable memory after sealing" out &&
	expect_grep "^memory: munmap 0$" out &&
	expect_grep "^memory: brk grew$" out &&
	expect_equal $guest_status 0
'

test_expect_success 'time: nanosleep sleeps, the wall clock comes from the host' '
	posix_mode time &&
	expect_grep "^time: slept at least 20 ms$" out &&
	expect_grep "^time: year $(date +%Y)$" out &&
	expect_grep "^time: setitimer disarm 0, old 0.000000$" out &&
	expect_grep "^time: setitimer arm ENOSYS$" out &&
	expect_grep "not supported by the libOS: setitimer arming a timer" out
'

test_expect_success 'bad pointers give EFAULT, never a libOS fault' '
	posix_mode badptr &&
	expect_grep "^badptr: 40 of 40 calls gave EFAULT$" out &&
	expect_equal $guest_status 0
'

test_expect_success 'an unsupported syscall returns ENOSYS and says so once, by name' '
	posix_mode enosys &&
	expect_grep "^enosys: fork -1 ENOSYS$" out &&
	expect_equal "$(grep -c "not supported by the libOS: syscall fork, which returns -ENOSYS" out)" 1
'

test_expect_success 'argv: the words after the libOS options; env= sets the environment' '
	posix_mode "trace_mask=0x7 env=GREETING=hello%20there env one two" &&
	expect_grep "^env: argv\\[0\\]=app$" out &&
	expect_grep "^env: argv\\[1\\]=env$" out &&
	expect_grep "^env: argv\\[2\\]=one$" out &&
	expect_grep "^env: GREETING=hello there$" out &&
	expect_no_grep "argv\\[[0-9]\\]=trace_mask" out &&
	expect_grep "^env: uname Linux x86_64, pid 1$" out
'

test_expect_success 'abort() is a panic that names SIGABRT' '
	posix_mode abort &&
	expect_grep "panic in thread [0-9]+ .main.: signal SIGABRT \\(6\\)" out &&
	expect_equal $guest_status 125
'

test_expect_success 'the unsupported report is a trace event too' '
	objdump -s -j .uniscope_trace_meta $POSIX >meta &&
	grep -q "sys_unsuppo" meta && grep -q "sys_enter" meta
'

test_expect_success 'uniscope run --rootfs DIR: files from a read-only root file system' '
	mkdir -p root/etc root/data &&
	printf "first line\nsecond line\n" >root/etc/motd &&
	ln -s ../etc/motd root/data/link &&
	$UNISCOPE run --rootfs root --append "files /data/link" $POSIX </dev/null >run.out 2>&1 &&
	expect_grep "^files: line first line" run.out &&
	expect_grep "^files: line second line" run.out &&
	expect_grep "^files: size 23 regular 1$" run.out &&
	expect_grep "^files: / has 2 entries$" run.out &&
	expect_grep "^files: write EROFS$" run.out &&
	expect_grep "^files: missing ENOENT$" run.out
'

test_expect_success 'uniscope-cc --rootfs DIR embeds the root file system in the sealed image' '
	mkdir -p emb/etc && echo embedded >emb/etc/motd &&
	$BUILD/uniscope-cc --rootfs emb -o embedded.elf $BUILD/guest/tests/images/posix/*.o &&
	run_qemu microvm embedded.elf "files" out &&
	expect_grep "^files: line embedded" out
'

test_expect_success 'uniscope run --env sets the environment; standard input is the program stdin' '
	$UNISCOPE run --env "GREETING=hi there" --append "env a" $POSIX </dev/null >run.out 2>&1 &&
	expect_grep "^env: GREETING=hi there$" run.out &&
	printf "one\ntwo\n" | $UNISCOPE run --append stdin $POSIX >run.out 2>&1 &&
	expect_grep "^stdin: 1: one$" run.out &&
	expect_grep "^stdin: 2: two$" run.out &&
	expect_grep "^stdin: end after 2 lines$" run.out
'

test_expect_success 'binary output reaches uniscope run whole (chan=wait: the program starts framed)' '
	$UNISCOPE run --append binary $POSIX </dev/null >bin.out 2>run.err &&
	python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 2)" >bin.expected &&
	cmp bin.out bin.expected &&
	expect_grep " 0 dropped in" run.err
'

test_expect_success 'AVX state survives preemption and syscalls (XSAVE; uniscope run uses -cpu max)' '
	$UNISCOPE run --append avx $POSIX </dev/null >run.out 2>&1 &&
	expect_grep "^avx: xcr0 0x7$" run.out &&
	expect_grep "^avx: 3 threads x [0-9]+ rounds, ymm state intact$" run.out
'

test_expect_success 'without XSAVE (plain QEMU: qemu64) FXSAVE keeps x87/SSE' '
	posix_mode avx &&
	expect_grep "^avx: not available" out &&
	expect_equal $guest_status 0 &&
	posix_mode libc &&
	expect_grep "^libc: 3.142 1.000000e-05 2.5$" out
'

test_expect_success 'uniscope trace is an strace: every syscall with its arguments and result' '
	$UNISCOPE run --trace trace.bin --append threads $POSIX </dev/null >run.out 2>&1 &&
	$UNISCOPE trace trace.bin --image $POSIX >trace.txt &&
	expect_grep "sys_enter: clone\(0x7d0f00, " trace.txt &&
	expect_grep "sys_exit: futex = -110 errno=110" trace.txt &&
	expect_grep "sys_exit: writev = [0-9]+ errno=0" trace.txt &&
	$UNISCOPE trace trace.bin --image $POSIX -f ctf -o ctf &&
	babeltrace2 ctf >ctf.txt &&
	expect_grep "sys_enter: .*nr = \\( \"clone\" : container = 56 \\)" ctf.txt &&
	$UNISCOPE trace trace.bin --image $POSIX -f json -o trace.json &&
	expect_grep "\"nr\":\"futex\"" trace.json
'

test_done
