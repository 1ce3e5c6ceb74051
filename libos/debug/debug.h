/* The in-guest GDB stub's internals (libos/debug/). */
#ifndef LIBOS_DEBUG_H
#define LIBOS_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum debug_slot_kind { DEBUG_SLOT_EXEC, DEBUG_SLOT_WRITE, DEBUG_SLOT_READ, DEBUG_SLOT_ACCESS };

struct debug_slot {
	bool in_use;
	uint8_t kind; /* enum debug_slot_kind */
	uint32_t len;
	uint64_t addr;
	uint64_t last_value; /* read watchpoints: the watched bytes */
	bool software;       /* a Z0 breakpoint the sealed profile serves from a slot */
};

int debug_slot_insert(enum debug_slot_kind kind, uint64_t addr, uint32_t len);
void debug_slot_mark_software(int slot);
int debug_slot_remove(enum debug_slot_kind kind, uint64_t addr);
void debug_slots_clear(void);
void debug_slots_suspend(bool suspend);
int debug_slot_hit(uint64_t *dr6);
const struct debug_slot *debug_slot(int i);
bool debug_memory_mapped(uint64_t addr, size_t len);

/* The thread with GDB id tid, or for 0 the thread the stub stopped in (stub.c). */
struct thread *debug_thread(int64_t tid);

/* x87/SSE registers of a thread (fpu_regs.c); write in the full profile only. */
struct gdb_fpu_state;
int debug_fpu_read(void *ctx, int64_t tid, struct gdb_fpu_state *out);
bool debug_fpu_has_avx(void *ctx);
int debug_fpu_write(void *ctx, int64_t tid, const struct gdb_fpu_state *in);

/* The memory map for GDB's /proc/PID/maps (memory_map.c). */
struct gdb_memory_region;
bool debug_memory_region(void *ctx, uint64_t from, struct gdb_memory_region *out);

/* Resuming as GDB asked: holds and single steps (resume_plan.c). */
struct gdb_resume;
struct uniscope_trap_frame;
int debug_resume_plan(const struct gdb_resume *r, struct thread *stopped,
		      struct uniscope_trap_frame *frame);
void debug_resume_forget(void);
bool debug_step_passing(const struct uniscope_trap_frame *frame, uint64_t dr6);

/* The GDB mailbox (mailbox.c). */
void mailbox_init(void);
bool mailbox_send(const void *buf, size_t len);
size_t mailbox_receive(uint8_t *buf, size_t cap);

#endif
