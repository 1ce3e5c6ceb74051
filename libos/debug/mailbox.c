/*
 * The stub's end of the GDB mailbox (include/uniscope/mailbox.h): GDB's
 * bytes in, replies out, through guest memory the host maps, so a stopped
 * image's round trips skip the UART. The channel stays the fallback: until
 * the host attaches, or if it stops draining.
 */
#include <stdbool.h>
#include <string.h>
#include <uniscope/chan.h>
#include <uniscope/mailbox.h>
#include "debug.h"
#include "kern/channel.h"
#include "plat/plat.h"

/* Enough for the host to drain a full ring many times over, even under emulation. */
#define MAILBOX_WAIT_NS 1000000000ull

struct uniscope_mailbox uniscope_gdb_mailbox __attribute__((aligned(64), used));

void mailbox_init(void)
{
	memset(&uniscope_gdb_mailbox, 0, sizeof(uniscope_gdb_mailbox));
	mailbox_store(&uniscope_gdb_mailbox.magic, UNISCOPE_MAILBOX_MAGIC);
}

/* Puts all of buf in the ring unless the host stops draining it; returns what is left. */
static size_t put_waiting(const uint8_t *p, size_t len)
{
	uint64_t deadline = 0;

	while (len > 0) {
		size_t n = mailbox_ring_put(&uniscope_gdb_mailbox.to_host, p, len);
		p += n;
		len -= n;
		if (n || !len)
			continue;
		if (!deadline)
			deadline = clock_ns() + MAILBOX_WAIT_NS;
		else if (clock_ns() > deadline)
			break;
		__asm__ volatile("pause");
	}
	return len;
}

/*
 * The doorbell: one 0x00 byte, a frame delimiter with no frame, which
 * every channel decoder passes over. One byte is one wake-up of the host
 * (it drains the mailbox whenever it wakes); a frame was ten, each a VM
 * exit here and a wake-up there. Called with interrupts off, between
 * frames, so it never lands inside one.
 */
static void ring_doorbell(void)
{
	static const uint8_t delimiter = 0;

	plat->console_write(&delimiter, 1);
}

/*
 * Sends through the mailbox when the host has attached it, ringing the
 * doorbell for a host that is not polling. False when not attached: the
 * caller uses the channel.
 */
bool mailbox_send(const void *buf, size_t len)
{
	size_t left;

	if (!mailbox_load(&uniscope_gdb_mailbox.host_attached))
		return false;
	left = put_waiting(buf, len);
	ring_doorbell();
	if (left) {
		/* The host went away mid-reply: the channel from here on. */
		mailbox_store(&uniscope_gdb_mailbox.host_attached, 0);
		channel_send(CHAN_GDB, (const uint8_t *)buf + (len - left), left);
	}
	return true;
}

/* GDB's bytes the host left in the mailbox: one chunk per call. */
size_t mailbox_receive(uint8_t *buf, size_t cap)
{
	return mailbox_ring_get(&uniscope_gdb_mailbox.to_guest, buf, cap);
}

bool mailbox_host_attached(void)
{
	return mailbox_load(&uniscope_gdb_mailbox.host_attached) != 0;
}

void mailbox_detach_host(void)
{
	mailbox_store(&uniscope_gdb_mailbox.host_attached, 0);
}

void mailbox_discard_input(void)
{
	uint8_t buf[256];

	for (unsigned i = 0; i < UNISCOPE_MAILBOX_RING / sizeof(buf) + 1; i++)
		if (!mailbox_ring_get(&uniscope_gdb_mailbox.to_guest, buf, sizeof(buf)))
			break;
}
