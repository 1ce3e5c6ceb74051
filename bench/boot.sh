#!/bin/sh
# Boot benchmark: wall time from starting QEMU to the guest's exit, for
# `hello` (boots the whole libOS, prints, exits from main) against an empty
# PVH kernel that exits at its entry, on the same machine in the same run.
# Prints medians and their ratio. Usage: bench/boot.sh [BUILD] [RUNS]
set -eu
BUILD=${1:-build}
RUNS=${2:-31}
MACHINE=${MACHINE:-microvm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -c -o "$tmp/empty.o" bench/empty-pvh.S
ld -T bench/empty-pvh.ld -o "$tmp/empty.elf" "$tmp/empty.o"

boot_ms() {
	start=$(date +%s%N)
	qemu-system-x86_64 -machine "$MACHINE" -m 128M -display none -serial none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$1" </dev/null >/dev/null 2>&1 || true
	end=$(date +%s%N)
	echo $(((end - start) / 1000))
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { sort -n "$1" | head -1; }

i=0
while [ $i -lt "$RUNS" ]; do
	boot_ms "$tmp/empty.elf" >>"$tmp/empty.us"
	boot_ms "$BUILD/examples/hello.elf" >>"$tmp/hello.us"
	i=$((i + 1))
done
empty=$(median "$tmp/empty.us")
hello=$(median "$tmp/hello.us")
empty_min=$(minimum "$tmp/empty.us")
hello_min=$(minimum "$tmp/hello.us")
echo "boot ($MACHINE, TCG, $RUNS runs): empty PVH kernel median ${empty} us min ${empty_min} us;" \
	"hello to main and exit median ${hello} us min ${hello_min} us"
# The minimum is the least disturbed by other load on a shared machine.
awk -v h="$hello_min" -v e="$empty_min" -v hm="$hello" -v em="$empty" \
	'BEGIN { printf "boot ratio hello/empty: %.3f on minima, %.3f on medians (target <= 1.10)\n", h / e, hm / em }'
