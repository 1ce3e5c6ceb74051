/*
 * Sessions: what `uniscope run` leaves for the other commands to find.
 *
 * A session is a directory, $XDG_RUNTIME_DIR/uniscope/NAME or else
 * /tmp/uniscope-$UID/NAME, mode 0700, holding:
 *
 *	meta           key=value lines (below), written once QEMU is up
 *	console.log    every console byte the guest sent
 *	qmp.sock       QEMU's QMP socket
 *	mem            guest RAM (memory-backend-file,share=on); file offset = guest physical
 *	qemu-gdb.sock  QEMU's own gdbstub (vCPU registers for host tools)
 *	gdb.sock       the bridge to the in-guest stub, when --gdb was given as unix:
 *	trace.bin      trace records streamed over the channel (raw frames' payloads)
 *
 * meta keys: name, image (absolute path), build_id (hex), pid (of `uniscope run`),
 * qemu_pid, mem_size (bytes), accel (tcg|kvm), gdb (the --gdb address or empty),
 * platform (qemu|xen), domid (the Xen domain, platform=xen; -1 otherwise),
 * net (user: QEMU's user networking, run --net; empty: none), ports (the
 * forwards of run --port, space-separated HOSTADDR:HOSTPORT:GUESTPORT).
 * Unknown keys are ignored; readers bound line lengths.
 *
 * A Xen session (run --platform xen) has no qmp.sock, mem or qemu-gdb.sock:
 * its guest is read through the Xen backend by domid, and it holds
 * xl.cfg, the domain's xl configuration, and xl.log instead.
 */
#ifndef UNISCOPE_SESSION_H
#define UNISCOPE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SESSION_NAME_MAX 64
#define SESSION_PATH_MAX 4096

struct session {
	char name[SESSION_NAME_MAX];
	char dir[SESSION_PATH_MAX];
	char image[SESSION_PATH_MAX];
	char build_id[2 * 20 + 1];
	char accel[8];
	char gdb[256];
	char platform[8];
	pid_t pid;
	pid_t qemu_pid;
	uint64_t mem_size;
	int domid; /* -1: none */
	char net[16];
	char ports[1024];
};

/* The directory holding all sessions; created (0700) when create is set. */
int session_root(char *out, size_t cap, int create);
/* Fills s from NAME (a session name) or a path to a session directory. 0 or -errno. */
int session_load(const char *name_or_dir, struct session *s);
int session_write_meta(const struct session *s);
/* Path of a file in the session directory. */
int session_path(const struct session *s, const char *file, char *out, size_t cap);
/* 1 when the session's `uniscope run` process is still alive. */
int session_alive(const struct session *s);
void session_remove_dir(const struct session *s);

#endif
