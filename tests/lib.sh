# uniscope test library: TAP output for prove, in the manner of git's t/test-lib.sh.
#
#	. "$(dirname "$0")/lib.sh"
#	test_expect_success 'what it checks' '
#		cmd1 &&
#		cmd2
#	'
#	test_done
#
# Each script runs in its own scratch directory ($TRASH), removed at the end
# unless a test failed. $ROOT is the source tree, $BUILD the build tree,
# $UNISCOPE the command under test.

# Scripts live in tests/ or in a folder below it (tests/xen/).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$ROOT/tests/lib.sh" ] || ROOT=$(cd "$ROOT/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
UNISCOPE=$BUILD/uniscope
EXAMPLES=$BUILD/examples
TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/uniscope-$TEST_NAME.XXXXXX")
export XDG_RUNTIME_DIR=$TRASH/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
test_count=0
test_failures=0

cd "$TRASH" || exit 1

say() { echo "# $*"; }

# Runs in the test's subshell, so the command goes to a file the harness reads.
test_when_finished() {
	echo "$1" >>"$TRASH/cleanup-$test_count"
}

# The next test's body, in a subshell, into its log; its status.
test_run_() {
	test_count=$((test_count + 1))
	(eval "set -e; $1") >"$TRASH/test-$test_count.log" 2>&1
}

test_show_log_() {
	sed 's/^/#   /' "$TRASH/test-$test_count.log" | tail -40
}

test_cleanup_() {
	if [ -f "$TRASH/cleanup-$test_count" ]; then
		(. "$TRASH/cleanup-$test_count") >/dev/null 2>&1
	fi
	return 0
}

test_expect_success() {
	if test_run_ "$2"; then
		echo "ok $test_count - $1"
	else
		echo "not ok $test_count - $1"
		test_show_log_
		test_failures=$((test_failures + 1))
	fi
	test_cleanup_
}

# A known breakage, as git's test_expect_failure: reported as TODO, so prove
# shows it (and says when it starts passing) without failing the suite.
test_expect_failure() {
	if test_run_ "$2"; then
		echo "ok $test_count - $1 # TODO known breakage vanished"
	else
		echo "not ok $test_count - $1 # TODO known breakage"
		test_show_log_
	fi
	test_cleanup_
}

test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count # skip $1 ($2)"
}

# No session outlives its test script, whatever happened to the cleanups.
stop_all_sessions() {
	for _dir in "$XDG_RUNTIME_DIR"/uniscope/*/; do
		[ -f "$_dir/meta" ] || continue
		$UNISCOPE stop "$(basename "$_dir")" >/dev/null 2>&1 || true
	done
}
trap stop_all_sessions EXIT

test_done() {
	stop_all_sessions
	echo "1..$test_count"
	if [ "$test_failures" = 0 ]; then
		cd / && rm -rf "$TRASH"
		exit 0
	fi
	echo "# scratch kept in $TRASH"
	exit 1
}

# grep with a readable failure: the file's tail goes to the log.
expect_grep() {
	if ! grep -E -q -- "$1" "$2"; then
		echo "expected /$1/ in $2, which has:"
		tail -30 "$2"
		return 1
	fi
}

expect_no_grep() {
	if grep -E -q -- "$1" "$2"; then
		echo "did not expect /$1/ in $2:"
		grep -E -- "$1" "$2" | head -5
		return 1
	fi
}

expect_equal() {
	if [ "$1" != "$2" ]; then
		echo "expected '$2', got '$1'"
		return 1
	fi
}

# run_qemu MACHINE IMAGE APPEND OUT: boots IMAGE under plain QEMU (no uniscope)
# and sets guest_status to the guest's exit status, decoded from isa-debug-exit.
run_qemu() {
	_append=${3:-}
	rc=0
	timeout 120 qemu-system-x86_64 -machine "$1" -m 128M -display none -no-reboot \
		-serial "file:$4" -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$2" ${_append:+-append "$_append"} </dev/null >/dev/null 2>"$4.stderr" || rc=$?
	if [ $((rc % 2)) = 1 ]; then
		guest_status=$(((rc - 1) / 2))
	else
		guest_status="qemu-$rc"
	fi
	echo "guest exit status: $guest_status"
}

# Start GDB in batch mode on a remote target; extra -ex arguments follow.
# GDB waits 2 s for a reply by default; a loaded CI machine can take longer
# to deliver the first one to a running guest.
gdb_batch() {
	_image=$1
	shift
	timeout 120 gdb -batch -nx -ex "set remotetimeout 10" "$@" "$_image" 2>&1
}

# gdb_thread_of OUT NAME: GDB's number (what `thread N` takes) for the libOS
# thread NAME, from the output of GDB's `thread find NAME` in file OUT.
gdb_thread_of() {
	sed -n "s/^Thread \([0-9]*\) has target name .$2.*/\1/p" "$1" | head -1
}

# lldb_batch IMAGE PORT [-o CMD]...: LLDB in batch mode on the stub at
# 127.0.0.1:PORT, detaching at the end.
lldb_batch() {
	_image=$1 _port=$2
	shift 2
	timeout 120 lldb -b -o "gdb-remote 127.0.0.1:$_port" "$@" -o detach "$_image" 2>&1
}

# start_session NAME IMAGE APPEND [RUN-OPTIONS...]: a detached `uniscope run`
# stopped when the test finishes; sets SESSION_DIR.
start_session() {
	_name=$1 _image=$2 _append=$3
	shift 3
	$UNISCOPE run --detach --name "$_name" --append "$_append" "$@" "$_image" >/dev/null || return 1
	SESSION_DIR=$XDG_RUNTIME_DIR/uniscope/$_name
}

stop_session() {
	$UNISCOPE stop "$1" >/dev/null 2>&1 || true
}

# process_gone PID [SECONDS]: waits until PID has exited (a zombie counts:
# its parent may be slow to reap it); fails, saying so, after SECONDS (10).
process_gone() {
	_tries=$((${2:-10} * 10))
	while [ $_tries -gt 0 ]; do
		[ -e /proc/$1/stat ] || return 0
		sed 's/.*) //' /proc/$1/stat 2>/dev/null | grep -q "^Z" && return 0
		sleep 0.1
		_tries=$((_tries - 1))
	done
	echo "process $1 is still running:"
	ps -o pid,stat,cmd -p $1
	return 1
}

# A free loopback port: the kernel picks one nobody uses (scripts run in
# parallel, so a port derived from the pid can collide). The argument, once
# an offset, is ignored.
test_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# gdbserver_start LOG ARGS...: a background `uniscope gdbserver ARGS`, up
# once it says so; its pid in GDBSERVER_PID.
gdbserver_start() {
	_log=$1
	shift
	$UNISCOPE gdbserver "$@" 2>"$_log" &
	GDBSERVER_PID=$!
	for _i in $(seq 100); do
		grep -q "listening on" "$_log" && return 0
		sleep 0.1
	done
	cat "$_log"
	return 1
}

# build_profile PROFILE FILE...: make FILE in the guest profile PROFILE
# (full, off), built under $BUILD/PROFILE; one build of a profile at a time,
# whichever scripts ask for it (they share its musl and objects). The
# Makefile names a build tree inside the source tree relatively, so FILE
# goes to it relative too (make knows no rule for the absolute name).
build_profile() {
	_profile=$1
	shift
	_files=
	for _f; do _files="$_files ${_f#"$ROOT"/}"; done
	mkdir -p "$BUILD/$_profile" &&
	flock "$BUILD/$_profile/.build-lock" \
		make -s -C "$ROOT" DEBUG="$_profile" BUILD="$BUILD/$_profile" $_files >/dev/null
}

# --- introspection (t5xxx) ---

# introspect_wait_console NAME REGEX [SECONDS]: waits until session NAME's
# console log matches REGEX (the guest is up to that point).
introspect_wait_console() {
	_log=$XDG_RUNTIME_DIR/uniscope/$1/console.log
	_tries=$((${3:-60} * 10))
	while [ $_tries -gt 0 ]; do
		grep -E -q -- "$2" "$_log" 2>/dev/null && return 0
		sleep 0.1
		_tries=$((_tries - 1))
	done
	echo "timed out waiting for /$2/ in $_log:"
	tail -5 "$_log" 2>/dev/null
	return 1
}

# introspect_qmp NAME JSON: sends one QMP command to session NAME's QEMU and
# prints the reply (events skipped); fails on a QMP error.
introspect_qmp() {
	qmp_command "$XDG_RUNTIME_DIR/uniscope/$1/qmp.sock" "$2"
}

# qmp_command SOCKET JSON: the same for the QEMU whose QMP socket is SOCKET.
qmp_command() {
	python3 - "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(120)
s.connect(sys.argv[1])
f = s.makefile("rwb")
f.readline()
for cmd in ('{"execute":"qmp_capabilities"}', sys.argv[2]):
    f.write(cmd.encode() + b"\n")
    f.flush()
    while True:
        reply = json.loads(f.readline())
        if "event" not in reply:
            break
print(json.dumps(reply))
sys.exit(1 if "error" in reply else 0)
PY
}

# guest_poke SESSION IMAGE SYMBOL OFFSET HEX: writes the bytes HEX (e.g.
# ffffffffffffffff) at SYMBOL+OFFSET of session SESSION's live guest, through
# its shared RAM file (the libOS identity-maps: file offset = address). For
# tests that corrupt a guest the way a hostile or broken one would.
guest_poke() {
	_addr=$(nm "$2" | awk -v s="$3" '$3 == s {print $1}') &&
	python3 -c "
import sys
with open(sys.argv[1], 'r+b') as f:
    f.seek(int(sys.argv[2], 16) + int(sys.argv[3]))
    f.write(bytes.fromhex(sys.argv[4]))
" "$XDG_RUNTIME_DIR/uniscope/$1/mem" "$_addr" "$4" "$5"
}

# expect_json FILE [PYTHON-EXPR]: FILE parses as JSON and, when given, the
# expression over `j` is true (e.g. 'len(j["threads"]) == 13').
expect_json() {
	python3 - "$1" "${2:-True}" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    print("JSON check failed: " + sys.argv[2])
    print(json.dumps(j)[:1500])
    sys.exit(1)
PY
}

# --- the GDB stub (t3xxx) ---

# guest_runs NAME: the threads example in session NAME is running: its
# queue (read from the host, not through the stub) changes within a second.
guest_runs() {
	$UNISCOPE mem "$1" queue 160 >"$TRASH/guest_runs.1" &&
	sleep 1 &&
	$UNISCOPE mem "$1" queue 160 >"$TRASH/guest_runs.2" || return 1
	if cmp -s "$TRASH/guest_runs.1" "$TRASH/guest_runs.2"; then
		echo "the guest of session $1 does not run: its queue did not change in 1 s"
		return 1
	fi
}

# --- the terminal UI in tmux (t6xxx) ---

TMUX_SOCK=$TRASH/tmux.sock


tm() {
	tmux -S "$TMUX_SOCK" "$@"
}

# tui_start NAME COMMAND: COMMAND in a detached 100x30 tmux window; windows
# outlive their test (the next ones keep driving them) and go at the end.
tui_start() {
	tm new-session -d -x 100 -y 30 -s "$1" "env XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR TERM=screen $2"
}

tui_capture() {
	tm capture-pane -p -t "$1" >"$2"
}

# tui_wait NAME REGEX [FILE]: polls the window until its text matches REGEX
# (the last capture stays in FILE, default screen).
tui_wait() {
	_file=${3:-screen}
	_tries=$((${TUI_WAIT:-30} * 4))
	while [ $_tries -gt 0 ]; do
		tui_capture "$1" "$_file" 2>/dev/null && grep -E -q -- "$2" "$_file" && return 0
		sleep 0.25
		_tries=$((_tries - 1))
	done
	echo "timed out waiting for /$2/ on the screen of $1:"
	cat "$_file"
	return 1
}

# --- unwinding (t5002, t5101) ---

# gdb_frames_script FILE: writes a GDB Python command, `frames-json`, that
# prints one line per thread, "FRAMES [[function, entered], ...]" innermost
# first (backtrace past main): function "<signal>" for a signal (trap)
# frame, "??" when unknown; entered is true for an inlined block that
# begins exactly at the frame's pc (how GDB shows those depends on how the
# thread stopped: it steps into them, and a core starts outside them).
gdb_frames_script() {
	cat >"$1" <<'PY'
import gdb, json
def inlined_block(f):
    b = f.block()
    while b is not None and b.function is None:
        b = b.superblock
    return b
def entered_at_pc(f):
    """An inlined block that f.pc() enters: GDB's block_starting_point_at."""
    try:
        b = inlined_block(f)
        if b is None:
            return False
        if b.start == f.pc():
            return True
        p = gdb.block_for_pc(f.pc() - 1)
        while p is not None:
            if p.start == b.start and p.end == b.end and p.function == b.function:
                return False
            p = p.superblock
        return True
    except RuntimeError:
        return False
def frame_info(f):
    if f.type() == gdb.SIGTRAMP_FRAME:
        return ["<signal>", False]
    return [f.name() or "??", f.type() == gdb.INLINE_FRAME and entered_at_pc(f)]
class FramesJson(gdb.Command):
    def __init__(self):
        super().__init__("frames-json", gdb.COMMAND_STACK)
    def invoke(self, arg, from_tty):
        gdb.execute("set backtrace past-main on")
        gdb.execute("set backtrace limit 300")
        threads = gdb.selected_inferior().threads() if arg == "all" else [gdb.selected_thread()]
        for t in threads:
            t.switch()
            frames, f = [], gdb.newest_frame()
            while f is not None and len(frames) < 300:
                frames.append(frame_info(f))
                f = f.older()
            print("FRAMES " + json.dumps(frames))
FramesJson()
PY
}

# expect_frames_agree GDB_OUT BT_JSON: every thread GDB listed ("FRAMES"
# lines of GDB_OUT) and every thread of `uniscope bt --json` (BT_JSON) name
# the same functions in the same order; threads are matched as multisets.
expect_frames_agree() {
	python3 - "$1" "$2" <<'PY'
import json, sys
gdb = [json.loads(l[7:]) for l in open(sys.argv[1]) if l.startswith("FRAMES ")]
ours = [[("<signal>" if f["kind"] == "trap" else f["function"] or "??") for f in t["frames"]]
        for t in json.load(open(sys.argv[2]))["threads"]]
def variants(frames):
    """GDB's list, and without any number of the inlined blocks entered at the pc."""
    names = [f[0] for f in frames]
    out, k = {tuple(names)}, 0
    while k < len(frames) - 1 and frames[k][1]:
        k += 1
        out.add(tuple(names[k:]))
    return out
left = [variants(g) for g in gdb]
unmatched = []
for o in ours:
    for i, v in enumerate(left):
        if tuple(o) in v:
            del left[i]
            break
    else:
        unmatched.append(o)
if unmatched or left:
    print("uniscope threads GDB does not show:")
    for o in unmatched: print("   ", " > ".join(o))
    print("GDB threads uniscope does not show:")
    for v in left: print("   ", " > ".join(max(v, key=len)))
    sys.exit(1)
print("frames agree on %d threads" % len(ours))
PY
}

# hold_connections PORT N: N keep-alive connections to the httpd example
# (a page saying "hello from uniscope"), each after one request, held open
# until the file release exists (at most 600 s); "held" once they all are.
hold_connections() {
	python3 - $1 $2 <<-'PY' &
	import os, socket, sys, time
	port, n = int(sys.argv[1]), int(sys.argv[2])
	held = []
	for i in range(n):
	    s = socket.create_connection(("127.0.0.1", port), timeout=300)
	    s.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
	    data = b""
	    while b"hello from uniscope" not in data:
	        data += s.recv(4096)
	    held.append(s)
	    time.sleep(0.005) # QEMU takes forwarded connections with a backlog of 1
	open("held", "w").write("%d\n" % n)
	end = time.time() + 600
	while not os.path.exists("release") and time.time() < end:
	    time.sleep(0.1)
	PY
	for _i in $(seq 600); do
		[ -s held ] && return 0
		sleep 0.1
	done
	return 1
}
