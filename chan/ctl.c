/*
 * Control channel messages: fixed little-endian layouts (see chan.h) read
 * and written through bounds-checked cursors, so a short or hostile payload
 * can only ever produce an error.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <uniscope/chan.h>

struct ctl_writer {
	uint8_t *out;
	size_t cap;
	size_t pos;
	bool overflow;
};

struct ctl_reader {
	const uint8_t *in;
	size_t len;
	size_t pos;
	bool short_read;
};

static void put_u8(struct ctl_writer *w, uint8_t v)
{
	if (w->pos < w->cap)
		w->out[w->pos++] = v;
	else
		w->overflow = true;
}

static void put_le32(struct ctl_writer *w, uint32_t v)
{
	for (int shift = 0; shift < 32; shift += 8)
		put_u8(w, (uint8_t)(v >> shift));
}

static void put_le64(struct ctl_writer *w, uint64_t v)
{
	put_le32(w, (uint32_t)v);
	put_le32(w, (uint32_t)(v >> 32));
}

static uint8_t get_u8(struct ctl_reader *r)
{
	if (r->pos < r->len)
		return r->in[r->pos++];
	r->short_read = true;
	return 0;
}

static uint32_t get_le32(struct ctl_reader *r)
{
	uint32_t v = 0;

	for (int shift = 0; shift < 32; shift += 8)
		v |= (uint32_t)get_u8(r) << shift;
	return v;
}

static uint64_t get_le64(struct ctl_reader *r)
{
	uint64_t lo = get_le32(r);

	return lo | (uint64_t)get_le32(r) << 32;
}

/* Two's complement without relying on implementation-defined conversion. */
static int32_t int32_from_u32(uint32_t u)
{
	return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* The wire order of struct chan_stats, in one place for both directions. */
static void put_stats(struct ctl_writer *w, const struct chan_stats *s)
{
	put_le32(w, s->frames_ok);
	put_le32(w, s->crc_errors);
	put_le32(w, s->cobs_errors);
	put_le32(w, s->oversize);
	put_le32(w, s->bad_channel);
	put_le32(w, s->truncated);
}

static void get_stats(struct ctl_reader *r, struct chan_stats *s)
{
	s->frames_ok = get_le32(r);
	s->crc_errors = get_le32(r);
	s->cobs_errors = get_le32(r);
	s->oversize = get_le32(r);
	s->bad_channel = get_le32(r);
	s->truncated = get_le32(r);
}

static bool put_hello_ack(struct ctl_writer *w, const struct chan_ctl_msg *m)
{
	if (m->build_id_len > CHAN_BUILD_ID_MAX)
		return false;
	put_u8(w, m->version);
	put_le32(w, m->caps);
	put_u8(w, m->build_id_len);
	for (size_t i = 0; i < m->build_id_len; i++)
		put_u8(w, m->build_id[i]);
	return true;
}

static bool get_hello_ack(struct ctl_reader *r, struct chan_ctl_msg *m)
{
	m->version = get_u8(r);
	m->caps = get_le32(r);
	m->build_id_len = get_u8(r);
	if (r->short_read || m->build_id_len > CHAN_BUILD_ID_MAX)
		return false;
	for (size_t i = 0; i < m->build_id_len; i++)
		m->build_id[i] = get_u8(r);
	return true;
}

size_t chan_ctl_encode(uint8_t *out, size_t cap, const struct chan_ctl_msg *m)
{
	struct ctl_writer w = { out, out ? cap : 0, 0, false };
	bool known = true;

	put_u8(&w, m->type);
	switch (m->type) {
	case CHAN_CTL_HELLO:
		put_u8(&w, m->version);
		put_le32(&w, m->flags);
		break;
	case CHAN_CTL_HELLO_ACK:
		known = put_hello_ack(&w, m);
		break;
	case CHAN_CTL_STATS:
		put_stats(&w, &m->stats);
		break;
	case CHAN_CTL_TRACE_ENABLE:
		put_le64(&w, m->trace_mask);
		break;
	case CHAN_CTL_EXIT:
		put_le32(&w, (uint32_t)m->exit_status);
		put_u8(&w, m->exit_how);
		break;
	case CHAN_CTL_INTERRUPT:
	case CHAN_CTL_TEXT_FALLBACK:
	case CHAN_CTL_RELEASE:
	case CHAN_CTL_DEBUGGER_GONE:
		break;
	default:
		known = false;
	}
	return known && !w.overflow ? w.pos : 0;
}

int chan_ctl_parse(const uint8_t *payload, size_t len, struct chan_ctl_msg *m)
{
	struct ctl_reader r = { payload, payload ? len : 0, 0, false };
	bool known = true;

	memset(m, 0, sizeof(*m));
	m->type = get_u8(&r);
	switch (m->type) {
	case CHAN_CTL_HELLO:
		m->version = get_u8(&r);
		if (len >= 6) /* an old host's HELLO has no flags */
			m->flags = get_le32(&r);
		break;
	case CHAN_CTL_HELLO_ACK:
		known = get_hello_ack(&r, m);
		break;
	case CHAN_CTL_STATS:
		get_stats(&r, &m->stats);
		break;
	case CHAN_CTL_TRACE_ENABLE:
		m->trace_mask = get_le64(&r);
		break;
	case CHAN_CTL_EXIT:
		m->exit_status = int32_from_u32(get_le32(&r));
		if (len >= 6) /* an old guest's EXIT does not say how */
			m->exit_how = get_u8(&r);
		if (m->exit_how > CHAN_EXIT_STACK_OVERFLOW)
			m->exit_how = CHAN_EXIT_UNSAID;
		break;
	case CHAN_CTL_INTERRUPT:
	case CHAN_CTL_TEXT_FALLBACK:
	case CHAN_CTL_RELEASE:
	case CHAN_CTL_DEBUGGER_GONE:
		break;
	default:
		known = false;
	}
	return known && !r.short_read ? 0 : -1;
}
