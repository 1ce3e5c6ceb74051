#!/bin/sh
# IDEs on GDB/MI: the MI conversation VS Code's cppdbg has with GDB when it
# runs the shipped .vscode/launch.json, and the one Emacs' gdb-mi has with
# `uniscope gdb NAME -i=mi` (the README's line), both against a live session
# and checked record by record (tests/mi_client.py).
. "$(dirname "$0")/lib.sh"

T=$EXAMPLES/threads.elf
MI="python3 $ROOT/tests/mi_client.py"

# launch_setting N KEY: a setting of launch.json's configuration N, with
# VS Code's variables ${workspaceFolder} and ${env:NAME} substituted.
launch_setting() {
	python3 - "$ROOT/.vscode/launch.json" "$1" "$2" "$ROOT" <<'PY'
import json, os, re, sys
config = json.load(open(sys.argv[1]))["configurations"][int(sys.argv[2])]
value = config[sys.argv[3]]
if isinstance(value, list):
    value = "\n".join(item["text"] for item in value)
value = value.replace("${workspaceFolder}", sys.argv[4])
print(re.sub(r"\$\{env:([A-Za-z_]+)\}", lambda m: os.environ.get(m.group(1), ""), value))
PY
}

test_expect_success 'launch.json: cppdbg configurations for the session socket and for TCP' '
	python3 -c "import json; json.load(open(\"$ROOT/.vscode/launch.json\"))" &&
	expect_equal "$(launch_setting 0 type)" cppdbg &&
	expect_equal "$(launch_setting 0 MIMode)" gdb &&
	expect_equal "$(launch_setting 0 miDebuggerServerAddress)" "$XDG_RUNTIME_DIR/uniscope/threads/gdb.sock" &&
	expect_equal "$(launch_setting 1 miDebuggerServerAddress)" "127.0.0.1:1234" &&
	expect_equal "$(launch_setting 0 program)" "$ROOT/build/examples/threads.elf"
'

# cppdbg's sequence for a launch with miDebuggerServerAddress and stopAtConnect,
# then what its panes ask: threads, a call stack, a watch, continue, pause, stop.
cppdbg_script() {
	cat <<EOF
send -gdb-set mi-async on
send -environment-cd $(launch_setting 0 cwd)
$(launch_setting 0 setupCommands | sed "s/^/send /")
send -file-exec-and-symbols $T
send -target-select remote $(launch_setting 0 miDebuggerServerAddress)
expect \^connected
wait ^\*stopped
send -thread-info
expect name="sleeper-25"
capture S25 \{id="([0-9]+)",target-id="Thread 8",details="[^"]*",name="sleeper-25"
expect target-id="Thread 1",details="[a-z ()]+",name="main"
expect target-id="Thread 2",details="(runnable|running \(debugger\))",name="idle"
send -stack-list-frames --thread \${S25}
expect frame=\{level="0",addr="0x[0-9a-f]+",func="schedule",file="libos/kern/sched.c"
expect func="sleep_ns"
expect func="sleeper",file="examples/threads/main.c"
send -stack-list-variables --thread \${S25} --frame 2 --simple-values
expect \{name="ns",arg="1",type="uint64_t",value="25000000"\}
send -var-create - * queue.consumed
capture V1 name="(var[0-9]+)",numchild="0",value="[0-9]+",type="long"
send -exec-continue
wait ^\*running,thread-id="all"
sleep 1
send -exec-interrupt
wait ^\*stopped,reason="signal-received",signal-name="SIGINT"
send -var-update --all-values *
expect changelist=\[\{name="\${V1}",value="[0-9]+",in_scope="true"
send -target-detach
wait ^=thread-group-exited
EOF
}

test_expect_success 'VS Code cppdbg: attach, threads, call stack, variables, continue, pause, detach' '
	start_session threads $T "run_ms=0" &&
	test_when_finished "stop_session threads" &&
	introspect_wait_console threads "items so far" &&
	cppdbg_script >cppdbg.mi &&
	timeout 300 $MI cppdbg.mi -- gdb --interpreter=mi2 -nx >cppdbg.out 2>&1 &&
	gdb_batch $T -ex "target remote $SESSION_DIR/gdb.sock" -ex "info threads" -ex detach >after &&
	expect_grep "Thread 8 \"sleeper-25\"" after
'

test_expect_success 'Emacs gdb-mi: uniscope gdb NAME -i=mi answers what its buffers ask' '
	start_session e1 $T "run_ms=0" &&
	test_when_finished "stop_session e1" &&
	introspect_wait_console e1 "items so far" &&
	cat >emacs.mi <<-\EOF &&
	wait ^\*stopped
	send -gdb-set height 0
	send -gdb-set width 0
	send -gdb-show prompt
	send -thread-info
	expect name="consumer-0"
	send -stack-list-frames
	expect frame=\{level="0"
	send -data-list-register-names
	expect "xmm0".*"mxcsr"
	send -data-list-register-values --skip-unavailable x 16
	expect register-values=\[\{number="16",value="0x[0-9a-f]+"\}\]
	send -break-insert -h sleep_ms
	send -exec-continue
	wait ^\*stopped,reason="breakpoint-hit"
	send -break-delete
	send -target-detach
	EOF
	timeout 300 $MI emacs.mi -- $UNISCOPE gdb e1 -i=mi >emacs.out 2>&1
'

test_done
