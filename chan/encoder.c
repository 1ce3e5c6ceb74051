/*
 * Channel frame encoder (decoder.c is its other half): header, payload and
 * CRC are COBS-encoded straight into the caller's buffer, so sending needs
 * no staging copy of the body. A channel frame is a unit of the console
 * channel's wire format; stack frames are introspect/stack_*.c's.
 */
#include <stddef.h>
#include <stdint.h>

#include <uniscope/chan.h>

#define FRAME_DELIMITER 0x00

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static bool frame_args_valid(const uint8_t *out, uint8_t channel,
			     const void *payload, size_t len)
{
	return out && channel < CHAN_COUNT && len <= CHAN_PAYLOAD_MAX &&
	       (payload || len == 0);
}

size_t chan_frame_encode(uint8_t *out, size_t out_cap, uint8_t channel,
			 uint16_t seq, const void *payload, size_t len)
{
	struct chan_cobs_writer w;
	uint8_t header[CHAN_HEADER_SIZE] = { channel, 0 };
	uint8_t crc_le[CHAN_CRC_SIZE];
	uint32_t crc;
	size_t body;

	if (!frame_args_valid(out, channel, payload, len) || out_cap < 3)
		return 0;
	put_le16(header + 2, seq);
	crc = chan_crc32c(0, header, sizeof(header));
	crc = chan_crc32c(crc, payload, len);
	put_le32(crc_le, crc);

	out[0] = FRAME_DELIMITER;
	chan_cobs_writer_init(&w, out + 1, out_cap - 2);
	chan_cobs_writer_put(&w, header, sizeof(header));
	chan_cobs_writer_put(&w, payload, len);
	chan_cobs_writer_put(&w, crc_le, sizeof(crc_le));
	body = chan_cobs_writer_finish(&w);
	if (body == 0)
		return 0;
	out[1 + body] = FRAME_DELIMITER;
	return body + 2;
}
