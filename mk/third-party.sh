#!/bin/sh
# mk/third-party.sh NAME BUILD: an unmodified third-party C program from
# Debian's source package NAME (fetched once by mk/source-package.sh into
# BUILD/src), built twice from the same sources: as a uniscope image with
# BUILD/uniscope-cc, and as a static Linux program with the same musl
# (BUILD/musl/bin/musl-gcc), the peer its output is checked against.
# Objects are cached in BUILD/third-party/NAME/{guest,linux}/ (a stamp
# per side); the guest image is linked again at every call, so it always
# has the libOS of the tree. Prints that directory.
#
#   lua5.4  the interpreter: its src/*.c but luac.c compiled as upstream's
#           Makefile does (-DLUA_COMPAT_5_3 -DLUA_USE_POSIX); Debian's
#           patches make luaconf.h include lua5.4-deb-multiarch.h, which
#           debian/rules generates: we write the same one-line header.
#           Result: lua.
#   zlib    the library and its test program minigzip, by the package's
#           own ./configure --static and make, CC=the compiler. Result:
#           minigzip.
set -eu
name=$1
build=$(cd "$2" && pwd)
mk=$(cd "$(dirname "$0")" && pwd)
out=$build/third-party/$name
tree=$(sh "$mk/source-package.sh" "$name" "$build/src")

compile_lua() { # CC DIR
	mkdir -p "$2/gen" "$2/obj"
	echo '#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"' >"$2/gen/lua5.4-deb-multiarch.h"
	for c in $(cd "$tree/src" && ls *.c | grep -v '^luac\.c$'); do
		$1 -O2 -std=gnu99 -I"$2/gen" -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -c \
			-o "$2/obj/${c%.c}.o" "$tree/src/$c" || return 1
	done
}
link_lua() { $1 -o "$2/lua" "$2"/obj/*.o -lm; }

compile_zlib() { # CC DIR
	rm -rf "$2/src" && cp -R "$tree" "$2/src"
	(cd "$2/src" && CC="$1" CFLAGS=-O2 ./configure --static && make minigzip) >"$2/build.log" 2>&1 ||
		{ tail -20 "$2/build.log" >&2; return 1; }
}
link_zlib() {
	(cd "$2/src" && rm -f minigzip && make minigzip) >>"$2/build.log" 2>&1 &&
		cp "$2/src/minigzip" "$2/minigzip"
}

redis_make() { # CC DIR TARGETS...
	cc=$1 dir=$2; shift 2
	(cd "$dir/src" && make -j2 MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no CC="$cc" \
		OPTIMIZATION=-O2 "$@") >>"$dir/build.log" 2>&1 ||
		{ tail -20 "$dir/build.log" >&2; return 1; }
}
compile_redis() {
	rm -rf "$2/src" && cp -R "$tree" "$2/src"
	case $1 in
	*uniscope-cc*) redis_make "$1" "$2" redis-server ;;
	# One goal per make: two at once race to build the bundled deps
	# (redis-benchmark linked before libhdrhistogram.a existed).
	*) redis_make gcc "$2" redis-cli && redis_make gcc "$2" redis-benchmark ;;
	esac
}
link_redis() {
	case $1 in
	*uniscope-cc*)
		rm -f "$2/src/src/redis-server" && redis_make "$1" "$2" redis-server &&
			cp "$2/src/src/redis-server" "$2/redis-server" ;;
	*) cp "$2/src/src/redis-cli" "$2/src/src/redis-benchmark" "$2/" ;;
	esac
}

build_side() { # SIDE CC
	dir=$out/$1
	case $name in
	lua5.4) recipe=lua ;;
	zlib) recipe=zlib ;;
	redis) recipe=redis ;;
	*) echo "uniscope: no recipe for third-party program '$name'" >&2; exit 1 ;;
	esac
	if [ ! -f "$dir/.built" ]; then
		mkdir -p "$dir"
		echo "   BUILD   $name for $1 (once, cached in $dir)" >&2
		compile_$recipe "$2" "$dir" || { echo "uniscope: building $name for $1 failed" >&2; exit 1; }
		touch "$dir/.built"
	elif [ "$1" = linux ]; then
		return 0
	fi
	link_$recipe "$2" "$dir" || { echo "uniscope: linking $name for $1 failed" >&2; exit 1; }
}

build_side guest "$build/uniscope-cc"
build_side linux "$build/musl/bin/musl-gcc -static"
echo "$out"
