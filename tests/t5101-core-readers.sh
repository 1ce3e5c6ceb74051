#!/bin/sh
# Cores every debugger opens without help, and host backtraces that agree
# with GDB's. One core per example (threads and fpu while they run, hello
# held at boot with gdb=wait) and per way the crash example dies; on each:
#   - `uniscope bt` (no --image: the core names its image) and GDB (its
#     Python API) list the same frames, in order, for every thread;
#   - GDB, LLDB (lldb -b -c CORE), eu-stack (eu-stack --core CORE) and drgn
#     (drgn -c CORE) open it with no flag naming the image and print every
#     thread's stack with function names, each ending where its stack
#     begins -- a libOS thread's trampoline, the application's _start, the
#     boot stack -- (no junk 0x0 frame), and name the crash's function;
#   - eu-unstrip finds the image and its build-id in the core.
# Then, on some of them: the threads' x87/SSE registers (fpu's known
# values), GDB/MI, $_siginfo, eu-elflint, report and trace
# without --image (a CTF export with a UUID, a trace name and the threads'
# names), an image found by build-id when it has moved.
. "$(dirname "$0")/lib.sh"

CRASH=$EXAMPLES/crash.elf
THREADS=$EXAMPLES/threads.elf
HELLO=$EXAMPLES/hello.elf
gdb_frames_script "$TRASH/frames.py"
cat >"$TRASH/drgn-stacks.py" <<'PY'
for t in prog.threads():
    print("thread", t.tid)
    print(t.stack_trace())
PY

# readers_agree CORE IMAGE FUNCTION: the checks every core gets.
readers_agree() {
	_core=$1 _image=$2 _fn=$3
	n=$($UNISCOPE ps --json "$_core" | python3 -c "import json, sys; print(len(json.load(sys.stdin)['threads']))") &&
	$UNISCOPE bt --json "$_core" all >bt.json &&
	timeout 120 gdb -batch -nx -x "$TRASH/frames.py" -ex "frames-json all" "$_image" "$_core" >gdb.out 2>&1 &&
	expect_frames_agree gdb.out bt.json &&
	timeout 120 lldb -b -c "$_core" -o "bt all" >lldb.out 2>&1 &&
	timeout 120 eu-stack --core "$_core" >eu-stack.out 2>&1 &&
	timeout 120 drgn -c "$_core" "$TRASH/drgn-stacks.py" >drgn.out 2>&1 &&
	for reader in gdb lldb eu-stack drgn; do
		expect_stacks $reader $reader.out "$n" "$_fn" || return 1
	done &&
	eu-unstrip -n --core "$_core" >unstrip.out &&
	expect_grep "^0x100000\\+0x[0-9a-f]+ [0-9a-f]{40}@0x[0-9a-f]+ \\. \\. $_image$" unstrip.out
}

# expect_stacks READER OUT THREADS FUNCTION: READER's output lists THREADS
# stacks, every frame named, each ending at the stack's entry; one names FUNCTION.
expect_stacks() {
	python3 - "$@" <<'PY'
import json, re, sys
reader, path, want, fn = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text = open(path).read()
starts = {"gdb": None, "lldb": r"^\s*\*? ?thread #\d+", "eu-stack": r"^TID \d+:", "drgn": r"^thread \d+$"}
frame = {"lldb": r"^\s*\*? ?frame #\d+: 0x[0-9a-f]+(?: \S+`([A-Za-z_]\w*))?",
         "eu-stack": r"^#\d+\s+0x[0-9a-f]+(?:\s+([A-Za-z_]\w*))?",
         "drgn": r"^#\d+\s+(?:([A-Za-z_]\w*)(?: \(|\+0x)|\S+)"}
if reader == "gdb":
    threads = [[f[0] for f in json.loads(l[7:])] for l in text.splitlines() if l.startswith("FRAMES ")]
else:
    threads = []
    for line in text.splitlines():
        if re.match(starts[reader], line):
            threads.append([])
        elif threads and (m := re.match(frame[reader], line)):
            threads[-1].append(m.group(1) or "??")
problems = []
if len(threads) != want:
    problems.append("%d threads, not %d" % (len(threads), want))
for t in threads:
    # LLDB 14 looks up the caller's unwind rule at a return address, not one
    # byte before it, so after a call to a noreturn function in shrink-wrapped
    # code (crash_assert) it stops early; its frames are still all named.
    ends = reader == "lldb" or (t and t[-1] in ("thread_trampoline", "long_mode_entry", "_start"))
    if not t or "??" in t or not ends:
        problems.append("stack " + " > ".join(t or ["(empty)"]))
if not any(fn in t for t in threads):
    problems.append("no frame in " + fn)
if problems:
    print(reader + ": " + "; ".join(problems))
    print(text[-3000:])
    sys.exit(1)
PY
}

# gdb_core ARGS: GDB on crash.core of the current directory.
gdb_core() {
	timeout 120 gdb -batch -nx "$@" "$CRASH" crash.core 2>&1
}

line() {
	grep -n -F -- "$1" "$ROOT/examples/crash/main.c" | head -1 | cut -d: -f1
}

crash_core() {
	mkdir -p "$1" && cd "$1" &&
	rc=0 && timeout 120 $UNISCOPE run --core-on-crash --append "$1" "$CRASH" >out 2>err || rc=$?
	expect_equal "$rc" 125 && test -s crash.core
}

# The function each reader must name: where it died (data: the jump into
# data, whose caller only CFI-less heuristics find, which libdw lacks).
for mode in null div0 ud stack assert text data panic; do
	fn=crash_$mode
	[ $mode = data ] && fn=data_code
	test_expect_success "crash $mode: GDB, LLDB, eu-stack and drgn open the core alone; bt agrees with GDB" "
		crash_core $mode &&
		readers_agree crash.core $CRASH $fn
	"
done

test_expect_success 'threads, running: every reader sees all 12 threads; bt agrees with GDB' '
	start_session live $THREADS "run_ms=0 threads=2" &&
	test_when_finished "stop_session live" &&
	introspect_wait_console live "2 waiters running" &&
	$UNISCOPE core live -o threads.core >/dev/null &&
	readers_agree threads.core $THREADS producer
'

# gdb_thread_p CORE IMAGE TID EXPR: GDB prints EXPR in the thread whose LWP is TID.
gdb_thread_p() {
	timeout 120 gdb -batch -nx \
		-ex "python [t.switch() for t in gdb.selected_inferior().threads() if t.ptid[1] == $3]" \
		-ex "p $4" "$2" "$1" 2>&1 | tail -1
}

test_expect_success 'fpu, running: every reader; each thread'"'"'s x87/SSE registers are in the core' '
	start_session fpu $EXAMPLES/fpu.elf "" &&
	test_when_finished "stop_session fpu" &&
	introspect_wait_console fpu "fpu: threads running" &&
	$UNISCOPE core fpu -o fpu.core >/dev/null &&
	readers_agree fpu.core $EXAMPLES/fpu.elf fpu_sleep &&
	$UNISCOPE ps --json fpu.core >ps.json &&
	tid() { python3 -c "import json, sys; print([t[\"tid\"] for t in json.load(open(\"ps.json\"))[\"threads\"] if t[\"name\"] == sys.argv[1]][0])" "$1"; } &&
	expect_equal "$(gdb_thread_p fpu.core $EXAMPLES/fpu.elf $(tid fpu-sleep) \$xmm0.v2_double)" "\$1 = {3, 0.5}" &&
	expect_equal "$(gdb_thread_p fpu.core $EXAMPLES/fpu.elf $(tid fpu-spin) \$xmm15.v4_int32)" "\$1 = {85267733, 15, 21, -15}"
'

test_expect_success 'hello held at boot (gdb=wait): through the trap frame of its breakpoint' '
	start_session boot $HELLO "gdb=wait" &&
	test_when_finished "stop_session boot" &&
	introspect_wait_console boot "." 10 || true &&
	sleep 0.5 &&
	$UNISCOPE core boot -o hello.core >/dev/null &&
	readers_agree hello.core $HELLO debug_boot_wait &&
	expect_grep "\"kind\": \"trap\"" bt.json
'

test_expect_success 'GDB: $_siginfo has the signal and fault address; MI lists frames to the entry' '
	cd null &&
	gdb_core -ex "print \$_siginfo.si_signo" -ex "print \$_siginfo._sifields._sigfault.si_addr" \
		-ex "interpreter-exec mi \"-stack-list-frames\"" >gdb.out &&
	expect_grep "^\\\$1 = 11$" gdb.out &&
	expect_grep "^\\\$2 = \\(void \\*\\) 0x0$" gdb.out &&
	expect_grep "func=\"crash_null\"" gdb.out &&
	expect_grep "func=\"thread_trampoline\"[^}]*\\}\\]" gdb.out &&
	cd ../text &&
	text=$(nm $CRASH | sed -n "s/^0*\\([0-9a-f]*\\) t crash_null$/\\1/p") &&
	gdb_core -ex "print \$_siginfo._sifields._sigfault.si_addr" >gdb.out &&
	expect_grep "^\\\$1 = \\(void \\*\\) 0x$text <crash_null>$" gdb.out &&
	cd ../div0 &&
	gdb_core -ex "print \$_siginfo.si_signo" -ex "x/i \$_siginfo._sifields._sigfault.si_addr" >gdb.out &&
	expect_grep "^\\\$1 = 8$" gdb.out &&
	expect_grep "<crash_div0\\+[0-9]+>:\\s+idiv" gdb.out
'

test_expect_success 'eu-elflint: nothing in the UNISCOPE note (only the note types it flags in Linux cores too)' '
	eu-elflint null/crash.core >lint.out 2>&1 || true &&
	eu-elflint --gnu-ld null/crash.core >>lint.out 2>&1 || true &&
	cat lint.out &&
	expect_no_grep "unknown core file note type (1431502849|7) " lint.out &&
	grep -v -E "unknown core file note type (514|1397311305|1179208773) " lint.out >other || true &&
	expect_equal "$(wc -l <other)" 0
'

test_expect_success 'report and trace find the image the core names; a moved image is found by build-id' '
	$UNISCOPE report null/crash.core >report &&
	expect_grep "^uniscope report: .*, image $CRASH$" report &&
	expect_grep "^page fault: .* in crash_null at examples/crash/main.c:$(line "*p = 1;") " report &&
	$UNISCOPE trace threads.core >trace &&
	expect_grep "sched_switch: prev=" trace &&
	$UNISCOPE trace threads.core -f ctf -o ctf &&
	babeltrace2 ctf >ctf.txt 2>ctf.err &&
	expect_equal "$(grep -c "thread_name: .* name = \"waiter-[01]\" }" ctf.txt)" 2 &&
	babeltrace2 -c sink.text.details ctf >details 2>&1 &&
	expect_grep "^ +UUID: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" details &&
	expect_grep "^ +trace_name: threads.core$" details &&
	mkdir moved && cp $CRASH moved/crash-copy.elf && cp null/crash.core moved/ &&
	python3 -c "
import sys
data = bytearray(open(\"moved/crash.core\", \"rb\").read())
old = sys.argv[1].encode()
data = data.replace(old, b\"/nonexistent\" + b\"x\" * (len(old) - 12))
open(\"moved/crash.core\", \"wb\").write(data)
" $CRASH &&
	$UNISCOPE bt moved/crash.core >moved-bt 2>moved-err &&
	expect_grep "in crash_null\\+0x" moved-bt &&
	expect_grep "moved/crash-copy.elf" moved-err
'

test_done
