#!/bin/sh
# The same program as a uniscope unikernel and as a minimal Linux VM, in
# one run on the same QEMU (microvm, TCG, default CPU): bench/peer.c built
# once with uniscope-cc and once with musl-gcc -static (the same musl),
# the latter the only file (/init) of an initramfs booted by Debian's own
# kernel (linux-image-amd64, fetched with apt-get download into
# BUILD/bench/vm/debs once). Prints, for each:
#
#   boot to main   QEMU's start to the program's "bench: main" line on the
#                  serial console (median of RUNS runs)
#   getppid        ITER getppid() calls: the host's time between the lines
#                  the program prints before and after them, per call
#                  (median; the guest's own clock is not trusted: see below)
#   image          the stripped unikernel; the kernel plus the initramfs
#   smallest -m    the least memory (MiB, bisected) with which it still runs
#
# and the ratios Linux/uniscope. Every QEMU runs under a timeout: the Linux
# guest was seen to hang past 120 s once in three runs under TCG. On a
# loaded machine Linux cannot calibrate its TSC against the PIT and hangs
# at boot; it is told the host's TSC rate (bench/tsc-hz.c; under TCG the
# guest's TSC counts at the host's) with tsc_early_khz=, as a hypervisor
# would. Its command line is otherwise console=ttyS0 quiet panic=-1.
#
#   bench/vm.sh [BUILD] [RUNS]     ITER=N sets the calls (default 1000000)
set -eu
. "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
RUNS=${2:-3}
ITER=${ITER:-1000000}
OUT=$BUILD/bench/vm
TIMEOUT=${VM_TIMEOUT:-120}
mkdir -p "$OUT/debs"
say() { echo "vm: $*" >&2; }
die() { echo "uniscope: bench/vm.sh: $*" >&2; exit 1; }

build_programs() {
	gcc -O2 -o "$OUT/tsc-hz" bench/tsc-hz.c
	TSC_KHZ=$("$OUT/tsc-hz")
	"$BUILD/uniscope-cc" -O2 -o "$OUT/peer.elf" bench/peer.c
	strip -o "$OUT/peer.stripped" "$OUT/peer.elf"
	"$BUILD/musl/bin/musl-gcc" -static -O2 -o "$OUT/init" bench/peer.c
	strip "$OUT/init"
	rm -rf "$OUT/root" && mkdir -p "$OUT/root" && cp "$OUT/init" "$OUT/root/init"
	(cd "$OUT/root" && echo init | cpio -o -H newc --quiet) | gzip -9 >"$OUT/initrd.gz"
}

# run KIND MEM: one boot; its serial output and timings in $OUT/last.
run() {
	case $1 in
	uniscope) set -- -kernel "$OUT/peer.elf" -append "-- $ITER" -m "$2" ;;
	notrace) set -- -kernel "$OUT/peer.elf" -append "trace_mask=0 -- $ITER" -m "$2" ;;
	linux) set -- -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 tsc_early_khz=$TSC_KHZ -- $ITER" -m "$2" ;;
	esac
	python3 bench/serial-time.py "$TIMEOUT" -- qemu-system-x86_64 -machine microvm \
		-display none -no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" \
		>"$OUT/last" 2>&1 || true
}
ran() { grep -q "^@[0-9.]* bench: getppid" "$OUT/last"; }
at() { sed -n "s/^@\([0-9.]*\) bench: $1.*/\1/p" "$OUT/last" | head -1; }
median() { sort -n | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "-"}'; }

# measure KIND MEM: RUNS boots; medians of boot-to-main and ns per getppid.
measure() {
	: >"$OUT/$1.boot"
	: >"$OUT/$1.call"
	: >"$OUT/$1.guestcall"
	i=0
	while [ $i -lt "$RUNS" ]; do
		run "$1" "$2"
		if ran; then
			main=$(at main) done=$(at getppid)
			echo "$main" >>"$OUT/$1.boot"
			awk -v a="$main" -v b="$done" -v n="$ITER" 'BEGIN { printf "%.1f\n", (b - a) * 1e6 / n }' \
				>>"$OUT/$1.call"
			sed -n 's/^@[0-9.]* bench: getppid [0-9]* calls \([0-9.]*\) ns.*/\1/p' "$OUT/last" \
				>>"$OUT/$1.guestcall"
		else
			say "$1 run $i did not finish ($(tail -1 "$OUT/last"))"
		fi
		i=$((i + 1))
	done
	eval "${1}_boot=\$(median <\"\$OUT/$1.boot\") ${1}_call=\$(median <\"\$OUT/$1.call\")"
	eval "${1}_guestcall=\$(median <\"\$OUT/$1.guestcall\")"
}

# smallest KIND LO HI: the least MiB in (LO, HI] it runs with; HI must run.
smallest() {
	lo=$2 hi=$3
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		run "$1" "${mid}M"
		if ran; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}

fetch_kernel
build_programs
say "kernel $(cat "$OUT/kernel.version"); $RUNS runs each, $ITER getppid calls"
measure uniscope 128M
measure notrace 128M
measure linux 128M
uniscope_mem=$(smallest uniscope 0 128)
linux_mem=$(smallest linux 8 512)
uni_size=$(stat -c %s "$OUT/peer.stripped")
linux_size=$(($(stat -c %s "$OUT/vmlinuz") + $(stat -c %s "$OUT/initrd.gz")))
printf 'vm (microvm, TCG, load %s, %s):\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%d)"
printf '  boot to main      uniscope %s ms   linux %s ms\n' "$uniscope_boot" "$linux_boot"
printf '  getppid           uniscope %s ns   linux %s ns   (guest clocks: %s, %s)\n' \
	"$uniscope_call" "$linux_call" "$uniscope_guestcall" "$linux_guestcall"
printf '  getppid, uniscope with tracing off (trace_mask=0): %s ns (guest clock: %s)\n' \
	"$notrace_call" "$notrace_guestcall"
printf '  image             uniscope %s B    linux %s B (bzImage + initramfs)\n' "$uni_size" "$linux_size"
printf '  smallest -m       uniscope %s MiB  linux %s MiB\n' "$uniscope_mem" "$linux_mem"
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (a > 0 && b > 0) printf f, b / a; else printf "-" }'; }
printf 'vm ratios linux/uniscope: boot %s, getppid %s (uniscope tracing off: %s), image %s, memory %s\n' \
	"$(ratio "$uniscope_boot" "$linux_boot" %.0f)" "$(ratio "$uniscope_call" "$linux_call" %.2f)" \
	"$(ratio "$notrace_call" "$linux_call" %.2f)" "$(ratio "$uni_size" "$linux_size" %.0f)" \
	"$(ratio "$uniscope_mem" "$linux_mem" %.0f)"
