/*
 * The core-file backend: read-only guest memory and vCPU registers from an
 * ELF core (formats in corefile.h), QEMU's or uniscope's own.
 *
 * Memory is the PT_LOAD segments, sorted by address (p_paddr for QEMU
 * cores, p_vaddr for uniscope cores); a read crossing segment edges is
 * split, and an address no segment holds is a fault. Bytes a segment
 * declares but the file does not hold (memsz > filesz, or a truncated
 * file) read as a gap, not as garbage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"
#include "corefile.h"
#include "elf.h"

#define CORE_MAX_VCPUS 256
#define QEMU_NOTE_CPU_STATE 0

struct core_segment {
	uint64_t start, end;     /* guest addresses with file bytes */
	const uint8_t *bytes;
};

struct core_backend {
	struct us_elf *elf;
	struct core_segment *segs;
	struct us_mem_range *ranges;
	size_t nr_segs;
	uint64_t missing; /* bytes segments declare past the end of the file */
	struct uniscope_regs vcpus[CORE_MAX_VCPUS];
	bool vcpu_has_cr3[CORE_MAX_VCPUS];
	unsigned nr_prstatus, nr_qemu_states;
	bool uniscope;
	struct us_core_note_info info_note;
	char image[US_PATH_MAX];          /* the image NT_FILE records, or "" */
	char psargs_image[80];            /* older cores: the one NT_PRPSINFO names */
	struct uniscope_fxsave fpu;       /* the first thread's x87/SSE state */
	bool have_fpu;
};

static const struct core_segment *segment_at(const struct core_backend *cb, uint64_t addr)
{
	size_t lo = 0, hi = cb->nr_segs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < cb->segs[mid].start)
			hi = mid;
		else if (addr >= cb->segs[mid].end)
			lo = mid + 1;
		else
			return &cb->segs[mid];
	}
	return NULL;
}

static struct us_error *core_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct core_backend *cb = ctx;
	uint8_t *out = buf;

	while (len > 0) {
		const struct core_segment *s = segment_at(cb, addr);
		size_t take;
		if (!s)
			return us_error_fault(addr, "address 0x%llx is not in the core file",
					      (unsigned long long)addr);
		take = s->end - addr < len ? (size_t)(s->end - addr) : len;
		memcpy(out, s->bytes + (addr - s->start), take);
		out += take;
		addr += take;
		len -= take;
	}
	return NULL;
}

static struct us_error *core_regs(void *ctx, unsigned vcpu, struct uniscope_regs *regs)
{
	struct core_backend *cb = ctx;
	unsigned n = cb->nr_qemu_states > cb->nr_prstatus ? cb->nr_qemu_states : cb->nr_prstatus;

	if (cb->uniscope && vcpu == 0 && cb->nr_prstatus > 0)
		n = 1; /* the first thread is the one that was on the CPU */
	if (vcpu >= n)
		return us_error_create(US_ERR_NOT_FOUND, "the core file has no registers for vCPU %u",
				       vcpu);
	*regs = cb->vcpus[vcpu];
	return NULL;
}

static struct us_error *core_fpu(void *ctx, unsigned vcpu, struct uniscope_fxsave *fx)
{
	struct core_backend *cb = ctx;

	if (vcpu != 0 || !cb->have_fpu)
		return us_error_create(US_ERR_NOT_FOUND, "the core file has no x87/SSE state for "
				       "vCPU %u", vcpu);
	*fx = cb->fpu;
	return NULL;
}

static struct us_error *core_no_op(void *ctx)
{
	(void)ctx;
	return NULL;
}

static void core_close(void *ctx)
{
	struct core_backend *cb = ctx;

	if (!cb)
		return;
	us_elf_close(cb->elf);
	free(cb->segs);
	free(cb->ranges);
	free(cb);
}

static const struct us_backend_ops core_ops = {
	.read_phys = core_read,
	.read_vcpu_regs = core_regs,
	.pause = core_no_op,
	.resume = core_no_op,
	.close = core_close,
	.read_vcpu_fpu = core_fpu,
};

static void note_prstatus(struct core_backend *cb, const void *desc, size_t size)
{
	struct us_prstatus p;
	struct uniscope_regs r;
	unsigned i = cb->nr_prstatus;

	if (size < sizeof(p) || i >= CORE_MAX_VCPUS)
		return;
	memcpy(&p, desc, sizeof(p));
	us_regs_from_prstatus(&r, &p);
	if (cb->vcpu_has_cr3[i]) { /* a QEMU note came first: keep its control registers */
		r.cr0 = cb->vcpus[i].cr0, r.cr2 = cb->vcpus[i].cr2;
		r.cr3 = cb->vcpus[i].cr3, r.cr4 = cb->vcpus[i].cr4;
	}
	cb->vcpus[i] = r;
	cb->nr_prstatus++;
}

static void note_qemu_cpu_state(struct core_backend *cb, const void *desc, size_t size)
{
	struct us_qemu_cpu_state s;
	unsigned i = cb->nr_qemu_states;

	if (size < sizeof(s) || i >= CORE_MAX_VCPUS)
		return;
	memcpy(&s, desc, sizeof(s));
	us_regs_from_qemu_cpu_state(&cb->vcpus[i], &s); /* complete: supersedes NT_PRSTATUS */
	cb->vcpu_has_cr3[i] = true;
	cb->nr_qemu_states++;
}

/* A path the core names, if it is absolute and fits. */
static void take_path(char *dst, size_t cap, const char *path, size_t len)
{
	if (!dst[0] && len > 1 && len < cap && path[0] == '/') {
		memcpy(dst, path, len);
		dst[len] = 0;
	}
}

/* NT_FILE: count, page size, count x (start, end, offset), count names. The
 * image is the file mapped from its offset 0 (corelinux.c). */
static void note_file(struct core_backend *cb, const uint8_t *desc, size_t size)
{
	const char *names, *end = (const char *)desc + size;
	uint64_t count, offset;

	if (size < 16)
		return;
	memcpy(&count, desc, sizeof(count));
	if (count == 0 || count > (size - 16) / 24)
		return;
	names = (const char *)desc + 16 + count * 24;
	for (uint64_t i = 0; i < count && names < end; i++) {
		const char *nul = memchr(names, 0, (size_t)(end - names));
		if (!nul)
			return;
		memcpy(&offset, desc + 16 + i * 24 + 16, sizeof(offset));
		if (offset == 0) {
			take_path(cb->image, sizeof(cb->image), names, (size_t)(nul - names));
			return;
		}
		names = nul + 1;
	}
}

/* NT_PRPSINFO's pr_psargs: the image's path in cores written before NT_FILE. */
static void note_prpsinfo(struct core_backend *cb, const uint8_t *desc, size_t size)
{
	enum { PSARGS_AT = 56, PSARGS_LEN = 80 };

	if (size >= PSARGS_AT + PSARGS_LEN)
		take_path(cb->psargs_image, sizeof(cb->psargs_image), (const char *)desc + PSARGS_AT,
			  strnlen((const char *)desc + PSARGS_AT, PSARGS_LEN - 1));
}

static void note_fpregset(struct core_backend *cb, const void *desc, size_t size)
{
	if (cb->nr_prstatus == 1 && !cb->have_fpu && size >= sizeof(cb->fpu)) {
		memcpy(&cb->fpu, desc, sizeof(cb->fpu));
		cb->have_fpu = true;
	}
}

static int core_note(void *arg, const char *name, uint32_t type, const void *desc, size_t size)
{
	struct core_backend *cb = arg;

	if (!strcmp(name, "CORE") && type == US_ELF_NT_PRSTATUS)
		note_prstatus(cb, desc, size);
	else if (!strcmp(name, "CORE") && type == US_ELF_NT_FILE)
		note_file(cb, desc, size);
	else if (!strcmp(name, "CORE") && type == US_ELF_NT_PRPSINFO)
		note_prpsinfo(cb, desc, size);
	else if (!strcmp(name, "CORE") && type == US_ELF_NT_FPREGSET)
		note_fpregset(cb, desc, size);
	else if (!strcmp(name, "QEMU") && type == QEMU_NOTE_CPU_STATE)
		note_qemu_cpu_state(cb, desc, size);
	else if (!strcmp(name, US_CORE_NOTE_NAME) &&
		 (type == US_CORE_NOTE_INFO || type == US_CORE_NOTE_INFO_OLD) &&
		 size >= sizeof(cb->info_note)) {
		memcpy(&cb->info_note, desc, sizeof(cb->info_note));
		cb->uniscope = true;
	}
	return 0;
}

static int segment_order(const void *a, const void *b)
{
	const struct core_segment *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Sorted segments made disjoint: where they overlap, the one that starts
 * first wins (all of it, against every later one, not only its
 * neighbour's), and what is left empty goes. Each start moves with its
 * bytes.
 */
static void clip_overlaps(struct core_backend *cb)
{
	uint64_t covered = 0; /* the end of what earlier segments hold */
	size_t kept = 0;

	for (size_t i = 0; i < cb->nr_segs; i++) {
		struct core_segment s = cb->segs[i];
		if (kept && s.start < covered) {
			if (s.end <= covered)
				continue;
			s.bytes += covered - s.start;
			s.start = covered;
		}
		cb->segs[kept++] = s;
		covered = s.end;
	}
	cb->nr_segs = kept;
}

/* Keeps the loadable segments with file bytes, clipped to the file, sorted, no overlaps. */
static struct us_error *core_collect_segments(struct core_backend *cb)
{
	struct us_elf_segment *phdrs;
	size_t nr_phdrs, file_size;
	const uint8_t *file = us_elf_bytes(cb->elf, &file_size);
	struct us_error *err;

	if ((err = us_elf_segments(cb->elf, &phdrs, &nr_phdrs)))
		return err;
	cb->segs = calloc(nr_phdrs ? nr_phdrs : 1, sizeof(*cb->segs));
	cb->ranges = calloc(nr_phdrs ? nr_phdrs : 1, sizeof(*cb->ranges));
	if (!cb->segs || !cb->ranges || !file) {
		free(phdrs);
		return file ? &us_error_nomem : us_error_create(US_ERR_INVALID, "core file unreadable");
	}
	for (size_t i = 0; i < nr_phdrs; i++) {
		const struct us_elf_segment *p = &phdrs[i];
		uint64_t start = cb->uniscope ? p->vaddr : p->paddr, size = p->filesz;
		if (p->type == US_ELF_PT_LOAD && p->filesz &&
		    (p->offset >= file_size || size > file_size - p->offset))
			cb->missing += p->offset >= file_size ? size : size - (file_size - p->offset);
		if (p->type != US_ELF_PT_LOAD || p->offset >= file_size)
			continue;
		if (size > file_size - p->offset)
			size = file_size - p->offset;
		if (size == 0 || start + size < start)
			continue;
		cb->segs[cb->nr_segs++] = (struct core_segment){ start, start + size, file + p->offset };
	}
	free(phdrs);
	qsort(cb->segs, cb->nr_segs, sizeof(*cb->segs), segment_order);
	clip_overlaps(cb);
	for (size_t i = 0; i < cb->nr_segs; i++)
		cb->ranges[i] = (struct us_mem_range){ cb->segs[i].start, cb->segs[i].end };
	return NULL;
}

static struct us_error *core_check_type(struct core_backend *cb, const char *path)
{
	unsigned type = us_elf_type(cb->elf);

	if (type == US_ELF_ET_CORE)
		return NULL;
	if (type == US_ELF_ET_EXEC)
		return us_error_create(US_ERR_USAGE,
				       "'%s' is an image, not a core file (name a session or core, "
				       "and pass the image with --image)", path);
	return us_error_create(US_ERR_INVALID, "'%s' is not an ELF core file", path);
}

static void core_fill_backend(struct us_backend *b, struct core_backend *cb, size_t file_size)
{
	unsigned vcpus = cb->nr_qemu_states > cb->nr_prstatus ? cb->nr_qemu_states : cb->nr_prstatus;

	*b = (struct us_backend){ .ops = &core_ops, .ctx = cb, .kind = "core",
				  .nr_vcpus = cb->uniscope ? 1 : vcpus,
				  .memory_is_virtual = cb->uniscope,
				  .ranges = cb->ranges, .nr_ranges = cb->nr_segs };
	if (cb->missing)
		snprintf(b->warning, sizeof(b->warning), "the core is truncated: %llu bytes of memory "
			 "its segments declare lie past its end (%zu bytes); they read as a gap",
			 (unsigned long long)cb->missing, file_size);
	if (cb->uniscope) {
		size_t len = cb->info_note.build_id_len;
		snprintf(b->image, sizeof(b->image), "%s", cb->image[0] ? cb->image : cb->psargs_image);
		b->info_address = cb->info_note.info_address;
		b->build_id_len = len < UNISCOPE_BUILD_ID_MAX ? len : UNISCOPE_BUILD_ID_MAX;
		memcpy(b->build_id, cb->info_note.build_id, b->build_id_len);
	}
}

struct us_error *us_backend_core_open(const char *path, struct us_backend **out)
{
	struct core_backend *cb = calloc(1, sizeof(*cb));
	struct us_backend *b = calloc(1, sizeof(*b));
	struct us_error *err;
	size_t file_size;

	if (!cb || !b) {
		free(cb);
		free(b);
		return &us_error_nomem;
	}
	if (!(err = us_elf_open(path, &cb->elf)) && !(err = core_check_type(cb, path)) &&
	    !(err = us_elf_for_each_note(cb->elf, core_note, cb)))
		err = core_collect_segments(cb);
	if (err) {
		core_close(cb);
		free(b);
		return err;
	}
	us_elf_bytes(cb->elf, &file_size);
	core_fill_backend(b, cb, file_size);
	*out = b;
	return NULL;
}
