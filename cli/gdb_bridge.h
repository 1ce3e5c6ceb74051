/*
 * The GDB bridge of `uniscope run` (gdb_bridge.c): the one place where a
 * debugger's bytes and the in-guest stub's bytes meet. The run loop owns
 * the sockets and the serial line; it hands the bridge what arrives and
 * the bridge answers through two callbacks, so it never calls the loop by
 * name and never waits.
 *
 *	debugger --gdb_bridge_from_client()--> bridge --io.to_guest()--> channel / mailbox
 *	debugger <--io.to_client()------------ bridge <--gdb_bridge_from_guest()-- stub
 *
 * The bridge reads both streams with gdbstub's framer and relays whole
 * packets; while the stub is stopped it answers memory reads from guest
 * RAM itself and passes the other packets through the GDB mailbox (the
 * fast path). It owns what must happen when a debugger comes and goes: a
 * client that leaves in any state is replaced by CHAN_CTL_DEBUGGER_GONE,
 * and the stub's bytes are dropped until the stub echoes it, so nothing
 * meant for the old client reaches the next one.
 */
#ifndef UNISCOPE_CLI_GDB_BRIDGE_H
#define UNISCOPE_CLI_GDB_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gdb_bridge;

struct gdb_bridge_io {
	/*
	 * A payload for the guest: bytes of a CHAN_GDB frame, or an encoded
	 * CHAN_CONTROL message. false: no room now; the bridge keeps it and
	 * offers it again from gdb_bridge_poll().
	 */
	bool (*to_guest)(void *ctx, uint8_t channel, const void *buf, size_t len);
	/* Bytes for the debugger; false: its queue is full (the loop cuts it off). */
	bool (*to_client)(void *ctx, const void *buf, size_t len);
	void *ctx;
	/*
	 * The knock that wakes a halted stub after a mailbox write: a lone
	 * frame delimiter, one byte on the line. NULL: an empty gdb frame
	 * through to_guest. false: no room now (knocked again later).
	 */
	bool (*bell)(void *ctx);
};

struct gdb_bridge_options {
	const char *session_dir; /* a QEMU session: guest RAM for the fast path; NULL: none */
	/* The guest for the host's answers (gdb_host.h) when not session_dir: xen:DOMID */
	const char *target_spec;
	bool fast_path;          /* memory reads from RAM, packets through the mailbox */
	bool kill_on_k;          /* `k` kills the image; otherwise it detaches and leaves it running */
};

/* What gdb_bridge_from_client() says about the client. */
enum gdb_bridge_verdict {
	GDB_BRIDGE_KEEP = 0,
	GDB_BRIDGE_CLOSE,   /* it is done (`k`): close it */
	GDB_BRIDGE_CUT_OFF, /* it broke the protocol or overfilled the bridge: close it */
};

struct gdb_bridge_stats {
	uint64_t fast_reads;             /* m packets answered from guest RAM */
	uint64_t host_answers;           /* packets the host answered (gdb_host.h) */
	uint64_t mailbox_in, mailbox_out; /* bytes to the stub, from the stub, through the mailbox */
	uint64_t stale;                  /* stub bytes dropped: meant for a client that left */
	uint64_t clients, cut_off;
};

struct gdb_bridge *gdb_bridge_new(const struct gdb_bridge_options *opts, const struct gdb_bridge_io *io);
void gdb_bridge_free(struct gdb_bridge *b);

void gdb_bridge_client_connected(struct gdb_bridge *b);
int gdb_bridge_from_client(struct gdb_bridge *b, const uint8_t *buf, size_t len);
/* The client left: vanished, detached, killed or cut off. */
void gdb_bridge_client_gone(struct gdb_bridge *b);
/* Counts a client the loop cuts off (it stopped reading); client_gone follows. */
void gdb_bridge_client_cut_off(struct gdb_bridge *b);

/*
 * A CHAN_GDB frame's payload; an empty one is an older stub's doorbell.
 * Today's stub rings with a lone delimiter, which reaches no callback: the
 * loop's next gdb_bridge_poll() drains the mailbox (mailbox.h).
 */
void gdb_bridge_from_guest(struct gdb_bridge *b, const uint8_t *payload, size_t len);
/* The stub echoed CHAN_CTL_DEBUGGER_GONE: what follows is for the next client. */
void gdb_bridge_guest_reset(struct gdb_bridge *b);
/*
 * The channel dropped frames from the guest: replies may be lost, so
 * no-ack mode is refused from now on and a lost reply is asked for again.
 */
void gdb_bridge_channel_lost_frames(struct gdb_bridge *b);

/*
 * Moves what waits (mailbox replies, traffic held back); returns the
 * microseconds after which it wants to be called again, -1 for no wish.
 */
int64_t gdb_bridge_poll(struct gdb_bridge *b);
/* True while the bridge holds enough for the guest that the client should not be read. */
bool gdb_bridge_backlogged(const struct gdb_bridge *b);
const struct gdb_bridge_stats *gdb_bridge_stats(const struct gdb_bridge *b);

/*
 * A second debugger while one is attached: the reply to each of its
 * packets ("+" and an "E.text" error naming the session), written into
 * out; its length (0 for bytes that finish no packet). The caller keeps a
 * framer per refused connection.
 */
struct gdb_framer;
size_t gdb_bridge_refusal(struct gdb_framer *f, const uint8_t *buf, size_t len, const char *session,
			  char *out, size_t cap);

#endif
