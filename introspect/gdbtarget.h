/*
 * The gdbstub engine's target (include/uniscope/gdbstub.h) over a
 * libuniscope target: `uniscope gdbserver` serves GDB from the host, with
 * no stub in the guest.
 *
 *	threads    the libOS threads as us_postmortem_threads() gives them
 *	           (dead or on-CPU one first), GDB id = libOS id; a guest
 *	           without a descriptor is one thread, vCPU 0;
 *	registers  of each thread (vCPU, trap frame, saved context, or the
 *	           panic record for the thread that died), x87/SSE from the
 *	           vCPU or the thread's saved FXSAVE area (us_thread_fpu);
 *	           never written;
 *	memory     us_target_read(), as much as is readable; never written;
 *	running    a live session only: continue resumes the VM, the caller
 *	           pauses it again (Ctrl-C, or the guest died) and refreshes.
 *	           Cores, dead guests and single-steps are refused, so GDB
 *	           stays stopped. No breakpoints: Z packets are unsupported.
 *
 * The thread list is a snapshot taken at each stop: GDB only walks it
 * while the target is stopped.
 */
#ifndef UNISCOPE_INTROSPECT_GDBTARGET_H
#define UNISCOPE_INTROSPECT_GDBTARGET_H

#include <stdbool.h>
#include <uniscope/gdbstub.h>
#include "postmortem.h"

/* One region of the memory map (gdbmaps.c); kind and arg say what it is. */
struct us_gdb_map {
	uint64_t start, end;
	uint32_t kind, arg;
};

/* At most this many regions (GDB's maps file stops there too), and as many heap runs. */
#ifdef UNISCOPE_FUZZ /* fuzz builds reach the bound 64x sooner (tests/fuzz/README.md) */
#define US_GDB_MAPS_MAX 1024
#else
#define US_GDB_MAPS_MAX 65536
#endif

/* The snapshot's threads by id: GDB names a thread in most packets, and a document names them all. */
struct us_gdb_thread_key {
	uint32_t id, index; /* into threads[] */
};

struct us_gdb_target {
	struct us_target *t;
	bool live;      /* a VM that can run */
	bool paused;    /* we hold a pause of it */
	struct us_thread *threads;
	size_t nr_threads;
	struct us_gdb_thread_key *by_id; /* sorted by id, then index; NULL: searched in order */
	struct uniscope_panic panic;
	char problem[256]; /* why the thread list is short, or "" */
	/* The memory map (gdbmaps.c), built at the first memory_region after a snapshot. */
	bool maps_read;
	struct us_gdb_map *maps; /* sorted, not overlapping */
	size_t nr_maps;
};

extern const struct gdb_target_ops us_gdb_target_ops;

/* t stays the caller's. */
void us_gdb_target_init(struct us_gdb_target *g, struct us_target *t);
void us_gdb_target_fini(struct us_gdb_target *g);
/* After threads[] changed: the index us_gdb_find_thread() searches (us_gdb_target_fini frees it). */
void us_gdb_target_index_threads(struct us_gdb_target *g);
/* The thread with GDB id tid (the first listed, if a corrupt list repeats it), or NULL. */
const struct us_thread *us_gdb_find_thread(const struct us_gdb_target *g, int64_t tid);
/* Stop the VM (live) and take a new snapshot of its threads. */
struct us_error *us_gdb_target_stop(struct us_gdb_target *g);
/* A new snapshot of its threads, the VM as it is (stopped by someone else: the stub). */
void us_gdb_target_refresh(struct us_gdb_target *g);
/* gdbmaps.c: the named regions of memory_region (refreshed with the threads). */
void us_gdb_maps_refresh(struct us_gdb_target *g);
void us_gdb_maps_fini(struct us_gdb_target *g);
bool us_gdb_memory_region(const struct us_gdb_target *g, uint64_t from, struct gdb_memory_region *out);
/* Let a VM we paused run again (detach, or GDB left). */
struct us_error *us_gdb_target_release(struct us_gdb_target *g);
/* What to tell GDB about the stop: the dead thread and its signal, else `signal`. */
void us_gdb_target_stop_reply(const struct us_gdb_target *g, int signal, struct gdb_stop *out);
/* While running: true once the guest's panic record says it died. */
bool us_gdb_target_died(struct us_gdb_target *g);

#endif
