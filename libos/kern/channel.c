/*
 * The guest end of the console channel (include/uniscope/chan.h).
 *
 * The guest starts in text mode: console output goes to the device as it
 * is. The host's HELLO switches it to framed mode, and from then on all
 * output is framed: console text, GDB traffic, trace records, control.
 * Receive runs from the device interrupt normally, and by polling
 * (channel_poll) where interrupts are off: inside the debugger stub and
 * while panicking. Transmit is always polled and complete on return.
 * Callers hold interrupts disabled around a send, so frames never
 * interleave.
 */
#include <string.h>
#include <uniscope/chan.h>
#include "kern.h"
#include "channel.h"
#include "trace.h"
#include "arch/x86_64/cpu.h"
#include "debug/hooks.h"
#include "plat/plat.h"

#define POLL_BUDGET 4096
/*
 * Trace records go out in frames of TRACE_FRAME_BYTES, each sent with
 * interrupts off, at most TRACE_FRAMES_PER_TICK a tick: as fast as the
 * line takes them. Under emulation every byte sent takes the device
 * model's lock, the same that delivers the bytes we receive, so a stream
 * at the line's full rate keeps a debugger's Ctrl-C waiting (hundreds of
 * milliseconds on a loaded host): while a debugger is attached the stream
 * yields (TRACE_FRAMES_PER_TICK_DEBUGGED, ~100 KB/s), and small frames
 * keep each wait short.
 */
#define TRACE_FRAME_BYTES 1024
#define TRACE_FRAMES_PER_TICK 16
#define TRACE_FRAMES_PER_TICK_DEBUGGED 1
#define TRACE_FRAMES_AT_EXIT 512 /* a whole 256 KiB ring, and a bound */
#define CRASH_HOLD_NS (60ull * 1000000000ull)
#define CRASH_HELLO_WAIT_NS (500ull * 1000000ull)

static struct {
	bool framed;
	bool hold_on_crash;     /* HELLO asked for CHAN_HELLO_HOLD_ON_CRASH */
	bool no_trace_stream;   /* HELLO said CHAN_HELLO_NO_TRACE_STREAM: nobody keeps it */
	volatile bool released; /* RELEASE arrived */
	uint32_t rx_bytes;      /* received at all: a uniscope host may be talking */
	uint16_t tx_seq;
	struct chan_decoder decoder;
	uint8_t tx[CHAN_ENCODED_MAX(CHAN_PAYLOAD_MAX)];
} chan;

uint64_t chan_stats_address(void)
{
	return (uint64_t)&chan.decoder.stats;
}

bool channel_framed(void)
{
	return chan.framed;
}

void channel_send(uint8_t channel, const void *payload, size_t len)
{
	uint64_t flags = irq_save();
	const uint8_t *p = payload;

	do {
		size_t part = len < CHAN_PAYLOAD_MAX ? len : CHAN_PAYLOAD_MAX;
		size_t n = chan_frame_encode(chan.tx, sizeof(chan.tx), channel, chan.tx_seq++, p, part);
		plat->console_write(chan.tx, n);
		p += part;
		len -= part;
	} while (len > 0);
	irq_restore(flags);
}

static void send_control(const struct chan_ctl_msg *m)
{
	uint8_t payload[CHAN_CTL_MAX];
	size_t n = chan_ctl_encode(payload, sizeof(payload), m);

	if (n)
		channel_send(CHAN_CONTROL, payload, n);
}

static void answer_hello(void)
{
	struct chan_ctl_msg ack = { .type = CHAN_CTL_HELLO_ACK, .version = CHAN_PROTOCOL_VERSION };

	ack.caps = CHAN_CAP_TRACE | CHAN_CAP_CONSOLE_IN;
#ifdef UNISCOPE_STUB
	ack.caps |= CHAN_CAP_GDB;
#endif
	ack.build_id_len = (uint8_t)uniscope_info.build_id_len;
	memcpy(ack.build_id, uniscope_info.build_id, ack.build_id_len);
	if (!chan.framed)
		trace_drain_restart(); /* a new host: the stream starts over, with its header */
	chan.framed = true;
	chan.tx_seq = 0;
	send_control(&ack);
}

static void handle_control(const struct chan_frame *f)
{
	struct chan_ctl_msg m;

	if (chan_ctl_parse(f->payload, f->len, &m) < 0)
		return;
	switch (m.type) {
	case CHAN_CTL_HELLO:
		chan.hold_on_crash = (m.flags & CHAN_HELLO_HOLD_ON_CRASH) != 0;
		chan.no_trace_stream = (m.flags & CHAN_HELLO_NO_TRACE_STREAM) != 0;
		answer_hello();
		break;
	case CHAN_CTL_RELEASE: chan.released = true; break;
	case CHAN_CTL_INTERRUPT: debug_interrupt_request(); break;
	case CHAN_CTL_DEBUGGER_GONE:
		debug_client_gone();
		send_control(&m); /* the echo: gdb bytes after it are for the next client */
		break;
	case CHAN_CTL_TRACE_ENABLE: trace_set_enabled(m.trace_mask); break;
	default: break;
	}
}

static void handle_frame(const struct chan_frame *f)
{
	if (f->channel == CHAN_CONTROL)
		handle_control(f);
	else if (f->channel == CHAN_GDB)
		debug_channel_input(f->payload, f->len);
	else if (f->channel == CHAN_CONSOLE)
		console_input(f->payload, f->len); /* the application's stdin (libos/posix/sys_io.c) */
}

static void channel_rx_byte(uint8_t byte)
{
	struct chan_frame f;

	chan.rx_bytes++;
	if (chan_decoder_push(&chan.decoder, byte, &f) == CHAN_EV_FRAME)
		handle_frame(&f);
}

/* Polled receive: everything the device has, bounded; how many bytes came. */
size_t channel_poll(void)
{
	size_t n = 0;
	int c;

	while (n < POLL_BUDGET && (c = plat->console_read()) >= 0) {
		channel_rx_byte((uint8_t)c);
		n++;
	}
	return n;
}

void channel_console_write(const char *s, size_t len)
{
	if (chan.framed)
		channel_send(CHAN_CONSOLE, s, len);
	else
		plat->console_write(s, len);
}

/*
 * `uniscope run --core-on-crash`: a dead image stays up, interrupts off,
 * polling the channel, until the host has paused it and read its memory
 * and says RELEASE, or CRASH_HOLD_NS pass (a host that went away).
 */
static void hold_until_release(void)
{
	uint64_t end;

	if (!tsc_hz()) /* no clock yet: no timeout either, so do not wait */
		return;
	end = clock_ns() + CRASH_HOLD_NS;
	while (!chan.released && clock_ns() < end) {
		channel_poll();
		cpu_relax();
	}
}

/*
 * Waits up to ns for the host's HELLO; true once framed. A thread with
 * interrupts on sleeps while the receive interrupt brings the bytes (the
 * CPU halts meanwhile); with interrupts off (a dying guest) it polls.
 */
bool channel_await_hello(uint64_t ns)
{
	uint64_t end;

	if (!tsc_hz()) /* no clock yet: no timeout either, so do not wait */
		return chan.framed;
	end = clock_ns() + ns;
	while (!chan.framed && clock_ns() < end) {
		if (read_rflags() & RFLAGS_IF) {
			sleep_ns(1000000);
		} else {
			channel_poll();
			cpu_relax();
		}
	}
	return chan.framed;
}

/*
 * A guest that dies during boot may have lost the host's first HELLO (the
 * UART's FIFO is cleared when it is set up); the host says HELLO again
 * every 200 ms. If anything at all came from the host, wait a little for
 * it, so a crash this early still gets --core-on-crash. Plain QEMU sends
 * nothing and waits for nothing.
 */
static void await_hello(void)
{
	if (chan.rx_bytes)
		channel_await_hello(CRASH_HELLO_WAIT_NS);
}

static int drain_trace(int max_frames);

/* Tell the host the exit status and our receive counters, then leave. */
/* What the panic record says about how the guest ends (chan.h). */
static uint8_t exit_how(void)
{
	switch (panic_record.kind) {
	case UNISCOPE_PANIC_NONE: return CHAN_EXIT_NORMAL;
	case UNISCOPE_PANIC_FAULT: return CHAN_EXIT_FAULT;
	case UNISCOPE_PANIC_ASSERT: return CHAN_EXIT_ASSERT;
	case UNISCOPE_PANIC_STACK_OVERFLOW: return CHAN_EXIT_STACK_OVERFLOW;
	default: return CHAN_EXIT_PANIC;
	}
}

void channel_exit_notify(int status)
{
	struct chan_ctl_msg m = { .type = CHAN_CTL_STATS };

	if (!chan.framed && status == EXIT_STATUS_PANIC)
		await_hello();
	if (!chan.framed)
		return;
	drain_trace(TRACE_FRAMES_AT_EXIT); /* the last events matter most */
	m.stats = chan.decoder.stats;
	send_control(&m);
	m = (struct chan_ctl_msg){ .type = CHAN_CTL_EXIT, .exit_status = status,
				   .exit_how = exit_how() };
	send_control(&m);
	if (status == EXIT_STATUS_PANIC && chan.hold_on_crash)
		hold_until_release();
}

/* Sends up to max_frames frames of pending trace records; returns how many went. */
static int drain_trace(int max_frames)
{
	static uint8_t buf[TRACE_FRAME_BYTES];
	int sent = 0;
	size_t n;

	while (!chan.no_trace_stream && sent < max_frames && (n = trace_drain(buf, sizeof(buf))) > 0) {
		channel_send(CHAN_TRACE, buf, n);
		sent++;
	}
	return sent;
}

/*
 * From the idle thread: stream pending trace records, a few frames per tick
 * at most, so draining never holds a woken thread up for long.
 */
void channel_idle_work(void)
{
	static uint64_t last_drain_ns;
	uint64_t now = clock_ns();

	if (!chan.framed || now - last_drain_ns < 1000000000ull / SCHED_HZ)
		return;
	last_drain_ns = now;
	drain_trace(debug_client_attached() ? TRACE_FRAMES_PER_TICK_DEBUGGED : TRACE_FRAMES_PER_TICK);
}

void channel_init(void)
{
	chan_decoder_init(&chan.decoder);
	plat->console_rx_irq(channel_rx_byte);
}
