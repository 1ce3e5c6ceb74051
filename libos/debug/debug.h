/*
 * The in-guest GDB stub's internals (libos/debug/): what its files share.
 *
 *	stub.c          the target the RSP engine (gdbstub/) drives; the stop loop
 *	stub_full.c     DEBUG=full: memory writes, int3 breakpoints (the Makefile
 *	stub_sealed.c   DEBUG=sealed: read-only, debug registers only; picks one)
 *	walk.c          bounded, checked walks of the libOS's thread list
 *	mailbox.c       the GDB mailbox (include/uniscope/mailbox.h)
 *	off.c           DEBUG=off: the hooks (hooks.h) as nothing; no other file
 */
#ifndef LIBOS_DEBUG_H
#define LIBOS_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uniscope/gdbstub.h>
#include "kern/kern.h"

/* GDB thread ids are the libOS's own (they start at 1: see kern/thread.c). */
#define TID_OF(t) ((int64_t)(t)->id)

/* ---- stub.c ---- */
/* Says why the target operation about to fail failed (gdb_engine_error_message). */
void stub_refuse_because(const char *why);
int stub_read_memory(void *ctx, uint64_t addr, void *buf, size_t len);
const char *stub_thread_state_name(uint32_t state);

/* ---- the profile: stub_full.c or stub_sealed.c ---- */
/* Z0, z0 and what a trap needs to know about them. */
int stub_sw_breakpoint_insert(uint64_t addr);
int stub_sw_breakpoint_remove(uint64_t addr);
bool stub_sw_breakpoint_at(uint64_t addr);
void stub_sw_breakpoints_clear(void);
/* M, X: 0 or a GDB_ERR_* (the sealed profile refuses, saying why). */
int stub_write_memory(void *ctx, uint64_t addr, const void *buf, size_t len);
/* G, P: 0 when registers may be written, else a GDB_ERR_* (having said why). */
int stub_may_write_registers(void);

/* ---- walk.c ---- */
/* A pointer from guest data that may be followed: non-null, canonical, aligned, all mapped. */
bool stub_object_ok(const void *p, size_t size, size_t align);
bool stub_thread_ok(const struct thread *t);
bool stub_trap_frame_ok(const trap_frame_t *f);

/*
 * A walk of thread_list: at most UNISCOPE_MAX_THREADS steps, each pointer
 * checked, stopped at a cycle. After the loop, error is 0 when the list
 * ended, GDB_ERR_FAULT when it was broken.
 *
 *	struct thread_walk w;
 *	for (struct thread *t = thread_walk_first(&w); t; t = thread_walk_next(&w))
 */
struct thread_walk {
	struct thread *at, *tortoise; /* Brent's cycle detection */
	uint32_t steps, power, lambda;
	int error;
};
struct thread *thread_walk_first(struct thread_walk *w);
struct thread *thread_walk_next(struct thread_walk *w);
/* The thread with GDB thread id tid: 0, GDB_ERR_NO_THREAD, or GDB_ERR_FAULT (a broken list). */
int stub_thread_find(int64_t tid, struct thread **out);

/* ---- stub.c ---- */
/* The thread with GDB id tid, or for 0 the thread the stub stopped in; 0 if none. */
struct thread *debug_thread(int64_t tid);

/* ---- fpu_regs.c: x87/SSE/AVX registers of a thread; write in the full profile only ---- */
struct gdb_fpu_state;
int debug_fpu_read(void *ctx, int64_t tid, struct gdb_fpu_state *out);
bool debug_fpu_has_avx(void *ctx);
int debug_fpu_write(void *ctx, int64_t tid, const struct gdb_fpu_state *in);

/* ---- resume_plan.c: resuming as GDB asked, holds and single steps ---- */
int debug_resume_plan(const struct gdb_resume *r, struct thread *stopped, trap_frame_t *frame);
void debug_resume_forget(void);
enum debug_step_trap {
	DEBUG_STEP_NOT_PLANNED, /* no step of the plan's: the stub's own, or stale */
	DEBUG_STEP_PASSING,     /* on the way into a switched-out thread that steps: pass over */
	DEBUG_STEP_ARRIVED,     /* that thread's step: report it */
};
enum debug_step_trap debug_step_trap(const trap_frame_t *frame, uint64_t dr6);

/* ---- mailbox.c ---- */
void mailbox_init(void);
bool mailbox_send(const void *buf, size_t len);
size_t mailbox_receive(uint8_t *buf, size_t cap);
/* Drops what the host left in to_guest: the bytes of a client that left. */
void mailbox_discard_input(void);
/* Replies take the channel until the host attaches again (mailbox.h). */
void mailbox_detach_host(void);
bool mailbox_host_attached(void);

#endif
