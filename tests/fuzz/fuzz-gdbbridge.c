/*
 * The GDB bridge of `uniscope run` (cli/gdb_bridge.c) between a hostile
 * debugger and a hostile stub: the input is cut into client bytes, stub
 * bytes (through the channel and through the mailbox), doorbells, clients
 * leaving and arriving, echoes and lost frames, in any order. Guest RAM
 * (for the fast path's reads and page walks) and the mailbox's ring
 * indices come from the input too. Nothing may read or write outside its
 * buffers, and no queue may grow past its bound.
 *
 * Flag 4 plants an identity map (cr3 0x1000) and a descriptor whose thread
 * list starts at THREADS_AT in the input's bytes, so the host's answers
 * (qXfer:threads and the rest, gdb_host.c) walk what the input says
 * (corpus/fuzz-gdbbridge/threads-kept).
 */
#include <stdint.h>
#include <string.h>
#include <uniscope/mailbox.h>
#include "../../cli/gdb_bridge.c"
#include "../../cli/gdb_host.c"
#include "synthetic.h"

#define RAM_SIZE (64 * 1024)
#define THREADS_AT 0x5000u

static bool guest_room;
static size_t client_bytes;

static bool sink_to_guest(void *ctx, uint8_t channel, const void *buf, size_t len)
{
	(void)ctx, (void)channel, (void)buf, (void)len;
	return guest_room;
}

static bool sink_to_client(void *ctx, const void *buf, size_t len)
{
	(void)ctx, (void)buf;
	client_bytes += len;
	return client_bytes < (1u << 20);
}

static void put64(uint8_t *ram, uint64_t at, uint64_t v) { memcpy(ram + at, &v, 8); }

static void plant_descriptor(uint8_t *ram)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1, .thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = 0x4000, .current_thread = 0x4008,
	};

	put64(ram, 0x1000, 0x2000 | 3); /* PML4 -> PDPT -> PD: one 2 MiB page at 0 */
	put64(ram, 0x2000, 0x3000 | 3);
	put64(ram, 0x3000, 0x83);
	put64(ram, 0x4000, THREADS_AT);
	memcpy(ram + 0x8000, &info, sizeof(info));
}

/* Guest RAM: the first bytes of the input, repeated, and a target over them. */
static struct us_target *ram_target(const uint8_t *data, size_t size)
{
	static uint8_t ram[RAM_SIZE];
	size_t n = size < 4096 ? size : 4096;
	struct us_backend *backend;
	struct us_target *t;

	memset(ram, 0, sizeof(ram));
	for (size_t off = 0; n && off < RAM_SIZE; off += n)
		memcpy(ram + off, data, RAM_SIZE - off < n ? RAM_SIZE - off : n);
	if (data[0] & 4)
		plant_descriptor(ram);
	/* borrowed, not copied: the buffer backend only reads, and ram is rebuilt every run */
	if (us_backend_buffer_borrow(ram, sizeof(ram), 0, &(struct uniscope_regs){ 0 }, &backend))
		return NULL;
	if (us_target_open_backend(backend, "fuzz", &(struct us_target_options){ .page_root_given = true }, &t))
		return NULL;
	return t;
}

static void step(struct gdb_bridge *b, uint8_t op, const uint8_t *p, size_t len)
{
	switch (op % 8) {
	case 0: gdb_bridge_from_client(b, p, len); break;
	case 1: gdb_bridge_from_guest(b, p, len); break;
	case 2: /* the stub writes the mailbox and rings */
		if (b->mailbox)
			mailbox_ring_put(&b->mailbox->to_host, p, len);
		gdb_bridge_from_guest(b, p, 0);
		break;
	case 3: gdb_bridge_client_gone(b); gdb_bridge_client_connected(b); break;
	case 4: gdb_bridge_guest_reset(b); break;
	case 5: gdb_bridge_channel_lost_frames(b); break;
	case 6: guest_room = !guest_room; break;
	default: gdb_bridge_poll(b); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uniscope_mailbox mailbox;
	struct gdb_bridge_options opts = { .fast_path = true, .session_dir = "/nonexistent" };
	struct gdb_bridge_io io = { sink_to_guest, sink_to_client, 0 };
	struct gdb_bridge *b;

	if (size < 9)
		return 0;
	guest_room = data[0] & 1;
	client_bytes = 0;
	b = gdb_bridge_new(&opts, &io);
	b->target = ram_target(data, size);
	if (data[0] & 2) { /* a mailbox whose indices the other side wrote */
		memset(&mailbox, 0, sizeof(mailbox));
		memcpy(&mailbox.to_guest.head, data + 1, 4);
		memcpy(&mailbox.to_host.tail, data + 5, 4);
		b->mailbox = &mailbox;
	}
	gdb_bridge_client_connected(b);
	for (size_t i = 9; i + 2 <= size;) {
		size_t len = data[i + 1];
		if (len > size - i - 2)
			len = size - i - 2;
		step(b, data[i], data + i + 2, len);
		i += 2 + len;
	}
	b->mailbox = 0; /* static: not the bridge's to let go */
	gdb_bridge_free(b);
	return 0;
}
