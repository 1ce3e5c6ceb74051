#!/usr/bin/env python3
"""serial-time.py TIMEOUT -- COMMAND...: runs COMMAND (a QEMU whose serial
console is its standard output) and prints every line it writes, each after
the milliseconds since the start at which it arrived ("@12.3 text"), then
"total-ms N". Kills COMMAND's process group after TIMEOUT seconds and says
"timeout": a Linux guest was seen to hang under TCG."""
import os, selectors, signal, subprocess, sys, time

timeout = float(sys.argv[1])
cmd = sys.argv[sys.argv.index("--") + 1:]
start = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                     start_new_session=True)
sel = selectors.DefaultSelector()
sel.register(p.stdout, selectors.EVENT_READ)
buf, timed_out = b"", False
while True:
    left = timeout - (time.monotonic() - start)
    if left <= 0:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        break
    if not sel.select(left):
        continue
    chunk = os.read(p.stdout.fileno(), 65536)
    if not chunk:
        break
    buf += chunk
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        ms = (time.monotonic() - start) * 1000
        print("@%.1f %s" % (ms, line.decode(errors="replace").rstrip("\r")), flush=True)
p.wait()
if timed_out:
    print("timeout")
print("total-ms %.1f" % ((time.monotonic() - start) * 1000))
