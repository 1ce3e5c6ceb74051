#!/bin/sh
# mk/source-package.sh PACKAGE DIR: fetch a Debian source package into DIR
# (once: a later call finds it there) with a private apt configuration made
# from the machine's own first Debian stanza, Types: deb turned into
# deb-src. Nothing outside DIR changes. Prints the unpacked source tree.
set -eu
pkg=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
found() { find "$dir" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | sort | tail -1; }
tree=$(found)
if [ -n "$tree" ]; then
	echo "$tree"
	exit 0
fi
apt_dir=$dir/.apt
mkdir -p "$apt_dir/lists/partial"
src=/etc/apt/sources.list.d/debian.sources
if [ ! -f "$src" ]; then
	echo "uniscope: no $src to take a Debian mirror from (fetch the '$pkg' source package into $dir by hand)" >&2
	exit 1
fi
awk 'NF==0{exit} {print}' "$src" | sed 's/^Types: deb$/Types: deb-src/' >"$apt_dir/src.sources"
A="-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts=$apt_dir -o Dir::State::Lists=$apt_dir/lists"
A="$A -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
if ! apt-get $A update -q >"$apt_dir/update.log" 2>&1; then
	echo "uniscope: apt-get update for source packages failed (see $apt_dir/update.log; is the network up?)" >&2
	exit 1
fi
if ! (cd "$dir" && apt-get $A source -q "$pkg" >"$apt_dir/source-$pkg.log" 2>&1); then
	echo "uniscope: apt-get source $pkg failed (see $apt_dir/source-$pkg.log)" >&2
	exit 1
fi
tree=$(found)
[ -n "$tree" ] || { echo "uniscope: apt-get source $pkg left no $pkg-* tree in $dir" >&2; exit 1; }
echo "$tree"
