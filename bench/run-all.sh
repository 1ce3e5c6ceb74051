#!/bin/sh
# make bench: every benchmark in bench/ (each bench/NAME.sh but lib.sh and
# this one), one after another, and the table
# of their figures in BUILD/bench/results.md (the figures of bench/README.md
# and README.md come from it). Each script's summary lines become rows, with
# the 1-minute load average before and after it and the number of other
# QEMU processes running meanwhile, since on a shared machine the load moves
# wall-clock figures more than any change does; the header says when, on
# what and at which commit.
#
# Usage: bench/run-all.sh [BUILD] [OUT]
#	BENCH_ONLY="boot size"   run only these scripts
#	BENCH_SKIP="xen"         leave these out (xen.sh boots the nested Xen
#	                         rig and runs `xl dump-core`: ~10 minutes)
#	BENCH_DIR, BENCH_SCRIPTS where the scripts are and which (default: all
#	                         of them; the test of this driver, t0300, gives its own)
# Each script is run as `sh bench/NAME.sh BUILD` (size.sh: BUILD/bench-size).
# Rows come from a script's standard output; the whole of it and its
# stderr are kept in BUILD/bench/NAME.log. Exits 1 when a script failed (its
# row says so).
set -u
BUILD=${1:-build}
OUT=${2:-$BUILD/bench/results.md}
DIR=${BENCH_DIR:-bench}
# Every script in bench/ but the shared ones, xen.sh (the slowest) last.
all_scripts() {
	for f in "$DIR"/*.sh; do
		n=$(basename "$f" .sh)
		case $n in lib | run-all | xen) ;; *) echo "$n" ;; esac
	done
	[ -f "$DIR/xen.sh" ] && echo xen
}
SCRIPTS=${BENCH_SCRIPTS:-$(all_scripts)}
LOGS=$BUILD/bench
mkdir -p "$LOGS"
# The scripts call make themselves (size.sh); not as part of this make.
unset MAKEFLAGS MFLAGS MAKELEVEL

selected() {
	case " ${BENCH_SKIP:-} " in *" $1 "*) return 1 ;; esac
	[ -z "${BENCH_ONLY:-}" ] && return 0
	case " $BENCH_ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

args_for() {
	case $1 in
	size) echo "$BUILD/bench-size" ;;
	*) echo "$BUILD" ;;
	esac
}

load1() { cut -d' ' -f1 /proc/loadavg; }
other_qemus() { pgrep -c -x qemu-system-x86 || true; }
version_of() { "$@" 2>/dev/null | head -1; }

header() {
	echo "# uniscope benchmarks"
	echo
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`make bench\` (bench/run-all.sh), at commit" \
	     "$(git describe --always --dirty 2>/dev/null || echo unknown)."
	echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)," \
	     "$(grep -q -E 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && echo 'KVM available' || echo 'no KVM: TCG')), Linux $(uname -r);" \
	     "$(version_of qemu-system-x86_64 --version); $(version_of gdb --version)."
	echo
	echo "| script | figure | load avg (1 min) before / after | other QEMUs before / after | seconds |"
	echo "|---|---|---|---|---|"
}

# run_one NAME: runs bench/NAME.sh, appends its rows to $OUT.
run_one() {
	log=$LOGS/$1.log
	load_before=$(load1) qemus_before=$(other_qemus) start=$(date +%s)
	echo "bench: $1.sh ($(date -u +%H:%M:%S))" >&2
	sh "$DIR/$1.sh" $(args_for "$1") >"$LOGS/$1.out" 2>"$LOGS/$1.err"
	rc=$?
	cat "$LOGS/$1.out" "$LOGS/$1.err" >"$log"
	load_after=$(load1) qemus_after=$(other_qemus) secs=$(($(date +%s) - start))
	context="$load_before / $load_after | $qemus_before / $qemus_after | $secs"
	if [ $rc != 0 ]; then
		echo "| $1.sh | FAILED (exit $rc): see $log | $context |" >>"$OUT"
		tail -5 "$log" | sed 's/^/bench:   /' >&2
		return 1
	fi
	# Its summary lines (standard output; progress and errors go to stderr);
	# a | would break the table.
	grep -v -e '^$' "$LOGS/$1.out" | sed -e 's/|/\\|/g' |
		while IFS= read -r line; do
			echo "| $1.sh | $line | $context |"
		done >>"$OUT"
}

header >"$OUT"
status=0
for s in $SCRIPTS; do
	selected "$s" || continue
	run_one "$s" || status=1
done
echo "bench: figures in $OUT" >&2
exit $status
