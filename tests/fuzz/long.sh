#!/bin/sh
# make fuzz-long: every libFuzzer target, one after the other (never two
# at once), under nice, to RUNS executions each (default 10 million), from
# its seed corpus. The corpus grows in BUILD/fuzz-corpus/NAME (kept between
# runs, never committed); tests/fuzz/corpus/NAME holds the small committed
# seeds and regressions, and a target that can build a seed of its own
# (UNISCOPE_FUZZ_SEED_DIR: a real core, a valid stream) writes it to
# BUILD/fuzz-seeds/NAME first. Each target's log ends in a line
#	NAME: N executions in S s, cov C, ft F, corpus K; findings: none | ARTIFACTS
# which tests/fuzz/README.md records. Findings (crash-*, leak-*, timeout-*)
# go to BUILD/fuzz-long/.
# FUZZ_LONG_SECONDS=S caps each target's time too (a partial run: its line
# says how far it got).
# Usage: tests/fuzz/long.sh BUILD [RUNS] [NAME...]
set -u
BUILD=${1:?usage: long.sh BUILD [RUNS] [NAME...]}
RUNS=${2:-10000000}
shift $(($# < 2 ? $# : 2))
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$BUILD/fuzz-long
mkdir -p "$OUT"
# Fastest first (tests/fuzz/README.md's rates), so that a run cut short has
# finished as many targets as it could; targets not listed go last.
FASTEST_FIRST="fuzz-sockarg fuzz-recording fuzz-xencons-ring fuzz-virtio-rx fuzz-trace-file
	fuzz-trace fuzz-session fuzz-net fuzz-chan fuzz-session-meta fuzz-gdbstub fuzz-core fuzz-ctl
	fuzz-host-clients fuzz-gdbbridge fuzz-gdbmaps fuzz-introspect fuzz-core-e2e"
all_targets() {
	built=$(cd "$BUILD/fuzz" && ls fuzz-*)
	for name in $FASTEST_FIRST; do
		echo "$built" | grep -qx "$name" && echo "$name"
	done
	for name in $built; do
		echo "$FASTEST_FIRST" | tr -s ' \t' '\n\n' | grep -qx "$name" || echo "$name"
	done
}
names=${*:-$(all_targets)}
status=0
for name in $names; do
	fuzzer=$BUILD/fuzz/$name
	[ -x "$fuzzer" ] || { echo "$name: not built (make fuzz)"; status=1; continue; }
	corpus=$BUILD/fuzz-corpus/$name seeds=$BUILD/fuzz-seeds/$name
	mkdir -p "$corpus" "$seeds"
	committed=$ROOT/tests/fuzz/corpus/$name
	[ -d "$committed" ] || committed=
	start=$(date +%s)
	UNISCOPE_FUZZ_SEED_DIR=$seeds nice -n 19 "$fuzzer" -runs="$RUNS" ${FUZZ_LONG_SECONDS:+-max_total_time=$FUZZ_LONG_SECONDS} \
		-timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/$name-" "$corpus" "$seeds" $committed \
		>"$OUT/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$OUT/$name.log")
	last=$(grep -E '^#[0-9]+' "$OUT/$name.log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	files=$(ls "$corpus" | wc -l)
	findings=$(ls "$OUT" | grep -E "^$name-(crash|leak|timeout|oom)-" | tr '\n' ' ')
	[ $rc = 0 ] || status=1
	echo "$name: ${execs:-?} executions in $secs s, cov ${cov:-?}, ft ${ft:-?}, corpus $files; findings: ${findings:-none}" |
		tee -a "$OUT/summary"
done
exit $status
