/* Kernel-internal interfaces shared by the files of libos/kern. */
#ifndef LIBOS_KERN_H
#define LIBOS_KERN_H

#include <stdint.h>
#include <stddef.h>
#include <libos.h>
#include <uniscope/abi.h>
#include "param.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/fpu.h"

#define STACK_SLOT_SIZE (STACK_SIZE + PAGE_SIZE) /* a guard page below each stack */

/* Thread ids (thread.c): 0 is never a thread. */
#define THREAD_ID_MAIN 1
#define THREAD_ID_IDLE 2

/*
 * A thread. The fields up to `trap_frame` are read by host tools through
 * uniscope_info.thread_layout; the rest is private. All fields are changed
 * only with interrupts disabled (the libOS runs on one CPU).
 */
struct thread {
	uint32_t id;
	uint32_t state;       /* enum uniscope_thread_state */
	char name[UNISCOPE_THREAD_NAME_MAX];
	uint32_t wait_reason; /* enum uniscope_wait_reason */
	uint32_t stack_slot;
	uint64_t wait_object;
	uint64_t cpu_ns;
	uint64_t switches;
	uint64_t stack_lo, stack_hi;
	struct uniscope_context context;
	struct thread *next_all;
	uint64_t wake_ns;
	struct uniscope_trap_frame *trap_frame;
	uint64_t state_since_ns; /* clock_ns of the last state change */

	struct thread *queue_next; /* run queue or one wait queue */
	struct thread *sleep_next;
	thread_fn fn;
	void *arg;
	void *retval;
	struct wait_queue joiners;
	uint64_t on_cpu_since_ns;
	bool debug_may_run;  /* while the debugger holds threads (sched_debug_hold) */
	/* x87/SSE/AVX (arch/x86_64/fpu.h): the legacy FXSAVE region first, XSAVE's after it */
	uint8_t fpu_state[FPU_STATE_SIZE] __attribute__((aligned(FPU_STATE_ALIGN)));

	/* The Linux process view (libos/posix/). */
	uint64_t fs_base;         /* FS base: the thread pointer (arch_prctl, clone) */
	uint64_t clear_child_tid; /* set_tid_address: zeroed and woken at exit */
	bool user;                /* runs application code: counts for the process's life */
	bool timed_out;           /* a timed block ended by its deadline */
	struct wait_queue *blocked_on; /* a timed block's queue, while on it */
	uint64_t futex_bitset;
};

extern struct thread *current_threads[1];
extern uint64_t sched_clock_ns; /* clock_ns at the last timer tick (for host tools) */
extern struct thread *idle_thread;
extern struct thread *thread_list;
extern uint32_t thread_count;
#define current (current_threads[0])

/* sched.c */
void sched_init(void);
void schedule(void);
void sched_make_runnable(struct thread *t);
void sched_block(uint32_t reason, const void *object);
/*
 * Blocks on wq until woken or until clock_ns() reaches deadline_ns (0: no
 * deadline); returns -1 when the deadline ended it.
 */
int wait_queue_block_until(struct wait_queue *wq, uint32_t reason, const void *object,
			   uint64_t deadline_ns);
void wait_queue_remove(struct wait_queue *wq, struct thread *t);
/* Wakes one particular waiter; moves one to another queue, still waiting. */
void wait_queue_wake_thread(struct wait_queue *wq, struct thread *t);
void wait_queue_move(struct wait_queue *from, struct wait_queue *to, struct thread *t);
void sched_cancel_sleep(struct thread *t);
void sched_start(void) __attribute__((noreturn));
int sched_preemptible(void);
void sched_debug_hold(bool hold);

/* wait.c: the libOS's semaphores under their internal names */
void sem_init(struct semaphore *s, int64_t count);
void sem_wait(struct semaphore *s);
void sem_post(struct semaphore *s);

/* wait.c: callers hold interrupts disabled */
void wait_queue_block(struct wait_queue *wq, uint32_t reason, const void *object);
struct thread *wait_queue_wake_one(struct wait_queue *wq);
void wait_queue_wake_all(struct wait_queue *wq);

/* thread.c */
void thread_init(void);
/* A new name, len bytes of name (cut to fit); a thread_rename trace event. */
void thread_rename(struct thread *t, const char *name, size_t len);
/* A thread for application code: its own stack, no libOS stack slot. */
struct thread *thread_create_user(const char *name, uint64_t stack_lo, uint64_t stack_hi);
/* t starts in fn(arg), on its stack below stack_top, then exits with fn's result. */
void thread_set_entry(struct thread *t, thread_fn fn, void *arg, uint64_t stack_top);
void thread_start(struct thread *t);
/* The end of a thread with no joiner: freed once it is off the CPU. */
void thread_exit_detached(void) __attribute__((noreturn));
/* After each switch: what the new thread's first run or a dead thread left to do. */
void thread_first_run(void);
void thread_reap(void);
extern uint32_t user_thread_count;
struct thread *thread_create_idle(void);
int stack_arena_init(uint64_t (*alloc_pages)(uint64_t count), uint64_t slots);
uint64_t stack_arena_start(void);
uint64_t stack_arena_end(void);
struct thread *thread_by_guard_address(uint64_t addr);

/* page.c and malloc.c */
void page_alloc_init(void);
void page_alloc_add_ram(uint64_t start, uint64_t end);
uint64_t page_alloc(uint64_t count);
void page_free(uint64_t addr, uint64_t count);
uint64_t page_alloc_top(void); /* one past the highest RAM address */
bool page_used_run(uint64_t from, uint64_t *start, uint64_t *end);
extern struct uniscope_heap_stats heap_stats;
extern struct uniscope_pages page_map;

/* console.c */
void console_init(void);
void console_write(const char *s, size_t len);
extern struct uniscope_log *console_log;
void console_emergency_write(const char *s, size_t len);

/* panic.c */
extern struct uniscope_panic panic_record;
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A panic that a signal caused (tkill, abort()): a core says that signal. */
void panic_signal(int signal, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* info.c */
void info_init(void);
extern struct uniscope_info uniscope_info;

/* posix/process.c: the process (and the image) ends with this status. */
void process_exit(int status) __attribute__((noreturn));
/* Thread t's copy of the executable's TLS variable at offset: 0 and *addr, or -errno. */

/* boot.c */
const char *cmdline_string(void);
uint64_t boot_acpi_rsdp(void);

#endif
