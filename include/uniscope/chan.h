/*
 * The console channel: framing of the one byte stream between a guest and
 * the host (16550 UART, Xen PV console ring). Portable, freestanding C,
 * compiled into the libOS and into the host tools alike: no allocation, no
 * global state, every size bounded below.
 *
 * Wire format
 * -----------
 * A frame on the wire is a 0x00 delimiter, the COBS encoding of the frame
 * body, and another 0x00 delimiter. COBS removes every 0x00 from the body,
 * so 0x00 only ever appears as a delimiter and a receiver resynchronises at
 * the next one after any damage. Empty runs between delimiters (the 0x00
 * closing one frame followed by the 0x00 opening the next) are ignored.
 *
 * The frame body, before COBS, little-endian:
 *
 *	offset  size  field
 *	0       1     channel id (enum chan_id); ids >= CHAN_COUNT are dropped
 *	1       1     flags: 0 for now; receivers pass them through
 *	2       2     sequence number
 *	4       len   payload, 0..CHAN_PAYLOAD_MAX bytes
 *	4+len   4     CRC-32C (Castagnoli) of bytes 0..4+len-1
 *
 * Sequence numbers are global per direction: each sender keeps one uint16_t
 * counter, starts it at 0 with its first frame (the host's HELLO, the guest's
 * HELLO_ACK) and adds one per frame on any channel, wrapping at 65536. A
 * receiver that sees a gap knows frames were lost (dropped as corrupt); the
 * decoder reports sequence numbers but does not enforce them.
 *
 * Text mode
 * ---------
 * The guest boots in plain text so that `qemu -serial stdio` is readable.
 * Console text never contains 0x00, so a decoder treats every byte before
 * the first 0x00 it sees as plain text (CHAN_EV_TEXT). The host sends HELLO
 * (which begins with 0x00); the guest switches to framed mode and answers
 * HELLO_ACK; from then on all its output, console text included, is framed.
 * The host treats data as text until it has seen the guest's first valid
 * frame (decoder stats.frames_ok > 0): runs the decoder rejects before that
 * (CHAN_EV_REJECTED, with the raw bytes) are shown as console text too, so
 * no text is lost. The decoder hands back every byte that is neither a
 * delimiter nor part of a valid frame exactly once, in order, as TEXT or
 * REJECTED. A guest going back to text (e.g. to panic without the channel)
 * sends CHAN_CTL_TEXT_FALLBACK first; on receiving it the host calls
 * chan_decoder_expect_text() and the following bytes are TEXT again.
 *
 * Receiving
 * ---------
 * chan_decoder_push() takes one byte (the guest's interrupt handler or
 * polling loop); chan_decoder_feed() takes a buffer and stops at the first
 * event (the host's read() loop). The decoder's storage is caller-owned.
 * The bytes an event points to stay valid until the next push or feed.
 * Errors are counted in decoder.stats, never delivered:
 *	cobs_errors  a COBS block runs past the end of its run
 *	truncated    the body is shorter than header + CRC
 *	crc_errors   the CRC does not match
 *	bad_channel  CRC good but channel id >= CHAN_COUNT
 *	oversize     the run does not fit the buffer or the payload exceeds
 *	             CHAN_PAYLOAD_MAX; the decoder drops it and resynchronises
 *	             at the next 0x00
 */
#ifndef UNISCOPE_CHAN_H
#define UNISCOPE_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uniscope/abi.h>

enum chan_id {
	CHAN_CONTROL = 0,
	CHAN_CONSOLE = 1,
	CHAN_GDB = 2,
	CHAN_TRACE = 3,
	CHAN_COUNT
};

#define CHAN_PROTOCOL_VERSION 1

/* A 4096-byte GDB packet plus its RSP framing fits one frame. */
#define CHAN_PAYLOAD_MAX (4096 + 64)
#define CHAN_HEADER_SIZE 4
#define CHAN_CRC_SIZE 4
#define CHAN_BODY_SIZE(len) (CHAN_HEADER_SIZE + (size_t)(len) + CHAN_CRC_SIZE)
#define CHAN_BODY_MAX CHAN_BODY_SIZE(CHAN_PAYLOAD_MAX)

/* Worst case COBS output for n input bytes: one code byte per 254 bytes. */
#define CHAN_COBS_MAX(n) ((size_t)(n) + (size_t)(n) / 254 + 1)
/* Worst case wire size of a frame with a len-byte payload, delimiters included. */
#define CHAN_ENCODED_MAX(len) (2 + CHAN_COBS_MAX(CHAN_BODY_SIZE(len)))
/* Longest run between delimiters that can still be a valid frame. */
#define CHAN_RUN_MAX CHAN_COBS_MAX(CHAN_BODY_MAX)

/* ---- CRC-32C ----------------------------------------------------------- */

/*
 * CRC-32C (Castagnoli, reflected, init and final xor 0xffffffff) of n bytes,
 * continuing from crc: pass 0 to start, the previous result to continue.
 * chan_crc32c(0, "123456789", 9) == 0xe3069283.
 */
uint32_t chan_crc32c(uint32_t crc, const void *p, size_t n);

/* ---- COBS ---------------------------------------------------------------- */

/* An incremental COBS encoder writing into a caller buffer. */
struct chan_cobs_writer {
	uint8_t *out;
	size_t cap;
	size_t pos;      /* next byte to write */
	size_t code_pos; /* where the current block's code byte goes */
	uint8_t code;    /* 1 + bytes in the current block */
	bool overflow;
};

void chan_cobs_writer_init(struct chan_cobs_writer *w, uint8_t *out, size_t cap);
void chan_cobs_writer_put(struct chan_cobs_writer *w, const void *p, size_t n);
/* Closes the last block; returns the bytes written, 0 if out was too small. */
size_t chan_cobs_writer_finish(struct chan_cobs_writer *w);

/* COBS-encodes n bytes; returns the encoded size (>= 1), 0 if it does not fit. */
size_t chan_cobs_encode(uint8_t *out, size_t cap, const void *in, size_t n);

enum chan_cobs_error {
	CHAN_COBS_OK = 0,
	CHAN_COBS_OVERRUN = -1, /* a block runs past the end, or a 0x00 inside */
	CHAN_COBS_NOSPACE = -2, /* the decoded bytes do not fit out */
};

/* COBS-decodes n bytes (no delimiters) into out; *out_len gets the size. */
int chan_cobs_decode(uint8_t *out, size_t cap, const uint8_t *in, size_t n,
		     size_t *out_len);

/* ---- frames -------------------------------------------------------------- */

struct chan_frame {
	uint8_t channel;        /* enum chan_id */
	uint8_t flags;
	uint16_t seq;
	const uint8_t *payload; /* into decoder (or caller) storage */
	size_t len;
};

/*
 * Writes 0x00, COBS(body), 0x00 for one frame into out. Returns the bytes
 * written, or 0 if the channel is invalid, len > CHAN_PAYLOAD_MAX, or the
 * frame does not fit out_cap (out_cap >= CHAN_ENCODED_MAX(len) always fits).
 */
size_t chan_frame_encode(uint8_t *out, size_t out_cap, uint8_t channel,
			 uint16_t seq, const void *payload, size_t len);

/* ---- decoder ------------------------------------------------------------- */

struct chan_stats {
	uint32_t frames_ok;
	uint32_t crc_errors;
	uint32_t cobs_errors;
	uint32_t oversize;
	uint32_t bad_channel;
	uint32_t truncated;
};
_Static_assert(sizeof(struct chan_stats) == 24, "chan_stats is 6 x u32 on the wire");

enum chan_event {
	CHAN_EV_REJECTED = -1, /* a run that was not a valid frame: raw bytes in *out */
	CHAN_EV_NONE = 0,      /* nothing complete yet; *out untouched */
	CHAN_EV_FRAME = 1,     /* a valid frame in *out */
	CHAN_EV_TEXT = 2,      /* plain text before framing: bytes in *out */
};

/*
 * Caller-owned decoder state (about 8 KiB). Two run-sized buffers: the run
 * being received and the one last handed out, so that an event's bytes stay
 * valid while the next run starts. For TEXT and REJECTED events *out has
 * channel CHAN_CONSOLE, flags 0, seq 0 and the raw bytes as payload.
 */
struct chan_decoder {
	struct chan_stats stats;
	uint8_t mode;     /* private: text, run or oversize */
	uint8_t cur;      /* private: which buf receives the current run */
	uint16_t run_len; /* private: bytes of the current run in buf[cur] */
	uint8_t buf[2][CHAN_RUN_MAX];
};

/* Starts in text mode with zeroed stats. */
void chan_decoder_init(struct chan_decoder *d);

/* Feeds one byte; returns an enum chan_event, filling *out unless NONE. */
int chan_decoder_push(struct chan_decoder *d, uint8_t byte, struct chan_frame *out);

/*
 * Feeds up to n bytes, stopping after the first byte that completes an
 * event; *used gets the bytes consumed. Returns the event as
 * chan_decoder_push() does. A TEXT event here may cover many bytes and
 * point into buf itself.
 */
int chan_decoder_feed(struct chan_decoder *d, const uint8_t *buf, size_t n,
		      size_t *used, struct chan_frame *out);

/*
 * Back to text mode after the peer announced CHAN_CTL_TEXT_FALLBACK: bytes
 * are TEXT until the next 0x00. Call it right after that frame's event; a
 * partial run still buffered is dropped and counted as truncated.
 */
void chan_decoder_expect_text(struct chan_decoder *d);

/* ---- control channel messages -------------------------------------------- */

/*
 * Payloads of CHAN_CONTROL frames. Byte 0 is the type; the rest, little-
 * endian and unpadded:
 *	HELLO          host->guest  u8 version, u32 flags           (6 bytes;
 *	                            an old host sends 2: flags are then 0)
 *	HELLO_ACK      guest->host  u8 version, u32 caps, u8 build_id_len,
 *	                            build_id (<= CHAN_BUILD_ID_MAX)  (7 + n)
 *	STATS          guest->host  6 x u32, struct chan_stats order (25)
 *	INTERRUPT      host->guest  GDB Ctrl-C: stop                (1)
 *	TRACE_ENABLE   host->guest  u64 mask of enabled trace points (9)
 *	EXIT           guest->host  i32 exit status, u8 how it ended (CHAN_EXIT_*),
 *	                            just before exit (6; an old guest sends 5:
 *	                            how is then CHAN_EXIT_UNSAID)
 *	TEXT_FALLBACK  guest->host  plain text follows               (1)
 *	RELEASE        host->guest  the host is done with a crashed guest (1)
 *	DEBUGGER_GONE  host->guest  the GDB client left (vanished, detached or was cut
 *	                            off): the stub discards any half-read packet, removes
 *	                            every breakpoint and watchpoint, leaves no-ack mode
 *	                            and resumes the image if it was stopped (1)
 * A parser rejects short payloads and ignores trailing bytes, so a later
 * version may append fields. HELLO switches the guest to framed mode; the
 * version fields carry CHAN_PROTOCOL_VERSION of the sender.
 *
 * HELLO flags: CHAN_HELLO_HOLD_ON_CRASH asks a guest that dies (EXIT with
 * status 125) to keep the VM alive after EXIT, polling the channel, until
 * RELEASE arrives or about 60 s pass, so the host can pause it and read
 * its memory (`uniscope run --core-on-crash`). CHAN_HELLO_NO_TRACE_STREAM
 * says the host keeps no trace stream (no `run --trace FILE`): the guest
 * then sends no CHAN_TRACE frames, which would cost it the line's time
 * per byte for records host tools read from its memory anyway. An old
 * host never sets it, and gets the stream as before.
 */
enum chan_ctl_type {
	CHAN_CTL_HELLO = 1,
	CHAN_CTL_HELLO_ACK = 2,
	CHAN_CTL_STATS = 3,
	CHAN_CTL_INTERRUPT = 4,
	CHAN_CTL_TRACE_ENABLE = 5,
	CHAN_CTL_EXIT = 6,
	CHAN_CTL_TEXT_FALLBACK = 7,
	CHAN_CTL_RELEASE = 8,
	CHAN_CTL_DEBUGGER_GONE = 9,
};

/*
 * EXIT: how the guest ended. A panic or fault also exits with status 125;
 * this says which, so `uniscope ls --all` can tell them apart after the
 * guest's memory is gone. Values past CHAN_EXIT_STACK_OVERFLOW read as
 * CHAN_EXIT_UNSAID.
 */
enum chan_exit_how {
	CHAN_EXIT_UNSAID = 0,         /* an older guest did not say */
	CHAN_EXIT_NORMAL = 1,         /* exit(): main returned or the program exited */
	CHAN_EXIT_PANIC = 2,          /* panic() */
	CHAN_EXIT_FAULT = 3,          /* a CPU exception */
	CHAN_EXIT_ASSERT = 4,         /* assert() failed */
	CHAN_EXIT_STACK_OVERFLOW = 5, /* a thread ran into its stack guard */
};

/* HELLO flag bits. */
#define CHAN_HELLO_HOLD_ON_CRASH 1u
#define CHAN_HELLO_NO_TRACE_STREAM 2u

/* HELLO_ACK capability bits. */
#define CHAN_CAP_GDB 1u
#define CHAN_CAP_TRACE 2u
#define CHAN_CAP_CONSOLE_IN 4u

#define CHAN_BUILD_ID_MAX UNISCOPE_BUILD_ID_MAX
/* Largest encoded control message. */
#define CHAN_CTL_MAX (7 + CHAN_BUILD_ID_MAX)

/* One control message; only the fields of its type are meaningful. */
struct chan_ctl_msg {
	uint8_t type;                /* enum chan_ctl_type */
	uint8_t version;             /* HELLO, HELLO_ACK */
	uint32_t flags;              /* HELLO: CHAN_HELLO_* */
	uint32_t caps;               /* HELLO_ACK: CHAN_CAP_* */
	uint8_t build_id_len;        /* HELLO_ACK */
	uint8_t build_id[CHAN_BUILD_ID_MAX];
	struct chan_stats stats;     /* STATS */
	uint64_t trace_mask;         /* TRACE_ENABLE */
	int32_t exit_status;         /* EXIT */
	uint8_t exit_how;            /* EXIT: enum chan_exit_how */
};

/*
 * Encodes m as a control payload; returns its size, or 0 if the type is
 * unknown, build_id_len > CHAN_BUILD_ID_MAX, or it does not fit cap.
 */
size_t chan_ctl_encode(uint8_t *out, size_t cap, const struct chan_ctl_msg *m);

/*
 * Parses a control payload into *m (zeroed first). Returns 0, or -1 if the
 * payload is empty, of unknown type, shorter than its type requires, or
 * carries a build id longer than CHAN_BUILD_ID_MAX.
 */
int chan_ctl_parse(const uint8_t *payload, size_t len, struct chan_ctl_msg *m);

#endif
