/*
 * The four x86 debug registers: hardware breakpoints and watchpoints. The
 * sealed profile serves every breakpoint from here, since it never writes
 * text. x86 has no read-only watchpoint: a read watchpoint is an access
 * (read/write) slot whose watched bytes are remembered; a hit that changed
 * them was a write, which is not reported (see debug_slot_hit()).
 */
#include <stdint.h>
#include <string.h>
#include "debugreg.h"
#include "paging.h"

#define NR_SLOTS DEBUG_SLOTS

static struct debug_slot slots[NR_SLOTS];
static bool suspended; /* inside the stub: its own reads must not trap */

#define DEFINE_DR(n) \
	__attribute__((unused)) static void write_dr##n(uint64_t v) { __asm__ volatile("mov %0, %%dr" #n :: "r"(v)); } \
	__attribute__((unused)) static uint64_t read_dr##n(void) { uint64_t v; __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v)); return v; }
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
DEFINE_DR(7)
#undef DEFINE_DR

static void write_address(int slot, uint64_t addr)
{
	switch (slot) {
	case 0: write_dr0(addr); break;
	case 1: write_dr1(addr); break;
	case 2: write_dr2(addr); break;
	default: write_dr3(addr); break;
	}
}

static uint64_t len_bits(uint32_t len)
{
	switch (len) {
	case 2: return 1;
	case 8: return 2;
	case 4: return 3;
	default: return 0;
	}
}

static void load_dr7(void)
{
	uint64_t dr7 = 0;

	if (suspended) {
		write_dr7(0);
		return;
	}
	for (int i = 0; i < NR_SLOTS; i++) {
		const struct debug_slot *s = &slots[i];
		uint64_t rw = s->kind == DEBUG_SLOT_EXEC ? 0 : s->kind == DEBUG_SLOT_WRITE ? 1 : 3;
		if (!s->in_use)
			continue;
		dr7 |= 1ull << (2 * i);
		dr7 |= rw << (16 + 4 * i);
		dr7 |= (s->kind == DEBUG_SLOT_EXEC ? 0 : len_bits(s->len)) << (18 + 4 * i);
	}
	write_dr7(dr7);
}

int debug_slot_insert(enum debug_slot_kind kind, uint64_t addr, uint32_t len)
{
	if (kind != DEBUG_SLOT_EXEC && (len == 0 || len > 8 || (len & (len - 1)) || addr % len))
		return -1; /* the CPU watches 1, 2, 4 or 8 aligned bytes */
	for (int i = 0; i < NR_SLOTS; i++) {
		struct debug_slot *s = &slots[i];
		if (s->in_use)
			continue;
		*s = (struct debug_slot){ .in_use = true, .kind = kind, .addr = addr, .len = len ? len : 1 };
		if (kind == DEBUG_SLOT_READ && paging_range_mapped(addr, s->len))
			memcpy(&s->last_value, (const void *)addr, s->len);
		write_address(i, addr);
		load_dr7();
		return i;
	}
	return -2;
}

int debug_slot_remove(enum debug_slot_kind kind, uint64_t addr)
{
	for (int i = 0; i < NR_SLOTS; i++) {
		if (slots[i].in_use && slots[i].kind == kind && slots[i].addr == addr) {
			slots[i].in_use = false;
			load_dr7();
			return 0;
		}
	}
	return -1;
}

void debug_slots_clear(void)
{
	memset(slots, 0, sizeof(slots));
	load_dr7();
}

/*
 * Which slot a #DB came from, or -1 (single step). For read watchpoints a
 * hit that changed the watched bytes was a write: it yields -2, "not for
 * the debugger", and the new value is remembered.
 */
int debug_slot_hit(uint64_t *dr6_out)
{
	uint64_t dr6 = read_dr6();

	write_dr6(0);
	*dr6_out = dr6;
	for (int i = 0; i < NR_SLOTS; i++) {
		struct debug_slot *s = &slots[i];
		uint64_t now = 0;
		if (!(dr6 & (1ull << i)) || !s->in_use)
			continue;
		if (s->kind != DEBUG_SLOT_READ)
			return i;
		if (paging_range_mapped(s->addr, s->len))
			memcpy(&now, (const void *)s->addr, s->len);
		if (now != s->last_value) {
			s->last_value = now;
			return -2;
		}
		return i;
	}
	return -1;
}

void debug_slots_suspend(bool suspend)
{
	suspended = suspend;
	load_dr7();
}

void debug_slot_mark_software(int i)
{
	if (i >= 0 && i < NR_SLOTS)
		slots[i].software = true;
}

const struct debug_slot *debug_slot(int i)
{
	return i >= 0 && i < NR_SLOTS ? &slots[i] : 0;
}
