/*
 * Unit tests of the GDB remote protocol engine: real packet exchanges,
 * checked byte for byte, against a fake target (a memory array, threads
 * with names and registers) and a transport that records what is sent.
 * Expected packets are framed here by the test's own checksum code.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uniscope/gdbstub.h>

#include "tap.h"

/* --- the fake target ---------------------------------------------------- */

#define MEM_BASE 0x100000u
#define MEM_SIZE 0x10000u
#define MAX_FAKE_THREADS 400
#define HW_SLOTS 4

struct fake_target {
	uint8_t mem[MEM_SIZE];
	bool writable;
	size_t nr_threads;
	struct uniscope_regs regs[MAX_FAKE_THREADS + 1];
	struct gdb_resume last_resume;
	int resumes;
	int resume_result;
	int hw_used;
	int last_bp_type;
	uint64_t last_bp_addr;
	uint32_t last_bp_kind;
	int detaches;
	int kills;
	int reverse_steps, reverse_continues;
	char last_monitor[256];
	struct gdb_fpu_state fpu[MAX_FAKE_THREADS + 1];
	bool avx;
};

static struct fake_target target;

static void fake_regs_for(struct uniscope_regs *r, int64_t tid)
{
	uint64_t *words = (uint64_t *)r;

	for (size_t i = 0; i < sizeof(*r) / 8; i++)
		words[i] = 0x1111111100000000ull * (uint64_t)(i + 1) + (uint64_t)tid * 0x100 + i;
	r->rip = 0x401000 + (uint64_t)tid;
	r->rsp = 0x7ff000 - (uint64_t)tid * 0x1000;
	r->rbp = 0x7ff800 - (uint64_t)tid * 0x1000;
	r->rflags = 0x246;
	r->cs = 0x8;
	r->ss = r->ds = r->es = r->fs = r->gs = 0x10;
}

static bool fake_tid_valid(int64_t tid)
{
	return tid >= 1 && (size_t)tid <= target.nr_threads;
}

static int fake_read_registers(void *ctx, int64_t tid, struct uniscope_regs *regs)
{
	(void)ctx;
	if (!fake_tid_valid(tid))
		return GDB_ERR_NO_THREAD;
	*regs = target.regs[tid];
	return 0;
}

static int fake_write_registers(void *ctx, int64_t tid, const struct uniscope_regs *regs)
{
	(void)ctx;
	if (!fake_tid_valid(tid))
		return GDB_ERR_NO_THREAD;
	target.regs[tid] = *regs;
	return 0;
}

static int fake_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
		return GDB_ERR_FAULT;
	if (len > MEM_BASE + MEM_SIZE - addr)
		len = MEM_BASE + MEM_SIZE - addr;
	memcpy(buf, target.mem + (addr - MEM_BASE), len);
	return (int)len;
}

static int fake_write_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	if (!target.writable)
		return GDB_ERR_REFUSED;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE || len > MEM_BASE + MEM_SIZE - addr)
		return GDB_ERR_FAULT;
	memcpy(target.mem + (addr - MEM_BASE), buf, len);
	return 0;
}

static size_t fake_list_threads(void *ctx, size_t first, int64_t *tids, size_t max)
{
	size_t n = 0;

	(void)ctx;
	while (n < max && first + n < target.nr_threads) {
		tids[n] = (int64_t)(first + n + 1);
		n++;
	}
	return n;
}

static void fake_thread_name(int64_t tid, char *out, size_t size)
{
	if (tid == 1)
		snprintf(out, size, "main");
	else if (tid == 2)
		snprintf(out, size, "<a&b>\"#$*}");
	else
		snprintf(out, size, "worker-%lld", (long long)tid);
}

static const char *fake_thread_state(int64_t tid)
{
	return tid == 1 ? "running" : "blocked on mutex";
}

static int fake_thread_info(void *ctx, int64_t tid, struct gdb_thread_info *info)
{
	(void)ctx;
	if (!fake_tid_valid(tid))
		return GDB_ERR_NO_THREAD;
	fake_thread_name(tid, info->name, sizeof(info->name));
	snprintf(info->state, sizeof(info->state), "%s", fake_thread_state(tid));
	info->core = 0;
	return 0;
}

static int fake_insert_breakpoint(void *ctx, enum gdb_breakpoint_type type, uint64_t addr,
				  uint32_t kind)
{
	(void)ctx;
	target.last_bp_type = type;
	target.last_bp_addr = addr;
	target.last_bp_kind = kind;
	if (type == GDB_BP_SOFTWARE)
		return target.writable ? 0 : GDB_ERR_UNSUPPORTED;
	if (target.hw_used == HW_SLOTS)
		return GDB_ERR_NO_SPACE;
	target.hw_used++;
	return 0;
}

static int fake_remove_breakpoint(void *ctx, enum gdb_breakpoint_type type, uint64_t addr,
				  uint32_t kind)
{
	(void)ctx;
	target.last_bp_type = -(int)type - 1;
	target.last_bp_addr = addr;
	target.last_bp_kind = kind;
	if (type != GDB_BP_SOFTWARE && target.hw_used > 0)
		target.hw_used--;
	return 0;
}

static int fake_resume(void *ctx, const struct gdb_resume *resume)
{
	(void)ctx;
	target.last_resume = *resume;
	target.resumes++;
	return target.resume_result;
}

static int fake_monitor(void *ctx, const char *cmd, struct gdb_engine *engine)
{
	(void)ctx;
	snprintf(target.last_monitor, sizeof(target.last_monitor), "%s", cmd);
	if (strcmp(cmd, "help") == 0) {
		const char *text = "commands: help, big\n";

		gdb_engine_console_write(engine, text, strlen(text));
		return 0;
	}
	if (strcmp(cmd, "big") == 0) {
		for (int i = 0; i < 300; i++)
			gdb_engine_console_write(engine, "0123456789", 10);
		return 0;
	}
	return GDB_ERR_INVALID;
}

static void fake_detach(void *ctx)
{
	(void)ctx;
	target.detaches++;
}

static void fake_kill(void *ctx)
{
	(void)ctx;
	target.kills++;
}

static int fake_resume_reverse(void *ctx, bool step)
{
	(void)ctx;
	if (step)
		target.reverse_steps++;
	else
		target.reverse_continues++;
	return target.resume_result;
}

/* Thread tid: x87 stack with pi pushed (top 7), xmm[i] bytes tid * 16 + i. */
static void fake_fpu_for(struct gdb_fpu_state *f, int64_t tid)
{
	static const uint8_t pi[10] = { 0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40 };

	memset(f, 0, sizeof(*f));
	f->fx.fcw = 0x37f;
	f->fx.fsw = 7 << 11;
	f->fx.ftw = 0x80; /* physical register 7 = ST(0) in use */
	f->fx.mxcsr = 0x1f80;
	memcpy(f->fx.st[0], pi, sizeof(pi));
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 16; b++) {
			f->fx.xmm[r][b] = (uint8_t)(tid * 16 + b);
			f->ymm_hi[r][b] = (uint8_t)(0x80 + r);
		}
	f->has_ymm = target.avx;
}

static int fake_read_fpu(void *ctx, int64_t tid, struct gdb_fpu_state *fpu)
{
	(void)ctx;
	if (!fake_tid_valid(tid))
		return GDB_ERR_NO_THREAD;
	*fpu = target.fpu[tid];
	return 0;
}

static int fake_write_fpu(void *ctx, int64_t tid, const struct gdb_fpu_state *fpu)
{
	(void)ctx;
	if (!fake_tid_valid(tid))
		return GDB_ERR_NO_THREAD;
	if (!target.writable)
		return GDB_ERR_REFUSED;
	target.fpu[tid] = *fpu;
	return 0;
}

static bool fake_has_avx(void *ctx)
{
	(void)ctx;
	return target.avx;
}

/* Three regions, the middle one named with a space and a tab (made printable). */
static bool fake_memory_region(void *ctx, uint64_t from, struct gdb_memory_region *out)
{
	static const struct gdb_memory_region regions[] = {
		{ 0x100000, 0x10d000, true, false, true, "[text]" },
		{ 0x200000, 0x204000, true, true, false, "[stack:3]\t x" },
		{ 0x300000, 0x301000, true, true, false, "" },
	};

	(void)ctx;
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		if (regions[i].end > from) {
			*out = regions[i];
			return true;
		}
	}
	return false;
}

static const struct gdb_target_ops fake_ops = {
	.read_registers = fake_read_registers,
	.write_registers = fake_write_registers,
	.read_fpu = fake_read_fpu,
	.write_fpu = fake_write_fpu,
	.has_avx = fake_has_avx,
	.read_memory = fake_read_memory,
	.write_memory = fake_write_memory,
	.list_threads = fake_list_threads,
	.thread_info = fake_thread_info,
	.memory_region = fake_memory_region,
	.insert_breakpoint = fake_insert_breakpoint,
	.remove_breakpoint = fake_remove_breakpoint,
	.resume = fake_resume,
	.monitor = fake_monitor,
	.detach = fake_detach,
	.kill = fake_kill,
};

static void fake_target_reset(size_t nr_threads, bool writable)
{
	memset(&target, 0, sizeof(target));
	target.nr_threads = nr_threads;
	target.writable = writable;
	for (size_t i = 0; i < MEM_SIZE; i++)
		target.mem[i] = (uint8_t)(i * 7 + 3);
	for (size_t tid = 1; tid <= nr_threads; tid++) {
		fake_regs_for(&target.regs[tid], (int64_t)tid);
		fake_fpu_for(&target.fpu[tid], (int64_t)tid);
	}
}

/* --- the recording transport and packet helpers ------------------------- */

static char sent[1 << 20];
static size_t sent_len;
static int puts_count;

static void record_put(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (sent_len + len >= sizeof(sent))
		abort();
	memcpy(sent + sent_len, buf, len);
	sent_len += len;
	sent[sent_len] = '\0';
	puts_count++;
}

static const struct gdb_transport recording = { .put = record_put };

static void clear_sent(void)
{
	sent_len = 0;
	sent[0] = '\0';
	puts_count = 0;
}

static char framed_buf[1 << 16];
static size_t framed_len;

/* "$payload#cs", framed independently of the engine. */
static const char *frame_n(const char *prefix, const char *payload, size_t len)
{
	unsigned sum = 0;
	size_t n = strlen(prefix);

	memcpy(framed_buf, prefix, n);
	framed_buf[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		sum += (uint8_t)payload[i];
		framed_buf[n++] = payload[i];
	}
	n += (size_t)sprintf(framed_buf + n, "#%02x", sum & 0xff);
	framed_len = n;
	return framed_buf;
}

static const char *frame(const char *payload)
{
	return frame_n("", payload, strlen(payload));
}

static const char *acked(const char *payload)
{
	return frame_n("+", payload, strlen(payload));
}

static struct gdb_engine engine;

static unsigned feed(const char *bytes, size_t len)
{
	return gdb_engine_input(&engine, (const uint8_t *)bytes, len);
}

/* Send one framed packet, return what the engine sent back. */
static unsigned send_packet_n(const char *payload, size_t len)
{
	static char copy[1 << 16];
	const char *f = frame_n("", payload, len);
	size_t flen = framed_len;

	memcpy(copy, f, flen);
	clear_sent();
	return feed(copy, flen);
}

static unsigned send_packet(const char *payload)
{
	return send_packet_n(payload, strlen(payload));
}

static const char *exchange(const char *payload)
{
	send_packet(payload);
	return sent;
}

/* A fresh engine, handshake done, in no-ack mode, GDB's features agreed. */
static void start_session(size_t nr_threads, bool writable)
{
	struct gdb_stop stop = { .kind = GDB_STOP_SIGNAL, .signal = GDB_SIGNAL_TRAP, .tid = 1 };

	fake_target_reset(nr_threads, writable);
	gdb_engine_init(&engine, &fake_ops, &target, &recording);
	gdb_engine_set_stop(&engine, &stop);
	send_packet("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
	send_packet("QStartNoAckMode");
	feed("+", 1);
	clear_sent();
}

static void hex_of(char *out, const void *bytes, size_t len)
{
	const uint8_t *b = bytes;

	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = '\0';
}

static void le_hex(char *out, uint64_t value, size_t bytes)
{
	uint8_t le[8];

	for (size_t i = 0; i < bytes; i++)
		le[i] = (uint8_t)(value >> (8 * i));
	hex_of(out, le, bytes);
}

/* --- framing ----------------------------------------------------------- */

static void test_handshake_and_acks(void)
{
	static const char supported[] =
		"PacketSize=1000;qXfer:features:read+;qXfer:threads:read+;QStartNoAckMode+;"
		"vContSupported+;swbreak+;hwbreak+";
	char big[5000];

	fake_target_reset(3, false);
	gdb_engine_init(&engine, &fake_ops, &target, &recording);
	feed("+", 1);
	is_str(exchange("qSupported:multiprocess+;swbreak+;hwbreak+"), acked(supported),
	       "qSupported: ack, then the feature list");
	is_int(puts_count, 2, "ack and reply are one put each");

	clear_sent();
	feed("-", 1);
	is_str(sent, frame(supported), "'-' retransmits the last packet");
	for (int i = 0; i < 10; i++)
		feed("-", 1);
	is_int(engine.stats.retransmits, GDB_MAX_RETRANSMITS, "retransmission is bounded");
	feed("+", 1);

	clear_sent();
	feed("$g#00", 5);
	is_str(sent, "-", "bad checksum is NAKed");
	clear_sent();
	feed("$g#zz", 5);
	is_str(sent, "-", "non-hex checksum is NAKed");

	clear_sent();
	feed("$garbage$vMustReplyEmpty#", 25);
	feed(frame("vMustReplyEmpty") + 17, 2);
	is_str(sent, acked(""), "'$' inside a packet restarts it; vMustReplyEmpty is empty");

	memset(big, 'm', sizeof(big));
	send_packet_n(big, sizeof(big));
	is_str(sent, acked("E01"), "oversized packet: acked, answered E01");
	is_int(engine.stats.oversized, 1, "oversized packet counted");
	is_str(exchange("qAttached"), acked("1"), "engine recovers after an oversized packet");

	clear_sent();
	const char *one = frame("qAttached");
	for (size_t i = 0; one[i]; i++)
		feed(one + i, 1);
	is_str(sent, acked("1"), "a packet fed one byte at a time");

	is_str(exchange("QStartNoAckMode"), acked("OK"), "QStartNoAckMode: acked OK");
	feed("+", 1);
	is_str(exchange("qAttached"), frame("1"), "no-ack mode: no '+' before replies");
	clear_sent();
	feed("$g#00", 5);
	is_str(sent, "", "no-ack mode: bad checksum dropped silently");
	is_str(exchange("qFooBarUnknown"), frame(""), "unknown packet: empty reply");
	is_str(exchange("qSymbol::"), frame("OK"), "qSymbol:: -> OK");
}

/* --- registers --------------------------------------------------------- */

static void expected_g(char *out, const struct uniscope_regs *r)
{
	const uint64_t *w = (const uint64_t *)r;
	size_t n = 0;

	for (int i = 0; i < 17; i++, n += 16)
		le_hex(out + n, w[i], 8);
	le_hex(out + n, r->rflags, 4), n += 8;
	le_hex(out + n, r->cs, 4), n += 8;
	le_hex(out + n, r->ss, 4), n += 8;
	le_hex(out + n, r->ds, 4), n += 8;
	le_hex(out + n, r->es, 4), n += 8;
	le_hex(out + n, r->fs, 4), n += 8;
	le_hex(out + n, r->gs, 4), n += 8;
	le_hex(out + n, r->fs_base, 8), n += 16;
	le_hex(out + n, r->gs_base, 8);
}

static void test_registers(void)
{
	char want[1024], packet[1100];

	start_session(3, true);
	expected_g(want, &target.regs[1]);
	is_str(exchange("g"), frame(want), "g: 26 registers of the stop thread, little-endian");
	is_int(strlen(want), 360, "g carries 180 bytes");

	le_hex(want, target.regs[1].rip, 8);
	is_str(exchange("p10"), frame(want), "p10 is rip");
	le_hex(want, 0x246, 4);
	is_str(exchange("p11"), frame(want), "p11 is eflags, 4 bytes");
	le_hex(want, target.regs[1].fs_base, 8);
	is_str(exchange("p18"), frame(want), "p18 is fs_base");
	le_hex(want, target.regs[1].cr2, 8);
	is_str(exchange("p2b"), frame(want), "p2b is cr2");
	is_str(exchange("p40"), frame("E16"), "p past the last register: E16 (ymm0h without AVX)");
	is_str(exchange("pzz"), frame("E16"), "p with garbage: E16");

	is_str(exchange("Hg2"), frame("OK"), "Hg2 selects thread 2");
	expected_g(want, &target.regs[2]);
	is_str(exchange("g"), frame(want), "g after Hg2 reads thread 2");
	is_str(exchange("Hgp1.3"), frame("OK"), "Hg with multiprocess syntax");
	is_str(exchange("Hg99"), frame("E03"), "Hg of an unknown thread: E03");
	is_str(exchange("Hg0"), frame("OK"), "Hg0 (any)");

	struct uniscope_regs changed = target.regs[1];
	changed.rax = 0x1122334455667788ull;
	changed.rflags = 0x202;
	changed.gs_base = 0xffff800000001000ull;
	expected_g(want, &changed);
	snprintf(packet, sizeof(packet), "G%s", want);
	is_str(exchange(packet), frame("OK"), "G writes all registers");
	ok(target.regs[1].rax == changed.rax && target.regs[1].rflags == 0x202 &&
	   target.regs[1].gs_base == changed.gs_base, "G: target registers updated");
	ok(target.regs[1].cr3 == changed.cr3, "G keeps registers it does not carry");
	is_str(exchange("G1234"), frame("E16"), "short G: E16");

	is_str(exchange("P0=efbeadde00000000"), frame("OK"), "P0 writes rax");
	ok(target.regs[1].rax == 0xdeadbeef, "P0: rax is 0xdeadbeef");
	is_str(exchange("P1a=0000"), frame("E16"), "P of st0 with 2 of its 10 bytes: E16");
	is_str(exchange("P0=12"), frame("E16"), "P with a short value: E16");
}

static void test_fpu_registers(void)
{
	start_session(3, true);
	is_str(exchange("p1a"), frame("35c26821a2da0fc90040"), "p1a: st0 (pi), 10 bytes");
	is_str(exchange("p1b"), frame("00000000000000000000"), "p1b: st1");
	is_str(exchange("p22"), frame("7f030000"), "p22: fctrl, zero-extended to 4 bytes");
	is_str(exchange("p23"), frame("00380000"), "p23: fstat, top 7");
	is_str(exchange("p24"), frame("ff3f0000"),
	       "p24: ftag in full, physical register 7 valid, the rest empty");
	is_str(exchange("p2e"), frame("101112131415161718191a1b1c1d1e1f"), "p2e: xmm0 of thread 1");
	is_str(exchange("p3e"), frame("801f0000"), "p3e: mxcsr");
	is_str(exchange("p3f"), frame("ffffffffffffffff"), "p3f: orig_rax is -1");
	is_str(exchange("Hg2"), frame("OK"), "Hg2");
	is_str(exchange("p2f"), frame("202122232425262728292a2b2c2d2e2f"), "p2f: xmm1 of thread 2");

	is_str(exchange("P2f=00112233445566778899aabbccddeeff"), frame("OK"), "P2f writes xmm1");
	ok(target.fpu[2].fx.xmm[1][0] == 0x00 && target.fpu[2].fx.xmm[1][15] == 0xff &&
	   target.fpu[2].fx.xmm[0][0] == 0x20, "P2f: thread 2's xmm1 changed, xmm0 kept");
	is_str(exchange("P24=fff30000"), frame("OK"), "P24 writes ftag");
	is_int(target.fpu[2].fx.ftw, 0x20, "P24: the full tag went back abridged (register 5 used)");
	is_str(exchange("P3f=0000000000000000"), frame("OK"), "P3f: orig_rax writes are accepted");
	target.writable = false;
	is_str(exchange("P2e=00112233445566778899aabbccddeeff"), frame("E0d"),
	       "a target that refuses FPU writes: E0d");

	target.avx = target.fpu[2].has_ymm = true;
	is_str(exchange("p40"), frame("80808080808080808080808080808080"), "with AVX: p40 is ymm0h");
	is_str(exchange("p4f"), frame("8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f"), "p4f is ymm15h");
	is_str(exchange("p50"), frame("E16"), "p50: past the last register");
	target.fpu[2].has_ymm = false;
	is_str(exchange("p40"), frame("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
	       "a thread without ymm state: unavailable");
}

/* "vFile:open:HEX(path),0,1c0" */
static const char *vfile_open(const char *path)
{
	static char packet[256];
	size_t n = (size_t)snprintf(packet, sizeof(packet), "vFile:open:");

	for (const char *c = path; *c; c++)
		n += (size_t)snprintf(packet + n, sizeof(packet) - n, "%02x", (unsigned char)*c);
	snprintf(packet + n, sizeof(packet) - n, ",0,1c0");
	return exchange(packet);
}

static void test_vfile(void)
{
	static const char maps[] =
		"100000-10d000 r-xp 00000000 00:00 0                          [text]\n"
		"200000-204000 rw-p 00000000 00:00 0                          [stack:3]??x\n"
		"300000-301000 rw-p 00000000 00:00 0\n";
	char want[512];

	start_session(2, false);
	is_str(exchange("vFile:setfs:0"), frame("F0"), "vFile:setfs: F0");
	is_str(vfile_open("/proc/42000/maps"), frame("F1"), "open /proc/PID/maps: fd 1");
	is_str(vfile_open("/proc/1/cmdline"), frame("F-1,18"), "a second open: EMFILE");
	snprintf(want, sizeof(want), "F%zx;%s", strlen(maps), maps);
	is_str(exchange("vFile:pread:1,1000,0"), frame(want), "pread: the whole memory map");
	snprintf(want, sizeof(want), "Fa;%.10s", maps + 7);
	is_str(exchange("vFile:pread:1,a,7"), frame(want), "pread: a window of it");
	is_str(exchange("vFile:pread:1,100,1000"), frame("F0;"), "pread past the end: 0 bytes");
	is_str(exchange("vFile:pread:2,100,0"), frame("F-1,9"), "pread of a closed fd: EBADF");
	is_str(exchange("vFile:close:1"), frame("F0"), "close");
	is_str(exchange("vFile:close:1"), frame("F-1,9"), "close again: EBADF");
	is_str(vfile_open("/proc/1/cmdline"), frame("F2"), "open /proc/1/cmdline: fd 2");
	send_packet("vFile:pread:2,1000,0");
	ok(strstr(sent, "uniscope core") != NULL, "the cmdline names uniscope core");
	is_str(exchange("vFile:close:2"), frame("F0"), "close the cmdline");
	is_str(vfile_open("/proc/1/environ"), frame("F-1,2"), "another /proc file: ENOENT");
	is_str(vfile_open("/etc/passwd"), frame("F-1,2"), "anything else: ENOENT");
	is_str(vfile_open("/proc//maps"), frame("F-1,2"), "no PID: ENOENT");
	is_str(exchange("vFile:open:2f70726f632f312f6d617073,1,0"), frame("F-1,d"),
	       "open for writing: EACCES");
	is_str(exchange("vFile:open:2f7,0,0"), frame("F-1,16"), "odd hex: EINVAL");
	is_str(exchange("vFile:unlink:2f746d70"), frame(""), "vFile:unlink: not offered");
}

static void test_no_fpu(void)
{
	static const struct gdb_target_ops gprs_only = {
		.read_registers = fake_read_registers,
		.list_threads = fake_list_threads,
	};
	static const char maps_open[] = "vFile:open:2f70726f632f312f6d617073,0,1c0";

	fake_target_reset(2, true);
	gdb_engine_init(&engine, &gprs_only, NULL, &recording);
	send_packet("QStartNoAckMode");
	is_str(exchange("p1a"), frame("xxxxxxxxxxxxxxxxxxxx"), "no read_fpu: st0 is unavailable");
	is_str(exchange("p2e"), frame("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "and xmm0");
	is_str(exchange("P2e=00112233445566778899aabbccddeeff"), frame("E0d"),
	       "and cannot be written: E0d");
	is_str(exchange(maps_open), frame("F-1,2"), "no memory_region: no /proc/PID/maps");
}

/* --- memory ------------------------------------------------------------ */

static void test_memory(void)
{
	char want[8192];
	uint8_t data[8] = { 0x23, 0x24, 0x7d, 0x2a, 0x03, 0x00, 0xff, 0x41 };
	char packet[64];

	start_session(2, false);
	hex_of(want, target.mem, 16);
	is_str(exchange("m100000,10"), frame(want), "m reads 16 bytes");
	hex_of(want, target.mem + MEM_SIZE - 4, 4);
	is_str(exchange("m10fffc,10"), frame(want), "m across the end: the readable part");
	is_str(exchange("m200000,4"), frame("E0e"), "m of unmapped memory: E0e");
	is_str(exchange("m100000"), frame("E16"), "m without length: E16");
	is_str(exchange("m100000,zz"), frame("E16"), "m with a bad length: E16");
	is_str(exchange("m10000000000000000,4"), frame("E16"), "m with a 65-bit address: E16");
	send_packet("m100000,ffff");
	ok(sent_len > 4 && sent_len <= GDB_PACKET_SIZE, "m of 64 KiB is clamped to one packet (%zu)",
	   sent_len);
	is_str(exchange("mffffffffffffffff,10"), frame("E0e"), "m at the top of memory: no wrap");

	is_str(exchange("M100000,2:abcd"), frame("E0d"), "M refused by a sealed target: E0d");
	is_str(exchange("X100000,0:"), frame("OK"), "X probe (zero length): OK");
	target.writable = true;
	is_str(exchange("M100000,2:abcd"), frame("OK"), "M allowed");
	ok(target.mem[0] == 0xab && target.mem[1] == 0xcd, "M wrote the bytes");
	is_str(exchange("M100000,2:abc"), frame("E16"), "M with odd hex: E16");
	is_str(exchange("M100000,3:abcd"), frame("E16"), "M with too little data: E16");

	/* X: '#', '$', '}' and '*' escaped as '}' + byte ^ 0x20 */
	int n = snprintf(packet, sizeof(packet), "X100010,8:");
	for (size_t i = 0; i < sizeof(data); i++) {
		if (data[i] == 0x23 || data[i] == 0x24 || data[i] == 0x7d || data[i] == 0x2a) {
			packet[n++] = 0x7d;
			packet[n++] = (char)(data[i] ^ 0x20);
		} else {
			packet[n++] = (char)data[i];
		}
	}
	send_packet_n(packet, (size_t)n);
	is_str(sent, frame("OK"), "X with escaped binary data");
	ok(memcmp(target.mem + 0x10, data, sizeof(data)) == 0, "X wrote the unescaped bytes");
	is_str(exchange("X100010,2:a"), frame("E16"), "X with fewer bytes than its length: E16");
	is_str(exchange("X100010,1:ab"), frame("E16"), "X with more bytes than its length: E16");
	is_str(exchange("X100010,1:}"), frame("E16"), "X ending in a lone escape: E16");
	is_str(exchange("M200000,1:00"), frame("E0e"), "M to unmapped memory: E0e");
}

/* --- threads ----------------------------------------------------------- */

static const char *reply_payload(void)
{
	static char payload[1 << 16];
	const char *start = strchr(sent, '$');
	const char *end = strrchr(sent, '#');

	if (!start || !end || end < start) {
		payload[0] = '\0';
		return payload;
	}
	memcpy(payload, start + 1, (size_t)(end - start - 1));
	payload[end - start - 1] = '\0';
	return payload;
}

static void test_thread_list(void)
{
	int seen[301] = { 0 };
	int packets = 0, all_once = 1;
	const char *p;

	start_session(300, false);
	p = exchange("qfThreadInfo");
	while (p[0] == '$' && p[1] == 'm' && packets < 100) {
		const char *ids = reply_payload() + 1;

		while (*ids) {
			long id = strtol(ids, (char **)&ids, 16);

			if (id >= 1 && id <= 300)
				seen[id]++;
			if (*ids == ',')
				ids++;
		}
		packets++;
		p = exchange("qsThreadInfo");
	}
	is_str(sent, frame("l"), "qsThreadInfo ends with 'l'");
	is_int(packets, 5, "300 threads in 5 chunks of at most 64");
	for (int i = 1; i <= 300; i++)
		all_once &= seen[i] == 1;
	ok(all_once, "every thread listed exactly once");
	is_str(exchange("qsThreadInfo"), frame("l"), "qsThreadInfo past the end stays 'l'");

	is_str(exchange("T1"), frame("OK"), "T1: alive");
	is_str(exchange("T12c"), frame("OK"), "T12c (300): alive");
	is_str(exchange("T12d"), frame("E03"), "T12d (301): E03");
	is_str(exchange("Tp1.5"), frame("OK"), "T with multiprocess syntax");
	is_str(exchange("T-1"), frame("E03"), "T-1: E03");
	is_str(exchange("qC"), frame("QC1"), "qC: the stop thread");

	char want[256];
	hex_of(want, "worker-3, blocked on mutex", 26);
	is_str(exchange("qThreadExtraInfo,3"), frame(want), "qThreadExtraInfo: hex of name, state");
	is_str(exchange("qThreadExtraInfo,999"), frame(""), "qThreadExtraInfo of no thread: empty");
}

/* Undo the binary escapes of a qXfer reply payload (after 'm'/'l'). */
static size_t unescape(const char *in, char *out)
{
	size_t n = 0;

	for (; *in; in++)
		out[n++] = *in == '}' ? (char)(*++in ^ 0x20) : *in;
	out[n] = '\0';
	return n;
}

/* Read a whole qXfer object in windows of `window` bytes. */
static size_t read_qxfer(const char *object, unsigned window, char *out, size_t max,
			 int *replies, int *more_replies)
{
	size_t total = 0;
	char packet[128];

	*replies = *more_replies = 0;
	for (int guard = 0; guard < 10000; guard++) {
		static char chunk[1 << 16];
		const char *payload;
		size_t n;

		snprintf(packet, sizeof(packet), "qXfer:%s:%zx,%x", object, total, window);
		send_packet(packet);
		payload = reply_payload();
		(*replies)++;
		if (payload[0] != 'm' && payload[0] != 'l')
			return 0;
		n = unescape(payload + 1, chunk);
		if (total + n >= max)
			return 0;
		memcpy(out + total, chunk, n);
		total += n;
		if (payload[0] == 'l')
			break;
		(*more_replies)++;
		if (n == 0)
			return 0;
	}
	out[total] = '\0';
	return total;
}

static void expected_threads_xml(char *out, size_t nr)
{
	size_t n = (size_t)sprintf(out, "<?xml version=\"1.0\"?>\n<threads>\n");

	for (size_t tid = 1; tid <= nr; tid++) {
		const char *name = tid == 1 ? "main" : tid == 2 ? "&lt;a&amp;b&gt;&quot;#$*}" : NULL;
		char worker[32];

		if (!name) {
			snprintf(worker, sizeof(worker), "worker-%zu", tid);
			name = worker;
		}
		n += (size_t)sprintf(out + n, "<thread id=\"%zx\" core=\"0\" name=\"%s\">%s</thread>\n",
				     tid, name, fake_thread_state((int64_t)tid));
	}
	sprintf(out + n, "</threads>\n");
}

static void test_qxfer_threads(void)
{
	static char want[1 << 16], got[1 << 16], got_small[1 << 16];
	int replies, more;

	start_session(300, false);
	expected_threads_xml(want, 300);
	read_qxfer("threads:read:", 0xffb, got, sizeof(got), &replies, &more);
	ok(strcmp(got, want) == 0, "qXfer:threads: the whole document, XML-escaped names");
	ok(replies > 3 && more == replies - 1, "qXfer:threads: 'm' windows, then 'l' (%d replies)",
	   replies);
	send_packet("qXfer:threads:read::0,fff");
	ok(strstr(sent, "&quot;}\x03}\x04}\x0a}]\">") != NULL,
	   "qXfer reply escapes '#', '$', '*' and '}' as '}' + byte ^ 0x20");
	read_qxfer("threads:read:", 7, got_small, sizeof(got_small), &replies, &more);
	ok(strcmp(got_small, want) == 0, "qXfer:threads in 7-byte windows: the same document");
	is_str(exchange("qXfer:threads:read::100000,100"), frame("l"),
	       "qXfer:threads past the end: empty 'l'");
	is_str(exchange("qXfer:threads:read:x:0,100"), frame("E00"), "qXfer:threads with an annex: E00");
	is_str(exchange("qXfer:threads:read::0"), frame("E00"), "qXfer:threads without length: E00");
}

/* Register numbers and sizes as the target description declares them. */
static void check_description(const char *xml)
{
	int regnum = 0, g_bits = 0, rip = -1, rsp = -1, rbp = -1, fs_base = -1, gs_base = -1,
	    cr2 = -1, regs = 0;

	for (const char *r = strstr(xml, "<reg "); r; r = strstr(r + 1, "<reg ")) {
		const char *end = strchr(r, '>');
		const char *num = strstr(r, "regnum=\"");
		char name[16] = "";
		int bits = atoi(strstr(r, "bitsize=\"") + 9);

		if (num && num < end)
			regnum = atoi(num + 8);
		sscanf(strstr(r, "name=\"") + 6, "%15[^\"]", name);
		if (regnum < 26)
			g_bits += bits;
		rip = strcmp(name, "rip") == 0 ? regnum : rip;
		rsp = strcmp(name, "rsp") == 0 ? regnum : rsp;
		rbp = strcmp(name, "rbp") == 0 ? regnum : rbp;
		fs_base = strcmp(name, "fs_base") == 0 ? regnum : fs_base;
		gs_base = strcmp(name, "gs_base") == 0 ? regnum : gs_base;
		cr2 = strcmp(name, "cr2") == 0 ? regnum : cr2;
		regnum++;
		regs++;
	}
	is_int(regs, 64, "target.xml declares 64 registers (no AVX)");
	is_int(g_bits / 8, 180, "registers 0..25 add up to the 180-byte g packet");
	ok(rip == 16 && rsp == 7 && rbp == 6, "rip, rsp, rbp are 16, 7, 6 (the expedited ones)");
	ok(fs_base == 24 && gs_base == 25 && cr2 == 43, "fs_base 24, gs_base 25, cr2 43 (p18, p2b)");
}

static void test_qxfer_features(void)
{
	static char whole[1 << 16], pieces[1 << 16];
	int replies, more;
	size_t len;

	start_session(1, false);
	len = read_qxfer("features:read:target.xml", 0xffb, whole, sizeof(whole), &replies, &more);
	ok(len > 1000 && strncmp(whole, "<?xml", 5) == 0, "target.xml read (%zu bytes)", len);
	ok(strstr(whole, "<architecture>i386:x86-64</architecture>") != NULL, "architecture is x86-64");
	ok(strstr(whole, "org.gnu.gdb.i386.core") && strstr(whole, "org.gnu.gdb.i386.segments") &&
	   strstr(whole, "org.gnu.gdb.i386.sse") && strstr(whole, "org.gnu.gdb.i386.linux"),
	   "core, segments, sse and linux features");
	ok(!strstr(whole, "org.gnu.gdb.i386.avx"), "no avx feature for a target without AVX");
	ok(len > 7 && strcmp(whole + len - 10, "</target>\n") == 0, "target.xml ends the document");
	read_qxfer("features:read:target.xml", 0x100, pieces, sizeof(pieces), &replies, &more);
	ok(strcmp(pieces, whole) == 0, "target.xml in 256-byte windows is the same document");
	ok(more >= 4, "small windows answered 'm' until the last (%d)", more);
	check_description(whole);
	is_str(exchange("qXfer:features:read:other.xml:0,100"), frame("E00"), "unknown annex: E00");
	is_str(exchange("qXfer:features:read:target.xml:ffffff,100"), frame("l"),
	       "offset past the end: 'l'");
	is_str(exchange("qXfer:libraries:read::0,100"), frame(""), "unsupported object: empty");
	target.avx = true;
	read_qxfer("features:read:target.xml", 0xffb, whole, sizeof(whole), &replies, &more);
	ok(NULL != strstr(whole, "<feature name=\"org.gnu.gdb.i386.avx\">\n<reg name=\"ymm0h\" "
			 "bitsize=\"128\" type=\"uint128\" regnum=\"64\"/>"),
	   "a target with AVX: the avx feature, ymm0h at 64");
}

/* --- execution control ------------------------------------------------- */

static void hex_string(char *out, const char *text)
{
	for (; *text; text++, out += 2)
		sprintf(out, "%02x", (unsigned char)*text);
	*out = '\0';
}

/* "hexname:..;qname:..;qkind:serial;" of the fake thread tid, as stop replies carry it. */
static void expected_names(char *out, int64_t tid)
{
	char name[GDB_THREAD_NAME_MAX], hex_name[2 * GDB_THREAD_NAME_MAX + 1], hex_state[128];

	fake_thread_name(tid, name, sizeof(name));
	hex_string(hex_name, name);
	hex_string(hex_state, fake_thread_state(tid));
	sprintf(out, "hexname:%s;qname:%s;qkind:serial;", hex_name, hex_state);
}

/* head is "TSSthread:N;" and what follows it (a reason); names go after the thread. */
static void expect_stop_reply(const char *head, int64_t tid, const char *what)
{
	char want[1024], rip[17], rsp[17], rbp[17], cr3[17], names[256], with_names[512];
	const char *after_thread = strchr(head, ';') + 1;

	le_hex(rip, target.regs[tid].rip, 8);
	le_hex(rsp, target.regs[tid].rsp, 8);
	le_hex(rbp, target.regs[tid].rbp, 8);
	le_hex(cr3, target.regs[tid].cr3, 8);
	expected_names(names, tid);
	snprintf(with_names, sizeof(with_names), "%.*s%s%s", (int)(after_thread - head), head, names,
		 after_thread);
	snprintf(want, sizeof(want), "%s10:%s;07:%s;06:%s;2c:%s;", with_names, rip, rsp, rbp, cr3);
	is_str(sent, frame(want), what);
}

static void report(uint8_t signal, int64_t tid, uint8_t reason, uint64_t addr)
{
	struct gdb_stop stop = {
		.kind = GDB_STOP_SIGNAL, .signal = signal, .reason = reason, .tid = tid,
		.watch_addr = addr,
	};

	clear_sent();
	gdb_engine_report_stop(&engine, &stop);
}

static void test_continue_and_stop(void)
{
	unsigned events;

	start_session(4, false);
	send_packet("?");
	expect_stop_reply("T05thread:1;", 1, "'?': T05, thread, expedited rip/rsp/rbp");

	events = send_packet("c");
	is_int(events, GDB_EVENT_RESUMED, "c: resume event");
	is_str(sent, "", "c: no reply until the stop");
	ok(target.last_resume.nr_threads == 0 &&
	   target.last_resume.others.kind == GDB_RESUME_CONTINUE, "c: every thread continues");
	ok(gdb_engine_running(&engine), "engine is running");
	is_str(exchange("g"), "", "packets while running are dropped");
	is_int(engine.stats.dropped, 1, "dropped packet counted");

	clear_sent();
	gdb_engine_console_write(&engine, "hi\n", 3);
	is_str(sent, frame("O68690a"), "console text while running: an O packet");

	report(GDB_SIGNAL_TRAP, 2, GDB_REASON_SWBREAK, 0);
	expect_stop_reply("T05thread:2;swbreak:;", 2, "stop reply: swbreak, thread 2");
	ok(!gdb_engine_running(&engine), "engine stopped");
	report(GDB_SIGNAL_TRAP, 2, GDB_REASON_SWBREAK, 0);
	is_str(sent, "", "report_stop while stopped sends nothing");
	is_str(exchange("qC"), frame("QC2"), "qC follows the stop thread");

	send_packet("c");
	clear_sent();
	events = feed("\x03", 1);
	is_int(events, GDB_EVENT_INTERRUPT, "0x03 while running: interrupt event");
	report(GDB_SIGNAL_INT, 3, GDB_REASON_NONE, 0);
	expect_stop_reply("T02thread:3;", 3, "stop reply after Ctrl-C: T02");
	is_int(feed("\x03", 1), GDB_EVENT_NONE, "0x03 while stopped: ignored");

	send_packet("c");
	report(GDB_SIGNAL_TRAP, 1, GDB_REASON_HWBREAK, 0);
	expect_stop_reply("T05thread:1;hwbreak:;", 1, "stop reply: hwbreak");
	send_packet("c");
	report(GDB_SIGNAL_TRAP, 1, GDB_REASON_WATCH, 0x100010);
	expect_stop_reply("T05thread:1;watch:100010;", 1, "stop reply: watch with address");
	send_packet("c");
	report(GDB_SIGNAL_TRAP, 4, GDB_REASON_RWATCH, 0x100020);
	expect_stop_reply("T05thread:4;rwatch:100020;", 4, "stop reply: rwatch");
	send_packet("c");
	report(GDB_SIGNAL_TRAP, 4, GDB_REASON_AWATCH, 0x100028);
	expect_stop_reply("T05thread:4;awatch:100028;", 4, "stop reply: awatch");

	send_packet("c");
	struct gdb_stop exited = { .kind = GDB_STOP_EXITED, .signal = 3 };
	clear_sent();
	gdb_engine_report_stop(&engine, &exited);
	is_str(sent, frame("W03"), "exit: W03");
	send_packet("c");
	struct gdb_stop killed = { .kind = GDB_STOP_TERMINATED, .signal = GDB_SIGNAL_SEGV };
	clear_sent();
	gdb_engine_report_stop(&engine, &killed);
	is_str(sent, frame("X0b"), "terminated: X0b");
}

static void test_thread_stop_info(void)
{
	start_session(3, false);
	send_packet("qThreadStopInfo2");
	expect_stop_reply("T00thread:2;", 2, "qThreadStopInfo of a thread that did not stop: T00");
	send_packet("qThreadStopInfo1");
	expect_stop_reply("T05thread:1;", 1, "qThreadStopInfo of the stopped thread: its stop");
	is_str(exchange("qThreadStopInfo9"), frame("E03"), "qThreadStopInfo of no thread: E03");
	is_str(exchange("qThreadStopInfo"), frame("E03"), "qThreadStopInfo without an id: E03");
}

static void test_stop_reason_negotiation(void)
{
	fake_target_reset(2, false);
	gdb_engine_init(&engine, &fake_ops, &target, &recording);
	send_packet("qSupported:multiprocess+");
	send_packet("QStartNoAckMode");
	send_packet("c");
	report(GDB_SIGNAL_TRAP, 1, GDB_REASON_SWBREAK, 0);
	expect_stop_reply("T05thread:1;", 1, "no swbreak: key unless GDB offered swbreak+");
}

static void test_legacy_resume(void)
{
	start_session(4, false);
	is_int(send_packet("s"), GDB_EVENT_RESUMED, "s: resume event");
	ok(target.last_resume.nr_threads == 1 && target.last_resume.threads[0].tid == 1 &&
	   target.last_resume.threads[0].kind == GDB_RESUME_STEP &&
	   target.last_resume.others.kind == GDB_RESUME_CONTINUE,
	   "s: the stop thread steps, the others continue");
	report(GDB_SIGNAL_TRAP, 1, GDB_REASON_NONE, 0);

	is_str(exchange("Hc3"), frame("OK"), "Hc3");
	send_packet("s");
	ok(target.last_resume.nr_threads == 1 && target.last_resume.threads[0].tid == 3 &&
	   target.last_resume.others.kind == GDB_RESUME_NONE,
	   "s after Hc3: thread 3 steps alone");
	report(GDB_SIGNAL_TRAP, 3, GDB_REASON_NONE, 0);

	is_str(exchange("Hc-1"), frame("OK"), "Hc-1");
	send_packet("C0b");
	ok(target.last_resume.nr_threads == 1 && target.last_resume.threads[0].tid == 3 &&
	   target.last_resume.threads[0].signal == 11 &&
	   target.last_resume.others.kind == GDB_RESUME_CONTINUE,
	   "C0b: the stop thread gets SIGSEGV, all continue");
	report(GDB_SIGNAL_TRAP, 3, GDB_REASON_NONE, 0);

	send_packet("c401234");
	ok(target.regs[3].rip == 0x401234 && target.resumes == 4, "c ADDR: resumes at ADDR");
	report(GDB_SIGNAL_TRAP, 3, GDB_REASON_NONE, 0);
	send_packet("S05;401000");
	ok(target.regs[3].rip == 0x401000 && target.last_resume.threads[0].kind == GDB_RESUME_STEP &&
	   target.last_resume.threads[0].signal == 5, "S05;ADDR: steps from ADDR with a signal");
	report(GDB_SIGNAL_TRAP, 3, GDB_REASON_NONE, 0);
	is_str(exchange("Czz"), frame("E16"), "C with a bad signal: E16");
	is_str(exchange("c40x"), frame("E16"), "c with a bad address: E16");

	target.resume_result = GDB_ERR_GENERIC;
	is_str(exchange("c"), frame("E01"), "resume refused by the target: E01");
	ok(!gdb_engine_running(&engine), "refused resume leaves the engine stopped");
}

static void test_vcont(void)
{
	const struct gdb_resume *r = &target.last_resume;

	start_session(5, false);
	is_str(exchange("vCont?"), frame("vCont;c;C;s;S;t"), "vCont? lists c C s S t");

	is_int(send_packet("vCont;s:2;c"), GDB_EVENT_RESUMED, "vCont;s:2;c resumes");
	ok(r->nr_threads == 1 && r->threads[0].tid == 2 && r->threads[0].kind == GDB_RESUME_STEP &&
	   r->others.kind == GDB_RESUME_CONTINUE, "vCont;s:2;c: 2 steps, others continue");
	report(GDB_SIGNAL_TRAP, 2, GDB_REASON_NONE, 0);

	send_packet("vCont;C0b:3;s:p1.2;c");
	ok(r->nr_threads == 2 && r->threads[0].tid == 3 && r->threads[0].signal == 11 &&
	   r->threads[0].kind == GDB_RESUME_CONTINUE && r->threads[1].tid == 2 &&
	   r->threads[1].kind == GDB_RESUME_STEP && r->others.kind == GDB_RESUME_CONTINUE,
	   "vCont;C0b:3;s:p1.2;c: per-thread actions and a default");
	report(GDB_SIGNAL_TRAP, 2, GDB_REASON_NONE, 0);

	send_packet("vCont;c;s:2");
	ok(r->nr_threads == 0 && r->others.kind == GDB_RESUME_CONTINUE,
	   "vCont;c;s:2: the leftmost (default) action wins");
	report(GDB_SIGNAL_TRAP, 2, GDB_REASON_NONE, 0);

	send_packet("vCont;s:4;s:4;c:4");
	ok(r->nr_threads == 1 && r->threads[0].tid == 4 && r->threads[0].kind == GDB_RESUME_STEP &&
	   r->others.kind == GDB_RESUME_NONE, "vCont;s:4 twice: once; no default: others stay");
	report(GDB_SIGNAL_TRAP, 4, GDB_REASON_NONE, 0);

	send_packet("vCont;s:0");
	ok(r->nr_threads == 1 && r->threads[0].tid == 4, "vCont;s:0 steps the stop thread");
	report(GDB_SIGNAL_TRAP, 4, GDB_REASON_NONE, 0);

	send_packet("vCont;S05:-1");
	ok(r->nr_threads == 0 && r->others.kind == GDB_RESUME_STEP && r->others.signal == 5,
	   "vCont;S05:-1: every thread steps with signal 5");
	report(GDB_SIGNAL_TRAP, 4, GDB_REASON_NONE, 0);

	int before = target.resumes;
	is_str(exchange("vCont;t:1"), frame("OK"), "vCont;t alone: OK, nothing resumes");
	is_int(target.resumes, before, "vCont;t: target not resumed");
	is_str(exchange("vCont;x"), frame("E16"), "vCont with an unknown action: E16");
	is_str(exchange("vCont;s:"), frame("E16"), "vCont with an empty thread id: E16");
	is_str(exchange("vCont;c;"), frame("E16"), "vCont with a trailing ';': E16");
	is_str(exchange("vCont;C:1"), frame("E16"), "vCont;C without a signal: E16");

	char many[256] = "vCont";
	for (int i = 1; i <= GDB_RESUME_MAX_THREADS + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), ";s:%x", i);
	target.nr_threads = GDB_RESUME_MAX_THREADS + 1;
	is_str(exchange(many), frame("E16"), "vCont naming too many threads: E16");
	is_int(target.resumes, before, "no resume after a rejected vCont");
}

/* --- breakpoints, monitor, session ------------------------------------- */

static void test_breakpoints(void)
{
	start_session(1, true);
	is_str(exchange("Z0,401000,1"), frame("OK"), "Z0 in a writable target: OK");
	ok(target.last_bp_type == 0 && target.last_bp_addr == 0x401000 && target.last_bp_kind == 1,
	   "Z0 passes type, address and kind");
	is_str(exchange("z0,401000,1"), frame("OK"), "z0: OK");
	ok(target.last_bp_type == -1, "z0 reaches remove_breakpoint");
	is_str(exchange("Z0,401000,1;X2,ab"), frame("OK"), "Z0 with a condition list: OK");
	for (int i = 0; i < HW_SLOTS; i++)
		exchange("Z1,401100,1");
	is_str(exchange("Z1,401200,1"), frame("E1c"), "Z1 with no free slot: E1c");
	is_str(exchange("z1,401100,1"), frame("OK"), "z1 frees a slot");
	is_str(exchange("Z2,100000,8"), frame("OK"), "Z2 write watchpoint");
	ok(target.last_bp_type == 2 && target.last_bp_kind == 8, "Z2 passes the length");
	is_str(exchange("Z5,401000,1"), frame(""), "Z5: unsupported, empty");
	is_str(exchange("Z0,40zz"), frame("E16"), "malformed Z: E16");
	is_str(exchange("Z0,401000,100000000"), frame("E16"), "Z kind over 32 bits: E16");
	target.writable = false;
	is_str(exchange("Z0,401000,1"), frame(""), "Z0 refused as unsupported: empty (GDB falls back)");
}

static void test_monitor(void)
{
	char packet[64], want[256];

	start_session(1, false);
	hex_of(packet, "help", 4);
	memmove(packet + 6, packet, strlen(packet) + 1);
	memcpy(packet, "qRcmd,", 6);
	send_packet(packet);
	hex_of(want + 1, "commands: help, big\n", 20);
	want[0] = 'O';
	char expected[512];
	snprintf(expected, sizeof(expected), "%s", frame(want));
	strcat(expected, frame("OK"));
	is_str(sent, expected, "qRcmd: output as a hex O packet, then OK");
	is_str(target.last_monitor, "help", "qRcmd: the target got the decoded command");

	hex_of(packet + 6, "big", 3);
	send_packet(packet);
	int o_packets = 0;
	for (const char *p = sent; (p = strstr(p, "$O")) != NULL; p++)
		o_packets += p[2] != 'K';
	ok(o_packets == 3 && strstr(sent, frame("OK")) != NULL,
	   "3000 bytes of output: 3 O packets, then OK (%d)", o_packets);
	ok(sent_len < sizeof(sent), "output bounded");

	hex_of(packet + 6, "nope", 4);
	is_str(exchange(packet), frame("E16"), "qRcmd failing in the target: its error");
	is_str(exchange("qRcmd,abc"), frame("E16"), "qRcmd with odd hex: E16");
	clear_sent();
	gdb_engine_console_write(&engine, "lost", 4);
	is_str(sent, "", "console text while stopped and outside monitor is dropped");

	struct gdb_target_ops no_monitor = fake_ops;
	no_monitor.monitor = NULL;
	gdb_engine_init(&engine, &no_monitor, &target, &recording);
	send_packet("QStartNoAckMode");
	is_str(exchange(packet), frame(""), "qRcmd without a monitor op: empty");
}

static void test_detach_kill(void)
{
	start_session(2, false);
	is_str(exchange("qAttached:1"), frame("1"), "qAttached: 1");
	is_int(send_packet("D;1"), GDB_EVENT_DETACHED, "D: detached event");
	is_str(sent, frame("OK"), "D: OK");
	is_int(target.detaches, 1, "D: target detached");
	is_str(exchange("qAttached"), acked("1"), "after D the session is back in ack mode");

	start_session(2, false);
	is_int(send_packet("k"), GDB_EVENT_KILLED, "k: killed event");
	is_str(sent, "", "k: no reply");
	is_int(target.kills, 1, "k: target killed");
}

/* bc/bs: offered in qSupported only to a target that can run backwards. */
static void test_reverse(void)
{
	struct gdb_target_ops reverse_ops = fake_ops;

	start_session(2, false);
	is_str(exchange("bc"), frame(""), "bc without resume_reverse: unsupported");
	is_int(target.reverse_continues, 0, "bc without resume_reverse: target untouched");

	fake_target_reset(2, false);
	reverse_ops.resume_reverse = fake_resume_reverse;
	gdb_engine_init(&engine, &reverse_ops, &target, &recording);
	ok(strstr(exchange("qSupported:swbreak+"), ";ReverseStep+;ReverseContinue+") != NULL,
	   "qSupported offers ReverseStep+ and ReverseContinue+");
	send_packet("QStartNoAckMode"); /* after qSupported, which starts a session, as GDB does */
	feed("+", 1);
	is_int(send_packet("bc"), GDB_EVENT_RESUMED, "bc: resume event");
	ok(target.reverse_continues == 1 && gdb_engine_running(&engine), "bc: reverse continue runs");
	report(GDB_SIGNAL_TRAP, 2, GDB_REASON_WATCH, 0x100040);
	expect_stop_reply("T05thread:2;watch:100040;", 2, "bc ends at a watchpoint");
	is_int(send_packet("bs"), GDB_EVENT_RESUMED, "bs: resume event");
	is_int(target.reverse_steps, 1, "bs: one reverse step");
	report(GDB_SIGNAL_TRAP, 1, GDB_REASON_REPLAY_BEGIN, 0);
	expect_stop_reply("T05thread:1;replaylog:begin;", 1, "start of history: replaylog:begin");
	send_packet("c");
	report(GDB_SIGNAL_TRAP, 1, GDB_REASON_REPLAY_END, 0);
	expect_stop_reply("T05thread:1;replaylog:end;", 1, "end of history: replaylog:end");
	target.resume_result = GDB_ERR_GENERIC;
	is_str(exchange("bs"), frame("E01"), "bs refused by the target: E01");
	ok(!gdb_engine_running(&engine), "a refused bs leaves the engine stopped");
}

static void test_no_target_ops(void)
{
	static const struct gdb_target_ops none;

	gdb_engine_init(&engine, &none, NULL, &recording);
	send_packet("QStartNoAckMode");
	is_str(exchange("?"), frame("T05"), "no threads, no registers: '?' is a bare T05");
	is_str(exchange("g"), frame("E01"), "g without read_registers: E01");
	is_str(exchange("m100000,4"), frame("E0e"), "m without read_memory: E0e");
	is_str(exchange("qfThreadInfo"), frame("l"), "no thread list: 'l'");
	is_str(exchange("qC"), frame(""), "qC without threads: empty");
	is_str(exchange("Z0,1000,1"), frame(""), "Z without breakpoint ops: empty");
	is_str(exchange("c"), frame("E01"), "c without resume (a core file): E01");
	is_str(exchange("qXfer:threads:read::0,fff"),
	       frame("l<?xml version=\"1.0\"?>\n<threads>\n</threads>\n"), "empty threads document");
}

int main(void)
{
	test_handshake_and_acks();
	test_registers();
	test_fpu_registers();
	test_no_fpu();
	test_vfile();
	test_memory();
	test_thread_list();
	test_qxfer_threads();
	test_qxfer_features();
	test_continue_and_stop();
	test_stop_reason_negotiation();
	test_thread_stop_info();
	test_legacy_resume();
	test_vcont();
	test_breakpoints();
	test_monitor();
	test_detach_kill();
	test_reverse();
	test_no_target_ops();
	return done_testing();
}
