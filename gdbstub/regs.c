/*
 * Registers: g G p P and the target description that numbers them.
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

const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
	"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
	"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
	"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
	"<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
	"<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
	"</flags>\n"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n"
	"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\" regnum=\"26\"/>\n"
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.segments\">\n"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"24\"/>\n"
	"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
	"</feature>\n"
	"<feature name=\"org.uniscope.x86-64.control\">\n"
	"<reg name=\"cr0\" bitsize=\"64\" type=\"int\" regnum=\"42\" group=\"system\"/>\n"
	"<reg name=\"cr2\" bitsize=\"64\" type=\"int\" group=\"system\"/>\n"
	"<reg name=\"cr3\" bitsize=\"64\" type=\"int\" group=\"system\"/>\n"
	"<reg name=\"cr4\" bitsize=\"64\" type=\"int\" group=\"system\"/>\n"
	"</feature>\n"
	"</target>\n";

size_t gdb_target_xml_len(void)
{
	return sizeof(gdb_target_xml) - 1;
}

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
