/*
 * A portable GDB Remote Serial Protocol engine.
 *
 * The same code runs inside the libOS (the in-guest stub) and on the host
 * (`uniscope gdbserver` over VM introspection or a core file). It knows
 * nothing about either: it speaks RSP to GDB or LLDB and asks a *target*
 * for registers, memory, threads, breakpoints and execution control.
 *
 *	bytes from GDB --> gdb_engine_input() --> framing state machine
 *	                                            |
 *	                                   command table (prefix -> handler)
 *	                                            |
 *	             struct gdb_target_ops <--------+--------> transport.put()
 *
 * All state lives in a caller-owned `struct gdb_engine`: no globals, no
 * allocation, fixed buffers. The engine does no I/O of its own: it sends
 * each reply with one transport.put() call and is fed received bytes.
 *
 * Call sequence (all-stop):
 *
 *	gdb_engine_init(e, &ops, target_ctx, &transport);
 *	gdb_engine_set_stop(e, &why_stopped);	// optional: what '?' answers
 *	loop:
 *		events = gdb_engine_input(e, bytes, n);
 *		GDB_EVENT_RESUMED:  ops->resume() was called; let the target run.
 *		                    When it stops: gdb_engine_report_stop(e, &stop).
 *		GDB_EVENT_INTERRUPT: GDB sent Ctrl-C while running; stop the target,
 *		                    then gdb_engine_report_stop() with GDB_SIGNAL_INT.
 *		GDB_EVENT_DETACHED / GDB_EVENT_KILLED: ops->detach()/kill() was called;
 *		                    the session is over (the engine is reset).
 *
 * Target operations are called only from inside gdb_engine_input() and
 * gdb_engine_report_stop(), on the caller's thread. Thread ids handed to
 * GDB must be > 0 (0 and -1 mean "any" and "all" in RSP); the libOS's own
 * ids are (1 is the main thread), and GDB shows them as "Thread N". The
 * engine struct is about 14 KiB: a guest keeps it in static storage, not
 * on a thread stack.
 *
 * Errors: target operations return 0 (or a byte count) on success and a
 * negative GDB_ERR_* code on failure; the engine answers "E NN" with the
 * errno-style code (E0e fault, E0d refused, E1c no slot, ...), or
 * "E.NN.TEXT" when the target said why (gdb_engine_error_message()).
 * What GDB 13 shows (measured): for Z1 "Cannot insert hardware breakpoint
 * N: Remote failure reply: TEXT"; for P and G the reply itself; for m, M,
 * X, Z0 and Z2-Z4 only its own words ("Cannot access memory at address
 * 0x...", "Could not insert hardware watchpoint N"). An 'O' (console)
 * packet is legal only while GDB waits for a stop reply or a qRcmd answer:
 * sent before any other reply, GDB 13 takes it for the reply. A sealed
 * target answers Z0 from a debug register; the why ("profile: sealed")
 * is also in the target's `monitor` output.
 *
 * The engine is not reentrant: one thread of control calls it at a time.
 */
#ifndef UNISCOPE_GDBSTUB_H
#define UNISCOPE_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uniscope/abi.h>

/* PacketSize advertised to GDB: the largest packet, framing included. */
#define GDB_PACKET_SIZE 4096
#define GDB_RX_BUF_SIZE (GDB_PACKET_SIZE + 64)
#define GDB_TX_BUF_SIZE GDB_PACKET_SIZE /* our replies respect PacketSize too */
#define GDB_SCRATCH_SIZE GDB_PACKET_SIZE  /* an X packet carries up to ~PacketSize bytes */
#define GDB_CONSOLE_CHUNK 1024       /* monitor text per 'O' packet */
#define GDB_CONSOLE_LINE_MAX 256     /* gdb_engine_console_printf() cuts longer lines */
#define GDB_THREAD_CHUNK 64          /* thread ids per qfThreadInfo reply */
#ifdef UNISCOPE_FUZZ /* the same bound, reached 64x sooner: a walk of a hostile list is most of a run */
#define GDB_MAX_THREADS 1024
#else
#define GDB_MAX_THREADS UNISCOPE_MAX_THREADS
#endif
#define GDB_RESUME_MAX_THREADS 16    /* per-thread vCont actions kept */
#define GDB_MAX_RETRANSMITS 4        /* '-' answered this often, then dropped */
#define GDB_THREAD_NAME_MAX UNISCOPE_THREAD_NAME_MAX
#define GDB_THREAD_STATE_MAX 48

/* Thread ids as GDB writes them; real threads are > 0. */
#define GDB_TID_ALL (-1)
#define GDB_TID_ANY 0

/* GDB's own signal numbers (not the host's). */
#define GDB_SIGNAL_0 0
#define GDB_SIGNAL_INT 2
#define GDB_SIGNAL_ILL 4
#define GDB_SIGNAL_TRAP 5
#define GDB_SIGNAL_ABRT 6
#define GDB_SIGNAL_FPE 8
#define GDB_SIGNAL_KILL 9
#define GDB_SIGNAL_BUS 10
#define GDB_SIGNAL_SEGV 11

/* Target errors; the engine maps each to an "E NN" reply. */
enum gdb_error {
	GDB_ERR_GENERIC = -1,     /* E01 */
	GDB_ERR_NO_THREAD = -3,   /* E03 */
	GDB_ERR_REFUSED = -13,    /* E0D: e.g. the sealed profile refuses writes */
	GDB_ERR_FAULT = -14,      /* E0E: address not mapped or not readable */
	GDB_ERR_INVALID = -22,    /* E16 */
	GDB_ERR_NO_SPACE = -28,   /* E1C: e.g. no free debug register */
	GDB_ERR_UNSUPPORTED = -95 /* empty reply: GDB falls back or gives up */
};

/* Z/z packet types. */
enum gdb_breakpoint_type {
	GDB_BP_SOFTWARE = 0,
	GDB_BP_HARDWARE = 1,
	GDB_WATCH_WRITE = 2,
	GDB_WATCH_READ = 3,
	GDB_WATCH_ACCESS = 4,
};

enum gdb_resume_kind {
	GDB_RESUME_NONE = 0,  /* stay stopped */
	GDB_RESUME_CONTINUE,
	GDB_RESUME_STEP,
	GDB_RESUME_STOP,      /* vCont 't': stop (all-stop: stay stopped) */
};

struct gdb_thread_action {
	int64_t tid;
	uint8_t kind;   /* enum gdb_resume_kind */
	uint8_t signal; /* GDB signal to deliver, 0 for none */
};

/*
 * What to run, computed from c/C/s/S/vCont. Each listed thread gets its
 * action; every other thread gets `others` (GDB_RESUME_NONE: stays stopped).
 * A thread is listed at most once and always with a tid > 0.
 */
struct gdb_resume {
	struct gdb_thread_action threads[GDB_RESUME_MAX_THREADS];
	uint32_t nr_threads;
	struct gdb_thread_action others; /* tid is GDB_TID_ALL */
};

enum gdb_stop_kind {
	GDB_STOP_SIGNAL = 0, /* T packet */
	GDB_STOP_EXITED,     /* W packet: `signal` holds the exit status */
	GDB_STOP_TERMINATED, /* X packet: killed by `signal` */
};

enum gdb_stop_reason {
	GDB_REASON_NONE = 0,
	GDB_REASON_SWBREAK,
	GDB_REASON_HWBREAK,
	GDB_REASON_WATCH,  /* write watchpoint at watch_addr */
	GDB_REASON_RWATCH,
	GDB_REASON_AWATCH,
	GDB_REASON_REPLAY_BEGIN, /* a replay ran out of history backwards: "replaylog:begin" */
	GDB_REASON_REPLAY_END,   /* ... or forwards: GDB says "No more reverse-execution history" */
};

struct gdb_stop {
	uint8_t kind;        /* enum gdb_stop_kind */
	uint8_t signal;      /* GDB signal number, or exit status */
	uint8_t reason;      /* enum gdb_stop_reason */
	int64_t tid;         /* stopped thread, > 0; 0 if unknown */
	uint64_t watch_addr; /* for the watch reasons */
};

struct gdb_thread_info {
	char name[GDB_THREAD_NAME_MAX];   /* NUL-terminated */
	char state[GDB_THREAD_STATE_MAX]; /* free text, e.g. "blocked on mutex" */
	int32_t core;                     /* CPU, or -1 if unknown */
};

/*
 * A thread's floating-point and vector state: x87 and SSE as FXSAVE stores
 * them, and the upper halves of ymm0..15 when the target has AVX state.
 */
struct gdb_fpu_state {
	struct uniscope_fxsave fx;
	bool has_ymm;
	uint8_t ymm_hi[16][16];
};

/* A stretch of the target's memory, as /proc/PID/maps shows it. */
struct gdb_memory_region {
	uint64_t start, end; /* [start, end) */
	bool read, write, exec;
	char name[32];       /* NUL-terminated, e.g. "[stack:3]", or "" */
};

struct gdb_engine;

/*
 * The target. `ctx` is passed back unchanged. Any operation may be NULL:
 * the engine then answers "unsupported" (empty) or an error. Thread ids
 * passed in are > 0, or 0 when the target lists no threads at all.
 * Lengths passed to memory operations are at most GDB_SCRATCH_SIZE.
 */
struct gdb_target_ops {
	int (*read_registers)(void *ctx, int64_t tid, struct uniscope_regs *regs);
	int (*write_registers)(void *ctx, int64_t tid, const struct uniscope_regs *regs);
	/*
	 * x87/SSE/AVX registers (st0-7, fctrl..fop, xmm0-15, mxcsr, ymm0h-15h).
	 * GDB_ERR_UNSUPPORTED (or a NULL read_fpu): GDB shows them unavailable.
	 * has_avx says whether the target description offers ymm at all.
	 */
	int (*read_fpu)(void *ctx, int64_t tid, struct gdb_fpu_state *fpu);
	int (*write_fpu)(void *ctx, int64_t tid, const struct gdb_fpu_state *fpu);
	bool (*has_avx)(void *ctx);
	/* Bytes read (> 0, may be fewer than len) or a GDB_ERR_*. */
	int (*read_memory)(void *ctx, uint64_t addr, void *buf, size_t len);
	/* All of it (0) or nothing (GDB_ERR_*). */
	int (*write_memory)(void *ctx, uint64_t addr, const void *buf, size_t len);
	/* Fill up to max ids of the threads from index `first` on; 0 ends the list. */
	size_t (*list_threads)(void *ctx, size_t first, int64_t *tids, size_t max);
	int (*thread_info)(void *ctx, int64_t tid, struct gdb_thread_info *info);
	bool (*thread_alive)(void *ctx, int64_t tid);
	/* `kind` is the Z packet's kind: instruction size or watched length. */
	int (*insert_breakpoint)(void *ctx, enum gdb_breakpoint_type type, uint64_t addr,
				 uint32_t kind);
	int (*remove_breakpoint)(void *ctx, enum gdb_breakpoint_type type, uint64_t addr,
				 uint32_t kind);
	/* Arrange for the threads to run; return at once. A stop is reported later. */
	int (*resume)(void *ctx, const struct gdb_resume *resume);
	/*
	 * The memory map, for GDB's gcore and `info proc mappings`: the region
	 * with the lowest start among those ending above `from`; false past the
	 * last. Regions come out in address order and must not overlap.
	 */
	bool (*memory_region)(void *ctx, uint64_t from, struct gdb_memory_region *out);
	/*
	 * bc / bs: run the whole target backwards (a replay), to the previous
	 * breakpoint or watchpoint hit, or by one instruction; return at once,
	 * as resume does. NULL: no reverse execution (not offered to GDB).
	 */
	int (*resume_reverse)(void *ctx, bool step);
	/* `monitor CMD`: write text with gdb_engine_console_write(), return 0. */
	int (*monitor)(void *ctx, const char *cmd, struct gdb_engine *engine);
	/* GDB leaves: remove breakpoints, let everything run. */
	void (*detach)(void *ctx);
	void (*kill)(void *ctx);
	/*
	 * qGetTLSAddr: the address of thread tid's copy of the thread-local
	 * variable at `offset` in the TLS block of module `lm` (0: the
	 * executable), or a GDB_ERR_*.
	 */
	int (*tls_address)(void *ctx, int64_t tid, uint64_t offset, uint64_t lm, uint64_t *addr);
};

struct gdb_transport {
	void (*put)(void *ctx, const void *buf, size_t len);
	void *ctx;
};

/* Returned by gdb_engine_input(): a set of these bits. */
enum gdb_event {
	GDB_EVENT_NONE = 0,
	GDB_EVENT_RESUMED = 1u << 0,   /* ops->resume() succeeded: let it run */
	GDB_EVENT_INTERRUPT = 1u << 1, /* 0x03 while running: stop and report */
	GDB_EVENT_DETACHED = 1u << 2,
	GDB_EVENT_KILLED = 1u << 3,
	/*
	 * A debugger is starting a session: it sent qSupported (GDB and LLDB
	 * send it first, once per connection), or a '+' while no-ack mode was
	 * on (no client in no-ack mode sends one; a new client starts with
	 * it). The engine has forgotten the old session's state; a target
	 * should drop what the last client left (breakpoints, watchpoints).
	 */
	GDB_EVENT_NEW_CLIENT = 1u << 4,
};

struct gdb_stats {
	uint32_t packets;
	uint32_t bad_checksums;
	uint32_t oversized;
	uint32_t retransmits;
	uint32_t dropped; /* packets received while the target ran */
};

enum gdb_rx_state {
	GDB_RX_IDLE = 0,
	GDB_RX_PAYLOAD,
	GDB_RX_CHECKSUM_HIGH,
	GDB_RX_CHECKSUM_LOW,
};

/*
 * RSP framing (gdbstub/framer.c), for the engine and for a bridge that
 * relays RSP and must read it the same way. gdb_framer_push() takes one
 * byte and says what it completed:
 */
enum gdb_frame_event {
	GDB_FRAME_NONE = 0,  /* nothing complete: inside a packet, or a byte that means nothing */
	GDB_FRAME_PACKET,    /* a packet with a good checksum: buf[0..len), raw (escapes kept);
	                        overflow says it was longer than buf and was cut */
	GDB_FRAME_BAD,       /* a packet whose checksum did not match */
	GDB_FRAME_ACK,       /* '+' outside a packet */
	GDB_FRAME_NAK,       /* '-' outside a packet */
	GDB_FRAME_INTERRUPT, /* 0x03 outside a packet */
};

struct gdb_framer {
	uint8_t state;    /* enum gdb_rx_state */
	uint8_t sum;      /* running checksum of the payload */
	uint8_t sum_high; /* first checksum digit, once seen */
	bool overflow;    /* payload did not fit buf */
	size_t len;
	char buf[GDB_RX_BUF_SIZE];
};

void gdb_framer_init(struct gdb_framer *framer);
int gdb_framer_push(struct gdb_framer *framer, uint8_t byte); /* enum gdb_frame_event */
/* True inside a packet (between '$' and its checksum). */
bool gdb_framer_busy(const struct gdb_framer *framer);
/* "$payload#cs" into out; its length, or 0 when it does not fit cap. */
size_t gdb_frame_packet(char *out, size_t cap, const void *payload, size_t len);

/* Caller-owned; treat every field as private except `stats`. */
struct gdb_engine {
	const struct gdb_target_ops *ops;
	void *target_ctx;
	struct gdb_transport transport;

	/* receive */
	struct gdb_framer rx;

	/* transmit: tx[0..tx_len) is the last packet, kept for '-' */
	size_t tx_len;
	bool tx_overflow;        /* a reply outgrew tx: sent as an error */
	bool tx_unacked;
	uint8_t tx_retransmits;
	char tx[GDB_TX_BUF_SIZE];

	/* session */
	bool no_ack;
	bool running;
	bool in_monitor;
	bool gdb_swbreak;        /* GDB accepts "swbreak:" stop reasons */
	bool gdb_hwbreak;
	uint8_t vfile_open;      /* vFile: the file open, or 0 */
	int64_t general_tid;     /* Hg */
	int64_t continue_tid;    /* Hc */
	size_t thread_cursor;    /* qsThreadInfo resumes here */
	struct gdb_stop stop;    /* the last stop, answered to '?' */
	const char *error_text;  /* for the next error reply (gdb_engine_error_message) */
	struct gdb_resume resume;
	int64_t tids[GDB_THREAD_CHUNK];
	union { /* one packet's working space */
		uint8_t scratch[GDB_SCRATCH_SIZE]; /* memory and monitor packets */
		struct gdb_fpu_state fpu;          /* register packets */
	};
	size_t console_len;
	char console[GDB_CONSOLE_CHUNK];

	struct gdb_stats stats;
};

void gdb_engine_init(struct gdb_engine *engine, const struct gdb_target_ops *ops,
		     void *target_ctx, const struct gdb_transport *transport);
/* A new debugger connects: back to ack mode, selections forgotten. */
void gdb_engine_reset(struct gdb_engine *engine);
/* Feed received bytes; returns a set of enum gdb_event bits. */
unsigned gdb_engine_input(struct gdb_engine *engine, const uint8_t *buf, size_t len);
/* Record why the target is stopped without telling GDB (e.g. before attach). */
void gdb_engine_set_stop(struct gdb_engine *engine, const struct gdb_stop *stop);
/* The target stopped after a resume: record it and send the stop reply. */
void gdb_engine_report_stop(struct gdb_engine *engine, const struct gdb_stop *stop);
/*
 * Why the operation about to fail failed, for its error reply: a target
 * operation calls it (text in static storage) just before returning a
 * GDB_ERR_*. The reply becomes "E.NN.TEXT" instead of "ENN" for the
 * packets whose clients read that form (Z, z, M, X, G, P, resume with an
 * address); GDB 13 prints it for hardware breakpoints ("Remote failure
 * reply: TEXT") and register writes, and treats it as a plain error
 * elsewhere. ('O' console packets are no use here: GDB takes an 'O'
 * before the reply to M, X or Z for the reply itself, and the stream
 * falls out of step.)
 */
void gdb_engine_error_message(struct gdb_engine *engine, const char *text);
/* Text for GDB's console: during `monitor`, or while the target runs. */
void gdb_engine_console_write(struct gdb_engine *engine, const char *text, size_t len);
void gdb_engine_console_printf(struct gdb_engine *engine, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool gdb_engine_running(const struct gdb_engine *engine);

/* RSP hex digits, for a bridge that answers some packets itself (gdbstub/hex.c). */
int gdb_hex_value(char c); /* -1 if c is not a hex digit */
char gdb_hex_char(unsigned nibble);

#endif
