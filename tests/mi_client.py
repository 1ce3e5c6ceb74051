#!/usr/bin/env python3
"""A small GDB/MI client for the tests: it drives a real GDB the way an IDE
does (VS Code's cppdbg, Emacs' gdb-mi) and checks the records it answers.

    mi_client.py SCRIPT -- COMMAND...

COMMAND starts GDB with an MI interpreter on its stdin/stdout (e.g. `gdb
--interpreter=mi2 -nx`, or `uniscope gdb NAME -i=mi`). SCRIPT holds one step
a line:

    send MI-COMMAND   send it with a token, read up to the result record with
                      that token; ^error fails the script
    fail MI-COMMAND   the same, but the result must be ^error
    expect REGEX      a record since the last send matches REGEX
    wait REGEX        read until a record matches (an async *stopped, ...)
    capture VAR REGEX a record since the last send matches; its first group
                      becomes ${VAR} in the lines after
    sleep SECONDS     let the target run a while (between continue and interrupt)
    # ...             a comment

Every record read is printed, prefixed with '<- ', every command with '-> ',
so a failing test shows the whole conversation. Each read waits at most
MI_TIMEOUT seconds (default 60). Exit status: 0 when every step passed.
"""
import os
import re
import select
import subprocess
import sys
import time

TIMEOUT = float(os.environ.get("MI_TIMEOUT", "60"))


class MiError(Exception):
    pass


class Gdb:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.pending = b""
        self.token = 100
        self.seen = []  # records since the last send

    def read_record(self):
        while b"\n" not in self.pending:
            ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
            if not ready:
                raise MiError("no record from GDB within %g s" % TIMEOUT)
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise MiError("GDB closed its output")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        record = line.decode("utf-8", "replace").rstrip("\r")
        print("<- " + record)
        self.seen.append(record)
        return record

    def send(self, command):
        self.token += 1
        self.seen = []
        print("-> %d%s" % (self.token, command))
        self.proc.stdin.write(b"%d%s\n" % (self.token, command.encode()))
        prefix = "%d^" % self.token
        while True:
            record = self.read_record()
            if record.startswith(prefix):
                return record[len(prefix):]

    def wait(self, pattern):
        for record in self.seen:
            if re.search(pattern, record):
                return
        while not re.search(pattern, self.read_record()):
            pass

    def expect(self, pattern):
        if not any(re.search(pattern, record) for record in self.seen):
            raise MiError("no record matches /%s/" % pattern)

    def capture(self, pattern):
        for record in self.seen:
            m = re.search(pattern, record)
            if m:
                return m.group(1)
        raise MiError("no record matches /%s/" % pattern)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def substitute(line, variables):
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: variables[m.group(1)], line)


def run(script, gdb):
    variables = {}
    for number, line in enumerate(script, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        verb, _, arg = substitute(line, variables).partition(" ")
        if verb in ("send", "fail"):
            result = gdb.send(arg)
            failed = result.startswith("error")
            if failed != (verb == "fail"):
                raise MiError("line %d: %s answered ^%s" % (number, arg, result))
        elif verb == "expect":
            gdb.expect(arg)
        elif verb == "wait":
            gdb.wait(arg)
        elif verb == "capture":
            name, _, pattern = arg.partition(" ")
            variables[name] = gdb.capture(pattern)
        elif verb == "sleep":
            time.sleep(float(arg))
        else:
            raise MiError("line %d: unknown step '%s'" % (number, verb))


def main():
    if "--" not in sys.argv or sys.argv.index("--") != 2:
        sys.exit("usage: mi_client.py SCRIPT -- COMMAND...")
    with open(sys.argv[1]) as f:
        script = f.readlines()
    gdb = Gdb(sys.argv[3:])
    try:
        run(script, gdb)
    except MiError as e:
        print("mi_client: %s" % e)
        gdb.proc.kill()
        sys.exit(1)
    gdb.close()


if __name__ == "__main__":
    main()
