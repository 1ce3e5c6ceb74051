/*
 * libFuzzer target for the host GDB bridge's client side, as a hostile or
 * broken debugger drives it (today cli/run_gdbfast.c; gdb-robust moves the
 * bridge into its own module): bytes from the client arrive cut anywhere
 * (half packets, a packet per byte, many packets in one read), floods (the
 * input repeated up to 256 KiB: packets longer than any buffer, runs of
 * Ctrl-C and acks), with the stub's replies (stop replies carrying cr3)
 * interleaved, while the guest is stopped so reads are answered from a
 * guest RAM image built from the input. Nothing may read or write outside
 * the buffers; the bridge's state must stay within its bounds.
 */
#include <stdint.h>
#include <string.h>
#include <uniscope/mailbox.h>
#include "../../cli/run_gdbfast.c"

#define RAM_SIZE (64 * 1024)
#define FLOOD_MAX (256 * 1024)

void run_gdb_to_guest(struct run_state *rs, const void *buf, size_t n) { (void)rs, (void)buf, (void)n; }
void run_gdb_to_client(struct run_state *rs, const void *buf, size_t n) { (void)rs, (void)buf, (void)n; }
void gdb_mailbox_attach(struct run_state *rs) { (void)rs; }

/* Feeds bytes in pieces whose sizes come from the bytes themselves. */
static void feed_cut(struct run_state *rs, const uint8_t *bytes, size_t n, const uint8_t *stub,
		     size_t stub_len)
{
	size_t off = 0;

	while (off < n) {
		size_t piece = 1 + bytes[off] % 61;
		if (piece > n - off)
			piece = n - off;
		gdb_fast_from_client(rs, bytes + off, piece);
		if (stub_len && bytes[off] % 7 == 0) /* the stub answers meanwhile */
			gdb_fast_from_guest(rs, stub, stub_len);
		off += piece;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run_state rs;
	static uint8_t ram[RAM_SIZE], flood[FLOOD_MAX];
	size_t stub_len, repeat, n = 0;

	if (size < 3)
		return 0;
	memset(&rs, 0, sizeof(rs));
	for (size_t off = 0; off < RAM_SIZE; off += size) /* guest RAM: the input, repeated */
		memcpy(ram + off, data, RAM_SIZE - off < size ? RAM_SIZE - off : size);
	rs.gdbfast.ram = ram;
	rs.gdbfast.ram_size = RAM_SIZE;
	rs.gdbfast.stopped = data[0] & 1;
	rs.gdbfast.cr3_known = data[0] & 2;
	rs.gdbfast.cr3 = (uint64_t)data[1] << 12;
	stub_len = data[2] % 64 < size - 3 ? data[2] % 64 : size - 3;
	repeat = 1 + (data[0] >> 2); /* up to 64 copies: a flood */
	data += 3, size -= 3;
	while (repeat-- && n + size <= FLOOD_MAX) {
		memcpy(flood + n, data, size);
		n += size;
	}
	feed_cut(&rs, flood, n, data, stub_len);
	gdb_fast_client_gone(&rs);
	return 0;
}
