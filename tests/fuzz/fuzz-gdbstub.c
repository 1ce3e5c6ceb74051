/*
 * libFuzzer target for the GDB remote protocol engine.
 *
 * Input layout: byte 0 chooses the mode and the target's personality,
 * byte 1 the number of threads, the rest is traffic. In raw mode the bytes
 * go to the engine as they are (framing, acks, 0x03, junk). In framed mode
 * they are split at '\n' and each piece is sent as a packet with a correct
 * checksum, so the fuzzer reaches the command handlers instead of stalling
 * at the checksum. The target can be hostile: thread lists that never end
 * or claim more ids than asked for, names without a terminating NUL, failing
 * operations, missing operations.
 *
 * Every packet the engine sends is checked: it fits the transmit buffer,
 * its checksum is right, and '$', '#' and '*' never appear unescaped.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uniscope/gdbstub.h>

#define MEM_BASE 0x1000u
#define MEM_SIZE 4096u

enum personality {
	FRAMED = 1 << 0,
	WRITABLE = 1 << 1,
	SPARSE_OPS = 1 << 2,
	HOSTILE_LIST = 1 << 3,
	UNTERMINATED_NAMES = 1 << 4,
	FAILING = 1 << 5,
	REPORT_STOPS = 1 << 6,
};

struct fuzz_target {
	unsigned personality;
	size_t nr_threads;
	uint8_t mem[MEM_SIZE];
	struct uniscope_regs regs;
	struct gdb_fpu_state fpu;
};

static struct fuzz_target target;
static struct gdb_engine engine;

static void check_packet(const uint8_t *buf, size_t len)
{
	uint8_t sum = 0;
	unsigned cs;
	char digits[3];

	if (len > GDB_TX_BUF_SIZE)
		abort();
	if (len == 1 && (buf[0] == '+' || buf[0] == '-'))
		return;
	if (len < 4 || buf[0] != '$' || buf[len - 3] != '#')
		abort();
	for (size_t i = 1; i < len - 3; i++) {
		if (buf[i] == '$' || buf[i] == '#' || buf[i] == '*')
			abort();
		sum = (uint8_t)(sum + buf[i]);
	}
	memcpy(digits, buf + len - 2, 2);
	digits[2] = '\0';
	if (sscanf(digits, "%2x", &cs) != 1 || cs != sum)
		abort();
}

static void fuzz_put(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	check_packet(buf, len);
}

static bool has(unsigned flag)
{
	return (target.personality & flag) != 0;
}

static int fuzz_read_registers(void *ctx, int64_t tid, struct uniscope_regs *regs)
{
	(void)ctx;
	if (has(FAILING) && tid % 2 == 0)
		return GDB_ERR_FAULT;
	*regs = target.regs;
	regs->rip += (uint64_t)tid;
	return 0;
}

static int fuzz_write_registers(void *ctx, int64_t tid, const struct uniscope_regs *regs)
{
	(void)ctx;
	(void)tid;
	if (has(FAILING))
		return -1000; /* out of the E NN range on purpose */
	target.regs = *regs;
	return 0;
}

/* Whatever the traffic wrote last: any bit pattern, ymm state or not. */
static int fuzz_read_fpu(void *ctx, int64_t tid, struct gdb_fpu_state *fpu)
{
	(void)ctx;
	if (has(FAILING) && tid % 2 == 0)
		return tid % 4 == 0 ? GDB_ERR_UNSUPPORTED : GDB_ERR_NO_THREAD;
	*fpu = target.fpu;
	return 0;
}

static int fuzz_write_fpu(void *ctx, int64_t tid, const struct gdb_fpu_state *fpu)
{
	(void)ctx;
	(void)tid;
	if (!has(WRITABLE))
		return GDB_ERR_REFUSED;
	target.fpu = *fpu;
	return 0;
}

static bool fuzz_has_avx(void *ctx)
{
	(void)ctx;
	return has(WRITABLE);
}

/* Regions every 64 KiB; hostile: endless, backwards, unterminated names. */
static bool fuzz_memory_region(void *ctx, uint64_t from, struct gdb_memory_region *out)
{
	(void)ctx;
	if (from > (uint64_t)target.nr_threads << 16 && !has(HOSTILE_LIST))
		return false;
	out->start = has(HOSTILE_LIST) ? from / 2 : from + 0x1000;
	out->end = has(FAILING) ? out->start : from + 0x10000;
	out->read = out->write = true;
	out->exec = from & 0x10000;
	memset(out->name, has(UNTERMINATED_NAMES) ? 0xff : 'n', sizeof(out->name));
	if (!has(UNTERMINATED_NAMES))
		out->name[sizeof(out->name) - 1] = '\0';
	return true;
}

static int fuzz_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
		return has(FAILING) ? 0 : GDB_ERR_FAULT;
	if (len > MEM_BASE + MEM_SIZE - addr)
		len = MEM_BASE + MEM_SIZE - addr;
	memcpy(buf, target.mem + (addr - MEM_BASE), len);
	return has(HOSTILE_LIST) ? (int)len + 100 : (int)len; /* claims more than asked */
}

static int fuzz_write_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	if (!has(WRITABLE))
		return GDB_ERR_REFUSED;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE || len > MEM_BASE + MEM_SIZE - addr)
		return GDB_ERR_FAULT;
	memcpy(target.mem + (addr - MEM_BASE), buf, len);
	return 0;
}

static size_t fuzz_list_threads(void *ctx, size_t first, int64_t *tids, size_t max)
{
	size_t n = 0;

	(void)ctx;
	if (has(HOSTILE_LIST)) {
		/* endless, with invalid ids, and a count larger than max */
		for (n = 0; n < max; n++)
			tids[n] = (int64_t)(first + n) % 7 - 2;
		return max + 5;
	}
	while (n < max && first + n < target.nr_threads) {
		tids[n] = (int64_t)(first + n + 1);
		n++;
	}
	return n;
}

static int fuzz_thread_info(void *ctx, int64_t tid, struct gdb_thread_info *info)
{
	(void)ctx;
	if (has(UNTERMINATED_NAMES)) {
		memset(info->name, '&', sizeof(info->name));
		memset(info->state, 0xff, sizeof(info->state));
		info->core = (int32_t)tid;
		return 0;
	}
	snprintf(info->name, sizeof(info->name), "t<%lld>\"#$*}", (long long)tid);
	snprintf(info->state, sizeof(info->state), "state\n%lld", (long long)tid);
	return has(FAILING) && tid % 3 == 0 ? GDB_ERR_NO_THREAD : 0;
}

static bool fuzz_thread_alive(void *ctx, int64_t tid)
{
	(void)ctx;
	return tid >= 1 && (size_t)tid <= target.nr_threads;
}

static int fuzz_breakpoint(void *ctx, enum gdb_breakpoint_type type, uint64_t addr, uint32_t kind)
{
	(void)ctx;
	(void)kind;
	if (has(FAILING))
		return (int)(addr % 100) - 99;
	return type == GDB_BP_SOFTWARE && !has(WRITABLE) ? GDB_ERR_UNSUPPORTED : 0;
}

static int fuzz_resume(void *ctx, const struct gdb_resume *resume)
{
	(void)ctx;
	if (resume->nr_threads > GDB_RESUME_MAX_THREADS)
		abort();
	for (uint32_t i = 0; i < resume->nr_threads; i++)
		if (resume->threads[i].tid <= 0)
			abort();
	return has(FAILING) ? GDB_ERR_GENERIC : 0;
}

static int fuzz_monitor(void *ctx, const char *cmd, struct gdb_engine *e)
{
	size_t len = strlen(cmd);

	(void)ctx;
	for (int i = 0; i < 3; i++)
		gdb_engine_console_write(e, cmd, len);
	return has(FAILING) ? GDB_ERR_UNSUPPORTED : 0;
}

static void fuzz_noop(void *ctx)
{
	(void)ctx;
}

static const struct gdb_target_ops full_ops = {
	.read_registers = fuzz_read_registers,
	.write_registers = fuzz_write_registers,
	.read_fpu = fuzz_read_fpu,
	.write_fpu = fuzz_write_fpu,
	.has_avx = fuzz_has_avx,
	.read_memory = fuzz_read_memory,
	.write_memory = fuzz_write_memory,
	.list_threads = fuzz_list_threads,
	.thread_info = fuzz_thread_info,
	.thread_alive = NULL, /* exercise the engine's own walk */
	.memory_region = fuzz_memory_region,
	.insert_breakpoint = fuzz_breakpoint,
	.remove_breakpoint = fuzz_breakpoint,
	.resume = fuzz_resume,
	.monitor = fuzz_monitor,
	.detach = fuzz_noop,
	.kill = fuzz_noop,
};

static const struct gdb_target_ops sparse_ops = {
	.read_memory = fuzz_read_memory,
	.list_threads = fuzz_list_threads,
	.thread_alive = fuzz_thread_alive,
	.monitor = fuzz_monitor,
};

static const struct gdb_transport transport = { .put = fuzz_put };

/* After each piece of traffic, maybe finish a resume with a stop built from the data. */
static void maybe_report_stop(const uint8_t *data, size_t len)
{
	struct gdb_stop stop;

	if (!has(REPORT_STOPS) || !gdb_engine_running(&engine) || len < 4)
		return;
	gdb_engine_console_write(&engine, (const char *)data, len < 64 ? len : 64);
	stop.kind = data[0];
	stop.signal = data[1];
	stop.reason = data[2];
	stop.tid = (int64_t)(int8_t)data[3];
	stop.watch_addr = (uint64_t)data[0] << 40 | data[3];
	gdb_engine_report_stop(&engine, &stop);
}

static void send_framed(const uint8_t *payload, size_t len)
{
	static uint8_t packet[GDB_RX_BUF_SIZE + 64];
	uint8_t sum = 0;
	size_t n = 0;

	if (len > GDB_RX_BUF_SIZE + 32)
		len = GDB_RX_BUF_SIZE + 32; /* still oversized, just bounded here */
	packet[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		sum = (uint8_t)(sum + payload[i]);
		packet[n++] = payload[i];
	}
	n += (size_t)snprintf((char *)packet + n, 4, "#%02x", sum);
	gdb_engine_input(&engine, packet, n);
}

static void run_framed(const uint8_t *data, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		send_framed(data + start, i - start);
		maybe_report_stop(data + start, i - start);
		start = i + 1;
	}
}

static void run_raw(const uint8_t *data, size_t size)
{
	size_t chunk = 1;

	for (size_t off = 0; off < size; off += chunk) {
		chunk = 1 + data[off] % 61;
		if (chunk > size - off)
			chunk = size - off;
		gdb_engine_input(&engine, data + off, chunk);
		maybe_report_stop(data + off, chunk);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	memset(&target, 0, sizeof(target));
	target.personality = data[0];
	target.nr_threads = data[1];
	target.fpu.has_ymm = data[1] & 1;
	for (size_t i = 0; i < MEM_SIZE; i++)
		target.mem[i] = (uint8_t)i;
	gdb_engine_init(&engine, has(SPARSE_OPS) ? &sparse_ops : &full_ops, &target, &transport);
	if (has(FRAMED))
		run_framed(data + 2, size - 2);
	else
		run_raw(data + 2, size - 2);
	return 0;
}
