/*
 * A session's `stats` file (session_stats.c): the counters of the
 * launcher, the one process that speaks the console channel and bridges
 * GDB. `uniscope run` writes it about twice a second; `ls` and `top` read
 * it. One line per counter, "key=value"; a reader ignores keys it does
 * not know and bounds what it reads, so either side may grow.
 */
#ifndef UNISCOPE_SESSION_STATS_H
#define UNISCOPE_SESSION_STATS_H

#include <stdint.h>
#include "session.h"

struct session_stats {
	uint64_t frames_in;       /* channel frames decoded from the guest */
	uint64_t dropped_in;      /* frames from the guest refused (any reason) */
	uint64_t crc_errors_in;
	uint64_t frames_out;      /* frames the guest says it decoded */
	uint64_t dropped_out;     /* frames the guest refused */
	uint64_t gdb_fast_reads;  /* GDB memory reads answered from guest RAM */
	uint64_t gdb_host_answers; /* GDB packets the bridge answered from the host (thread list, ...) */
	uint64_t gdb_mailbox_in;  /* bytes to the stub through the GDB mailbox */
	uint64_t gdb_mailbox_out; /* bytes from the stub through it */
	uint64_t gdb_stale;       /* stub bytes dropped: meant for a client that left */
	uint64_t gdb_clients;     /* debuggers served */
	uint64_t gdb_refused;     /* turned away: another was attached, or another user's */
	uint64_t gdb_cut_off;     /* cut off: a broken protocol or a flood */
};

/* Replaces the file whole (a reader never sees half of it). 0 or -errno. */
int session_stats_write(const struct session *s, const struct session_stats *st);
/* Fills st (zeroed first) from the file. 0 or -errno. */
int session_stats_read(const struct session *s, struct session_stats *st);

#endif
