/*
 * The four x86 debug registers as slots (debugreg.c): hardware breakpoints
 * and watchpoints for the debugger stub, which is their only user.
 */
#ifndef LIBOS_ARCH_DEBUGREG_H
#define LIBOS_ARCH_DEBUGREG_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUG_SLOTS 4
/* DR6 bit: the #DB came from a single step (RFLAGS.TF). */
#define DR6_SINGLE_STEP (1ull << 14)

enum debug_slot_kind { DEBUG_SLOT_EXEC, DEBUG_SLOT_WRITE, DEBUG_SLOT_READ, DEBUG_SLOT_ACCESS };

struct debug_slot {
	bool in_use;
	uint8_t kind; /* enum debug_slot_kind */
	uint32_t len;
	uint64_t addr;
	uint64_t last_value; /* read watchpoints: the watched bytes */
	bool software;       /* a Z0 breakpoint the sealed profile serves from a slot */
};

/* The slot taken, -1 for a length or alignment the CPU cannot watch, -2 when all are in use. */
int debug_slot_insert(enum debug_slot_kind kind, uint64_t addr, uint32_t len);
void debug_slot_mark_software(int slot);
int debug_slot_remove(enum debug_slot_kind kind, uint64_t addr);
void debug_slots_clear(void);
void debug_slots_suspend(bool suspend);
/* Which slot a #DB came from: >= 0, -1 none (single step), -2 a write a read watchpoint ignores. */
int debug_slot_hit(uint64_t *dr6);
const struct debug_slot *debug_slot(int i);

#endif
