#!/usr/bin/env python3
"""Soak a session's GDB stub: CYCLES debuggers, one after another, in a
random order (a fixed seed, so a failure replays): careful ones that attach,
talk and detach, and careless ones that vanish in any state, flood the
socket with junk, '$', '-' or NUL, send packets longer than any debugger
may, or stop half way through a packet. Every careful one must be served
correctly; the careless ones may be cut off but must not hurt those after
them.

    gdb-soak.py ADDRESS CYCLES [SEED] [BREAK-ADDR-HEX]

Prints one line per failure and a summary:
    soak: 200 cycles in 41.2 s (206 ms a cycle), 97 careful clients served, 0 failures
Exits 1 when a careful client was not served.
"""
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rsp import Client, frame  # noqa: E402

TIMEOUT = 20.0


def careful_session(c, rng, bp):
    """A debugger that does it right: every reply is checked."""
    c.send("qSupported:swbreak+;hwbreak+")
    assert "PacketSize" in c.last, "qSupported: " + c.last
    if rng.random() < 0.5:
        c.send("QStartNoAckMode")
        assert c.last == "OK", "QStartNoAckMode: " + c.last
        c.no_ack = True
    c.send("?")
    assert c.last.startswith("T"), "?: " + c.last
    c.send("g")
    assert len(c.last) > 100 and not c.last.startswith("E"), "g: " + c.last[:40]
    c.send("m100000,40")
    assert len(c.last) == 128, "m: " + c.last[:40]
    if bp and rng.random() < 0.3:
        c.send("Z1,%s,1" % bp)
        assert c.last == "OK", "Z1: " + c.last
        c.send("z1,%s,1" % bp)
    if rng.random() < 0.5:
        c.send("c", wait=False)
        time.sleep(rng.random() * 0.2)
        c.sock.sendall(b"\x03")
        c.last = c.reply("", stop=True)
        assert c.last.startswith("T"), "stop after ^C: " + c.last
    c.send("D")
    assert c.last == "OK", "D: " + c.last


def vanish(c, rng, bp):
    """Leaves without a word, at any point: stopped, running, in no-ack mode, with breakpoints."""
    c.send("qSupported")
    if rng.random() < 0.5:
        c.send("QStartNoAckMode")
        c.no_ack = True
    c.send("?")
    if bp and rng.random() < 0.5:
        c.send("Z1,%s,1" % bp)
    for _ in range(rng.randrange(4)):
        c.send("m100000,%x" % rng.randrange(1, 2000), wait=False)
    if rng.random() < 0.5:
        c.send("c", wait=False)


def garbage(c, rng, bp):
    unit = rng.choice([None, b"$", b"-", b"\x00", b"+", b"#"])
    n = rng.randrange(1000, 100000)
    data = os.urandom(n) if unit is None else unit * n
    c.sock.sendall(data)


def oversized(c, rng, bp):
    c.sock.sendall(frame("qRcmd," + "61" * (rng.randrange(5000, 80000) // 2)))


def half_packet(c, rng, bp):
    c.send("qSupported")
    c.sock.sendall(b"$m100000,4" if rng.random() < 0.5 else b"$qSupp")


def unread_flood(c, rng, bp):
    """Requests it never reads the answers to."""
    c.send("qSupported")
    c.sock.sendall(frame("m100000,800") * rng.randrange(10, 400))


CARELESS = [vanish, vanish, garbage, oversized, half_packet, unread_flood]


def cycle(address, rng, bp):
    careful = rng.random() < 0.4
    kind = careful_session if careful else rng.choice(CARELESS)
    start = time.time()
    c = Client(address, TIMEOUT)
    c.sock.sendall(b"+")
    try:
        if careful:
            careful_session(c, rng, bp)
        else:
            try:
                kind(c, rng, bp)
            except (OSError, ConnectionError):
                pass  # cut off, as it deserves
    finally:
        c.sock.close()
        if os.environ.get("GDB_SOAK_VERBOSE"):
            print("soak: %s %.0f ms" % (kind.__name__, 1000 * (time.time() - start)), flush=True)
    return careful


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    address, cycles = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    bp = sys.argv[4] if len(sys.argv) > 4 else None
    rng = random.Random(seed)
    served = failures = 0
    start = time.time()
    for i in range(cycles):
        try:
            served += cycle(address, rng, bp)
        except (AssertionError, OSError, ConnectionError) as e:
            failures += 1
            print("soak: cycle %d (seed %d): %s" % (i, seed, e), flush=True)
    elapsed = time.time() - start
    print("soak: %d cycles in %.1f s (%.0f ms a cycle), %d careful clients served, %d failures"
          % (cycles, elapsed, 1000 * elapsed / max(cycles, 1), served, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
