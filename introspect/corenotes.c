/*
 * The core writer's metadata (see corewrite.c for the memory): which
 * threads, which pages must go in whatever they hold, and the ELF header,
 * program headers and notes in front of the memory.
 *
 * Notes, in Linux's order (corefile.h; the Linux process notes are
 * corelinux.c's):
 *	CORE/NT_PRSTATUS   one per thread, the dead or on-CPU thread first;
 *	                   pr_pid = libOS thread id; every thread carries the
 *	                   death's signal, as Linux cores do; after the first,
 *	CORE/NT_PRPSINFO   the image's name, so GDB can say what ran,
 *	CORE/NT_SIGINFO, NT_AUXV, NT_FILE   the death and the image;
 *	CORE/NT_FPREGSET, LINUX/NT_X86_XSTATE   after each thread's
 *	                   NT_PRSTATUS, its x87/SSE state when known;
 *	UNISCOPE/US_CORE_NOTE_INFO   descriptor address and build-id, last.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniscope/trace.h>
#include "corefile.h"
#include "corewrite.h"

#define KEEP_MAX (64u << 20)        /* one keep range, whatever the guest claims */
#define THREAD_STRUCT_MAX (64u << 10)
#define TRACE_RING_HEADER 128

/* Linux x86-64 struct elf_prpsinfo, as GDB reads it from NT_PRPSINFO. */
struct core_prpsinfo {
	char state, sname, zombie, nice;
	uint32_t pad;
	uint64_t flag;
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[16];
	char psargs[80];
};
_Static_assert(sizeof(struct core_prpsinfo) == 136, "NT_PRPSINFO layout");

void core_warn(struct core_writer *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	us_warning_append(w->warning, sizeof(w->warning), ';', fmt, ap);
	va_end(ap);
}

/* ---- threads ---------------------------------------------------------- */

/* No descriptor or no thread list: the core still holds vCPU 0, as "LWP 1". */
static struct us_error *bare_vcpu(struct core_writer *w, const char *why)
{
	struct us_error *err;

	free(w->threads);
	w->nr_threads = 0;
	if (!(w->threads = calloc(1, sizeof(*w->threads))))
		return &us_error_nomem;
	if ((err = us_target_vcpu_regs(w->t, 0, &w->threads[0].regs)))
		return us_error_prefix(err, "no threads (%s), and", why);
	w->threads[0].cpu = 0;
	w->threads[0].id = 1; /* thread ids start at 1 */
	w->threads[0].regs_source = US_REGS_VCPU;
	snprintf(w->threads[0].name, sizeof(w->threads[0].name), "vCPU 0");
	w->nr_threads = 1;
	core_warn(w, "no libOS threads (%s): the core holds vCPU 0 only", why);
	return NULL;
}

struct us_error *core_collect_threads(struct core_writer *w)
{
	struct us_error *err = us_postmortem_threads(w->t, &w->threads, &w->nr_threads, &w->panic);

	if (!err && w->nr_threads)
		return NULL;
	if (!err)
		return bare_vcpu(w, "the thread list is empty");
	if (w->nr_threads) {
		core_warn(w, "thread list incomplete: %s", err->message);
		us_error_destroy(err);
		return NULL;
	}
	struct us_error *bare = bare_vcpu(w, err->message);
	us_error_destroy(err);
	return bare;
}

/* ---- keep ranges ------------------------------------------------------ */

struct keep_list {
	struct core_keep *ranges;
	size_t count, cap;
	bool failed;
};

static void keep(struct keep_list *l, uint64_t start, uint64_t len)
{
	if (!start || !len)
		return;
	len = len < KEEP_MAX ? len : KEEP_MAX;
	if (start + len < start)
		len = UINT64_MAX - start;
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct core_keep *grown = realloc(l->ranges, cap * sizeof(*grown));
		if (!grown) {
			l->failed = true;
			return;
		}
		l->ranges = grown;
		l->cap = cap;
	}
	l->ranges[l->count++] = (struct core_keep){ start, start + len };
}

static void keep_log(struct us_target *t, struct keep_list *l, uint64_t address)
{
	struct uniscope_log h;
	struct us_error *err = us_target_read(t, address, &h, sizeof(h));

	if (err) {
		us_error_destroy(err);
		return;
	}
	if (h.magic == UNISCOPE_LOG_MAGIC && h.size <= UNISCOPE_LOG_SIZE_MAX)
		keep(l, address, sizeof(h) + h.size);
}

static void keep_trace(struct us_target *t, struct keep_list *l, uint64_t address)
{
	struct uniscope_trace_info ti;
	struct us_error *err = us_target_read(t, address, &ti, sizeof(ti));
	uint64_t ring_bytes;

	if (err) {
		us_error_destroy(err);
		return;
	}
	if (ti.magic != UNISCOPE_TRACE_MAGIC)
		return;
	keep(l, address, sizeof(ti));
	ring_bytes = ti.ring_size < UNISCOPE_TRACE_RING_MAX ? ti.ring_size : UNISCOPE_TRACE_RING_MAX;
	/* Every ring of every kind (the evidence rings are smaller: this keeps a little more). */
	for (uint32_t i = 0; i < (uint32_t)ti.nr_cpus * ti.nr_kinds && i < UNISCOPE_TRACE_MAX_RINGS; i++)
		keep(l, ti.rings[i], TRACE_RING_HEADER + ring_bytes + UNISCOPE_TRACE_RECORD_MAX);
}

static void keep_descriptor(struct core_writer *w, struct keep_list *l)
{
	const struct uniscope_info *info = us_target_info(w->t);
	uint32_t thread_size;

	if (!info)
		return;
	keep(l, us_target_info_address(w->t), sizeof(*info));
	keep(l, info->thread_list, 8);
	keep(l, info->current_thread, 8ull * info->nr_cpus);
	keep(l, info->thread_count, 4);
	keep(l, info->sealed, 4);
	keep(l, info->clock, 8);
	keep(l, info->idle_thread, 8);
	keep(l, info->panic, sizeof(struct uniscope_panic));
	keep(l, info->heap_stats, sizeof(struct uniscope_heap_stats));
	keep(l, info->chan_stats, 6 * 4);
	keep_log(w->t, l, info->console_log);
	keep_trace(w->t, l, info->trace);
	thread_size = info->thread_layout.size;
	thread_size = thread_size < THREAD_STRUCT_MAX ? thread_size : THREAD_STRUCT_MAX;
	for (size_t i = 0; i < w->nr_threads; i++)
		keep(l, w->threads[i].address, thread_size);
}

/*
 * The live part of every stack, from the page of rsp up: a debugger
 * unwinds through it even where it is all zero (a thread that never ran).
 */
static void keep_stacks(struct core_writer *w, struct keep_list *l)
{
	for (size_t i = 0; i < w->nr_threads; i++) {
		const struct us_thread *th = &w->threads[i];
		uint64_t sp = th->regs.rsp & ~(uint64_t)(US_CORE_PAGE - 1);
		bool on_stack = th->stack_hi && th->regs.rsp >= th->stack_lo && th->regs.rsp < th->stack_hi;
		keep(l, sp, on_stack ? th->stack_hi - sp : US_CORE_PAGE);
	}
}

static int keep_order(const void *a, const void *b)
{
	const struct core_keep *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

struct us_error *core_collect_keep_ranges(struct core_writer *w)
{
	struct keep_list l = { 0 };
	size_t n = 0;

	keep_descriptor(w, &l);
	keep_stacks(w, &l);
	for (size_t i = 0; w->image.path && i < w->image.nr_maps; i++) /* what NT_FILE names */
		keep(&l, w->image.maps[i].start, w->image.maps[i].end - w->image.maps[i].start);
	if (l.failed) {
		free(l.ranges);
		return &us_error_nomem;
	}
	if (l.count)
		qsort(l.ranges, l.count, sizeof(*l.ranges), keep_order);
	for (size_t i = 0; i < l.count; i++) { /* merge overlaps: a binary search needs disjoint ranges */
		if (n && l.ranges[i].start <= l.ranges[n - 1].end) {
			if (l.ranges[i].end > l.ranges[n - 1].end)
				l.ranges[n - 1].end = l.ranges[i].end;
		} else {
			l.ranges[n++] = l.ranges[i];
		}
	}
	w->keep = l.ranges;
	w->nr_keep = n;
	return NULL;
}

/* ---- ELF headers and notes -------------------------------------------- */

#define NOTE_SIZE(name_len, desc_len) (12 + (((name_len) + 4) & ~3ul) + (((desc_len) + 3) & ~3ul))
#define NOTES_MAX (64u << 20)

void core_note_add(struct core_notes *n, const char *name, uint32_t type, const void *desc,
		   size_t len)
{
	size_t name_len = strlen(name), size = NOTE_SIZE(name_len, len);
	uint32_t header[3] = { (uint32_t)name_len + 1, (uint32_t)len, type };
	uint8_t *out;

	if (n->failed || len > NOTES_MAX || n->len + size > NOTES_MAX) {
		n->failed = true;
		return;
	}
	if (n->len + size > n->cap) {
		size_t cap = 2 * (n->len + size);
		uint8_t *grown = realloc(n->data, cap);
		if (!grown) {
			n->failed = true;
			return;
		}
		n->data = grown;
		n->cap = cap;
	}
	out = n->data + n->len;
	memset(out, 0, size); /* NULs and padding */
	memcpy(out, header, sizeof(header));
	memcpy(out + 12, name, name_len);
	memcpy(out + 12 + ((name_len + 4) & ~3ul), desc, len);
	n->len += size;
}

static void note_prstatus(struct core_notes *n, const struct core_writer *w,
			  const struct us_thread *th)
{
	struct us_prstatus pr;
	int signal = us_panic_signal(&w->panic);

	memset(&pr, 0, sizeof(pr));
	us_regs_to_prstatus(&pr, &th->regs);
	pr.si_signo = signal;
	pr.cursig = (int16_t)signal;
	pr.pid = (int32_t)th->id;
	pr.pgrp = pr.sid = (int32_t)w->threads[0].id;
	core_note_add(n, "CORE", NT_PRSTATUS, &pr, sizeof(pr));
}

static void note_prpsinfo(struct core_notes *n, const struct core_writer *w)
{
	const char *image = us_target_image(w->t);
	const char *base = image && strrchr(image, '/') ? strrchr(image, '/') + 1 : image;
	struct core_prpsinfo ps;

	memset(&ps, 0, sizeof(ps));
	ps.state = w->panic.kind ? 4 : 0; /* 4: zombie, 0: running */
	ps.sname = w->panic.kind ? 'Z' : 'R';
	ps.pid = ps.pgrp = ps.sid = (int32_t)w->threads[0].id;
	strncpy(ps.fname, base ? base : "unikernel", sizeof(ps.fname) - 1);
	strncpy(ps.psargs, image ? image : us_target_name(w->t), sizeof(ps.psargs) - 1);
	core_note_add(n, "CORE", NT_PRPSINFO, &ps, sizeof(ps));
}

static void note_uniscope(struct core_notes *n, const struct core_writer *w)
{
	const struct uniscope_info *info = us_target_info(w->t);
	struct us_core_note_info note;

	memset(&note, 0, sizeof(note));
	if (info) {
		note.info_address = us_target_info_address(w->t);
		note.build_id_len = info->build_id_len;
		memcpy(note.build_id, info->build_id, sizeof(note.build_id));
	}
	core_note_add(n, US_CORE_NOTE_NAME, US_CORE_NOTE_INFO, &note, sizeof(note));
}

/* In Linux's order: the first thread carries the process notes. */
static struct us_error *build_notes(struct core_writer *w, struct core_notes *n)
{
	for (size_t i = 0; i < w->nr_threads; i++) {
		note_prstatus(n, w, &w->threads[i]);
		if (i == 0) {
			note_prpsinfo(n, w);
			core_note_process(w, n);
		}
		core_note_fpu(w, n, &w->threads[i]);
	}
	note_uniscope(n, w);
	if (n->failed) {
		free(n->data);
		return &us_error_nomem;
	}
	return NULL;
}

static void put_elf_header(uint8_t *out, size_t nr_phdrs)
{
	Elf64_Ehdr eh;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_LINUX; /* Linux's core format; LLDB needs to be told */
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)nr_phdrs;
	memcpy(out, &eh, sizeof(eh));
}

static void put_phdrs(uint8_t *out, struct core_writer *w, uint64_t notes_offset, size_t notes_len)
{
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = notes_offset, .p_filesz = notes_len,
			  .p_align = 4 };
	uint64_t offset = w->data_offset;

	memcpy(out, &ph, sizeof(ph));
	for (size_t i = 0; i < w->nr_segs; i++) {
		struct core_segment *s = &w->segs[i];
		s->offset = offset;
		ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = s->flags, .p_offset = s->offset,
				   .p_vaddr = s->vaddr, .p_paddr = s->paddr, .p_filesz = s->size,
				   .p_memsz = s->size, .p_align = US_CORE_PAGE };
		memcpy(out + (i + 1) * sizeof(ph), &ph, sizeof(ph));
		offset += s->size;
	}
}

struct us_error *core_build_headers(struct core_writer *w, uint8_t **out, size_t *len)
{
	size_t nr_phdrs = 1 + w->nr_segs;
	size_t notes_offset = sizeof(Elf64_Ehdr) + nr_phdrs * sizeof(Elf64_Phdr);
	struct core_notes notes = { 0 };
	struct us_error *err = build_notes(w, &notes);
	uint8_t *buf;

	if (err)
		return err;
	w->data_offset = (notes_offset + notes.len + US_CORE_PAGE - 1) / US_CORE_PAGE * US_CORE_PAGE;
	if (!(buf = calloc(1, w->data_offset))) {
		free(notes.data);
		return &us_error_nomem;
	}
	put_elf_header(buf, nr_phdrs);
	put_phdrs(buf + sizeof(Elf64_Ehdr), w, notes_offset, notes.len);
	memcpy(buf + notes_offset, notes.data, notes.len);
	free(notes.data);
	*out = buf;
	*len = w->data_offset;
	return NULL;
}
