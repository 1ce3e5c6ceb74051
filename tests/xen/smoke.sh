#!/bin/sh
# Rig smoke test, run inside dom0 by `tests/xen/rig.sh run`: Xen answers,
# and an example image boots as a PVH domU (created, listed, destroyed).
set -e
xl info | grep -E '^(xen_version|virt_caps|total_memory|free_memory)'
cat >/tmp/hello.cfg <<CFG
name = "smoke-hello"
type = "pvh"
kernel = "/uniscope/examples/hello.elf"
memory = 64
vcpus = 1
on_poweroff = "destroy"
on_crash = "preserve"
CFG
xl create /tmp/hello.cfg
xl list
xl list smoke-hello
xl destroy smoke-hello 2>/dev/null || true
echo "smoke: ok"
