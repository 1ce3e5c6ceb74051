#!/bin/sh
# tests/xen/dom0-tests.sh — the dom0 half of tests/xen/t8000-xen.sh, run by
# `tests/xen/rig.sh run` inside the rig's dom0 (busybox sh).
#
# Booting the rig is the expensive part, so one boot runs every check here;
# each leaves /share/NAME.out (stdout and stderr) and /share/NAME.rc (exit
# status) for the host-side TAP file to judge. Checks never stop the script:
# a failing one is recorded and the next runs.
#
# Then two live-GDB phases: `uniscope run --platform xen --gdb` serves the
# in-guest stub on dom0's port 1234, which the rig forwards to the host;
# /share/PHASE-ready says it is up (or why not), and the host writes
# /share/PHASE-done when its GDB tests are over.
#
# /share/threads.map and /share/crash.map (nm -n of the images) are written
# by the host, for xenctx's symbols.
U=/uniscope/uniscope
EX=/uniscope/examples
S=/share

say() { echo "dom0-tests: $*"; }

# check NAME SECONDS CMD...: CMD in its own directory /share/NAME.d with a
# time limit (SIGTERM, then SIGKILL 10 s later for a command that ignores
# it); output to NAME.out, status to NAME.rc.
check() {
	name=$1 secs=$2
	shift 2
	mkdir -p "$S/$name.d"
	(cd "$S/$name.d" && exec timeout -k 10 "$secs" "$@") >"$S/$name.out" 2>&1 </dev/null
	echo $? >"$S/$name.rc"
	say "$name: status $(cat "$S/$name.rc")"
}

# xl_config NAME IMAGE CMDLINE: an xl config for a PVH domU kept when it crashes.
xl_config() {
	cat >"/tmp/$1.cfg" <<EOF
name = "$1"
type = "pvh"
kernel = "$2"
cmdline = "$3"
memory = 64
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "preserve"
EOF
}

# domain_state NAME: the state column of `xl list NAME` (r, b, p, s, c, d).
domain_state() {
	xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'
}

# wait_state NAME LETTER SECONDS: until NAME's state holds LETTER.
wait_state() {
	n=$(($3 * 10))
	while [ $n -gt 0 ]; do
		case $(domain_state "$1") in *"$2"*) return 0 ;; esac
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# destroy_leftovers: every domU still there (a check that failed or timed
# out) is destroyed, so that the next checks start clean.
destroy_leftovers() {
	for d in $(xl list | awk 'NR > 2 { print $1 }'); do
		say "destroying leftover domain $d"
		xl destroy "$d" 2>/dev/null
	done
}

# --- uniscope run --platform xen ---------------------------------------------

run_checks() {
	check run-hello 60 $U run --platform xen $EX/hello.elf
	check run-hello-after 20 xl list
	check run-threads 60 $U run --platform xen --append "run_ms=1500 threads=3" $EX/threads.elf
	check run-crash 90 $U run --platform xen --core-on-crash --append null $EX/crash.elf
	check run-crash-after 20 xl list
	destroy_leftovers
}

# --- introspection of a live domain, created with plain xl -------------------

live_checks() {
	xl_config live $EX/threads.elf "run_ms=0 threads=2"
	check live-create 30 xl create /tmp/live.cfg
	# Let every thread start and block somewhere.
	sleep 3
	domid=$(xl domid live 2>/dev/null)
	echo "$domid" >$S/live.domid
	check live-ls 30 $U ls
	check live-ps-name 30 $U ps xen:live
	check live-ps-domid 30 $U ps xen:$domid
	check live-ps-json 30 $U ps --json xen:live
	check live-bt 30 $U bt --image $EX/threads.elf xen:live all
	check live-log 30 $U log --image $EX/threads.elf xen:live
	check live-report 30 $U report --image $EX/threads.elf xen:live
	check live-core 60 $U core --image $EX/threads.elf xen:live -o $S/live.core
	check live-xenctx 30 xenctx -s $S/threads.map "$domid" 0
	check live-trace 30 $U trace --image $EX/threads.elf xen:live
	# The terminal UI, on a tmux terminal of its own, as a person sees it.
	check live-top 40 env TERM=xterm LC_ALL=C.UTF-8 sh -c "tmux new-session -d -s top -x 120 -y 40 \
		'$U top --image $EX/threads.elf xen:live' && sleep 5 && tmux capture-pane -p -t top; \
		tmux kill-server"
	gdbserver_phase
	check live-state-after 20 xl list live
	destroy_leftovers
}

# gdbserver_phase: `uniscope gdbserver xen:live` (host introspection, no
# stub involved) on port 1234 for the host's GDB, until gdbserver-done.
gdbserver_phase() {
	# The host's GDB reaches dom0 through QEMU's port forward, from 10.0.2.2:
	# beyond loopback, so the listener must be asked for explicitly.
	$U gdbserver --image $EX/threads.elf --listen tcp:0.0.0.0:1234 --allow-remote --keep xen:live \
		>$S/gdbserver-run.out 2>&1 </dev/null &
	pid=$!
	if wait_gdb_ready $pid gdbserver; then
		echo ready >$S/gdbserver-ready
	else
		echo "failed: uniscope gdbserver did not listen on port 1234" >$S/gdbserver-ready
	fi
	say "gdbserver phase: $(cat $S/gdbserver-ready)"
	n=3000
	while [ ! -e $S/gdbserver-done ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill $pid 2>/dev/null
	sleep 0.5
	kill -KILL $pid 2>/dev/null
}

# --- a crashed domain, kept by on_crash="preserve" ---------------------------

crashed_checks() {
	xl_config crashed $EX/crash.elf null
	check crashed-create 30 xl create /tmp/crashed.cfg
	wait_state crashed c 30
	check crashed-state 20 xl list crashed
	check crashed-ps 30 $U ps xen:crashed
	check crashed-bt 30 $U bt --image $EX/crash.elf xen:crashed
	check crashed-report 30 $U report --image $EX/crash.elf xen:crashed
	check crashed-core 60 $U core --image $EX/crash.elf xen:crashed -o $S/crashed.core
	destroy_leftovers
}

# --- live GDB from the host ----------------------------------------------------

# wait_gdb_ready PID PHASE [PATTERN]: the port is up (busybox netstat lists
# it) and, when given, PATTERN is in the image's console text (which `run`
# prints); false when the launcher died first.
wait_gdb_ready() {
	n=600
	while [ $n -gt 0 ]; do
		netstat -ltn 2>/dev/null | grep -q ':1234 ' &&
			{ [ -z "${3:-}" ] || grep -q "$3" $S/$2-run.out; } && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# gdb_phase PHASE IMAGE APPEND [PATTERN]: `run --gdb` serves IMAGE's stub on
# port 1234 (output in PHASE-run.out); PHASE-ready tells the host when to
# start, and the host's PHASE-done ends it (or 300 s). Then the launcher is
# interrupted and whether it was still up, and what xl lists after, recorded.
gdb_phase() {
	$U run --platform xen --name $1 --gdb tcp:0.0.0.0:1234 --gdb-allow-remote --append "$3" \
		$2 >$S/$1-run.out 2>&1 </dev/null &
	pid=$!
	if wait_gdb_ready $pid $1 "${4:-}"; then
		echo ready >$S/$1-ready
	else
		echo "failed: uniscope run --gdb did not listen on port 1234${4:+ with '$4' on the console}" >$S/$1-ready
	fi
	say "$1 phase: $(cat $S/$1-ready)"
	n=3000
	while [ ! -e $S/$1-done ] && [ $n -gt 0 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	check $1-run-alive 5 kill -0 $pid
	kill -INT $pid 2>/dev/null
	n=100
	while kill -0 $pid 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -KILL $pid 2>/dev/null
	check $1-after 20 xl list
	destroy_leftovers
}

echo started >$S/dom0-started
check xl-info 30 xl info
run_checks
live_checks
crashed_checks
# threads.elf once its threads run; crash.elf waiting for GDB at boot.
gdb_phase gdb $EX/threads.elf run_ms=0 'waiters running'
gdb_phase gdbwait $EX/crash.elf 'null gdb=wait'
check final-xl-list 20 xl list
destroy_leftovers
say "done"
