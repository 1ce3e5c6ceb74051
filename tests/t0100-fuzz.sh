#!/bin/sh
# Every parser's libFuzzer target runs briefly (FUZZ_SECONDS each, default
# 10) from its seed corpus (tests/fuzz/corpus/NAME, regressions included),
# if it has one: no crash, no leak, no hang.
. "$(dirname "$0")/lib.sh"

found=0
for fuzzer in "$BUILD"/fuzz/fuzz-*; do
	[ -x "$fuzzer" ] || continue
	found=1
	name=$(basename "$fuzzer")
	seeds=$ROOT/tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	test_expect_success "$name runs ${FUZZ_SECONDS:-10} s without a finding" "
		mkdir -p corpus-$name &&
		$fuzzer -max_total_time=${FUZZ_SECONDS:-10} -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$TRASH/ corpus-$name $seeds >log-$name 2>&1 ||
			{ tail -40 log-$name; exit 1; }
	"
done
[ $found = 1 ] || test_skip "fuzzers" "none built: make fuzz needs clang and libclang-rt-14-dev"
test_done
