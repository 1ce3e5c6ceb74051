#!/bin/sh
# Console throughput: N bytes of text printed by the guest, (a) as plain
# serial text under QEMU (-serial file:), (b) framed through the channel under
# `uniscope run`. Same image, same run; prints bytes/s and the ratio.
set -eu
BUILD=${1:-build}
BYTES=${2:-2000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_RUNTIME_DIR"

elapsed_us() { start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N); echo $(((end - start) / 1000)); }

raw=$(elapsed_us qemu-system-x86_64 -machine microvm -m 128M -display none -no-reboot \
	-serial file:$tmp/raw.txt -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel $BUILD/examples/hello.elf -append "bytes=$BYTES")
framed=$(elapsed_us $BUILD/uniscope run --accel tcg --append "bytes=$BYTES" $BUILD/examples/hello.elf)
base=$(elapsed_us $BUILD/uniscope run --accel tcg $BUILD/examples/hello.elf)
raw_base=$(elapsed_us qemu-system-x86_64 -machine microvm -m 128M -display none -no-reboot \
	-serial file:$tmp/raw0.txt -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $BUILD/examples/hello.elf)
awk -v b="$BYTES" -v r="$raw" -v f="$framed" -v rb="$raw_base" -v fb="$base" 'BEGIN {
	rr = b / ((r - rb) / 1e6); fr = b / ((f - fb) / 1e6);
	printf "console %d bytes: raw serial %.0f KB/s, framed channel %.0f KB/s, ratio framed/raw %.2f\n",
		b, rr / 1000, fr / 1000, fr / rr }'
