#!/bin/sh
# The Xen host side where there is no Xen: xen: targets and
# `run --platform xen` fail with a message that says why, `uniscope ls`
# says nothing about domains, and the options and help are in place. What
# needs a hypervisor is tested inside the nested rig (tests/xen/).
. "$(dirname "$0")/lib.sh"

if [ -e /dev/xen/privcmd ]; then
	test_skip 'the no-Xen paths' 'this machine is a Xen control domain'
	test_done
fi

test_expect_success 'ls lists no Xen domains off Xen, and exits 0' '
	$UNISCOPE ls >ls 2>err &&
	expect_grep "^NAME " ls &&
	expect_no_grep "DOMID|xen:" ls &&
	test ! -s err &&
	$UNISCOPE ls --json >ls.json 2>err &&
	expect_json ls.json "j == []" &&
	test ! -s err
'

test_expect_success 'xen:DOMID and xen:NAME say why they cannot be read' '
	for spec in xen:7 xen:web; do
		rc=0 && $UNISCOPE ps $spec >out 2>err || rc=$?
		expect_equal $rc 1 &&
		expect_grep "^uniscope: $spec: (cannot use the Xen control interface /dev/xen/privcmd|Xen domains are not supported in this build)" err ||
		return 1
	done
'

test_expect_success 'every introspection command takes xen: targets' '
	for cmd in "ps" "bt" "log" "report" "core -o c.core" "trace" "heap"; do
		rc=0 && $UNISCOPE $cmd xen:3 >out 2>err || rc=$?
		expect_equal $rc 1 && expect_grep "^uniscope: xen:3: " err || return 1
	done
'

test_expect_success 'run --platform xen fails cleanly off Xen and leaves no session' '
	rc=0 && $UNISCOPE run --platform xen --name t5200 "$EXAMPLES/hello.elf" >out 2>err || rc=$?
	expect_equal $rc 1 &&
	expect_grep "^uniscope: --platform xen: " err &&
	test ! -e "$XDG_RUNTIME_DIR/uniscope/t5200"
'

test_expect_success 'run checks --platform and refuses --accel under Xen' '
	rc=0 && $UNISCOPE run --platform vmware "$EXAMPLES/hello.elf" 2>err || rc=$?
	expect_equal $rc 2 && expect_grep "takes qemu or xen" err &&
	rc=0 && $UNISCOPE run --platform xen --accel kvm "$EXAMPLES/hello.elf" 2>err || rc=$?
	expect_equal $rc 2 && expect_grep "accel is for QEMU" err
'

test_expect_success 'help names the platform option and xen: targets' '
	$UNISCOPE run --help >help &&
	expect_grep "platform qemu\|xen" help &&
	expect_grep "xen:DOMID \| xen:NAME" help &&
	$UNISCOPE ls --help >help &&
	expect_grep "Xen domains" help
'

test_done
