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
