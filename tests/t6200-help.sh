#!/bin/sh
# The command's own documentation: every command's --help has a usage line
# that lists every option its text documents; `make install` installs
# uniscope(1), which `man uniscope` shows with every command.
. "$(dirname "$0")/lib.sh"

$UNISCOPE --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' >commands

test_expect_success 'uniscope --help lists the commands, each with its --help' '
	test $(wc -l <commands) -ge 18 &&
	for c in run ls stop wait rm gdb ps bt log trace top report core gdbserver; do
		grep -qx $c commands || { echo "$c missing from uniscope --help"; exit 1; }
	done &&
	while read c; do
		$UNISCOPE $c --help >help.$c || { echo "$c --help failed"; exit 1; }
		expect_grep "^usage: uniscope $c( |$)" help.$c || exit 1
		$UNISCOPE help $c >help2.$c && cmp help.$c help2.$c || exit 1
	done <commands
'

# The usage: its first line to the first blank one. The documented options:
# lines of the text that start with an option (the first of its spellings).
test_expect_success 'every option a command documents is in its usage line' '
	while read c; do
		awk "NR == 1, /^\$/" help.$c >usage.$c
		awk "NR > 1 && /^ +-/ { sub(/,\$/, \"\", \$1); print \$1 }" help.$c >options.$c
		while read o; do
			grep -q -e "$o\\b" usage.$c || { echo "uniscope $c: $o is documented but not in:"; cat usage.$c; exit 1; }
		done <options.$c
	done <commands
'

test_expect_success 'the check above finds an option missing from a usage line' '
	printf "usage: uniscope x [--a]\n\nsummary\n\n  --a   one\n  --b   two\n" >help.x &&
	awk "NR == 1, /^\$/" help.x >usage.x &&
	awk "NR > 1 && /^ +-/ { sub(/,\$/, \"\", \$1); print \$1 }" help.x >options.x &&
	expect_equal "$(cat options.x | tr "\n" " ")" "--a --b " &&
	! grep -q -e "--b\\b" usage.x
'

# The Makefile's DEBUG for this build tree, so install rebuilds nothing.
profile=$(sed -n "s/.*-DUNISCOPE_DEBUG_\([A-Z]*\)=1.*/\1/p" "$BUILD/guest/.flags" 2>/dev/null | tr A-Z a-z)

# make install builds the SDK of every profile (minutes): what it does about
# the manual is its install-man part, which is run here for real.
test_expect_success 'make install puts uniscope(1) where man finds it, with every command' '
	expect_grep "^install: .*install-man" $ROOT/Makefile &&
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C $ROOT BUILD=$BUILD DEBUG=${profile:-sealed} \
		DESTDIR=$TRASH/inst PREFIX=/usr install-man >install.log 2>&1 || { cat install.log; exit 1; } &&
	expect_equal "$(stat -c %a $TRASH/inst/usr/share/man/man1/uniscope.1)" 644 &&
	MANPATH=$TRASH/inst/usr/share/man MANWIDTH=100 man uniscope >man.txt 2>man.err &&
	test ! -s man.err &&
	expect_grep "^NAME" man.txt && expect_grep "uniscope - debug, trace and inspect unikernels" man.txt &&
	while read c; do
		expect_grep "^   $c\$" man.txt || exit 1
		expect_grep "usage: uniscope $c( |\$)" man.txt || exit 1
	done <commands &&
	expect_grep "uniscope ls --all" man.txt
'

test_expect_success 'the man page is clean roff' '
	groff -man -ww -z $BUILD/uniscope.1 2>groff.err && test ! -s groff.err
'

test_done
