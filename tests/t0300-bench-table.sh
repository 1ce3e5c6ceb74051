#!/bin/sh
# make bench's driver (bench/run-all.sh), on two small benchmarks of the
# test's own: every summary line a script prints becomes a row of the
# table with the load it ran under, a failing script is a FAILED row and a
# failing run, and the header says when, on what and at which commit.
. "$(dirname "$0")/lib.sh"

test_expect_success 'each line a benchmark prints is a row, with its load; a failure says so' '
	mkdir b &&
	printf "echo \"widget: 12.5 ms, ratio 1.07 (target <= 1.10)\"\necho\necho \"pipes a|b\"\necho progress >&2\n" >b/good.sh &&
	printf "echo half-way\nexit 3\n" >b/bad.sh &&
	rc=0; (cd $ROOT && BENCH_DIR=$TRASH/b BENCH_SCRIPTS="good bad" sh bench/run-all.sh $TRASH/build $TRASH/table.md) 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^Measured [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]+ UTC by .make bench." table.md &&
	expect_grep "^Machine: [0-9]+ CPUs" table.md &&
	expect_grep "^\| script \| figure \| load avg \(1 min\) before / after \| other QEMUs before / after \| seconds \|$" table.md &&
	expect_grep "^\| good.sh \| widget: 12.5 ms, ratio 1.07 \(target <= 1.10\) \| [0-9.]+ / [0-9.]+ \| [0-9]+ / [0-9]+ \| [0-9]+ \|$" table.md &&
	expect_grep "^\| good.sh \| pipes a\\\\\|b \|" table.md &&
	test $(grep -c "^| good.sh " table.md) = 2 && expect_no_grep progress table.md &&
	expect_grep "^progress" $TRASH/build/bench/good.log &&
	expect_grep "^\| bad.sh \| FAILED \(exit 3\): see $TRASH/build/bench/bad.log \|" table.md &&
	expect_grep "half-way" $TRASH/build/bench/bad.log &&
	expect_grep "^bench:   half-way" err
'

test_expect_success 'BENCH_ONLY and BENCH_SKIP choose the scripts' '
	(cd $ROOT && BENCH_DIR=$TRASH/b BENCH_SCRIPTS="good bad" BENCH_SKIP=bad sh bench/run-all.sh $TRASH/build $TRASH/t2.md) 2>/dev/null &&
	expect_no_grep "bad.sh" t2.md &&
	(cd $ROOT && BENCH_DIR=$TRASH/b BENCH_SCRIPTS="good bad" BENCH_ONLY=good sh bench/run-all.sh $TRASH/build $TRASH/t3.md) 2>/dev/null &&
	expect_grep "^\| good.sh " t3.md && expect_no_grep "bad.sh" t3.md
'

test_expect_success 'by default every script of the folder runs, xen.sh last, lib.sh and run-all.sh not' '
	mkdir d &&
	for n in zeta xen alpha lib run-all; do echo "echo figure of $n" >d/$n.sh; done &&
	(cd $ROOT && BENCH_DIR=$TRASH/d sh bench/run-all.sh $TRASH/build $TRASH/t4.md) 2>/dev/null &&
	grep -o "^| [a-z-]*\.sh" t4.md | tr -d "| " | tr "\n" " " >order &&
	expect_equal "$(cat order)" "alpha.sh zeta.sh xen.sh "
'

test_done
