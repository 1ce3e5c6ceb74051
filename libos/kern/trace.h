/*
 * The libOS's built-in trace points and the tracer's kernel interface.
 * Each trace_<event>() below costs a load, a test and a branch while its
 * event is disabled (libos/api/uniscope/trace_point.h). Their metadata is emitted
 * once, by trace.c, which defines LIBOS_TRACE_DEFINE_META.
 */
#ifndef LIBOS_KERN_TRACE_H
#define LIBOS_KERN_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef LIBOS_TRACE_DEFINE_META
#define UNISCOPE_TRACE_META_ELSEWHERE 1
#endif
#include <uniscope/trace_point.h>
#include "arch/x86_64/arch.h"

UNISCOPE_TRACE_POINT(sched_switch, UNISCOPE_TRACE_ID_SCHED_SWITCH,
		     "prev=%t prev_state=%s ==> next=%t",
		     (tid, prev), (state, prev_state), (tid, next))
UNISCOPE_TRACE_POINT(sched_wakeup, UNISCOPE_TRACE_ID_SCHED_WAKEUP, "tid=%t from=%s",
		     (tid, tid), (state, from_state))
UNISCOPE_TRACE_POINT(thread_create, UNISCOPE_TRACE_ID_THREAD_CREATE, "tid=%u name=%s",
		     (tid, tid), (str, name))
UNISCOPE_TRACE_POINT(thread_rename, UNISCOPE_TRACE_ID_THREAD_RENAME, "tid=%u name=%s",
		     (tid, tid), (str, name))
UNISCOPE_TRACE_POINT(thread_exit, UNISCOPE_TRACE_ID_THREAD_EXIT, "tid=%t retval=%x",
		     (tid, tid), (hex, retval))
UNISCOPE_TRACE_POINT(irq_entry, UNISCOPE_TRACE_ID_IRQ_ENTRY, "vector=%u", (u64, vector))
UNISCOPE_TRACE_POINT(irq_exit, UNISCOPE_TRACE_ID_IRQ_EXIT, "vector=%u", (u64, vector))
UNISCOPE_TRACE_POINT(exception, UNISCOPE_TRACE_ID_EXCEPTION, "vector=%u error=%x rip=%x",
		     (u64, vector), (hex, error_code), (hex, rip))
UNISCOPE_TRACE_POINT(timer, UNISCOPE_TRACE_ID_TIMER, "rip=%x", (hex, rip))
UNISCOPE_TRACE_POINT(mutex_contended, UNISCOPE_TRACE_ID_MUTEX_CONTENDED, "mutex=%x owner=%t",
		     (hex, mutex), (tid, owner))
UNISCOPE_TRACE_POINT(console_write, UNISCOPE_TRACE_ID_CONSOLE_WRITE, "len=%u", (u64, len))
UNISCOPE_TRACE_POINT(panic, UNISCOPE_TRACE_ID_PANIC, "kind=%u", (u64, kind))
UNISCOPE_TRACE_POINT(alloc, UNISCOPE_TRACE_ID_ALLOC, "ptr=%x size=%u", (hex, ptr), (u64, size))
UNISCOPE_TRACE_POINT(free, UNISCOPE_TRACE_ID_FREE, "ptr=%x", (hex, ptr))
/* The POSIX layer (libos/posix/syscall.c): every syscall, and what the libOS lacks. */
UNISCOPE_TRACE_POINT(sys_enter, UNISCOPE_TRACE_ID_SYS_ENTER, "%s(%x, %x, %x, %x, %x)",
		     (sysnr, nr), (hex, a0), (hex, a1), (hex, a2), (hex, a3), (hex, a4))
UNISCOPE_TRACE_POINT(sys_exit, UNISCOPE_TRACE_ID_SYS_EXIT, "%s = %d errno=%u",
		     (sysnr, nr), (s64, result), (u64, err))
UNISCOPE_TRACE_POINT(sys_unsupported, UNISCOPE_TRACE_ID_SYS_UNSUPPORTED, "%s detail=%x -ENOSYS",
		     (str, what), (hex, detail))
/*
 * Boot-time options (-append): trace_mask=N (enabled events, default
 * UNISCOPE_TRACE_DEFAULT_MASK), trace_mode=discard, trace_ring=BYTES (a
 * power of two, at most the 256 KiB reserved per CPU).
 */
void trace_init(void);
uint64_t trace_info_address(void);

/* A record is being written by the thread interrupted at that frame: do not preempt it now. */
bool trace_in_record(const trap_frame_t *interrupted);
/* The running thread's id for records, kept by the scheduler. */
extern uint32_t trace_running_tid;

/* Which events record: bit id for event id. For the control channel and the monitor. */
void trace_set_enabled(uint64_t mask);
uint64_t trace_enabled(void);

/*
 * Copies records not yet streamed into buf as whole records (the stream of
 * include/uniscope/trace.h); returns the bytes, 0 when nothing is new.
 * The first call of a stream also writes its STREAM_INFO record. Never
 * blocks; interrupts are off for the copy (at most cap bytes). cap must be
 * at least UNISCOPE_TRACE_DRAIN_MIN + 64.
 */
size_t trace_drain(uint8_t *buf, size_t cap);
/* The next trace_drain() starts a new stream (a host reconnected). */
void trace_drain_restart(void);

#endif
