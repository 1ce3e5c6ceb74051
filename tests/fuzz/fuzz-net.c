/*
 * libFuzzer target for the network reader (introspect/net.c, behind
 * `uniscope net`, report and top): random bytes become guest memory under
 * a sound guest descriptor and network descriptor, whose list heads,
 * socket table and thread list lead into the input; so the fuzzer steers
 * the PCB lists (cycles, wild pointers, absurd states and ports), the
 * netconns and sockets they lead to, and the threads that own them. A
 * second descriptor, taken from the input itself, exercises the layout
 * checks. Nothing may crash, hang, leak or read outside its buffers.
 *
 * Input layout: byte 0 flags; the rest is copied into guest memory at
 * 0x10000 (list heads at +0, +8, +16, thread list +24, current thread +32,
 * statistics +0x40, PCB slots +0x400, netconns +0x1000, sockets +0x3000).
 *	flag 1  the network descriptor is the input's first 320 bytes, its
 *	        magic, version and size made right (else a fixed sound one)
 *	flag 2  steered pointers: a list head's or a PCB's next whose low byte
 *	        is below 32 is made to point to that PCB slot (0xff: the end),
 *	        a callback_arg's to that netconn; so lists, loops and shared
 *	        tails are a byte away for the fuzzer
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../introspect/backend.h"
#include "../../introspect/target.h"
#include "../unit/synthetic.h"

#define GUEST_SIZE (1u << 17)
#define INPUT_AT 0x10000u
#define INFO_AT 0x8000u
#define NET_AT 0x9000u
#define PCBS_AT 0x400u
#define NETCONNS_AT 0x1000u
#define NETCONN_SIZE 64u
#define SOCKETS_AT 0x3000u
#define SLOTS 32u

/* A PCB and a socket laid out as a plausible stack would, inside the input. */
struct fuzz_pcb {
	uint8_t local_ip[20], remote_ip[20];
	uint64_t next, callback_arg;
	uint32_t state;
	uint16_t local_port, remote_port;
	uint32_t snd_buf, rcv_wnd;
	uint16_t snd_queuelen;
	uint8_t nrtx, pad;
	uint64_t unacked;
};

struct fuzz_socket {
	uint64_t object, conn;
	uint16_t family, type;
	int32_t fd;
	uint32_t owner_tid, rx_pending;
};

static void put64(uint8_t *mem, uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

static const struct uniscope_net_info sound_net = {
	.magic = UNISCOPE_NET_MAGIC, .version = UNISCOPE_NET_VERSION,
	.size = sizeof(struct uniscope_net_info), .has_device = 1, .stats = INPUT_AT + 0x40,
	.tcp_listen_pcbs = INPUT_AT, .tcp_active_pcbs = INPUT_AT + 8, .tcp_tw_pcbs = INPUT_AT + 16,
	.tcp = {
		.size = sizeof(struct fuzz_pcb), .listen_size = offsetof(struct fuzz_pcb, remote_port),
		.off_next = offsetof(struct fuzz_pcb, next), .off_state = offsetof(struct fuzz_pcb, state),
		.off_local_ip = 0, .off_remote_ip = 20, .addr_type_offset = 16,
		.off_local_port = offsetof(struct fuzz_pcb, local_port),
		.off_remote_port = offsetof(struct fuzz_pcb, remote_port),
		.off_callback_arg = offsetof(struct fuzz_pcb, callback_arg),
		.off_snd_buf = offsetof(struct fuzz_pcb, snd_buf),
		.off_snd_queuelen = offsetof(struct fuzz_pcb, snd_queuelen),
		.off_rcv_wnd = offsetof(struct fuzz_pcb, rcv_wnd),
		.off_unacked = offsetof(struct fuzz_pcb, unacked), .off_nrtx = offsetof(struct fuzz_pcb, nrtx),
		.wnd_size = 4, .wnd_max = 65535, .snd_buf_max = 65535,
	},
	.socket = {
		.netconn_off_pcb = 0, .netconn_off_recvmbox = 8, .netconn_off_acceptmbox = 16,
		.netconn_off_op_completed = 24, .netconn_off_socket = 32,
		.socket_size = sizeof(struct fuzz_socket),
		.socket_off_conn = offsetof(struct fuzz_socket, conn),
		.socket_off_fd = offsetof(struct fuzz_socket, fd),
		.socket_off_owner_tid = offsetof(struct fuzz_socket, owner_tid),
		.socket_off_rx_pending = offsetof(struct fuzz_socket, rx_pending),
	},
	.sockets = INPUT_AT + SOCKETS_AT, .nr_sockets = 64,
};

/* Flag 2: the pointer at mem[at] becomes slot (low byte) of the slots at base, 0 for 0xff. */
static void steer(uint8_t *mem, uint64_t at, uint64_t base, uint64_t stride)
{
	uint8_t b = mem[at];

	if (b < SLOTS)
		put64(mem, at, INPUT_AT + base + b * stride);
	else if (b == 0xff)
		put64(mem, at, 0);
}

static void steer_pointers(uint8_t *mem)
{
	for (unsigned i = 0; i < 3; i++)
		steer(mem, INPUT_AT + i * 8, PCBS_AT, sizeof(struct fuzz_pcb));
	for (unsigned k = 0; k < SLOTS; k++) {
		uint64_t pcb = INPUT_AT + PCBS_AT + k * sizeof(struct fuzz_pcb);
		steer(mem, pcb + offsetof(struct fuzz_pcb, next), PCBS_AT, sizeof(struct fuzz_pcb));
		steer(mem, pcb + offsetof(struct fuzz_pcb, callback_arg), NETCONNS_AT, NETCONN_SIZE);
	}
}

static void build_memory(uint8_t *mem, const uint8_t *data, size_t size, uint8_t flags)
{
	size_t n = size < GUEST_SIZE - INPUT_AT ? size : GUEST_SIZE - INPUT_AT;
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1, .thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = INPUT_AT + 24, .current_thread = INPUT_AT + 32, .net = NET_AT,
	};
	struct uniscope_net_info net = sound_net;

	memset(mem, 0, GUEST_SIZE);
	memcpy(mem + INPUT_AT, data, n);
	put64(mem, 0x1000, 0x2000 | 3); /* identity: PML4 -> PDPT -> PD with one 2 MiB page */
	put64(mem, 0x2000, 0x3000 | 3);
	put64(mem, 0x3000, 0x83);
	memcpy(mem + INFO_AT, &info, sizeof(info));
	if ((flags & 1) && n >= sizeof(net)) {
		memcpy(&net, data, sizeof(net));
		net.magic = UNISCOPE_NET_MAGIC;
		net.version = UNISCOPE_NET_VERSION;
		net.size = sizeof(net);
	}
	memcpy(mem + NET_AT, &net, sizeof(net));
	if (flags & 2)
		steer_pointers(mem);
}

static void exercise(struct us_target *t)
{
	char buf[US_NET_ENDPOINT_MAX];
	struct uniscope_net_stats stats;
	struct us_net net;

	us_error_destroy(us_target_net(t, &net));
	for (size_t i = 0; i < net.count; i++) {
		us_net_endpoint(&net.conns[i], true, buf, sizeof(buf));
		us_net_endpoint(&net.conns[i], false, buf, sizeof(buf));
		(void)us_tcp_state_name(net.conns[i].state);
	}
	us_net_release(&net);
	us_error_destroy(us_target_net_stats(t, &stats));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *mem;
	struct uniscope_regs regs = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20 };
	struct us_backend *b;
	struct us_target *t;
	struct us_error *err;

	if (size < 1)
		return 0;
	if (!mem && !(mem = malloc(GUEST_SIZE)))
		return 0;
	build_memory(mem, data + 1, size - 1, data[0]);
	if ((err = us_backend_buffer_borrow(mem, GUEST_SIZE, 0, &regs, &b))) {
		us_error_destroy(err);
		return 0;
	}
	/*
	 * The descriptor's address given, as a core's UNISCOPE note gives it:
	 * the guest descriptor here is always the sound one at INFO_AT, and
	 * scanning 128 KiB for it (fuzz-introspect's business) cost 4/5 of a run.
	 */
	b->info_address = INFO_AT;
	if ((err = us_target_open_backend(b, "fuzz", NULL, &t))) {
		us_error_destroy(err);
		return 0;
	}
	exercise(t);
	us_target_close(t);
	return 0;
}
