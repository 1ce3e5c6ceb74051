# Shared by the benchmarks that time host tools on a running `threads` guest.
#
#	. "$(dirname "$0")/lib.sh"
#	start_threads_session NAME MEM THREADS
#
# Needs UNISCOPE and BUILD. Sets tmp (removed on exit, with the session
# stopped) and XDG_RUNTIME_DIR, starts threads.elf as session NAME with
# THREADS waiters and returns once they all run.
start_threads_session() {
	tmp=$(mktemp -d)
	export XDG_RUNTIME_DIR=$tmp/run
	mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
	bench_session=$1
	trap '"$UNISCOPE" stop $bench_session >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
	cp "$BUILD/examples/threads.elf" "$tmp/threads.elf"
	"$UNISCOPE" run --detach --name "$1" --mem "$2" --append "run_ms=0 threads=$3" \
		"$tmp/threads.elf" >/dev/null 2>"$tmp/run.log"
	tries=600
	until grep -q "$3 waiters running" "$XDG_RUNTIME_DIR/uniscope/$1/console.log" 2>/dev/null; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || { echo "the guest did not start its threads" >&2; exit 1; }
		sleep 0.1
	done
}

# fetch_kernel: Debian's kernel, once (the package linux-image-amd64
# depends on, fetched with apt-get download into $OUT/debs unless the Xen
# rig has it), unpacked to $OUT/vmlinuz; its .deb in KERNEL_DEB (for its
# modules). Needs OUT, say and die (bench/vm.sh, bench/net.sh).
kernel_deb() {
	for d in "$OUT/debs" "$BUILD/xen-rig/debs"; do
		deb=$(ls "$d"/linux-image-[0-9]*-amd64_*.deb 2>/dev/null | head -1)
		[ -n "$deb" ] && break
	done
	return 0
}
fetch_kernel() {
	mkdir -p "$OUT/debs"
	kernel_deb
	KERNEL_DEB=$deb
	[ -f "$OUT/vmlinuz" ] && [ -n "$deb" ] && return 0
	if [ -z "$deb" ]; then
		say "downloading Debian's kernel (apt-get download, once)"
		(cd "$OUT/debs" && apt-get download -q linux-image-amd64 >/dev/null 2>&1) ||
			die "apt-get download linux-image-amd64 failed (apt-get update?)"
		pkg=$(dpkg-deb -f "$OUT"/debs/linux-image-amd64_*.deb Depends | tr ',' '\n' |
			sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -1)
		(cd "$OUT/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
		deb=$(ls "$OUT"/debs/linux-image-[0-9]*-amd64_*.deb | head -1)
	fi
	rm -rf "$OUT/kernel" && mkdir -p "$OUT/kernel"
	dpkg-deb --fsys-tarfile "$deb" | (cd "$OUT/kernel" && tar -x --wildcards './boot/vmlinuz-*')
	cp "$OUT"/kernel/boot/vmlinuz-* "$OUT/vmlinuz"
	basename "$deb" >"$OUT/kernel.version"
	KERNEL_DEB=$deb
}
