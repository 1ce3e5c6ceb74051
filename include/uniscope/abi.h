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
 *	3  pages (appended): the page allocator's map
 */
#ifndef UNISCOPE_ABI_H
#define UNISCOPE_ABI_H

#include <stddef.h>
#include <stdint.h>

#define UNISCOPE_INFO_MAGIC 0x45504f4353494e55ull /* "UNISCOPE" */
#define UNISCOPE_INFO_VERSION 3

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

/*
 * The names of the enums in this header, for the guest (freestanding) and
 * the host alike: one table beside each enum, indexed by its value. A value
 * read from a guest is untrusted: look it up only below the enum's _COUNT.
 */
#define UNISCOPE_NAMES_COUNT(names) (sizeof(names) / sizeof((names)[0]))

static const char *const uniscope_thread_state_names[] = {
	[UNISCOPE_THREAD_RUNNABLE] = "runnable",
	[UNISCOPE_THREAD_RUNNING] = "running",
	[UNISCOPE_THREAD_BLOCKED] = "blocked",
	[UNISCOPE_THREAD_SLEEPING] = "sleeping",
	[UNISCOPE_THREAD_EXITED] = "exited",
};
_Static_assert(UNISCOPE_NAMES_COUNT(uniscope_thread_state_names) == UNISCOPE_THREAD_STATE_COUNT,
	       "a name for every thread state");

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
	UNISCOPE_WAIT_POLL = 10,     /* poll, select, epoll_wait: wait_object the epoll instance, or 0 */
	UNISCOPE_WAIT_NET = 11,      /* in the network stack: wait_object an lwIP mailbox or semaphore */
	UNISCOPE_WAIT_REASON_COUNT
};

/* "none" is never printed: tools show a thread that waits for nothing their own way. */
static const char *const uniscope_wait_reason_names[] = {
	[UNISCOPE_WAIT_NONE] = "none",
	[UNISCOPE_WAIT_SLEEP] = "sleep",
	[UNISCOPE_WAIT_MUTEX] = "mutex",
	[UNISCOPE_WAIT_SEMAPHORE] = "semaphore",
	[UNISCOPE_WAIT_CONDVAR] = "condvar",
	[UNISCOPE_WAIT_JOIN] = "join",
	[UNISCOPE_WAIT_QUEUE] = "queue",
	[UNISCOPE_WAIT_DEBUGGER] = "debugger",
	[UNISCOPE_WAIT_CONSOLE] = "console",
	[UNISCOPE_WAIT_FUTEX] = "futex",
	[UNISCOPE_WAIT_POLL] = "poll",
	[UNISCOPE_WAIT_NET] = "net",
};
_Static_assert(UNISCOPE_NAMES_COUNT(uniscope_wait_reason_names) == UNISCOPE_WAIT_REASON_COUNT,
	       "a name for every wait reason");

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

/*
 * The x86-64 exception vectors with a name, as stored in uniscope_panic.vector
 * for a FAULT. Vectors from UNISCOPE_EXCEPTION_NAMED_COUNT up are named
 * "exception" by whoever prints them.
 */
enum uniscope_exception_vector {
	UNISCOPE_EXC_DIVIDE_ERROR = 0,
	UNISCOPE_EXC_DEBUG = 1,
	UNISCOPE_EXC_NMI = 2,
	UNISCOPE_EXC_BREAKPOINT = 3,
	UNISCOPE_EXC_OVERFLOW = 4,
	UNISCOPE_EXC_BOUND_RANGE = 5,
	UNISCOPE_EXC_INVALID_OPCODE = 6,
	UNISCOPE_EXC_DEVICE_NOT_AVAILABLE = 7,
	UNISCOPE_EXC_DOUBLE_FAULT = 8,
	UNISCOPE_EXC_COPROCESSOR_OVERRUN = 9,
	UNISCOPE_EXC_INVALID_TSS = 10,
	UNISCOPE_EXC_SEGMENT_NOT_PRESENT = 11,
	UNISCOPE_EXC_STACK_SEGMENT = 12,
	UNISCOPE_EXC_GENERAL_PROTECTION = 13,
	UNISCOPE_EXC_PAGE_FAULT = 14,
	UNISCOPE_EXC_RESERVED_15 = 15,
	UNISCOPE_EXC_X87 = 16,
	UNISCOPE_EXC_ALIGNMENT_CHECK = 17,
	UNISCOPE_EXC_MACHINE_CHECK = 18,
	UNISCOPE_EXC_SIMD = 19,
	UNISCOPE_EXC_VIRTUALIZATION = 20,
	UNISCOPE_EXC_CONTROL_PROTECTION = 21,
	UNISCOPE_EXCEPTION_NAMED_COUNT
};

static const char *const uniscope_exception_names[] = {
	[UNISCOPE_EXC_DIVIDE_ERROR] = "divide error",
	[UNISCOPE_EXC_DEBUG] = "debug",
	[UNISCOPE_EXC_NMI] = "NMI",
	[UNISCOPE_EXC_BREAKPOINT] = "breakpoint",
	[UNISCOPE_EXC_OVERFLOW] = "overflow",
	[UNISCOPE_EXC_BOUND_RANGE] = "bound range exceeded",
	[UNISCOPE_EXC_INVALID_OPCODE] = "invalid opcode",
	[UNISCOPE_EXC_DEVICE_NOT_AVAILABLE] = "device not available",
	[UNISCOPE_EXC_DOUBLE_FAULT] = "double fault",
	[UNISCOPE_EXC_COPROCESSOR_OVERRUN] = "coprocessor overrun",
	[UNISCOPE_EXC_INVALID_TSS] = "invalid TSS",
	[UNISCOPE_EXC_SEGMENT_NOT_PRESENT] = "segment not present",
	[UNISCOPE_EXC_STACK_SEGMENT] = "stack-segment fault",
	[UNISCOPE_EXC_GENERAL_PROTECTION] = "general protection fault",
	[UNISCOPE_EXC_PAGE_FAULT] = "page fault",
	[UNISCOPE_EXC_RESERVED_15] = "reserved",
	[UNISCOPE_EXC_X87] = "x87 floating-point error",
	[UNISCOPE_EXC_ALIGNMENT_CHECK] = "alignment check",
	[UNISCOPE_EXC_MACHINE_CHECK] = "machine check",
	[UNISCOPE_EXC_SIMD] = "SIMD floating-point error",
	[UNISCOPE_EXC_VIRTUALIZATION] = "virtualization exception",
	[UNISCOPE_EXC_CONTROL_PROTECTION] = "control protection exception",
};
_Static_assert(UNISCOPE_NAMES_COUNT(uniscope_exception_names) == UNISCOPE_EXCEPTION_NAMED_COUNT,
	       "a name for every named exception vector");

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
	uint64_t net;         /* address of struct uniscope_net_info; 0: no network stack linked
	                       * (taken from reserved: an older image reads 0) */
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
	uint64_t pages; /* address of struct uniscope_pages */
};

/*
 * The page allocator's map (uniscope_info.pages), for the memory map host
 * tools give debuggers (GDB's gcore, `info proc mappings`): the RAM ranges
 * it hands pages from, which of their pages are in use (heap, page tables,
 * rings, stacks), and the stack arena, whose slots thread stacks take.
 * Physical and virtual addresses agree (the libOS identity-maps RAM).
 */
#define UNISCOPE_PAGES_RAM_MAX 32
#define UNISCOPE_PAGES_MAX (1ull << 26) /* 256 GiB of 4 KiB pages: host readers refuse more */
struct uniscope_pages {
	uint64_t free_bits; /* address of a bitmap: bit n set when page n (from address 0) is free */
	uint64_t nr_pages;  /* pages it covers */
	uint64_t stack_arena_start, stack_arena_end;
	uint32_t nr_ram;    /* at most UNISCOPE_PAGES_RAM_MAX */
	uint32_t reserved;
	struct { uint64_t start, end; } ram[UNISCOPE_PAGES_RAM_MAX];
};
_Static_assert(sizeof(struct uniscope_info) % 8 == 0, "info is 8-aligned");

/* ---- the network --------------------------------------------------------------
 *
 * An image that uses sockets links the network module (libos/net/: lwIP,
 * virtio-net, the BSD socket layer); uniscope_info.net then points to a
 * uniscope_net_info in writable data, kept current by the guest. It says
 * what host tools need to read the stack's state with no help from the
 * guest: the device's counters, the interface's addresses, where lwIP's
 * TCP protocol control block (PCB) lists are and the offsets of the PCB
 * fields, the socket table and how a descriptor leads to a socket and a
 * socket to its connection and to the threads using it. Host tools never
 * guess a layout: every offset they use is here.
 */
#define UNISCOPE_NET_MAGIC 0x54454e4f43534e55ull /* "UNSCONET" */
#define UNISCOPE_NET_VERSION 1
#define UNISCOPE_NET_DROP_REASONS 16 /* drops[] by reason: see drop_names in the trace (net_drop) */
#define UNISCOPE_NET_MAX_SOCKETS 4096 /* host readers bound their walks by these */
#define UNISCOPE_NET_MAX_PCBS 65536

struct uniscope_net_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_drops, tx_drops;
	uint64_t drops[UNISCOPE_NET_DROP_REASONS]; /* by reason (enum vnet_drop, libos/dev/virtio_net.h) */
	uint32_t link_up;
	uint32_t reserved;
};
_Static_assert(sizeof(struct uniscope_net_stats) == 184, "net stats");

/*
 * lwIP's TCP PCB (struct tcp_pcb), as far as host tools read it. Addresses
 * are ip_addr_t: with IPv6 built in, 16 bytes of address (IPv4 in the first
 * 4) and a type byte at off_*_ip + addr_type_offset (0 IPv4, 6 IPv6).
 */
struct uniscope_tcp_pcb_layout {
	uint32_t size;
	uint32_t listen_size;       /* a listening PCB (tcp_listen_pcbs) is smaller: the fields
	                             * up to off_local_port and off_callback_arg are the same */
	uint32_t off_next;          /* struct tcp_pcb * */
	uint32_t off_state;         /* enum tcp_state (u32): 0 CLOSED 1 LISTEN 2 SYN_SENT 3 SYN_RCVD
	                             * 4 ESTABLISHED 5 FIN_WAIT_1 6 FIN_WAIT_2 7 CLOSE_WAIT 8 CLOSING
	                             * 9 LAST_ACK 10 TIME_WAIT */
	uint32_t off_local_ip, off_remote_ip; /* ip_addr_t */
	uint32_t addr_type_offset;  /* within an ip_addr_t: the u8 type; ~0u: IPv4 only */
	uint32_t off_local_port, off_remote_port; /* u16, host order */
	uint32_t off_callback_arg;  /* void *: the struct netconn (lwIP's netconn API), or 0 */
	uint32_t off_snd_buf;       /* u16/u32 (tcpwnd_size_t): send buffer space left */
	uint32_t off_snd_queuelen;  /* u16: segments queued to send */
	uint32_t off_rcv_wnd;       /* tcpwnd_size_t: receive window left */
	uint32_t off_unacked;       /* struct tcp_seg *: sent, not acknowledged (0: none) */
	uint32_t off_nrtx;          /* u8: retransmissions of the current segment */
	uint32_t wnd_size;          /* bytes of tcpwnd_size_t: 2 or 4 */
	uint32_t wnd_max;           /* TCP_WND: rcv_wnd when nothing waits for the application;
	                             * 0 unknown */
	uint32_t snd_buf_max;       /* TCP_SND_BUF: snd_buf when nothing waits to be sent or
	                             * acknowledged; 0 unknown */
	uint32_t off_backlog;       /* u8 in a listening PCB: the backlog listen() set
	                             * (lwIP's TCP_LISTEN_BACKLOG); 0: unknown */
	uint32_t reserved[1];
};

/* lwIP's struct netconn and the libOS's socket (libos/net/socket.c). */
struct uniscope_socket_layout {
	uint32_t netconn_off_pcb;       /* union of PCB pointers */
	uint32_t netconn_off_type;      /* enum netconn_type (u32): 0x10 TCP, 0x20 UDP... */
	uint32_t netconn_off_recv_avail; /* int: bytes queued for the application (UDP); ~0u: absent */
	uint32_t socket_size;           /* one entry of the socket table */
	uint32_t socket_off_conn;       /* struct netconn *; 0 when the entry is free */
	uint32_t socket_off_fd;         /* int32: the descriptor last given for it, -1 none */
	uint32_t socket_off_family;     /* u16: AF_INET 2, AF_INET6 10 */
	uint32_t socket_off_type;       /* u16: SOCK_STREAM 1, SOCK_DGRAM 2 */
	uint32_t socket_off_owner_tid;  /* u32: the thread that last called on it (0: none) */
	uint32_t socket_off_rx_pending; /* u32: bytes taken from lwIP, not yet read */
	/* What a thread blocked in the stack waits on (wait reason net) is one of these
	 * inside a netconn: its wait object minus the offset is the netconn. */
	uint32_t netconn_off_recvmbox, netconn_off_acceptmbox, netconn_off_op_completed;
	uint32_t netconn_off_socket;    /* int: the socket table's index, negative: none yet */
	uint32_t netconn_off_state;     /* enum netconn_state (u32): 0 none, 1 write, 2 listen,
	                                 * 3 connect, 4 close */
	uint32_t socket_off_rcvevent;   /* int32: messages waiting in the netconn's receive
	                                 * mailbox; a listening socket's are connections
	                                 * waiting for accept (its accept queue); 0: unknown */
};

struct uniscope_net_info {
	uint64_t magic;   /* UNISCOPE_NET_MAGIC */
	uint32_t version; /* UNISCOPE_NET_VERSION */
	uint32_t size;    /* sizeof(struct uniscope_net_info) */
	uint8_t mac[6];
	uint8_t has_device;  /* a network device was found and started */
	uint8_t configured;  /* the interface has an address (DHCP or static) */
	uint32_t ipv4_addr, ipv4_netmask, ipv4_gateway; /* network byte order */
	uint32_t reserved0;
	uint64_t stats;                /* address of struct uniscope_net_stats */
	/* Addresses of lwIP's list heads (each a struct tcp_pcb *). */
	uint64_t tcp_active_pcbs, tcp_listen_pcbs, tcp_tw_pcbs, tcp_bound_pcbs;
	struct uniscope_tcp_pcb_layout tcp;
	struct uniscope_socket_layout socket;
	uint64_t sockets;              /* address of the socket table: nr_sockets entries */
	uint32_t nr_sockets;
	uint32_t reserved1;
	/*
	 * The descriptor table: fd_entries entries of fd_entry_size bytes; an
	 * entry whose u8 at fd_off_kind is fd_kind_object holds at fd_off_object
	 * the address of an object, which is a socket when it lies in the socket
	 * table (the object is the socket's first member).
	 */
	uint64_t fd_table;
	uint32_t fd_entries, fd_entry_size;
	uint32_t fd_off_kind, fd_kind_object, fd_off_object;
	/* A socket's u64 call stamp (here for want of room in uniscope_socket_layout):
	 * every call on a socket stamps it from one counter, so of the sockets a
	 * thread called on, the highest stamp is the one it called on last (the
	 * request a crashed handler was serving); 0: unknown. */
	uint32_t socket_off_call_seq;
	uint64_t reserved[5];
};
_Static_assert(sizeof(struct uniscope_tcp_pcb_layout) == 80, "tcp pcb layout");
_Static_assert(sizeof(struct uniscope_socket_layout) == 64, "socket layout");
_Static_assert(sizeof(struct uniscope_net_info) == 312, "net info");
_Static_assert(offsetof(struct uniscope_net_info, tcp_active_pcbs) == 48, "net info lists");

#endif
