/*
 * Registers: g G p P, numbered as the target description says (tdesc.c).
 *
 * GDB's amd64 architecture insists that the org.gnu.gdb.i386.core feature
 * holds the x87 registers too, so the description lists them, but with
 * explicit numbers *after* fs_base/gs_base. That keeps the 'g' packet to
 * what struct uniscope_regs actually holds (remote registers 0..25, 180
 * bytes); GDB asks for the rest with 'p', and those we answer "xx..":
 * unavailable, not a made-up zero. The control registers follow in a
 * feature of our own, so `p $cr2` works after a page fault.
 *
 *	 0..15 rax rbx rcx rdx rsi rdi rbp rsp r8..r15  8 bytes
 *	16     rip                                       8
 *	17     eflags                                    4
 *	18..23 cs ss ds es fs gs                         4
 *	24..25 fs_base gs_base                           8
 *	26..41 st0..st7 (10 bytes), fctrl..fop (4)       unavailable
 *	42..45 cr0 cr2 cr3 cr4                           8
 */
#include "internal.h"

#define NOT_HELD 0xffff /* described to GDB, not in struct uniscope_regs */

struct reg_slot {
	uint16_t offset; /* in struct uniscope_regs, or NOT_HELD */
	uint8_t size;    /* bytes on the wire */
};

#define HELD(field, size) { offsetof(struct uniscope_regs, field), size }

static const struct reg_slot reg_slots[] = {
	HELD(rax, 8), HELD(rbx, 8), HELD(rcx, 8), HELD(rdx, 8),
	HELD(rsi, 8), HELD(rdi, 8), HELD(rbp, 8), HELD(rsp, 8),
	HELD(r8, 8), HELD(r9, 8), HELD(r10, 8), HELD(r11, 8),
	HELD(r12, 8), HELD(r13, 8), HELD(r14, 8), HELD(r15, 8),
	HELD(rip, 8), HELD(rflags, 4),
	HELD(cs, 4), HELD(ss, 4), HELD(ds, 4), HELD(es, 4), HELD(fs, 4), HELD(gs, 4),
	HELD(fs_base, 8), HELD(gs_base, 8),
	{ NOT_HELD, 10 }, { NOT_HELD, 10 }, { NOT_HELD, 10 }, { NOT_HELD, 10 },
	{ NOT_HELD, 10 }, { NOT_HELD, 10 }, { NOT_HELD, 10 }, { NOT_HELD, 10 },
	{ NOT_HELD, 4 }, { NOT_HELD, 4 }, { NOT_HELD, 4 }, { NOT_HELD, 4 },
	{ NOT_HELD, 4 }, { NOT_HELD, 4 }, { NOT_HELD, 4 }, { NOT_HELD, 4 },
	HELD(cr0, 8), HELD(cr2, 8), HELD(cr3, 8), HELD(cr4, 8),
};

#define NR_REGS (sizeof(reg_slots) / sizeof(reg_slots[0]))
#define NR_G_REGS 26 /* the 'g' packet: remote registers 0..25 */

static uint64_t slot_value(const struct uniscope_regs *regs, const struct reg_slot *slot)
{
	uint64_t value;

	memcpy(&value, (const char *)regs + slot->offset, sizeof(value));
	return value;
}

/* Narrow registers are zero-extended into their 64-bit fields. */
static void set_slot_value(struct uniscope_regs *regs, const struct reg_slot *slot,
			   const uint8_t *le)
{
	uint64_t value = 0;

	for (size_t i = 0; i < slot->size && i < sizeof(value); i++)
		value |= (uint64_t)le[i] << (8 * i);
	memcpy((char *)regs + slot->offset, &value, sizeof(value));
}

static int read_regs(struct gdb_engine *e, struct uniscope_regs *regs)
{
	int64_t tid = gdb_resolve_tid(e, e->general_tid);

	if (!e->ops->read_registers)
		return GDB_ERR_GENERIC;
	memset(regs, 0, sizeof(*regs));
	return e->ops->read_registers(e->target_ctx, tid, regs);
}

static int write_regs(struct gdb_engine *e, const struct uniscope_regs *regs)
{
	int64_t tid = gdb_resolve_tid(e, e->general_tid);

	if (!e->ops->write_registers)
		return GDB_ERR_REFUSED;
	return e->ops->write_registers(e->target_ctx, tid, regs);
}

static void reply_slot(struct gdb_engine *e, const struct uniscope_regs *regs,
		       const struct reg_slot *slot)
{
	static const char unavailable[20] = "xxxxxxxxxxxxxxxxxxxx";

	if (slot->offset == NOT_HELD)
		gdb_reply_append(e, unavailable, 2u * slot->size);
	else
		gdb_reply_le(e, slot_value(regs, slot), slot->size);
}

unsigned gdb_cmd_read_registers(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct uniscope_regs regs;
	int rc = read_regs(e, &regs);

	(void)args;
	if (rc < 0) {
		gdb_send_failure(e, rc);
		return GDB_EVENT_NONE;
	}
	gdb_reply_begin(e);
	for (size_t i = 0; i < NR_G_REGS; i++)
		reply_slot(e, &regs, &reg_slots[i]);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

/* Registers in 'g' order; a longer packet's tail (x87 and on) is ignored. */
static bool parse_g_block(struct gdb_cursor *args, struct uniscope_regs *regs)
{
	for (size_t i = 0; i < NR_G_REGS; i++) {
		const struct reg_slot *slot = &reg_slots[i];
		uint8_t le[8];

		if (gdb_cursor_left(args) < 2u * slot->size ||
		    !gdb_hex_decode(args->p, 2u * slot->size, le, slot->size))
			return false;
		args->p += 2u * slot->size;
		set_slot_value(regs, slot, le);
	}
	return true;
}

unsigned gdb_cmd_write_registers(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct uniscope_regs regs;
	int rc = read_regs(e, &regs); /* keeps what 'G' does not carry */

	if (rc >= 0 && !parse_g_block(args, &regs))
		rc = GDB_ERR_INVALID;
	if (rc >= 0)
		rc = write_regs(e, &regs);
	if (rc < 0)
		gdb_send_failure(e, rc);
	else
		gdb_send_ok(e);
	return GDB_EVENT_NONE;
}

static const struct reg_slot *parse_regnum(struct gdb_cursor *args)
{
	uint64_t regnum;

	if (!gdb_parse_hex_u64(args, &regnum) || regnum >= NR_REGS)
		return NULL;
	return &reg_slots[regnum];
}

unsigned gdb_cmd_read_register(struct gdb_engine *e, struct gdb_cursor *args)
{
	const struct reg_slot *slot = parse_regnum(args);
	struct uniscope_regs regs;
	int rc = GDB_ERR_INVALID;

	if (slot && gdb_cursor_done(args))
		rc = read_regs(e, &regs);
	if (rc < 0) {
		gdb_send_failure(e, rc);
		return GDB_EVENT_NONE;
	}
	gdb_reply_begin(e);
	reply_slot(e, &regs, slot);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

/* "Pn=value": read all, change one, write all. */
unsigned gdb_cmd_write_register(struct gdb_engine *e, struct gdb_cursor *args)
{
	const struct reg_slot *slot = parse_regnum(args);
	struct uniscope_regs regs;
	uint8_t le[10];
	int rc = GDB_ERR_INVALID;

	if (slot && slot->offset != NOT_HELD && gdb_parse_char(args, '=') &&
	    gdb_hex_decode(args->p, gdb_cursor_left(args), le, slot->size))
		rc = read_regs(e, &regs);
	if (rc >= 0) {
		set_slot_value(&regs, slot, le);
		rc = write_regs(e, &regs);
	}
	if (rc < 0)
		gdb_send_failure(e, rc);
	else
		gdb_send_ok(e);
	return GDB_EVENT_NONE;
}
