#!/usr/bin/env python3
"""A raw GDB Remote Serial Protocol client for tests: the debugger that
misbehaves on purpose (floods, half packets, vanishing mid-session) and the
careful one that checks each reply.

    rsp.py ADDRESS STEP...      ADDRESS: a unix socket path or HOST:PORT

Steps, run in order:
    PACKET          e.g. '?', 'qSupported', 'c': framed, sent, and its reply
                    printed as "reply: ..." (acks handled); 'c', 's' and
                    'vCont;...' wait for the stop reply
    noreply:PACKET  framed and sent, nothing awaited
    raw:TEXT        sent as is (Python escapes: \\x03, \\x00)
    flood:N:TEXT    TEXT repeated to N bytes, sent as fast as the socket takes
    bigpacket:N     one packet of N payload bytes ('qRcmd,' and hex)
    repeat:N:PACKET N framed packets sent without reading any reply
    wait            the next reply (a stop reply after noreply:c, say)
    noack           QStartNoAckMode, then no acks either way
    sleep:SECONDS
    expect:REGEX    the last reply must match, or exit 1
    reconnect       close, and connect again at once (an IDE restarting a session)
    close           close now (the default at the end)
    rst             close with a TCP/unix reset where possible (SO_LINGER 0)
A reply that does not come within --timeout seconds (default 10) is an
error (exit 2), so a wedged stub fails a test instead of hanging it.
"""
import re
import socket
import struct
import sys
import time


def frame(payload):
    data = payload.encode("latin-1")
    return b"$" + data + b"#" + b"%02x" % (sum(data) % 256)


class Client:
    def __init__(self, address, timeout):
        if ":" in address and not address.startswith("/"):
            host, port = address.rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        else:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(timeout)
            self.sock.connect(address)
        self.buf = b""
        self.no_ack = False
        self.last = ""

    def recv_more(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the stub closed the connection")
        self.buf += data

    def read_packet(self):
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                payload = self.buf[start + 1:end].decode("latin-1")
                self.buf = self.buf[end + 3:]
                if not self.no_ack:
                    self.sock.sendall(b"+")
                return payload
            self.recv_more()

    def reply(self, payload, stop=False):
        while True:
            p = self.read_packet()
            if p.startswith("O") and p != "OK" and (stop or payload.startswith("qRcmd")):
                continue  # console output before the real reply
            return p

    def send(self, payload, wait=True):
        self.sock.sendall(frame(payload))
        if not wait:
            return
        stop = payload in ("c", "s") or payload.startswith("vCont;")
        self.last = self.reply(payload, stop)
        print("reply: " + self.last[:200], flush=True)


def run(address, steps, timeout):
    c = Client(address, timeout)
    c.sock.sendall(b"+")
    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "noreply":
            c.send(arg, wait=False)
        elif kind == "raw":
            c.sock.sendall(arg.encode("latin-1").decode("unicode_escape").encode("latin-1"))
        elif kind == "flood":
            n, _, text = arg.partition(":")
            unit = text.encode("latin-1").decode("unicode_escape").encode("latin-1")
            c.sock.sendall((unit * (int(n) // len(unit) + 1))[:int(n)])
        elif kind == "repeat":
            n, _, packet = arg.partition(":")
            c.sock.sendall(frame(packet) * int(n))
        elif step == "wait":
            c.last = c.reply("", stop=True)
            print("reply: " + c.last[:200], flush=True)
        elif kind == "bigpacket":
            c.sock.sendall(frame("qRcmd," + "61" * (int(arg) // 2)))
        elif step == "noack":
            c.send("QStartNoAckMode")
            c.no_ack = True
        elif kind == "sleep":
            time.sleep(float(arg))
        elif kind == "expect":
            if not re.search(arg, c.last):
                print("expected /%s/, got %r" % (arg, c.last[:200]))
                return 1
        elif step == "reconnect":
            c.sock.close()
            c = Client(address, timeout)
            c.sock.sendall(b"+")
        elif step == "close":
            break
        elif step == "rst":
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            break
        else:
            c.send(step)
    c.sock.close()
    return 0


def main():
    args = sys.argv[1:]
    timeout = 10.0
    if args and args[0].startswith("--timeout="):
        timeout = float(args.pop(0).split("=", 1)[1])
    if not args:
        print(__doc__)
        return 2
    try:
        return run(args[0], args[1:], timeout)
    except (OSError, ConnectionError) as e:
        print("rsp.py: %s" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main())
