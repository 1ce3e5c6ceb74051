/*
 * The guest's threads, through the descriptor's thread_layout.
 *
 * The all-threads list is singly linked through off_next. The walk is
 * bounded three ways: at most UNISCOPE_MAX_THREADS nodes; Brent's cycle
 * detection (a list that loops back is reported after at most about twice
 * its length, naming the node); and every node copied once, whole, into a
 * local buffer before any field is decoded from it.
 *
 * Registers of a thread, best first: the vCPU's when it is on a CPU; its
 * trap frame when it was preempted (off_trap_frame, checked to lie on its
 * stack); its saved context otherwise.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct thread_walk {
	struct us_target *t;
	const struct uniscope_thread_layout *layout;
	uint8_t *node;   /* the part of one thread structure we decode */
	uint32_t span;   /* its size: up to the end of the last field read */
	uint64_t on_cpu[US_MAX_VCPUS];
	unsigned nr_cpus;
	uint64_t idle;   /* the idle thread's address, 0 unknown */
	struct us_thread *threads;
	size_t count, cap;
	bool regs; /* each thread's registers too (the on-CPU one's cost a monitor query) */
};

static uint32_t field_u32(const uint8_t *node, uint32_t off)
{
	uint32_t v;

	memcpy(&v, node + off, sizeof(v));
	return v;
}

static uint64_t field_u64(const uint8_t *node, uint32_t off)
{
	uint64_t v;

	memcpy(&v, node + off, sizeof(v));
	return v;
}

static void copy_name(char *dst, const uint8_t *src)
{
	size_t i;

	for (i = 0; i < UNISCOPE_THREAD_NAME_MAX - 1 && src[i]; i++)
		dst[i] = isprint(src[i]) ? (char)src[i] : '?';
	dst[i] = 0;
}

static void decode_thread(const struct thread_walk *w, uint64_t address, struct us_thread *th)
{
	const struct uniscope_thread_layout *l = w->layout;
	const uint8_t *n = w->node;

	memset(th, 0, sizeof(*th));
	th->address = address;
	th->id = field_u32(n, l->off_id);
	copy_name(th->name, n + l->off_name);
	th->state = field_u32(n, l->off_state);
	th->wait_reason = field_u32(n, l->off_wait_reason);
	th->wait_object = field_u64(n, l->off_wait_object);
	th->cpu_ns = field_u64(n, l->off_cpu_ns);
	th->switches = field_u64(n, l->off_switches);
	th->wake_ns = field_u64(n, l->off_wake_ns);
	th->stack_lo = field_u64(n, l->off_stack_lo);
	th->stack_hi = field_u64(n, l->off_stack_hi);
	th->trap_frame = l->off_trap_frame ? field_u64(n, l->off_trap_frame) : 0;
	th->fs_base = l->off_fs_base ? field_u64(n, l->off_fs_base) : 0;
	th->state_since = l->off_state_since ? field_u64(n, l->off_state_since) : 0;
	th->idle = w->idle && address == w->idle;
	memcpy(&th->context, n + l->off_context, sizeof(th->context));
	if (th->stack_hi <= th->stack_lo || th->stack_hi - th->stack_lo > US_STACK_SIZE_MAX) {
		snprintf(th->note, sizeof(th->note), "stack bounds 0x%llx-0x%llx are absurd",
			 (unsigned long long)th->stack_lo, (unsigned long long)th->stack_hi);
		th->stack_lo = th->stack_hi = 0;
	}
	th->cpu = -1;
	for (unsigned c = 0; c < w->nr_cpus; c++)
		if (w->on_cpu[c] == address)
			th->cpu = (int)c;
}

static void regs_from_context(struct uniscope_regs *r, const struct uniscope_context *c)
{
	memset(r, 0, sizeof(*r));
	r->rsp = c->rsp, r->rip = c->rip, r->rbp = c->rbp, r->rbx = c->rbx;
	r->r12 = c->r12, r->r13 = c->r13, r->r14 = c->r14, r->r15 = c->r15;
	r->rflags = c->rflags;
}

static void regs_from_trap_frame(struct uniscope_regs *r, const struct uniscope_trap_frame *f)
{
	memset(r, 0, sizeof(*r));
	r->rax = f->rax, r->rbx = f->rbx, r->rcx = f->rcx, r->rdx = f->rdx;
	r->rsi = f->rsi, r->rdi = f->rdi, r->rbp = f->rbp, r->rsp = f->rsp;
	r->r8 = f->r8, r->r9 = f->r9, r->r10 = f->r10, r->r11 = f->r11;
	r->r12 = f->r12, r->r13 = f->r13, r->r14 = f->r14, r->r15 = f->r15;
	r->rip = f->rip, r->rflags = f->rflags, r->cs = f->cs, r->ss = f->ss;
}

static bool trap_frame_on_stack(const struct us_thread *th)
{
	uint64_t f = th->trap_frame;

	if (!th->stack_hi) /* bounds unknown: accept what reads */
		return true;
	return f >= th->stack_lo && f <= th->stack_hi - sizeof(struct uniscope_trap_frame);
}

static void note_problem(struct us_thread *th, const char *what, struct us_error *err)
{
	if (!th->note[0])
		snprintf(th->note, sizeof(th->note), "%s: %s", what, err->message);
	us_error_destroy(err);
}

static bool regs_from_vcpu(struct us_target *t, struct us_thread *th)
{
	struct us_error *err = us_target_vcpu_regs(t, (unsigned)th->cpu, &th->regs);

	if (err) {
		note_problem(th, "vCPU registers unavailable", err);
		return false;
	}
	th->regs_source = US_REGS_VCPU;
	return true;
}

static bool regs_from_trap(struct us_target *t, struct us_thread *th)
{
	struct uniscope_trap_frame frame;
	struct us_error *err;

	if (!th->trap_frame)
		return false;
	if (!trap_frame_on_stack(th))
		err = us_error_create(US_ERR_INVALID, "0x%llx is not on the thread's stack",
				      (unsigned long long)th->trap_frame);
	else
		err = us_target_read(t, th->trap_frame, &frame, sizeof(frame));
	if (err) {
		note_problem(th, "trap frame unusable, saved context used", err);
		return false;
	}
	regs_from_trap_frame(&th->regs, &frame);
	th->regs_source = US_REGS_TRAP_FRAME;
	return true;
}

static void thread_regs(struct us_target *t, struct us_thread *th)
{
	if (th->cpu >= 0 && regs_from_vcpu(t, th))
		return;
	if (!regs_from_trap(t, th)) {
		regs_from_context(&th->regs, &th->context);
		th->regs_source = US_REGS_CONTEXT;
	}
	th->regs.fs_base = th->fs_base; /* its TLS pointer, kept in its structure */
}

static struct us_error *append(struct thread_walk *w, uint64_t address)
{
	if (w->count == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct us_thread *grown = realloc(w->threads, cap * sizeof(*grown));
		if (!grown)
			return &us_error_nomem;
		w->threads = grown;
		w->cap = cap;
	}
	decode_thread(w, address, &w->threads[w->count]);
	if (w->regs)
		thread_regs(w->t, &w->threads[w->count]);
	w->count++;
	return NULL;
}

static struct us_error *read_on_cpu(struct thread_walk *w)
{
	const struct uniscope_info *info = &w->t->info;

	struct us_error *err;

	w->nr_cpus = info->nr_cpus; /* checked <= US_MAX_VCPUS with the descriptor */
	err = us_target_read(w->t, info->current_thread, w->on_cpu, w->nr_cpus * sizeof(uint64_t));
	if (!err && info->idle_thread) /* optional: a guest that cannot say has no idle thread */
		us_error_destroy(us_target_read_u64(w->t, info->idle_thread, &w->idle));
	return err;
}

/*
 * Only the bytes up to the end of the last field we decode are read: a
 * guest claiming 64 KiB threads costs no more than a real one.
 */
static uint32_t layout_span(const struct uniscope_thread_layout *l)
{
	const uint32_t ends[] = {
		l->off_id + 4, l->off_name + UNISCOPE_THREAD_NAME_MAX, l->off_state + 4,
		l->off_wait_reason + 4, l->off_wait_object + 8, l->off_cpu_ns + 8,
		l->off_switches + 8, l->off_stack_lo + 8, l->off_stack_hi + 8,
		l->off_context + (uint32_t)sizeof(struct uniscope_context), l->off_next + 8,
		l->off_wake_ns + 8, l->off_trap_frame + 8,
		l->off_state_since ? l->off_state_since + 8 : 0, l->off_fs_base ? l->off_fs_base + 8 : 0,
	};
	uint32_t span = 0;

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		span = ends[i] > span ? ends[i] : span;
	return span; /* <= layout size: checked with the descriptor */
}

/* Follows next pointers; Brent: remember a node, double the stride each time it is passed. */
static struct us_error *walk_list(struct thread_walk *w, uint64_t node)
{
	uint64_t saved = 0, stride = 1, since_saved = 0;
	struct us_error *err;

	while (node) {
		if (w->count >= UNISCOPE_MAX_THREADS)
			return us_error_create(US_ERR_INVALID, "thread list longer than %u entries "
					       "(corrupt?); stopped", UNISCOPE_MAX_THREADS);
		if ((err = us_target_read(w->t, node, w->node, w->span)))
			return us_error_prefix(err, "thread %zu of the list at 0x%llx", w->count,
					       (unsigned long long)node);
		if ((err = append(w, node)))
			return err;
		node = field_u64(w->node, w->layout->off_next);
		if (node && node == saved)
			return us_error_create(US_ERR_INVALID, "thread list loops back to the thread "
					       "at 0x%llx (corrupt list)", (unsigned long long)node);
		if (++since_saved == stride) {
			saved = node;
			stride *= 2;
			since_saved = 0;
		}
	}
	return NULL;
}

static struct us_error *walk_threads(struct us_target *t, bool regs, struct us_thread **threads,
				     size_t *count)
{
	struct thread_walk w = { .t = t, .layout = &t->info.thread_layout, .regs = regs };
	struct us_error *err;
	uint64_t head;

	*threads = NULL;
	*count = 0;
	if (!t->have_info)
		return us_target_info_error(t);
	w.span = layout_span(w.layout);
	if (!(w.node = malloc(w.span)))
		return &us_error_nomem;
	err = read_on_cpu(&w);
	if (!err)
		err = us_target_read_u64(t, t->info.thread_list, &head);
	if (!err)
		err = walk_list(&w, head);
	free(w.node);
	*threads = w.threads;
	*count = w.count;
	return err ? us_error_prefix(err, "%s", t->name) : NULL;
}

struct us_error *us_target_threads(struct us_target *t, struct us_thread **threads, size_t *count)
{
	return walk_threads(t, true, threads, count);
}

struct us_error *us_target_thread_list(struct us_target *t, struct us_thread **threads, size_t *count)
{
	return walk_threads(t, false, threads, count);
}

/* The names are abi.h's; a value no enum holds (a corrupt guest) is "?". */
const char *us_thread_state_name(uint32_t state)
{
	return state < UNISCOPE_THREAD_STATE_COUNT ? uniscope_thread_state_names[state] : "?";
}

/* No wait reason prints as "-", a column's empty cell. */
const char *us_wait_reason_name(uint32_t reason)
{
	if (reason == UNISCOPE_WAIT_NONE)
		return "-";
	return reason < UNISCOPE_WAIT_REASON_COUNT ? uniscope_wait_reason_names[reason] : "?";
}
