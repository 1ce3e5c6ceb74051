/*
 * Registers: g G p P, numbered by the register table (tdesc.c).
 *
 * 'g' carries remote registers 0..25, what struct uniscope_regs holds
 * (180 bytes); GDB asks for the rest with 'p'. The x87, SSE and AVX
 * registers come from the target's read_fpu (FXSAVE layout): a target
 * without one answers them "xx..", unavailable, never a made-up zero.
 * FXSAVE keeps an abridged tag (one bit per physical register); GDB wants
 * the full two-bit tags, computed from the registers' contents as the CPU
 * would (valid, zero, special), and converted back on a write.
 */
#include "internal.h"

#define REG_BYTES_MAX 16

static int64_t reg_thread(struct gdb_engine *e)
{
	return gdb_resolve_tid(e, e->general_tid);
}

static int read_gprs(struct gdb_engine *e, struct uniscope_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	if (!e->ops->read_registers)
		return GDB_ERR_GENERIC;
	return e->ops->read_registers(e->target_ctx, reg_thread(e), regs);
}

static int write_gprs(struct gdb_engine *e, const struct uniscope_regs *regs)
{
	if (!e->ops->write_registers)
		return GDB_ERR_REFUSED;
	return e->ops->write_registers(e->target_ctx, reg_thread(e), regs);
}

/* Into e->fpu; GDB_ERR_UNSUPPORTED when the target has no FPU state to give. */
static int read_fpu(struct gdb_engine *e)
{
	memset(&e->fpu, 0, sizeof(e->fpu));
	if (!e->ops->read_fpu)
		return GDB_ERR_UNSUPPORTED;
	return e->ops->read_fpu(e->target_ctx, reg_thread(e), &e->fpu);
}

static int write_fpu(struct gdb_engine *e)
{
	if (!e->ops->write_fpu)
		return GDB_ERR_REFUSED;
	return e->ops->write_fpu(e->target_ctx, reg_thread(e), &e->fpu);
}

/* ---- x87 tags --------------------------------------------------------- */

enum x87_tag { TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3 };

static enum x87_tag x87_tag_of(const uint8_t *st)
{
	unsigned exponent = (unsigned)(st[9] & 0x7f) << 8 | st[8];
	bool integer = st[7] & 0x80;
	bool fraction = (st[7] & 0x7f) || st[6] || st[5] || st[4] || st[3] || st[2] || st[1] ||
			st[0];

	if (exponent == 0x7fff)
		return TAG_SPECIAL;
	if (exponent == 0)
		return !fraction && !integer ? TAG_ZERO : TAG_SPECIAL;
	return integer ? TAG_VALID : TAG_SPECIAL;
}

/* Tags are per physical register; st[i] is ST(i), physical register top + i. */
static uint16_t full_tag(const struct uniscope_fxsave *fx)
{
	unsigned top = (fx->fsw >> 11) & 7;
	uint16_t tags = 0;

	for (unsigned phys = 0; phys < 8; phys++) {
		enum x87_tag tag = TAG_EMPTY;
		if (fx->ftw & (1u << phys))
			tag = x87_tag_of(fx->st[(phys - top) & 7]);
		tags |= (uint16_t)(tag << (2 * phys));
	}
	return tags;
}

static uint8_t abridged_tag(uint16_t tags)
{
	uint8_t ftw = 0;

	for (unsigned phys = 0; phys < 8; phys++)
		if (((tags >> (2 * phys)) & 3) != TAG_EMPTY)
			ftw |= (uint8_t)(1u << phys);
	return ftw;
}

/* ---- one register's bytes ---------------------------------------------- */

/* Little-endian bytes of r (r->size of them); GDB_ERR_UNSUPPORTED: unavailable. */
static int reg_value(struct gdb_engine *e, const struct gdb_reg *r, uint8_t *out)
{
	struct uniscope_regs regs;
	int rc = 0;

	memset(out, 0, REG_BYTES_MAX);
	if (r->source == GDB_REG_GPR) {
		if ((rc = read_gprs(e, &regs)) >= 0)
			memcpy(out, (const uint8_t *)&regs + r->offset, r->size);
	} else if (r->source == GDB_REG_ORIG_RAX) {
		memset(out, 0xff, r->size);
	} else if ((rc = read_fpu(e)) >= 0) {
		if (r->source == GDB_REG_FTAG) {
			uint16_t tags = full_tag(&e->fpu.fx);
			memcpy(out, &tags, sizeof(tags));
		} else if (r->source == GDB_REG_YMMH) {
			if (!e->fpu.has_ymm)
				return GDB_ERR_UNSUPPORTED;
			memcpy(out, &e->fpu.ymm_hi[0][0] + r->offset, r->src_size);
		} else {
			memcpy(out, (const uint8_t *)&e->fpu.fx + r->offset, r->src_size);
		}
	}
	return rc < 0 ? rc : 0;
}

/* Set r to the little-endian bytes in `in` (r->size of them). */
static int set_reg_value(struct gdb_engine *e, const struct gdb_reg *r, const uint8_t *in)
{
	struct uniscope_regs regs;
	uint16_t tags;
	int rc;

	if (r->source == GDB_REG_ORIG_RAX)
		return 0; /* nothing to restart: any value means "no system call" */
	if (r->source == GDB_REG_GPR) {
		if ((rc = read_gprs(e, &regs)) < 0)
			return rc;
		memset((uint8_t *)&regs + r->offset, 0, 8); /* narrow ones zero-extended */
		memcpy((uint8_t *)&regs + r->offset, in, r->size);
		return write_gprs(e, &regs);
	}
	if ((rc = read_fpu(e)) < 0)
		return rc == GDB_ERR_UNSUPPORTED ? GDB_ERR_REFUSED : rc;
	if (r->source == GDB_REG_FTAG) {
		memcpy(&tags, in, sizeof(tags));
		e->fpu.fx.ftw = abridged_tag(tags);
	} else if (r->source == GDB_REG_YMMH) {
		if (!e->fpu.has_ymm)
			return GDB_ERR_REFUSED;
		memcpy(&e->fpu.ymm_hi[0][0] + r->offset, in, r->src_size);
	} else {
		memcpy((uint8_t *)&e->fpu.fx + r->offset, in, r->src_size);
	}
	return write_fpu(e);
}

/* ---- the packets ------------------------------------------------------ */

static void reply_unavailable(struct gdb_engine *e, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		gdb_reply_str(e, "xx");
}

unsigned gdb_cmd_read_registers(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct uniscope_regs regs;
	int rc = read_gprs(e, &regs);

	(void)args;
	if (rc < 0) {
		gdb_send_failure(e, rc);
		return GDB_EVENT_NONE;
	}
	gdb_reply_begin(e);
	for (size_t i = 0; i < GDB_NR_G_REGS; i++) {
		const struct gdb_reg *r = gdb_reg(e, i);
		gdb_reply_hex_bytes(e, (const uint8_t *)&regs + r->offset, r->size);
	}
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

/* Registers in 'g' order; a longer packet's tail (x87 and on) is ignored. */
static bool parse_g_block(struct gdb_engine *e, struct gdb_cursor *args,
			  struct uniscope_regs *regs)
{
	for (size_t i = 0; i < GDB_NR_G_REGS; i++) {
		const struct gdb_reg *r = gdb_reg(e, i);
		uint8_t le[8] = { 0 };

		if (gdb_cursor_left(args) < 2u * r->size ||
		    !gdb_hex_decode(args->p, 2u * r->size, le, r->size))
			return false;
		args->p += 2u * r->size;
		memcpy((uint8_t *)regs + r->offset, le, sizeof(le));
	}
	return true;
}

unsigned gdb_cmd_write_registers(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct uniscope_regs regs;
	int rc = read_gprs(e, &regs); /* keeps what 'G' does not carry */

	if (rc >= 0 && !parse_g_block(e, args, &regs))
		rc = GDB_ERR_INVALID;
	if (rc >= 0)
		rc = write_gprs(e, &regs);
	if (rc < 0)
		gdb_send_failure(e, rc);
	else
		gdb_send_ok(e);
	return GDB_EVENT_NONE;
}

static const struct gdb_reg *parse_regnum(struct gdb_engine *e, struct gdb_cursor *args)
{
	uint64_t regnum;

	if (!gdb_parse_hex_u64(args, &regnum))
		return NULL;
	return gdb_reg(e, regnum);
}

unsigned gdb_cmd_read_register(struct gdb_engine *e, struct gdb_cursor *args)
{
	const struct gdb_reg *r = parse_regnum(e, args);
	uint8_t value[REG_BYTES_MAX];
	int rc = GDB_ERR_INVALID;

	if (r && gdb_cursor_done(args))
		rc = reg_value(e, r, value);
	if (rc < 0 && rc != GDB_ERR_UNSUPPORTED) {
		gdb_send_failure(e, rc);
		return GDB_EVENT_NONE;
	}
	gdb_reply_begin(e);
	if (rc == GDB_ERR_UNSUPPORTED)
		reply_unavailable(e, r->size);
	else
		gdb_reply_hex_bytes(e, value, r->size);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

/* "Pn=value": one register, written back with the rest of its set. */
unsigned gdb_cmd_write_register(struct gdb_engine *e, struct gdb_cursor *args)
{
	const struct gdb_reg *r = parse_regnum(e, args);
	uint8_t value[REG_BYTES_MAX];
	int rc = GDB_ERR_INVALID;

	if (r && gdb_parse_char(args, '=') &&
	    gdb_hex_decode(args->p, gdb_cursor_left(args), value, r->size))
		rc = set_reg_value(e, r, value);
	if (rc < 0)
		gdb_send_failure(e, rc);
	else
		gdb_send_ok(e);
	return GDB_EVENT_NONE;
}
