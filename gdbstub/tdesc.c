/*
 * The register table and the target description made from it
 * (qXfer:features:read:target.xml): names, sizes, types and the remote
 * numbers the register packets of regs.c use. One table, so the document
 * and the packets cannot disagree.
 *
 * The features are GDB's own amd64 ones, which GDB and LLDB both know:
 *
 *	 0..15 rax..r15, 16 rip, 17 eflags, 18..23 cs..gs   org.gnu.gdb.i386.core
 *	24..25 fs_base gs_base                              org.gnu.gdb.i386.segments
 *	26..41 st0..st7 (10 bytes), fctrl..fop (4)          org.gnu.gdb.i386.core
 *	42..45 cr0 cr2 cr3 cr4                              org.uniscope.x86-64.control
 *	46..62 xmm0..xmm15, mxcsr                           org.gnu.gdb.i386.sse
 *	63     orig_rax                                     org.gnu.gdb.i386.linux
 *	64..79 ymm0h..ymm15h, only if the target has AVX    org.gnu.gdb.i386.avx
 *
 * The numbers are not GDB's amd64 defaults: registers 0..25 are what
 * struct uniscope_regs holds, and make the whole 'g' packet; a host bridge
 * finds cr3 as register 0x2c in stop replies. The linux feature (orig_rax,
 * always -1: no thread is ever inside a restartable Linux system call)
 * is what makes GDB 13 apply its GNU/Linux x86-64 support (core file
 * notes for `gcore`, $_siginfo); without it GDB drops all of it.
 */
#include "internal.h"

enum feature { CORE, SEGMENTS, CONTROL, SSE, LINUX, AVX, NR_FEATURES };

/*
 * The registers in remote-number order, as X(name, feature, source, size,
 * src_size, offset, type, group): struct gdb_reg takes the numbers the
 * register packets need, reg_text the names and types only the document
 * needs. The guest's stub answers register packets; the document comes
 * from the host's bridge (cli/gdb_host.c), so an image links no names.
 */
#define GPR(X, n, field, bytes, type) \
	X(n, CORE, GDB_REG_GPR, bytes, 8, offsetof(struct uniscope_regs, field), type, NULL)
#define SEG_BASE(X, n, field) \
	X(n, SEGMENTS, GDB_REG_GPR, 8, 8, offsetof(struct uniscope_regs, field), "int", NULL)
#define CR(X, n, field) \
	X(n, CONTROL, GDB_REG_GPR, 8, 8, offsetof(struct uniscope_regs, field), "int", "system")
#define FX(X, n, member, bytes, type, group) \
	X(n, CORE, GDB_REG_FPU, 4, bytes, offsetof(struct uniscope_fxsave, member), type, group)
#define FX_AT(X, n, offset, bytes) X(n, CORE, GDB_REG_FPU, 4, bytes, offset, "int", "float")
#define ST(X, i) X("st" #i, CORE, GDB_REG_FPU, 10, 10, 32 + 16 * i, "i387_ext", NULL)
#define XMM(X, i) X("xmm" #i, SSE, GDB_REG_FPU, 16, 16, 160 + 16 * i, "vec128", NULL)
#define YMMH(X, i) X("ymm" #i "h", AVX, GDB_REG_YMMH, 16, 16, 16 * i, "uint128", NULL)

#define GDB_REGS(X) \
	GPR(X, "rax", rax, 8, "int64") GPR(X, "rbx", rbx, 8, "int64") \
	GPR(X, "rcx", rcx, 8, "int64") GPR(X, "rdx", rdx, 8, "int64") \
	GPR(X, "rsi", rsi, 8, "int64") GPR(X, "rdi", rdi, 8, "int64") \
	GPR(X, "rbp", rbp, 8, "data_ptr") GPR(X, "rsp", rsp, 8, "data_ptr") \
	GPR(X, "r8", r8, 8, "int64") GPR(X, "r9", r9, 8, "int64") \
	GPR(X, "r10", r10, 8, "int64") GPR(X, "r11", r11, 8, "int64") \
	GPR(X, "r12", r12, 8, "int64") GPR(X, "r13", r13, 8, "int64") \
	GPR(X, "r14", r14, 8, "int64") GPR(X, "r15", r15, 8, "int64") \
	GPR(X, "rip", rip, 8, "code_ptr") GPR(X, "eflags", rflags, 4, "i386_eflags") \
	GPR(X, "cs", cs, 4, "int32") GPR(X, "ss", ss, 4, "int32") GPR(X, "ds", ds, 4, "int32") \
	GPR(X, "es", es, 4, "int32") GPR(X, "fs", fs, 4, "int32") GPR(X, "gs", gs, 4, "int32") \
	SEG_BASE(X, "fs_base", fs_base) SEG_BASE(X, "gs_base", gs_base) \
	ST(X, 0) ST(X, 1) ST(X, 2) ST(X, 3) ST(X, 4) ST(X, 5) ST(X, 6) ST(X, 7) \
	FX(X, "fctrl", fcw, 2, "int", "float") FX(X, "fstat", fsw, 2, "int", "float") \
	X("ftag", CORE, GDB_REG_FTAG, 4, 1, offsetof(struct uniscope_fxsave, ftw), "int", "float") \
	/* FXSAVE64 keeps 64-bit pointers: GDB's amd64 shows their high halves as the "segments" */ \
	FX_AT(X, "fiseg", 12, 4) FX_AT(X, "fioff", 8, 4) FX_AT(X, "foseg", 20, 4) FX_AT(X, "fooff", 16, 4) \
	FX(X, "fop", fop, 2, "int", "float") \
	CR(X, "cr0", cr0) CR(X, "cr2", cr2) CR(X, "cr3", cr3) CR(X, "cr4", cr4) \
	XMM(X, 0) XMM(X, 1) XMM(X, 2) XMM(X, 3) XMM(X, 4) XMM(X, 5) XMM(X, 6) XMM(X, 7) \
	XMM(X, 8) XMM(X, 9) XMM(X, 10) XMM(X, 11) XMM(X, 12) XMM(X, 13) XMM(X, 14) XMM(X, 15) \
	X("mxcsr", SSE, GDB_REG_FPU, 4, 4, offsetof(struct uniscope_fxsave, mxcsr), "i386_mxcsr", "vector") \
	X("orig_rax", LINUX, GDB_REG_ORIG_RAX, 8, 8, 0, "int", NULL) \
	YMMH(X, 0) YMMH(X, 1) YMMH(X, 2) YMMH(X, 3) YMMH(X, 4) YMMH(X, 5) YMMH(X, 6) YMMH(X, 7) \
	YMMH(X, 8) YMMH(X, 9) YMMH(X, 10) YMMH(X, 11) YMMH(X, 12) YMMH(X, 13) YMMH(X, 14) YMMH(X, 15)

#define REG_NUMBERS(name, feature, source, size, src_size, offset, type, group) \
	{ feature, source, size, src_size, offset },
#define REG_TEXT(name, feature, source, size, src_size, offset, type, group) { name, type, group },

static const struct gdb_reg regs[] = { GDB_REGS(REG_NUMBERS) };
static const struct { const char *name, *type, *group; } reg_text[] = { GDB_REGS(REG_TEXT) };

#define NR_REGS (sizeof(regs) / sizeof(regs[0]))
#define NR_REGS_WITHOUT_AVX (NR_REGS - 16)

_Static_assert(GDB_NR_G_REGS == 26, "'g' holds struct uniscope_regs' registers");
_Static_assert(sizeof(reg_text) / sizeof(reg_text[0]) == NR_REGS, "one text per register");

static bool has_avx(struct gdb_engine *e)
{
	return e->ops->has_avx && e->ops->has_avx(e->target_ctx);
}

const struct gdb_reg *gdb_reg(struct gdb_engine *e, uint64_t regnum)
{
	size_t count = has_avx(e) ? NR_REGS : NR_REGS_WITHOUT_AVX;

	return regnum < count ? &regs[regnum] : NULL;
}

static const char *const feature_names[NR_FEATURES] = {
	[CORE] = "org.gnu.gdb.i386.core",
	[SEGMENTS] = "org.gnu.gdb.i386.segments",
	[CONTROL] = "org.uniscope.x86-64.control",
	[SSE] = "org.gnu.gdb.i386.sse",
	[LINUX] = "org.gnu.gdb.i386.linux",
	[AVX] = "org.gnu.gdb.i386.avx",
};

/* The types a feature's registers use, as GDB's own feature files define them. */
static const char eflags_type[] =
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
	"</flags>\n";

static const char sse_types[] =
	"<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>\n"
	"<vector id=\"v8h\" type=\"ieee_half\" count=\"8\"/>\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	"<union id=\"vec128\">\n"
	"<field name=\"v8_bfloat16\" type=\"v8bf16\"/><field name=\"v8_half\" type=\"v8h\"/>\n"
	"<field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>\n"
	"<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>\n"
	"<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>\n"
	"<field name=\"uint128\" type=\"uint128\"/>\n"
	"</union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">\n"
	"<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>\n"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>\n"
	"<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>\n"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>\n"
	"<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
	"<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>\n"
	"<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
	"</flags>\n";

static void put_decimal(struct gdb_engine *e, struct gdb_window *w, uint64_t value)
{
	char digits[20];

	gdb_window_put(e, w, digits, gdb_format_decimal(digits, value));
}

static void put_reg(struct gdb_engine *e, struct gdb_window *w, size_t regnum)
{
	const struct gdb_reg *r = &regs[regnum];

	gdb_window_put_str(e, w, "<reg name=\"");
	gdb_window_put_str(e, w, reg_text[regnum].name);
	gdb_window_put_str(e, w, "\" bitsize=\"");
	put_decimal(e, w, 8u * r->size);
	gdb_window_put_str(e, w, "\" type=\"");
	gdb_window_put_str(e, w, reg_text[regnum].type);
	gdb_window_put_str(e, w, "\" regnum=\"");
	put_decimal(e, w, regnum);
	if (reg_text[regnum].group) {
		gdb_window_put_str(e, w, "\" group=\"");
		gdb_window_put_str(e, w, reg_text[regnum].group);
	}
	gdb_window_put_str(e, w, "\"/>\n");
}

static void put_feature(struct gdb_engine *e, struct gdb_window *w, enum feature f)
{
	const struct gdb_reg *r;

	gdb_window_put_str(e, w, "<feature name=\"");
	gdb_window_put_str(e, w, feature_names[f]);
	gdb_window_put_str(e, w, "\">\n");
	if (f == CORE)
		gdb_window_put_str(e, w, eflags_type);
	else if (f == SSE)
		gdb_window_put_str(e, w, sse_types);
	for (size_t i = 0; (r = gdb_reg(e, i)); i++)
		if (r->feature == f)
			put_reg(e, w, i);
	gdb_window_put_str(e, w, "</feature>\n");
}

void gdb_tdesc_xml(struct gdb_engine *e, struct gdb_window *w)
{
	gdb_window_put_str(e, w, "<?xml version=\"1.0\"?>\n"
				 "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
				 "<target version=\"1.0\">\n"
				 "<architecture>i386:x86-64</architecture>\n");
	for (enum feature f = CORE; f < NR_FEATURES; f++)
		if (f != AVX || has_avx(e))
			put_feature(e, w, f);
	gdb_window_put_str(e, w, "</target>\n");
}
