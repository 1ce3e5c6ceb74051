/*
 * The guest descriptor: the one contract between a running libOS image and
 * the host tools that inspect it.
 *
 * The guest exports exactly one `struct uniscope_info` (symbol `uniscope_info`,
 * placed in read-only data). Host tools find it by symbol, or, in a stripped
 * image, by scanning guest memory for UNISCOPE_INFO_MAGIC followed by a
 * matching `size` and `version`. Everything a host tool needs to walk guest
 * state is reachable from here: it never guesses a structure layout.
 *
 * All fields are fixed width and little-endian. Addresses are guest virtual
 * addresses; the libOS identity-maps memory, but host tools translate through
 * the page tables anyway. Everything read through this descriptor is
 * untrusted: counts and lengths come with the bounds below.
 *
 * Versions: a host reads exactly UNISCOPE_INFO_VERSION. A field taken from
 * `reserved` space reads 0 in an older image and 0 means "absent", so such
 * additions keep the version; a change to a layout (a field appended to a
 * record whose size host tools take from this header) bumps it.
 *	1  the first
 *	2  panic record: caller_pc, console_written; thread_layout.off_state_since
 *	   (appended, with reserved space after it); clock, wait_owners, idle_thread
 */
#ifndef UNISCOPE_ABI_H
#define UNISCOPE_ABI_H

#include <stdint.h>

#define UNISCOPE_INFO_MAGIC 0x45504f4353494e55ull /* "UNISCOPE" */
#define UNISCOPE_INFO_VERSION 2

#define UNISCOPE_BUILD_ID_MAX 20
#define UNISCOPE_THREAD_NAME_MAX 32
#define UNISCOPE_MAX_THREADS 65536 /* host walks stop here */
#define UNISCOPE_PANIC_MSG_MAX 160

/* Thread states, as stored at thread_layout.off_state (uint32_t). */
enum uniscope_thread_state {
	UNISCOPE_THREAD_RUNNABLE = 0,
	UNISCOPE_THREAD_RUNNING = 1,
	UNISCOPE_THREAD_BLOCKED = 2,
	UNISCOPE_THREAD_SLEEPING = 3,
	UNISCOPE_THREAD_EXITED = 4,
	UNISCOPE_THREAD_STATE_COUNT
};

/* Why a thread waits, as stored at thread_layout.off_wait_reason (uint32_t). */
enum uniscope_wait_reason {
	UNISCOPE_WAIT_NONE = 0,
	UNISCOPE_WAIT_SLEEP = 1,
	UNISCOPE_WAIT_MUTEX = 2,
	UNISCOPE_WAIT_SEMAPHORE = 3,
	UNISCOPE_WAIT_CONDVAR = 4,
	UNISCOPE_WAIT_JOIN = 5,
	UNISCOPE_WAIT_QUEUE = 6,
	UNISCOPE_WAIT_DEBUGGER = 7,
	UNISCOPE_WAIT_CONSOLE = 8,
	UNISCOPE_WAIT_FUTEX = 9,     /* futex(FUTEX_WAIT): wait_object is the futex word */
	UNISCOPE_WAIT_REASON_COUNT
};

/*
 * Callee-saved context of a thread that is not on the CPU, stored inside
 * the thread structure at thread_layout.off_context. `rip` is where the
 * thread resumes; `rsp` is its stack pointer at that point.
 */
struct uniscope_context {
	uint64_t rsp;
	uint64_t rip;
	uint64_t rbp;
	uint64_t rbx;
	uint64_t r12;
	uint64_t r13;
	uint64_t r14;
	uint64_t r15;
	uint64_t rflags;
};
_Static_assert(sizeof(struct uniscope_context) == 72, "context layout");

/* A full register set, GDB's x86-64 order for the first 24 words. */
struct uniscope_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cs, ss, ds, es, fs, gs;
	uint64_t fs_base, gs_base;
	uint64_t cr0, cr2, cr3, cr4;
};
_Static_assert(sizeof(struct uniscope_regs) == 30 * 8, "regs layout");

/*
 * The x87/SSE state as FXSAVE64 stores it (a thread_layout.off_fpu_state
 * area; Linux's NT_PRXFPREG). st[i] is ST(i), 10 of its 16 bytes used;
 * ftw is the abridged tag (bit i: physical register i is not empty).
 */
struct uniscope_fxsave {
	_Alignas(16) uint16_t fcw;
	uint16_t fsw;
	uint8_t ftw;
	uint8_t reserved1;
	uint16_t fop;
	uint64_t fip, fdp;
	uint32_t mxcsr, mxcsr_mask;
	uint8_t st[8][16];
	uint8_t xmm[16][16];
	uint8_t reserved2[96];
};
_Static_assert(sizeof(struct uniscope_fxsave) == 512, "FXSAVE area");
_Static_assert(__builtin_offsetof(struct uniscope_fxsave, xmm) == 160, "FXSAVE xmm");

/*
 * What the libOS's trap entry pushes: a preempted or faulting thread's full
 * register state. Lowest address first.
 */
struct uniscope_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct uniscope_trap_frame) == 22 * 8, "trap frame layout");

/* Offsets of the fields host tools read in the libOS thread structure. */
struct uniscope_thread_layout {
	uint32_t size;            /* sizeof(struct thread) */
	uint32_t off_id;          /* uint32_t: 1 the main thread, 2 idle, 3.. the rest; never 0 */
	uint32_t off_name;        /* char[UNISCOPE_THREAD_NAME_MAX], NUL-terminated */
	uint32_t off_state;       /* uint32_t, enum uniscope_thread_state */
	uint32_t off_wait_reason; /* uint32_t, enum uniscope_wait_reason */
	uint32_t off_wait_object; /* uint64_t, address waited on, or 0 */
	uint32_t off_cpu_ns;      /* uint64_t, CPU time consumed */
	uint32_t off_switches;    /* uint64_t, times switched in */
	uint32_t off_stack_lo;    /* uint64_t, lowest usable stack address */
	uint32_t off_stack_hi;    /* uint64_t, one past the highest */
	uint32_t off_context;     /* struct uniscope_context */
	uint32_t off_next;        /* uint64_t, next thread in the all-threads list, 0 ends */
	uint32_t off_wake_ns;     /* uint64_t, when a sleeper wakes (clock_ns) */
	uint32_t off_trap_frame;  /* uint64_t, struct uniscope_trap_frame of a preempted
	                           * thread (its registers at the interrupt), or 0 */
	uint32_t off_fpu_state;   /* 512-byte FXSAVE area (16-aligned) of a thread that is
	                           * not on the CPU: its x87/SSE state; 0 when absent */
	uint32_t off_fs_base;     /* uint64_t, the thread's FS base (its TLS pointer,
	                           * arch_prctl); 0 when absent */
	uint32_t off_state_since; /* uint64_t, clock_ns when the thread last changed state
	                           * (blocked, woke, got the CPU); 0 when absent (v2) */
	uint32_t reserved[3];     /* 0; a field taken from here keeps the version */
};

/* The console log ring: every byte the guest printed, newest overwriting oldest. */
struct uniscope_log {
	uint64_t magic;   /* UNISCOPE_LOG_MAGIC */
	uint64_t size;    /* bytes in data[], a power of two */
	uint64_t written; /* total bytes ever written; data[written % size] is next */
	uint8_t data[];
};
#define UNISCOPE_LOG_MAGIC 0x474f4c4f53494e55ull /* "UNISOLOG" */
#define UNISCOPE_LOG_SIZE_MAX (1u << 24)

enum uniscope_panic_kind {
	UNISCOPE_PANIC_NONE = 0,
	UNISCOPE_PANIC_FAULT = 1,  /* CPU exception; vector and error code valid */
	UNISCOPE_PANIC_PANIC = 2,  /* panic() */
	UNISCOPE_PANIC_ASSERT = 3, /* assert() failed */
	UNISCOPE_PANIC_STACK_OVERFLOW = 4,
};

/* Written once when the guest dies; kind != NONE means it is valid. */
struct uniscope_panic {
	uint32_t kind;       /* enum uniscope_panic_kind */
	uint32_t vector;     /* CPU exception vector */
	uint64_t error_code; /* CPU exception error code */
	uint64_t fault_addr; /* CR2 for page faults */
	uint32_t thread_id;  /* thread that died */
	uint32_t line;       /* source line of panic/assert */
	uint64_t tsc;        /* when */
	struct uniscope_regs regs;
	char message[UNISCOPE_PANIC_MSG_MAX]; /* NUL-terminated */
	char file[64];                        /* NUL-terminated */
	uint64_t caller_pc;       /* panic()/assert(): the return address into their caller */
	uint64_t console_written; /* the console log's `written` before the death notice */
};

/* Heap and page allocator statistics, kept current by the guest. */
struct uniscope_heap_stats {
	uint64_t pages_total;
	uint64_t pages_free;
	uint64_t heap_bytes_in_use;
	uint64_t heap_bytes_peak;
	uint64_t heap_allocs;
	uint64_t heap_frees;
	uint64_t heap_failures;
	uint64_t reserved;
};

/*
 * Who holds what a blocked thread waits on. For a thread waiting for
 * wait_reason, the owner is a field at `offset` inside the waited-on object
 * (thread_layout.off_wait_object). Host tools name a mutex's owner with it
 * and follow wait-for chains to find deadlocks. An entry of kind NONE ends
 * the table; a wait reason with no entry has no owner (a semaphore).
 */
enum uniscope_owner_kind {
	UNISCOPE_OWNER_NONE = 0,
	UNISCOPE_OWNER_THREAD = 1, /* uint64_t: address of the owner's thread structure, 0 free */
	UNISCOPE_OWNER_TID = 2,    /* uint32_t: the owner's thread id under id_mask, 0 free */
	UNISCOPE_OWNER_SELF = 3,   /* the object is the thread waited for (a join) */
	/*
	 * The object is a musl mutex's lock word (a futex wait in
	 * pthread_mutex_lock); the uint32_t `offset` bytes below it is the
	 * mutex's type. The lock word holds the owner's thread id under
	 * id_mask, for every mutex type (uniscope's musl: mk/musl.sh). A word
	 * whose type is not a mutex type is not a mutex: no owner.
	 */
	UNISCOPE_OWNER_MUSL_MUTEX = 4,
};

struct uniscope_wait_owner {
	uint8_t wait_reason; /* enum uniscope_wait_reason */
	uint8_t kind;        /* enum uniscope_owner_kind */
	uint16_t offset;     /* of the owner field in the waited-on object */
	uint32_t id_mask;    /* OWNER_TID: the bits that hold the id (musl's mutex: 0x3fffffff) */
};
_Static_assert(sizeof(struct uniscope_wait_owner) == 8, "wait owner");
#define UNISCOPE_WAIT_OWNERS_MAX 4

#define UNISCOPE_PROFILE_OFF 0
#define UNISCOPE_PROFILE_SEALED 1
#define UNISCOPE_PROFILE_FULL 2

struct uniscope_info {
	uint64_t magic;   /* UNISCOPE_INFO_MAGIC */
	uint32_t version; /* UNISCOPE_INFO_VERSION */
	uint32_t size;    /* sizeof(struct uniscope_info) */
	uint32_t profile; /* UNISCOPE_PROFILE_* */
	uint32_t nr_cpus;
	uint64_t tsc_hz; /* calibrated at boot */
	uint64_t boot_tsc;
	uint8_t build_id[UNISCOPE_BUILD_ID_MAX];
	uint32_t build_id_len;

	struct uniscope_thread_layout thread_layout;
	uint64_t thread_list;   /* address of a uint64_t: first thread */
	uint64_t current_thread; /* address of a uint64_t[nr_cpus]: thread on each CPU */
	uint64_t thread_count;  /* address of a uint32_t: live threads */

	uint64_t console_log; /* address of struct uniscope_log */
	uint64_t panic;       /* address of struct uniscope_panic */
	uint64_t heap_stats;  /* address of struct uniscope_heap_stats */
	uint64_t trace;       /* address of struct uniscope_trace_info, or 0 */
	uint64_t chan_stats;  /* address of struct uniscope_chan_stats, or 0 */
	uint64_t text_start, text_end; /* the sealed image text */
	uint64_t sealed;      /* address of a uint32_t: 1 once sealed */
	uint64_t clock;       /* address of a uint64_t: clock_ns at the last timer tick, or 0 */
	struct uniscope_wait_owner wait_owners[UNISCOPE_WAIT_OWNERS_MAX];
	uint64_t idle_thread; /* address of a uint64_t: the idle thread's structure, or 0 */
	uint64_t reserved[1];
	/*
	 * The FPU area of a thread (thread_layout.off_fpu_state): its bytes, and
	 * the XSAVE features saved in it (XCR0: x87 1, SSE 2, AVX 4), the area
	 * then being an XSAVE area in the standard format (XSTATE_BV at 512,
	 * ymm0-15's upper halves at 576). fpu_xfeatures 0: a 512-byte FXSAVE
	 * area. Either way the first 512 bytes are struct uniscope_fxsave.
	 * Both 0 in images from before XSAVE (FXSAVE then).
	 */
	uint32_t fpu_state_size;
	uint32_t fpu_xfeatures;
};
_Static_assert(sizeof(struct uniscope_info) % 8 == 0, "info is 8-aligned");

#endif
