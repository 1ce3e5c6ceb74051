/*
 * The crash stop of a replay (see replay_target.h): hidden breakpoints on
 * the entries of the CPU exceptions the libOS dies of and on its panic
 * functions, in for forward continues only; when one is hit, the replay is
 * stood on the faulting instruction, and GDB hears the signal the fault
 * means, from the thread that ran it.
 */
#include <stdio.h>
#include <string.h>
#include "replay_internal.h"

#define MONITOR_TEXT 4096
#define REG_RSP 7

/* The CPU exceptions the libOS dies of (not #DB, NMI, #BP: a debugger's and the platform's). */
static const uint8_t fatal_vectors[] = { 0, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21 };
static const char *const panic_functions[] = { "panic", "__assert_fail" };

static bool has_error_code(unsigned vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

/* IDTR from `info registers`: "IDT=     BASE LIMIT". */
static bool read_idtr(struct us_replay_target *rt, uint64_t *base, uint32_t *limit)
{
	char text[MONITOR_TEXT];
	const char *at;
	unsigned long long b;
	unsigned l;

	if (us_qemu_gdb_monitor(rt->q, "info registers", text, sizeof(text)) ||
	    !(at = strstr(text, "IDT=")) || sscanf(at + 4, "%llx %x", &b, &l) != 2)
		return false;
	*base = b;
	*limit = l;
	return true;
}

/* A present gate's handler address, from the loaded IDT. */
static bool idt_entry(struct us_replay_target *rt, uint64_t base, unsigned v, uint64_t *addr)
{
	uint8_t g[16];
	struct us_error *err = us_qemu_gdb_read(rt->q, base + 16 * (uint64_t)v, g, sizeof(g));

	if (err) {
		us_error_destroy(err);
		return false;
	}
	if (!(g[5] & 0x80))
		return false;
	*addr = (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 | (uint64_t)g[7] << 24 |
		(uint64_t)g[8] << 32 | (uint64_t)g[9] << 40 | (uint64_t)g[10] << 48 |
		(uint64_t)g[11] << 56;
	return true;
}

static void add_crash_bp(struct us_replay_target *rt, uint64_t addr, int vector)
{
	if (addr && rt->nr_crash_bps < US_REPLAY_MAX_CRASH_BPS)
		rt->crash_bps[rt->nr_crash_bps++] = (struct us_replay_crash_bp){ addr, vector };
}

/*
 * Where the fatal vectors enter: the libOS's vector table (traps.S: one
 * 16-byte stub per exception vector from trap_vectors_start), which is what its IDT
 * points at, and exists before the IDT is loaded (a continue from the
 * start). An image without the table: its IDT, when loaded, each entry
 * checked to lie in the image's code.
 */
static void find_crash_bps(struct us_replay_target *rt)
{
	uint64_t base = 0, addr, table = replay_symbol(rt, "trap_vectors_start");
	uint32_t limit = 0;
	bool idt = !table && read_idtr(rt, &base, &limit) && limit >= 32 * 16 - 1;

	rt->nr_crash_bps = 0;
	for (unsigned i = 0; i < sizeof(fatal_vectors); i++) {
		unsigned v = fatal_vectors[i];
		if (table)
			add_crash_bp(rt, table + 16 * (uint64_t)v, (int)v);
		else if (idt && idt_entry(rt, base, v, &addr) && us_symbols_by_address(rt->syms, addr))
			add_crash_bp(rt, addr, (int)v);
	}
	for (unsigned i = 0; i < sizeof(panic_functions) / sizeof(panic_functions[0]); i++)
		add_crash_bp(rt, replay_symbol(rt, panic_functions[i]), -1);
}

void replay_set_crash_bps(struct us_replay_target *rt, bool insert)
{
	char packet[48];

	if (insert == rt->crash_bps_inserted)
		return;
	if (insert)
		find_crash_bps(rt);
	for (unsigned i = 0; i < rt->nr_crash_bps; i++) {
		snprintf(packet, sizeof(packet), "%c0,%llx,1", insert ? 'Z' : 'z',
			 (unsigned long long)rt->crash_bps[i].addr);
		replay_note(rt, replay_qemu_ok(rt, packet));
	}
	rt->crash_bps_inserted = insert;
}

const struct us_replay_crash_bp *replay_crash_bp_at(const struct us_replay_target *rt,
						    uint64_t pc)
{
	for (unsigned i = 0; i < rt->nr_crash_bps; i++)
		if (rt->crash_bps[i].addr == pc)
			return &rt->crash_bps[i];
	return NULL;
}

static uint8_t vector_signal(int vector)
{
	switch (vector) {
	case 0: case 16: case 19: return GDB_SIGNAL_FPE;
	case 6: return GDB_SIGNAL_ILL;
	case 17: return GDB_SIGNAL_BUS;
	case -1: return GDB_SIGNAL_ABRT;
	default: return GDB_SIGNAL_SEGV;
	}
}

/*
 * Stopped on entry to a fatal vector, at the instruction count of the
 * fault (the faulting instruction did not retire): the rip the CPU pushed
 * is the faulting instruction. Not a replay to that count: the exception
 * takes no instruction, so a replay_break there may stop on either side
 * of it. A replay to the count before, then one instruction forward (s),
 * stands the replay on it, not yet executed, with the registers it
 * faulted with.
 */
static void back_to_fault(struct us_replay_target *rt, int vector)
{
	uint64_t rsp = 0, fault_rip = 0, icount = 0;
	char reply[256];
	struct us_error *err = us_qemu_gdb_register(rt->q, REG_RSP, &rsp);

	if (!err)
		err = us_qemu_gdb_read(rt->q, rsp + (has_error_code((unsigned)vector) ? 8 : 0),
				       &fault_rip, sizeof(fault_rip));
	if (!err && !(err = us_replay_target_icount(rt, &icount)) &&
	    !(err = replay_restart_at(rt, icount - 1)) && replay_pc(rt) != fault_rip)
		err = replay_run(rt, "s", reply, sizeof(reply));
	if (!err && replay_pc(rt) != fault_rip)
		snprintf(rt->problem, sizeof(rt->problem),
			 "could not stand on the faulting instruction %#llx: stopped at %#llx",
			 (unsigned long long)fault_rip, (unsigned long long)replay_pc(rt));
	replay_note(rt, err);
}

void replay_crash_stop(struct us_replay_target *rt, const struct us_replay_crash_bp *bp,
		       struct gdb_stop *out)
{
	if (bp->vector >= 0)
		back_to_fault(rt, bp->vector);
	replay_stop_for_gdb(rt, vector_signal(bp->vector), GDB_REASON_NONE, out);
	rt->crash_icount = rt->icount;
}

