#!/bin/sh
# Sessions are their owner's alone. The session root is refused when
# another user made it, when it is open to others or when it is a symlink
# (another local user pre-creates it 0777 and plants a fake session, as
# ssh-agent and tmux guard against); and every file a session or a crash
# writes (the guest's RAM, QEMU's sockets, meta, stats, the console log,
# status, cores and reports) is 0600 in a 0700 directory.
. "$(dirname "$0")/lib.sh"

OTHER=uniscope-other

if [ "$(id -u)" != 0 ]; then
	test_skip "another local user against the session root" "needs root to add a second user (useradd)"
else
	# The user stays: concurrent runs of this script may share it.
	id -u $OTHER >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $OTHER ||
		id -u $OTHER >/dev/null 2>&1 || { echo "Bail out! cannot add user $OTHER"; exit 1; }
	as_other() {
		setpriv --reuid=$OTHER --regid=$OTHER --clear-groups -- "$@"
	}
	# A world-writable directory, as /tmp is, where the victim's root will be.
	chmod 711 $TRASH && mkdir -m 1777 $TRASH/shared
	V=$TRASH/shared/uniscope
	# The fake session's "launcher": a process of the other user's.
	as_other sleep 600 </dev/null >/dev/null 2>&1 &
	decoy=$!
	trap 'kill $decoy 2>/dev/null; stop_all_sessions' EXIT

	test_expect_success 'another user pre-creates the root 0777 and plants a fake session' '
		as_other mkdir -m 777 $V && as_other mkdir -m 777 $V/fake &&
		as_other sh -c "printf \"name=fake\\npid=$decoy\\nimage=/bin/true\\naccel=tcg\\n\" >$V/fake/meta" &&
		expect_equal "$(stat -c %U $V)" $OTHER
	'

	test_expect_success 'ls, stop, ps and run refuse a root that belongs to another user' '
		export XDG_RUNTIME_DIR=$TRASH/shared &&
		rc=0; $UNISCOPE ls >out 2>err || rc=$? &&
		expect_equal $rc 1 && expect_no_grep fake out &&
		expect_grep "^uniscope: the session directory .$V. belongs to uid [0-9]+, not to you \(uid 0\): refusing to use it" err &&
		rc=0; $UNISCOPE stop fake 2>err || rc=$? &&
		expect_equal $rc 1 && expect_grep "belongs to uid" err &&
		kill -0 $decoy &&
		rc=0; $UNISCOPE ps fake 2>err || rc=$? &&
		expect_equal $rc 1 && expect_grep "belongs to uid" err &&
		rc=0; $UNISCOPE run --detach --name mine --append run_ms=0 $EXAMPLES/threads.elf >out 2>err || rc=$? &&
		expect_equal $rc 1 && expect_grep "belongs to uid" err &&
		test ! -e $V/mine && ! pgrep -f "$V/mine" >/dev/null
	'

	test_expect_success 'a root of ours that is open to others is refused too' '
		rm -rf $V && mkdir -m 777 $V && chmod 777 $V &&
		export XDG_RUNTIME_DIR=$TRASH/shared &&
		rc=0; $UNISCOPE ls >out 2>err || rc=$? &&
		expect_equal $rc 1 &&
		expect_grep "the session directory .$V. is open to others \(mode 0777\): refusing" err
	'

	test_expect_success 'a root that is a symlink (to a directory of ours, 0700) is refused' '
		rm -rf $V && as_other ln -s $TRASH/run/uniscope $V &&
		mkdir -p -m 700 $TRASH/run/uniscope &&
		export XDG_RUNTIME_DIR=$TRASH/shared &&
		rc=0; $UNISCOPE run --append run_ms=0 $EXAMPLES/hello.elf >out 2>err || rc=$? &&
		expect_equal $rc 1 &&
		expect_grep "the session directory .$V. is a symbolic link: refusing" err &&
		rm -f $V
	'
fi

# files_open_to_others DIR: prints what in DIR anyone but its owner may use.
files_open_to_others() {
	find "$1" -perm /077 -printf "%m %y %p\n"
}

test_expect_success 'a running session: nothing in it open to others (QEMU'"'"'s sockets too), the directory 0700' '
	start_session modes $EXAMPLES/threads.elf run_ms=0 --gdb unix:$TRASH/gdb-modes.sock &&
	introspect_wait_console modes "waiters running" &&
	dir=$XDG_RUNTIME_DIR/uniscope/modes &&
	ls -la $dir &&
	for f in mem qmp.sock qemu-gdb.sock gdb.sock ctl.sock serial.in serial.out meta stats console.log qemu.log; do
		test -e $dir/$f || { echo "no $f"; exit 1; }
	done &&
	expect_equal "$(stat -c %a $dir)" 700 &&
	files_open_to_others $dir >open && test ! -s open &&
	expect_equal "$(stat -c %a $dir/mem) $(stat -c %a $dir/meta) $(stat -c %a $dir/stats)" "600 600 600" &&
	expect_equal "$(stat -c %A $dir/qmp.sock) $(stat -c %A $dir/qemu-gdb.sock)" "srwx------ srwx------" &&
	expect_equal "$(stat -c %a $TRASH/gdb-modes.sock)" 600 &&
	$UNISCOPE stop modes
'

test_expect_success 'a crash of a detached session: status, core and report 0600' '
	start_session crashed $EXAMPLES/crash.elf null --core-on-crash &&
	rc=0; $UNISCOPE wait crashed 2>/dev/null || rc=$? && expect_equal $rc 125 &&
	dir=$XDG_RUNTIME_DIR/uniscope/crashed &&
	ls -la $dir &&
	for f in status core.elf report.txt; do test -s $dir/$f || { echo "no $f"; exit 1; }; done &&
	files_open_to_others $dir >open && test ! -s open
'

test_expect_success 'a foreground crash under umask 022: NAME.core, NAME.report and --trace 0600' '
	umask 022 &&
	rc=0; $UNISCOPE run --core-on-crash --name fg --trace fg.trace --append null $EXAMPLES/crash.elf >out 2>err || rc=$? &&
	expect_equal $rc 125 &&
	expect_equal "$(stat -c %a fg.core) $(stat -c %a fg.report) $(stat -c %a fg.trace)" "600 600 600"
'

test_done
