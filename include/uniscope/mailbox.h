/*
 * The GDB mailbox: a second path for the gdb channel, through guest memory.
 *
 * While the guest sits stopped in its stub, every GDB round trip would
 * otherwise cross the emulated UART twice, a byte per VM exit and, under
 * QEMU, a host system call per byte. When the host can write guest RAM
 * (a QEMU session's shared RAM file), it uses two byte rings in guest
 * memory instead:
 *
 *	to_guest   GDB's bytes, written by the host while the stub is stopped;
 *	           the stub polls it alongside the channel. After each write
 *	           the host too sends a knock: a stub that waits for input
 *	           with hlt wakes on its interrupt.
 *	to_host    the stub's replies, used while host_attached is set; after
 *	           each write the stub rings a doorbell so a host that is not
 *	           polling learns of it.
 *
 * Knock and doorbell are one byte each: a lone 0x00, a frame delimiter
 * with no frame, which the channel's decoders pass over without a word
 * (an older peer's empty CHAN_GDB frame means the same). What wakes the
 * other side is the byte's arrival: it then looks at the rings.
 *
 * The guest finds nothing here it trusts: indices come from the other side,
 * so a ring whose used count exceeds its size reads as empty and writes
 * fail. The stub owns magic; the host sets host_attached only after
 * checking magic. The stub clears it in two cases, and the host attaches
 * again when it wants the mailbox back: when the host stops draining
 * to_host (the rest of a reply takes the channel), and when the debugger
 * leaves (CHAN_CTL_DEBUGGER_GONE): from then on its replies take the
 * channel, so they arrive in order after the stub's echo of that message,
 * and whatever is still in to_host is the old client's.
 */
#ifndef UNISCOPE_MAILBOX_H
#define UNISCOPE_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

#define UNISCOPE_MAILBOX_MAGIC 0x786f626du /* "mbox" */
#define UNISCOPE_MAILBOX_RING 8192u        /* a power of two */
#define UNISCOPE_MAILBOX_SYMBOL "uniscope_gdb_mailbox"

struct uniscope_mailbox_ring {
	uint32_t head; /* bytes written so far, by the producer (wraps) */
	uint32_t tail; /* bytes read so far, by the consumer (wraps) */
	uint8_t data[UNISCOPE_MAILBOX_RING];
};

struct uniscope_mailbox {
	uint32_t magic;
	uint32_t host_attached;
	struct uniscope_mailbox_ring to_guest;
	struct uniscope_mailbox_ring to_host;
};

static inline uint32_t mailbox_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void mailbox_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Bytes waiting, or 0 when the indices make no sense. */
static inline uint32_t mailbox_ring_used(const struct uniscope_mailbox_ring *r)
{
	uint32_t used = mailbox_load(&r->head) - mailbox_load(&r->tail);

	return used <= UNISCOPE_MAILBOX_RING ? used : 0;
}

/* Writes up to len bytes; returns how many fitted (0 on a corrupt ring). */
static inline size_t mailbox_ring_put(struct uniscope_mailbox_ring *r, const void *buf, size_t len)
{
	uint32_t head = mailbox_load(&r->head), tail = mailbox_load(&r->tail);
	uint32_t used = head - tail, room;
	const uint8_t *p = buf;

	if (used > UNISCOPE_MAILBOX_RING)
		return 0;
	room = UNISCOPE_MAILBOX_RING - used;
	if (len > room)
		len = room;
	for (size_t i = 0; i < len; i++)
		r->data[(head + i) & (UNISCOPE_MAILBOX_RING - 1)] = p[i];
	mailbox_store(&r->head, head + (uint32_t)len);
	return len;
}

/* Reads up to cap bytes; returns how many. */
static inline size_t mailbox_ring_get(struct uniscope_mailbox_ring *r, void *buf, size_t cap)
{
	uint32_t tail = mailbox_load(&r->tail), used = mailbox_ring_used(r);
	uint8_t *p = buf;

	if (cap > used)
		cap = used;
	for (size_t i = 0; i < cap; i++)
		p[i] = r->data[(tail + i) & (UNISCOPE_MAILBOX_RING - 1)];
	mailbox_store(&r->tail, tail + (uint32_t)cap);
	return cap;
}

#endif
