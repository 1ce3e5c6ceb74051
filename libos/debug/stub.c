/*
 * The in-guest GDB stub: the libOS side of "attach GDB to a live unikernel".
 *
 * The portable RSP engine (gdbstub/) talks to GDB over the channel's gdb
 * frames; this file is its target. The stub is all-stop: it is entered from
 * a trap (int3, debug exception, a fault or panic, Ctrl-C arriving on the
 * channel, or the first packet of a debugger attaching) with interrupts off,
 * and polls the channel until GDB resumes. While it runs no thread runs and
 * no timer fires.
 *
 * Every libOS thread is a GDB thread with its own id (TID_OF, debug.h). The thread that
 * trapped has its registers in the trap frame; a preempted thread in its
 * own trap frame; a blocked one in its saved context, which is where
 * register writes go back too. Threads are found by bounded, checked walks
 * (walk.c): a corrupt thread list is an error reply, never a hang.
 *
 * A debugger's state lives here until it goes: breakpoints, watchpoints, a
 * pending single step, no-ack mode. It goes by detaching (D), by the host
 * saying so (CHAN_CTL_DEBUGGER_GONE: the client vanished, detached or was
 * cut off), or implicitly when a new client starts (qSupported, or a '+'
 * in no-ack mode). Each time all of it is dropped and a stopped image runs
 * again, so the next client finds the image as if no one had been there.
 *
 * The profile's half (stub_full.c or stub_sealed.c, picked by the
 * Makefile) decides whether memory and registers may be written and how
 * software breakpoints are served.
 */
#include <stdio.h>
#include <string.h>
#include <uniscope/chan.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/debugreg.h"
#include "arch/x86_64/paging.h"
#include "debug.h"
#include "debug/hooks.h"
#include "kern/channel.h"

static struct {
	struct gdb_engine engine;
	bool ready;   /* debug_init has run: bytes before that are dropped (GDB resends) */
	bool stopped;
	bool debugger_attached; /* a debugger has spoken since it last left */
	bool interrupt_pending;
	const uint8_t *pending; /* what the attaching debugger sent first */
	size_t pending_len;
	trap_frame_t *frame;     /* the trapping thread's registers */
	struct thread *stopped_thread;
	struct thread *stepping; /* resumed with TF set, until its step is reported */
	/* A step alone (the others stay stopped) runs with interrupts masked: */
	bool step_masked;
	bool step_saved_if;      /* the thread's own IF, given back after the step */
	uint8_t step_opcode;     /* the stepped instruction's opcode, prefixes skipped */
	bool dying;              /* stopped in a dead image: never wait with interrupts on */
} stub;

/* After the last input, poll this long before waiting for an interrupt. */
#define STUB_SPIN_NS 200000ull

void stub_refuse_because(const char *why)
{
	gdb_engine_error_message(&stub.engine, why);
}

static void regs_from_context(struct uniscope_regs *r, const struct uniscope_context *c)
{
	memset(r, 0, sizeof(*r));
	r->rsp = c->rsp;
	r->rip = c->rip;
	r->rbp = c->rbp;
	r->rbx = c->rbx;
	r->r12 = c->r12;
	r->r13 = c->r13;
	r->r14 = c->r14;
	r->r15 = c->r15;
	r->rflags = c->rflags;
	r->cs = 0x08;
	r->ss = r->ds = r->es = 0x10;
	r->cr0 = read_cr0();
	r->cr3 = read_cr3();
	r->cr4 = read_cr4();
}

/* A preempted thread's trap frame, checked; the trapping thread's own. */
static trap_frame_t *frame_of(struct thread *t)
{
	if (t == stub.stopped_thread)
		return stub.frame;
	return stub_trap_frame_ok(t->trap_frame) ? t->trap_frame : 0;
}

/* tid 0: the thread that trapped (GDB asked before any thread was named). */
static int thread_of(int64_t tid, struct thread **t)
{
	if (tid)
		return stub_thread_find(tid, t);
	*t = stub.stopped_thread;
	return *t ? 0 : GDB_ERR_NO_THREAD;
}

struct thread *debug_thread(int64_t tid)
{
	struct thread *t;

	return thread_of(tid, &t) == 0 ? t : 0;
}

static int read_registers(void *ctx, int64_t tid, struct uniscope_regs *regs)
{
	struct thread *t;
	int rc = thread_of(tid, &t);

	(void)ctx;
	if (rc < 0)
		return rc;
	if (frame_of(t))
		regs_from_trap_frame(regs, frame_of(t));
	else
		regs_from_context(regs, &t->context);
	regs->fs_base = t->fs_base; /* the thread's own, not the CPU's: its TLS pointer */
	return 0;
}

static void frame_from_regs(trap_frame_t *f, const struct uniscope_regs *r)
{
	f->rax = r->rax, f->rbx = r->rbx, f->rcx = r->rcx, f->rdx = r->rdx;
	f->rsi = r->rsi, f->rdi = r->rdi, f->rbp = r->rbp, f->r8 = r->r8;
	f->r9 = r->r9, f->r10 = r->r10, f->r11 = r->r11, f->r12 = r->r12;
	f->r13 = r->r13, f->r14 = r->r14, f->r15 = r->r15;
	f->rip = r->rip;
	f->rflags = (r->rflags & 0xcd5) | (f->rflags & ~0xcd5ull); /* arithmetic flags, TF, DF */
	/* rsp of a kernel-mode frame: changing it would move the frame itself. */
}

#ifndef UNISCOPE_DEBUG_SEALED /* the sealed profile's packets never get here (gdbstub/commands.c) */
static int write_registers(void *ctx, int64_t tid, const struct uniscope_regs *r)
{
	struct thread *t;
	int rc = stub_may_write_registers();

	(void)ctx;
	if (rc < 0 || (rc = thread_of(tid, &t)) < 0)
		return rc;
	if (frame_of(t)) {
		frame_from_regs(frame_of(t), r);
		return 0;
	}
	t->context.rip = r->rip, t->context.rsp = r->rsp, t->context.rbp = r->rbp;
	t->context.rbx = r->rbx, t->context.r12 = r->r12, t->context.r13 = r->r13;
	t->context.r14 = r->r14, t->context.r15 = r->r15;
	return 0;
}
#endif

int stub_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	(void)ctx;
	while (done < len && paging_is_mapped(addr + done)) {
		size_t in_page = PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));
		size_t n = len - done < in_page ? len - done : in_page;
		memcpy((uint8_t *)buf + done, (const void *)(addr + done), n);
		done += n;
	}
	return done ? (int)done : GDB_ERR_FAULT;
}

static const uint8_t slot_kind_of[] = {
	[GDB_BP_HARDWARE] = DEBUG_SLOT_EXEC, [GDB_WATCH_WRITE] = DEBUG_SLOT_WRITE,
	[GDB_WATCH_READ] = DEBUG_SLOT_READ, [GDB_WATCH_ACCESS] = DEBUG_SLOT_ACCESS,
};

static int insert_breakpoint(void *ctx, enum gdb_breakpoint_type type, uint64_t addr, uint32_t kind)
{
	int slot;

	(void)ctx;
	if (type == GDB_BP_SOFTWARE)
		return stub_sw_breakpoint_insert(addr);
	if (type > GDB_WATCH_ACCESS)
		return GDB_ERR_UNSUPPORTED;
	slot = debug_slot_insert(slot_kind_of[type], addr, type == GDB_BP_HARDWARE ? 1 : kind);
	if (slot == -1) {
		stub_refuse_because("the CPU watches 1, 2, 4 or 8 aligned bytes");
		return GDB_ERR_INVALID;
	}
	if (slot < 0) {
		stub_refuse_because("all 4 debug registers in use");
		return GDB_ERR_NO_SPACE;
	}
	return 0;
}

static int remove_breakpoint(void *ctx, enum gdb_breakpoint_type type, uint64_t addr, uint32_t kind)
{
	(void)ctx;
	(void)kind;
	if (type == GDB_BP_SOFTWARE)
		return stub_sw_breakpoint_remove(addr);
	if (type > GDB_WATCH_ACCESS)
		return GDB_ERR_UNSUPPORTED;
	return debug_slot_remove(slot_kind_of[type], addr) == 0 ? 0 : GDB_ERR_INVALID;
}

/* A list broken part way ends where it broke: GDB sees the threads before it. */
static size_t list_threads(void *ctx, size_t first, int64_t *tids, size_t max)
{
	struct thread_walk w;
	size_t index = 0, n = 0;

	(void)ctx;
	for (struct thread *t = thread_walk_first(&w); t && n < max; t = thread_walk_next(&w), index++)
		if (index >= first)
			tids[n++] = TID_OF(t);
	return n;
}

const char *stub_thread_state_name(uint32_t state)
{
	return state < UNISCOPE_THREAD_STATE_COUNT ? uniscope_thread_state_names[state] : "?";
}

static int thread_info(void *ctx, int64_t tid, struct gdb_thread_info *info)
{
	struct thread *t;
	int rc = stub_thread_find(tid, &t);
	uint32_t state, wait;

	(void)ctx;
	if (rc < 0)
		return rc;
	memcpy(info->name, t->name, sizeof(info->name));
	info->name[sizeof(info->name) - 1] = 0;
	state = t->state, wait = t->wait_reason; /* read once: the checks hold for what is used */
	if (state < UNISCOPE_THREAD_STATE_COUNT && wait && wait < UNISCOPE_WAIT_REASON_COUNT)
		snprintf(info->state, sizeof(info->state), "%s (%s)", uniscope_thread_state_names[state],
			 uniscope_wait_reason_names[wait]);
	else
		snprintf(info->state, sizeof(info->state), "%s",
			 t == stub.stopped_thread ? "running" : stub_thread_state_name(state));
	info->core = 0;
	return 0;
}

static bool thread_alive(void *ctx, int64_t tid)
{
	struct thread *t;

	(void)ctx;
	return stub_thread_find(tid, &t) == 0 && t->state != UNISCOPE_THREAD_EXITED;
}

enum { OP_PUSHF = 0x9c, OP_POPF = 0x9d, OP_IRET = 0xcf, OP_HLT = 0xf4, OP_CLI = 0xfa, OP_STI = 0xfb };

/* The opcode at pc past legacy and REX prefixes, or 0 when unreadable. */
static uint8_t opcode_at(uint64_t pc)
{
	uint8_t insn[5] = { 0 };
	int n = stub_read_memory(0, pc, insn, sizeof(insn));

	for (int i = 0; i < n; i++) {
		uint8_t b = insn[i];
		bool prefix = (b >= 0x40 && b <= 0x4f) || b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 ||
			      b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
		if (!prefix)
			return b;
	}
	return 0;
}

/*
 * GDB steps one thread alone (vCont;s:TID with no default action) when it
 * steps off a breakpoint, and trusts that no other thread runs meanwhile.
 * On one CPU that holds when no interrupt can come: the step runs with IF
 * clear, and the thread's own IF is given back afterwards, as far as the
 * instruction itself did not set it (popf, iret, cli, sti) or save it
 * (pushf, whose pushed copy is mended). A hlt is stepped as it is: it
 * would never wake with interrupts masked.
 */
static void mask_step(trap_frame_t *f)
{
	stub.step_opcode = opcode_at(f->rip);
	if (stub.step_opcode == OP_HLT)
		return;
	stub.step_masked = true;
	stub.step_saved_if = (f->rflags & RFLAGS_IF) != 0;
	f->rflags &= ~RFLAGS_IF;
}

static void unmask_step(trap_frame_t *f)
{
	uint64_t *pushed = (uint64_t *)f->rsp;

	if (!stub.step_masked)
		return;
	stub.step_masked = false;
	if (stub.step_opcode == OP_POPF || stub.step_opcode == OP_IRET || stub.step_opcode == OP_CLI ||
	    stub.step_opcode == OP_STI)
		return;
	if (stub.step_opcode == OP_PUSHF && stub_object_ok(pushed, sizeof(*pushed), 8) && stub.step_saved_if)
		*pushed |= RFLAGS_IF;
	if (stub.step_saved_if)
		f->rflags |= RFLAGS_IF;
}

/*
 * A step that will not be reported: the stepping thread was preempted
 * before its instruction (TF waits in its trap frame) and something else
 * stopped the image first, or its debugger left. Left there, TF would
 * trap long after, at an address nobody stepped.
 */
static void cancel_step(void)
{
	struct thread *t = stub.stepping;
	trap_frame_t *f = 0;

	stub.stepping = 0;
	if (!t)
		return;
	if (t == current)
		f = stub.stopped ? stub.frame : trap_current_frame;
	else if (stub_thread_ok(t) && stub_trap_frame_ok(t->trap_frame))
		f = t->trap_frame;
	if (f) {
		f->rflags &= ~RFLAGS_TF;
		unmask_step(f);
	}
	stub.step_masked = false;
}

/* True when the only thing that runs is one thread's single step. */
static bool steps_alone(const struct gdb_resume *r)
{
	return r->others.kind == GDB_RESUME_NONE && r->nr_threads == 1 && r->threads[0].kind == GDB_RESUME_STEP;
}

/*
 * Which threads run and which step: resume_plan.c (holds, and the steps of
 * switched-out threads). The stopped thread's own step is tracked here
 * (stub.stepping), masked when it steps alone.
 */
static int resume(void *ctx, const struct gdb_resume *r)
{
	int rc = debug_resume_plan(r, stub.stopped_thread, stub.frame);
	bool step = stub.frame && (stub.frame->rflags & RFLAGS_TF);

	(void)ctx;
	if (rc < 0)
		return rc;
	if (step && steps_alone(r))
		mask_step(stub.frame);
	stub.stepping = step ? stub.stopped_thread : 0;
	stub.stopped = false;
	return 0;
}

static void let_run(void)
{
	if (stub.frame)
		stub.frame->rflags = (stub.frame->rflags & ~RFLAGS_TF) | RFLAGS_RF;
	stub.stopped = false;
}

/* What a client leaves behind when it goes, in any state. */
static void forget_client_state(void)
{
	stub_sw_breakpoints_clear();
	debug_slots_clear();
	cancel_step();
	debug_resume_forget(); /* holds and a switched-out thread's step */
	mailbox_discard_input();
	stub.interrupt_pending = false;
}

static void detach(void *ctx)
{
	(void)ctx;
	forget_client_state();
	let_run();
	stub.debugger_attached = false;
}

static void kill_image(void *ctx)
{
	(void)ctx;
	process_exit(137);
}

static const struct gdb_target_ops stub_ops = {
	.read_registers = read_registers,
#ifndef UNISCOPE_DEBUG_SEALED
	.write_registers = write_registers,
#endif
	.read_fpu = debug_fpu_read,
	.has_avx = debug_fpu_has_avx,
#ifdef UNISCOPE_DEBUG_FULL
	.write_fpu = debug_fpu_write,
#endif
	.read_memory = stub_read_memory,
	.write_memory = stub_write_memory,
	.list_threads = list_threads,
	.thread_info = thread_info,
	.thread_alive = thread_alive,
	.insert_breakpoint = insert_breakpoint,
	.remove_breakpoint = remove_breakpoint,
	.resume = resume,
	.detach = detach,
	.kill = kill_image,
};

static void transport_put(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (!mailbox_send(buf, len))
		channel_send(CHAN_GDB, buf, len);
}

/* While stopped: the channel, and the mailbox when the host uses it. True when anything came. */
static bool poll_debugger_input(void)
{
	uint8_t buf[256];
	size_t n = channel_poll();

	if (stub.stopped && (n = mailbox_receive(buf, sizeof(buf))) > 0)
		debug_channel_input(buf, n);
	return n > 0;
}

/*
 * Waiting for the debugger. A vCPU spinning in a poll loop holds a host
 * CPU, and on a loaded host the scheduler makes a spinner wait its turn,
 * in milliseconds, while a halted vCPU woken by an interrupt runs at once.
 * So after a short spin the stub halts with interrupts on: the host knocks
 * (one byte, mailbox.h) after each write to the mailbox, the console's
 * interrupt ends the halt, and the timer's tick (which runs nothing while
 * the world is stopped, debug_world_stopped) bounds it. Only with the
 * mailbox in use, and never in a dying image, whose handlers may be the
 * broken thing.
 */
static void wait_for_debugger(uint64_t *quiet_since)
{
	if (stub.dying || !mailbox_host_attached() || clock_ns() - *quiet_since < STUB_SPIN_NS)
		return;
	__asm__ volatile("sti; hlt; cli" ::: "memory"); /* sti's shadow: no interrupt is lost */
	*quiet_since = clock_ns() - STUB_SPIN_NS / 2;   /* look a little before halting again */
}

bool debug_world_stopped(void)
{
	return stub.stopped;
}

/*
 * A debugger has spoken, or one is connecting: the host attaches the
 * mailbox when a client connects, before its first packet, which would
 * otherwise wait (seconds, on a loaded host) behind a trace stream
 * draining at the line's full rate.
 */
bool debug_client_attached(void)
{
	return stub.debugger_attached || mailbox_host_attached();
}

/*
 * Stop the world and serve the debugger until it resumes. Runs on the
 * trapping thread's stack, interrupts off. `thread` is the one whose
 * registers frame holds: current, but for a step, the thread that stepped
 * (schedule() names the next thread current a few instructions before it
 * leaves the old one's stack).
 */
static void stub_stop(trap_frame_t *frame, const struct gdb_stop *why, bool report, struct thread *thread)
{
	uint64_t flags = irq_save();

	if (stub.stepping != thread)
		cancel_step();
	stub.stepping = 0;
	debug_slots_suspend(true);
	stub.frame = frame;
	stub.stopped_thread = thread;
	stub.stopped = true;
	if (thread)
		thread->wait_reason = UNISCOPE_WAIT_DEBUGGER;
	if (report)
		gdb_engine_report_stop(&stub.engine, why);
	else
		gdb_engine_set_stop(&stub.engine, why);
	if (stub.pending) {
		const uint8_t *first = stub.pending;
		stub.pending = 0;
		gdb_engine_input(&stub.engine, first, stub.pending_len);
	}
	irq_acknowledge_early(frame);
	for (uint64_t quiet_since = clock_ns(); stub.stopped;) {
		if (poll_debugger_input())
			quiet_since = clock_ns();
		else
			wait_for_debugger(&quiet_since);
	}
	if (thread)
		thread->wait_reason = UNISCOPE_WAIT_NONE;
	stub.frame = 0;
	debug_slots_suspend(false);
	irq_restore(flags);
}

static struct gdb_stop stop_for(int signal, struct thread *thread)
{
	return (struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .signal = (uint8_t)signal,
				  .tid = thread ? TID_OF(thread) : 0 };
}

/* A debugger's first bytes while the image runs: stop first, so it finds it stopped. */
static void attach_stop(const uint8_t *data, size_t len)
{
	struct gdb_stop why = stop_for(GDB_SIGNAL_INT, current);

	stub.pending = data;
	stub.pending_len = len;
	stub_stop(trap_current_frame, &why, false, current);
}

/* Bytes of the gdb channel, from the receive interrupt or from channel_poll(). */
void debug_channel_input(const uint8_t *data, size_t len)
{
	unsigned events;
	bool was_running = !stub.stopped;

	if (!stub.ready || len == 0)
		return; /* len 0: an older host's knock, which only had to wake us */
	if (!stub.debugger_attached) {
		/* A debugger starts with a packet: a stray ack (the last one of a client that detached) is not one. */
		if (!memchr(data, '$', len))
			return;
		stub.debugger_attached = true;
		gdb_engine_reset(&stub.engine);
		if (was_running) {
			attach_stop(data, len);
			return;
		}
	}
	events = gdb_engine_input(&stub.engine, data, len);
	if (events & GDB_EVENT_NEW_CLIENT) {
		/* The last client left without a word reaching us: drop what it set. */
		forget_client_state();
		if (was_running && !stub.stopped) {
			attach_stop(0, 0);
			return;
		}
	}
	if ((events & GDB_EVENT_INTERRUPT) && was_running)
		stub.interrupt_pending = true;
	if (stub.interrupt_pending && !stub.stopped) {
		struct gdb_stop why = stop_for(GDB_SIGNAL_INT, current);
		stub.interrupt_pending = false;
		stub_stop(trap_current_frame, &why, true, current);
	}
}

void debug_interrupt_request(void)
{
	if (!stub.stopped && stub.debugger_attached) {
		struct gdb_stop why = stop_for(GDB_SIGNAL_INT, current);
		stub_stop(trap_current_frame, &why, true, current);
	}
}

/*
 * The host's word that the client left (CHAN_CTL_DEBUGGER_GONE): whatever
 * it was doing, half-read packet, no-ack mode, breakpoints, a step; and a
 * stopped image runs again. Called from the channel, so from the receive
 * interrupt or from inside the stop loop.
 */
void debug_client_gone(void)
{
	if (!stub.ready)
		return;
	forget_client_state();
	mailbox_detach_host();
	gdb_engine_reset(&stub.engine);
	stub.debugger_attached = false;
	if (stub.stopped)
		let_run();
}

static uint8_t watch_reason(const struct debug_slot *s)
{
	switch (s->kind) {
	case DEBUG_SLOT_WRITE: return GDB_REASON_WATCH;
	case DEBUG_SLOT_READ: return GDB_REASON_RWATCH;
	case DEBUG_SLOT_ACCESS: return GDB_REASON_AWATCH;
	default: return s->software ? GDB_REASON_SWBREAK : GDB_REASON_HWBREAK;
	}
}

/*
 * A #DB that no slot explains is a single step; it is the debugger's only
 * while a step is under way. Any other (a step whose debugger left, whose
 * TF was left behind) is dropped here, with TF, instead of stopping the
 * image for no one. The step is the stepping thread's even when current
 * already names the next one (see stub_stop).
 */
static bool step_expected(void)
{
	return stub.debugger_attached && stub.stepping;
}

/* #DB: a slot's breakpoint or watchpoint, or a step. Returns 1 when it was the debugger's. */
static int debug_exception(trap_frame_t *frame)
{
	struct gdb_stop why = stop_for(GDB_SIGNAL_TRAP, current);
	struct thread *thread = current;
	bool planned = false;
	uint64_t dr6;
	int slot;

	debug_slots_suspend(true); /* reading the watched bytes must not trap again */
	slot = debug_slot_hit(&dr6);
	if (slot == -1) {
		enum debug_step_trap st = debug_step_trap(frame, dr6);
		if (st == DEBUG_STEP_PASSING) { /* on its way into a switched-out thread that steps */
			debug_slots_suspend(false);
			frame->rflags |= RFLAGS_RF;
			return 1;
		}
		planned = st == DEBUG_STEP_ARRIVED;
	}
	if (slot == -2 || (slot == -1 && !step_expected() && !planned)) {
		debug_slots_suspend(false);
		if (slot == -1)
			frame->rflags &= ~RFLAGS_TF;
		frame->rflags |= RFLAGS_RF;
		return 1; /* a write to a read watchpoint, or a stale step */
	}
	if (slot >= 0) {
		why.reason = watch_reason(debug_slot(slot));
		why.watch_addr = debug_slot(slot)->addr;
	}
	if ((dr6 & DR6_SINGLE_STEP) && step_expected()) {
		thread = stub.stepping;
		why.tid = TID_OF(thread);
		unmask_step(frame);
	}
	stub_stop(frame, &why, stub.debugger_attached, thread);
	return 1;
}

/* #DB and int3. Returns 1 when the trap was the debugger's. */
int debug_trap(trap_frame_t *frame)
{
	struct gdb_stop why = stop_for(GDB_SIGNAL_TRAP, current);

	if (frame->vector != 3)
		return debug_exception(frame);
	if (stub_sw_breakpoint_at(frame->rip - 1)) {
		frame->rip--; /* back onto the int3 GDB asked for */
		why.reason = GDB_REASON_SWBREAK;
	}
	stub_stop(frame, &why, stub.debugger_attached, current);
	return 1;
}

/* A dying image waits for its debugger, if one is attached, until it leaves. */
void debug_enter_on_death(struct uniscope_regs *regs, int signal)
{
	struct gdb_stop why = stop_for(signal, current);
	trap_frame_t frame = { 0 };

	if (!stub.debugger_attached || !channel_framed())
		return;
	stub.dying = true;
	frame_from_regs(&frame, regs);
	/* A frame of our own: rsp and all of rflags are free to take. */
	frame.rsp = regs->rsp, frame.rflags = regs->rflags, frame.cs = regs->cs, frame.ss = regs->ss;
	while (stub.debugger_attached)
		stub_stop(&frame, &why, true, current); /* resuming a dead image just stops it again */
}

/*
 * Stop at boot when the command line says gdb=wait, unless a debugger is
 * already attached: it attached during boot (stopping the image then), and
 * has since resumed it on purpose.
 */
void debug_boot_wait(void)
{
	const char *mode = cmdline_get("gdb");

	if (mode && !strcmp(mode, "wait") && !stub.debugger_attached)
		__asm__ volatile("int3");
}

void debug_init(void)
{
	static const struct gdb_transport transport = { transport_put, 0 };

	gdb_engine_init(&stub.engine, &stub_ops, 0, &transport);
	mailbox_init();
	stub.ready = true;
}
