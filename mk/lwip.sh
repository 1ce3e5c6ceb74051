#!/bin/sh
# mk/lwip.sh BUILD OUT CC CFLAGS: the TCP/IP stack, lwIP, from Debian's
# `lwip` source package (fetched once into BUILD/src, never committed),
# compiled as the libOS is (freestanding, its libc's headers, no SSE) with
# the libOS's configuration (libos/net/lwipopts.h, libos/net/arch/), into
# one relocatable object OUT whose only global symbols are those the libOS
# calls (libos/net/lwip.keep): lwIP's internals cannot collide with the
# libOS's names (it has a mem_init too). lwIP's headers are copied to
# BUILD/lwip/include for the libOS's glue code.
set -eu
build=$1 out=$2 cc=$3 cflags=$4
here=$(cd "$(dirname "$0")/.." && pwd)
tree=$(sh "$here/mk/source-package.sh" lwip "$build/src")
src=$tree/src
obj=$build/lwip/obj
rm -rf "$obj" "$build/lwip/include" && mkdir -p "$obj" "$build/lwip"
cp -R "$src/include" "$build/lwip/include"

files="core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c
core/netif.c core/pbuf.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c
core/timeouts.c core/udp.c
core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c
core/ipv4/ip4_frag.c
core/ipv6/ethip6.c core/ipv6/icmp6.c core/ipv6/inet6.c core/ipv6/ip6.c core/ipv6/ip6_addr.c
core/ipv6/ip6_frag.c core/ipv6/mld6.c core/ipv6/nd6.c
api/api_lib.c api/api_msg.c api/err.c api/netbuf.c api/tcpip.c
netif/ethernet.c"

echo "   LWIP    $out (from $(basename "$tree"))"
# Two compilers at a time: the machine has two cores.
echo "$files" | tr ' ' '\n' | grep -v '^$' | xargs -P 2 -I{} sh -c '
	f={}; o='"$obj"'/$(echo "$f" | tr / _ | sed "s/\.c$/.o/")
	'"$cc"' '"$cflags"' -fmacro-prefix-map='"$src"'/=lwip/ -I'"$src"'/include -I'"$here"'/libos/net -c -o "$o" '"$src"'/"$f" ||
		{ echo "uniscope: compiling lwIP ($f) failed" >&2; exit 255; }'
ld -r -o "$obj/lwip-all.o" "$obj"/*_*.o
grep -v '^#' "$here/libos/net/lwip.keep" | grep -v '^$' >"$obj/keep"
objcopy --keep-global-symbols="$obj/keep" "$obj/lwip-all.o" "$out.tmp"
mv "$out.tmp" "$out"
