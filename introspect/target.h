/*
 * libuniscope: inspecting a uniscope guest from the host. The heart of the
 * API the `uniscope` commands and the TUI use; they include it, with the
 * rest of the public surface, through introspect/uniscope.h.
 *
 *	TARGET := session name | qemu:SESSION-DIR | xen:DOMID | xen:NAME | CORE-FILE
 *
 *	struct us_target *t;
 *	struct us_error *err = us_target_open("dev", &(struct us_target_options){0}, &t);
 *	if (err) { fprintf(stderr, "uniscope: %s\n", err->message); us_error_destroy(err); }
 *	err = us_target_read(t, vaddr, buf, len);      // guest virtual, page-walked
 *	const struct uniscope_info *info = us_target_info(t);   // or NULL
 *	us_target_close(t);
 *
 * Layers, as in drgn: a backend (backend.h: QEMU session, Xen domain, core
 * file) gives physical memory and vCPU registers; the page walk
 * (pagewalk.h) turns virtual reads into physical ones; symbols (symbols.h)
 * come from the image found by the session, --image or --debug-dir and
 * checked against the guest's build-id; the guest model (threads, log,
 * panic, heap) follows the guest descriptor (include/uniscope/abi.h) and
 * never guesses a layout. Everything read from the guest is untrusted:
 * every walk is bounded and ends in an error, never a hang.
 *
 * Errors: functions return struct us_error * (NULL = success; error.h);
 * results go out through the last parameters. Nothing here prints or exits.
 *
 * Live targets: memory reads while the guest runs see it changing. Pause
 * with us_target_pause() for a consistent view (nests; resume undoes only
 * what pause did; close resumes). vCPU registers are re-read after every
 * pause/resume. A target is used by one thread at a time.
 */
#ifndef UNISCOPE_INTROSPECT_TARGET_H
#define UNISCOPE_INTROSPECT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uniscope/abi.h>
#include "backend.h"
#include "error.h"
#include "pagewalk.h"
#include "symbols.h"

#define US_MAX_FRAMES 256
#define US_MAX_VCPUS 64
#define US_INSN_MAX_BYTES 15

struct us_target;

struct us_target_options {
	const char *image;     /* the guest image (symbols), or NULL: the session's */
	const char *debug_dir; /* find the image by build-id here, or NULL */
	/*
	 * Translate from this page-table root (long mode, 4-level paging)
	 * instead of asking vCPU 0 for it, which takes QMP: a GDB stop
	 * reply's cr3, for a bridge that must not wait on QEMU's monitor.
	 */
	bool page_root_given;
	uint64_t page_root;
};

/* ---- opening ---------------------------------------------------------- */

struct us_error *us_target_open(const char *spec, const struct us_target_options *opts,
				struct us_target **out);
/* Over a backend you built (tests, synthetic memory); takes ownership of b. */
struct us_error *us_target_open_backend(struct us_backend *b, const char *name,
					const struct us_target_options *opts,
					struct us_target **out);
void us_target_close(struct us_target *t);
/*
 * Whether a session called name exists. A bare name that is both a file
 * in the current directory and a session is refused (neither hides the
 * other): the user says ./NAME for the file, qemu:DIR for the session.
 */
bool us_target_is_session_name(const char *name);
#define US_AMBIGUOUS_TARGET_FMT \
	"'%s' is both a file here and a session: say ./%s for the file, or qemu:SESSION-DIR " \
	"for the session (see 'uniscope ls')"

const char *us_target_name(const struct us_target *t);
/* "qemu", "xen", "core", "buffer". */
const char *us_target_kind(const struct us_target *t);
bool us_target_is_live(const struct us_target *t);
/* Something the user should know (image mismatch, no symbols), or NULL. */
const char *us_target_warning(const struct us_target *t);

struct us_error *us_target_pause(struct us_target *t);
struct us_error *us_target_resume(struct us_target *t);

/* ---- memory and registers --------------------------------------------- */

struct us_error *us_target_read(struct us_target *t, uint64_t vaddr, void *buf, size_t len);
struct us_error *us_target_read_u64(struct us_target *t, uint64_t vaddr, uint64_t *value);
/* us_target_read for readers that take a callback (the tracer's decoder): ctx
 * is the target; 0, or -1 when the read failed. */
int us_target_read_fn(void *target, uint64_t vaddr, void *buf, size_t len);
struct us_error *us_target_read_phys(struct us_target *t, uint64_t paddr, void *buf, size_t len);
/*
 * True when the backend knows [paddr, paddr+len) reads as zeros without
 * reading it (a hole in a session's RAM file); false when it does not
 * know. paddr as a mapping gives it (virtual for virtual cores).
 */
bool us_target_known_zero(struct us_target *t, uint64_t paddr, uint64_t len);
struct us_error *us_target_translate(struct us_target *t, uint64_t vaddr,
				     struct us_translation *out);
#define US_WRITABLE_MAX (1u << 20)
/* Translate from here on through the page tables at cr3 (4-level); the cache starts empty. */
struct us_error *us_target_set_page_root(struct us_target *t, uint64_t cr3);
/*
 * [vaddr, vaddr+len) mapped writable, when it is one run of guest RAM and
 * the backend can (live QEMU sessions; US_ERR_UNSUPPORTED elsewhere).
 * The host writes guest memory nowhere else than through this.
 */
struct us_error *us_target_map_writable(struct us_target *t, uint64_t vaddr, size_t len,
					struct us_writable *out);
void us_target_unmap_writable(struct us_target *t, struct us_writable *w);
/* Every virtual mapping of the guest, merged runs in address order (pagewalk.h). */
struct us_error *us_target_mappings(struct us_target *t, us_mapping_fn *fn, void *arg);
struct us_error *us_target_vcpu_regs(struct us_target *t, unsigned vcpu,
				     struct uniscope_regs *regs);
unsigned us_target_nr_vcpus(const struct us_target *t);
/* The vCPU's x87/SSE state; US_ERR_UNSUPPORTED where the backend cannot tell (cores). */
struct us_error *us_target_vcpu_fpu(struct us_target *t, unsigned vcpu,
				    struct uniscope_fxsave *fx);

/* ---- the guest descriptor --------------------------------------------- */

/* The validated copy of the guest's uniscope_info, or NULL when not found. */
const struct uniscope_info *us_target_info(const struct us_target *t);
/* Where it was found (virtual; physical when found by scanning). */
uint64_t us_target_info_address(const struct us_target *t);
/* Why there is no descriptor (a new error each call), or NULL when there is one. */
struct us_error *us_target_info_error(const struct us_target *t);

/* ---- symbols ---------------------------------------------------------- */

struct us_symbolized {
	const char *function; /* NULL when unknown */
	uint64_t offset;      /* addr - function start (0 for an inlined function) */
	const char *file;     /* NULL when unknown */
	int line;
	bool inlined;         /* a function inlined there, not the one whose code it is */
};

/* The image symbols come from, or NULL when there are none. */
const char *us_target_image(const struct us_target *t);
/* "f+0x1a", "f (inlined)" or "??": the function part of a frame as bt shows it (in buf). */
#define US_SYMBOLIZED_FUNCTION_MAX 160
const char *us_symbolized_function(const struct us_symbolized *s, char *buf, size_t cap);
/*
 * "f+0x1a at kern/sched.c:29", file:line left out when unknown (in buf);
 * with base_name, the file without its folders ("sched.c:29").
 */
#define US_SYMBOLIZED_TEXT_MAX 1024
const char *us_symbolized_text(const struct us_symbolized *s, bool base_name, char *buf, size_t cap);
/* Never fails: fields stay NULL when unknown. Strings live as long as t. */
void us_target_symbolize(struct us_target *t, uint64_t addr, struct us_symbolized *out);
struct us_error *us_target_lookup_symbol(struct us_target *t, const char *name,
					 struct us_symbol *out);
/* "0x1234", "1234" (hex), "symbol", "symbol+0x10" -> address. */
struct us_error *us_target_parse_address(struct us_target *t, const char *text, uint64_t *addr);

/* ---- threads ---------------------------------------------------------- */

enum us_regs_source {
	US_REGS_NONE,       /* unknown */
	US_REGS_VCPU,       /* on a CPU: the vCPU's registers */
	US_REGS_TRAP_FRAME, /* preempted: registers at the interrupt */
	US_REGS_CONTEXT,    /* switched out: callee-saved context (rip/rsp/rbp/rbx/r12-r15) */
	US_REGS_PANIC,      /* died: registers at the fault, from the panic record (postmortem.h) */
};

struct us_thread {
	uint64_t address; /* of the guest's struct thread */
	uint32_t id;
	char name[UNISCOPE_THREAD_NAME_MAX]; /* NUL-terminated, printable */
	uint32_t state;                      /* enum uniscope_thread_state */
	uint32_t wait_reason;                /* enum uniscope_wait_reason */
	uint64_t wait_object, cpu_ns, switches, wake_ns, trap_frame;
	uint64_t fs_base;                    /* its TLS pointer (thread_layout.off_fs_base), or 0 */
	uint64_t state_since;                /* clock_ns of its last state change; 0 unknown */
	bool idle;                           /* the guest's idle thread */
	uint64_t stack_lo, stack_hi;         /* 0, 0 when absurd */
	struct uniscope_context context;
	int cpu;                             /* the vCPU it runs on, or -1 */
	enum us_regs_source regs_source;
	struct uniscope_regs regs;
	char note[128];                      /* a problem met reading it, or "" */
};

/*
 * Walks the thread list (at most UNISCOPE_MAX_THREADS, cycles detected).
 * *threads (free()) holds what was read even when an error says why the
 * walk stopped early.
 */
struct us_error *us_target_threads(struct us_target *t, struct us_thread **threads, size_t *count);
/* The same walk from guest memory alone: regs and regs_source left zero. */
struct us_error *us_target_thread_list(struct us_target *t, struct us_thread **threads, size_t *count);
/*
 * A thread's x87/SSE state (fpu.c): from its vCPU when it is on one, else
 * from the FXSAVE area in its struct thread (thread_layout.off_fpu_state).
 */
struct us_error *us_thread_fpu(struct us_target *t, const struct us_thread *th,
			       struct uniscope_fxsave *fx);
const char *us_thread_state_name(uint32_t state);
const char *us_wait_reason_name(uint32_t reason);

/* ---- what blocked threads wait for (waits.c) --------------------------- */

struct us_wait {
	char object[96];      /* the waited-on object: "store_lock", "queue+32", "0x1f000"; "" none */
	bool object_is_owner; /* a join: object names the thread waited for */
	int owner;            /* index in the threads array of who holds it, or -1 */
	char owner_note[96];  /* why no owner is named ("free", "owner unknown: ..."), or "" */
};

/* For each of threads[0..count), what it waits on and who holds it (waits[count]). */
void us_target_waits(struct us_target *t, const struct us_thread *threads, size_t count,
		     struct us_wait *waits);
/* "store_lock held by 3 \"worker-b\"", "sem (free)", "thread 5 \"crasher\"", or "". */
void us_wait_describe(const struct us_wait *w, const struct us_thread *threads, char *buf, size_t cap);
/* Any address by symbol: "store_lock", "queue+32", else "0x1234". */
void us_target_name_address(struct us_target *t, uint64_t addr, char *buf, size_t cap);
/* The guest's clock (ns since boot) at its last timer tick. */
struct us_error *us_target_clock(struct us_target *t, uint64_t *ns);

/* ---- backtraces ------------------------------------------------------- */

enum us_frame_kind {
	US_FRAME_NORMAL,    /* a frame on the stack */
	US_FRAME_INLINED,   /* a function inlined into the next frame: same pc, no frame of its own */
	US_FRAME_TAIL_CALL, /* a frame a tail call replaced, rebuilt from the DWARF's call sites */
	US_FRAME_TRAP,      /* the trap entry: its caller is the interrupted code (GDB's
	                     * "<signal handler called>") */
};
/* "normal", "inlined", "tail call", "trap". */
const char *us_frame_kind_name(enum us_frame_kind kind);

struct us_frame {
	uint64_t pc;  /* #0: where execution stands; others: the return address */
	uint64_t fp;  /* the stack pointer it was unwound with (CFI), or its frame pointer */
	struct us_symbolized sym; /* of pc, or of pc - 1 for a return address */
	enum us_frame_kind kind;
};

/* "#3  0x00000000001234ab in f+0x1a at main.c:29": frame `index` as bt shows it (in buf). */
#define US_FRAME_LINE_MAX (US_SYMBOLIZED_TEXT_MAX + 32)
const char *us_frame_line(size_t index, const struct us_frame *f, char *buf, size_t cap);

struct us_backtrace {
	struct us_frame frames[US_MAX_FRAMES];
	size_t count;
	bool cfi;          /* unwound with the image's CFI, not frame pointers alone */
	char stopped[128]; /* "" when the chain ended normally, else why it stopped */
};

/*
 * Backtraces as GDB gives them: unwound with the image's CFI through
 * libdw, inlined functions and tail calls shown as frames of their own;
 * with frame pointers when the image has no CFI (or there are no symbols).
 * us_target_unwind starts from regs (stack bounds 0, 0 when unknown).
 */
void us_target_unwind(struct us_target *t, const struct uniscope_regs *regs, uint64_t stack_lo,
		      uint64_t stack_hi, struct us_backtrace *bt);
void us_target_backtrace(struct us_target *t, const struct us_thread *thread,
			 struct us_backtrace *bt);

/* ---- guest records ---------------------------------------------------- */

/* The console log ring, oldest byte first (*text: free()); lost = overwritten bytes. */
struct us_error *us_target_log(struct us_target *t, char **text, size_t *len, uint64_t *lost);
/* The panic record (kind NONE while the guest is alive); strings NUL-terminated. */
struct us_error *us_target_panic(struct us_target *t, struct uniscope_panic *out);
struct us_error *us_target_heap(struct us_target *t, struct uniscope_heap_stats *out);
/* The trace points the guest records (struct uniscope_trace_info.enabled: bit id set). */
struct us_error *us_target_trace_mask(struct us_target *t, uint64_t *mask);
/* Heap statistics that cannot be (the guest is untrusted): true, and why. */
#define US_GUEST_MEMORY_MAX (1ull << 46)
bool us_heap_absurd(const struct uniscope_heap_stats *h, char *why, size_t cap);

/* ---- the network (net.c) ---------------------------------------------- */

#define US_NET_UNKNOWN UINT64_MAX
#define US_TCP_LISTEN 1 /* lwIP's enum tcp_state: a listening socket */

/* One TCP PCB of lwIP's lists, with its socket and owner when known. */
struct us_net_conn {
	uint64_t pcb, netconn;      /* guest addresses; netconn 0: none (lwIP's own) */
	uint32_t state;             /* lwIP's enum tcp_state: us_tcp_state_name() */
	uint8_t local_ip[16], remote_ip[16]; /* IPv4 in the first 4 bytes */
	uint8_t local_type, remote_type;     /* lwIP's: 0 IPv4, 6 IPv6, 46 any */
	uint16_t local_port, remote_port;
	uint64_t recv_queue;        /* bytes not yet read by the application, or US_NET_UNKNOWN;
	                             * LISTEN: connections waiting for accept() (as ss) */
	uint64_t send_queue;        /* bytes not yet sent or acknowledged, or US_NET_UNKNOWN;
	                             * LISTEN: the backlog */
	uint32_t retransmits;       /* of the segment in flight */
	int32_t socket, fd;         /* socket table index, descriptor; -1 unknown */
	uint32_t owner_tid;         /* 0 unknown */
	uint64_t call_seq;          /* the socket's last call, stamped from one guest counter: of a
	                             * thread's sockets the highest is its latest; 0 unknown */
	bool owner_blocked;         /* the owner is blocked in the stack on this connection */
	char owner_name[UNISCOPE_THREAD_NAME_MAX];
};

struct us_net {
	bool has_device, configured;
	uint8_t mac[6];
	uint32_t ipv4_addr, ipv4_netmask, ipv4_gateway; /* network byte order */
	bool have_stats;
	struct uniscope_net_stats stats;
	struct us_net_conn *conns; /* listening first, then active, then TIME-WAIT */
	size_t count;
};

/*
 * lwIP's TCP connections, through the network descriptor: bounded walks of
 * its lists (a corrupt list ends in an error; *out keeps what was read;
 * us_net_release it either way). US_ERR_NOT_FOUND: no network stack.
 */
struct us_error *us_target_net(struct us_target *t, struct us_net *out);
void us_net_release(struct us_net *net);
/* The device's counters alone (cheap: top polls it). */
struct us_error *us_target_net_stats(struct us_target *t, struct uniscope_net_stats *stats);
/* "ESTAB", "LISTEN", "TIME-WAIT" (ss's names), "?" */
const char *us_tcp_state_name(uint32_t state);
/* "10.0.2.15:8080", "[::1]:80", "*:8080", "0.0.0.0:*". */
#define US_NET_ENDPOINT_MAX 64
void us_net_endpoint(const struct us_net_conn *c, bool local, char *buf, size_t cap);

/* ---- disassembly ------------------------------------------------------ */

struct us_insn {
	uint64_t address;
	uint8_t size;
	uint8_t bytes[US_INSN_MAX_BYTES];
	char mnemonic[32];
	char operands[160];
};

/* Up to max instructions at addr; stops early at unreadable memory (count may be 0 + error). */
struct us_error *us_target_disassemble(struct us_target *t, uint64_t addr, size_t max,
				       struct us_insn *insns, size_t *count);

#endif
