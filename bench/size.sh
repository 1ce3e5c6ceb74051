#!/bin/sh
# Image size of hello per debug profile, stripped (target: sealed <= 64 KiB).
set -eu
out=${1:-build/bench-size}
for profile in off sealed full; do
	make -s DEBUG=$profile BUILD=$out/$profile $out/$profile/examples/hello.elf >/dev/null
	strip -o $out/hello-$profile.stripped $out/$profile/examples/hello.elf
	size=$(stat -c %s $out/hello-$profile.stripped)
	printf 'hello, DEBUG=%-6s stripped: %6d bytes (%d KiB)\n' $profile $size $(((size + 1023) / 1024))
done
