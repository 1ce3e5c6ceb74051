#!/bin/sh
# mk/manpage.sh UNISCOPE TEMPLATE: uniscope(1) on stdout. The COMMANDS
# section is what `UNISCOPE CMD --help` prints for every command `UNISCOPE
# --help` lists (the table in cli/main.c), each as a subsection, so the man
# page cannot drift from the help. @DATE@ and @VERSION@ are filled in too.
set -eu
U=$1
TEMPLATE=$2

# roff-escapes help text: backslashes, then a leading dot or quote, hyphens.
roff_escape() {
	sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'
}

commands() {
	for cmd in $("$U" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
		echo ".SS $cmd"
		echo ".nf"
		"$U" "$cmd" --help | sed '/^TARGET := /d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' | roff_escape
		echo ".fi"
	done
}

version=$("$U" --version | sed 's/^uniscope //')
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
commands >"${TMPDIR:-/tmp}/uniscope-man.$$"
sed -e "s/@DATE@/$date/" -e "s/@VERSION@/$version/" "$TEMPLATE" |
	sed -e "/^@COMMANDS@\$/{r ${TMPDIR:-/tmp}/uniscope-man.$$" -e 'd}'
rm -f "${TMPDIR:-/tmp}/uniscope-man.$$"
