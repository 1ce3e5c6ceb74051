/*
 * The GDB fast path of `uniscope run` (cli/run_gdbfast.c) parses bytes from
 * GDB (packets, m requests) and from the stub (stop replies carrying cr3),
 * then walks guest page tables in guest RAM. All three are untrusted here:
 * the input is split into a fake guest RAM image, stub bytes and client
 * bytes. Nothing may read outside the RAM image or the buffers. The GDB
 * mailbox's rings are driven with indices taken from the input too: the
 * other side of a ring writes them.
 */
#include <stdint.h>
#include <string.h>
#include <uniscope/mailbox.h>
#include "../../cli/run_gdbfast.c"

void run_gdb_to_guest(struct run_state *rs, const void *buf, size_t n)
{
	(void)rs, (void)buf, (void)n;
}

void run_gdb_to_client(struct run_state *rs, const void *buf, size_t n)
{
	(void)rs, (void)buf, (void)n;
}

void gdb_mailbox_attach(struct run_state *rs)
{
	(void)rs;
}

/* Hostile head and tail: every get and put stays inside data[]. */
static void fuzz_mailbox_ring(const uint8_t *data, size_t size)
{
	static struct uniscope_mailbox_ring ring;
	static uint8_t buf[2 * UNISCOPE_MAILBOX_RING];

	if (size < 8)
		return;
	memcpy(&ring.head, data, 4);
	memcpy(&ring.tail, data + 4, 4);
	mailbox_ring_get(&ring, buf, (size_t)data[0] << 6);
	mailbox_ring_put(&ring, data, size);
	mailbox_ring_get(&ring, buf, sizeof(buf));
}

#define RAM_SIZE (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run_state rs;
	static uint8_t ram[RAM_SIZE];
	size_t ram_len = size / 2 < 4096 ? size / 2 : 4096, rest, split;

	fuzz_mailbox_ring(data, size);
	memset(&rs, 0, sizeof(rs));
	memset(ram, 0, sizeof(ram));
	/* The first half of the input (at most 4 KiB), repeated, is guest RAM. */
	for (size_t off = 0; ram_len && off < RAM_SIZE; off += ram_len)
		memcpy(ram + off, data, RAM_SIZE - off < ram_len ? RAM_SIZE - off : ram_len);
	rs.gdbfast.ram = ram;
	rs.gdbfast.ram_size = RAM_SIZE;
	data += ram_len;
	rest = size - ram_len;
	split = rest ? data[0] % (rest + 1) : 0;
	gdb_fast_from_guest(&rs, data, split);
	gdb_fast_from_client(&rs, data + split, rest - split);
	/* And once more as if stopped with a cr3 inside RAM, so the walk runs. */
	rs.gdbfast.stopped = rs.gdbfast.cr3_known = true;
	rs.gdbfast.cr3 %= RAM_SIZE;
	gdb_fast_from_client(&rs, data + split, rest - split);
	return 0;
}
