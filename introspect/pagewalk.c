/*
 * The x86-64 page walk (see pagewalk.h).
 *
 *	PML4 (bits 47..39) -> PDPT (38..30) -> PD (29..21) -> PT (20..12)
 *
 * A PDPT entry with PS set maps 1 GiB, a PD entry with PS 2 MiB. Writable
 * and user are the AND of every level, executable the AND of !NX.
 */
#include <string.h>
#include "pagewalk.h"

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE (1ull << 1)
#define PTE_USER (1ull << 2)
#define PTE_LARGE (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define PAGE_4K 4096ull

static const char *const level_names[4] = { "PT", "PD", "PDPT", "PML4" };

struct us_error *us_pagewalk_init(struct us_pagewalk *w, struct us_backend *b, uint64_t cr0,
				  uint64_t cr3, uint64_t cr4)
{
	memset(w, 0, sizeof(*w));
	w->backend = b;
	w->paging = (cr0 & CR0_PG) != 0;
	w->root = cr3 & PTE_ADDR;
	us_pagewalk_flush(w);
	if (w->paging && !(cr4 & CR4_PAE))
		return us_error_create(US_ERR_UNSUPPORTED, "32-bit paging is not supported (CR4 0x%llx)",
				       (unsigned long long)cr4);
	if (w->paging && (cr4 & CR4_LA57))
		return us_error_create(US_ERR_UNSUPPORTED, "5-level paging is not supported");
	return NULL;
}

void us_pagewalk_init_identity(struct us_pagewalk *w, struct us_backend *b)
{
	memset(w, 0, sizeof(*w));
	w->backend = b;
	us_pagewalk_flush(w);
}

void us_pagewalk_flush(struct us_pagewalk *w)
{
	for (size_t i = 0; i < US_PAGEWALK_CACHE; i++)
		w->cache[i].vpage = 1; /* never a page address */
}

static int canonical(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

static struct us_error *not_mapped(uint64_t va, int level, uint64_t entry)
{
	return us_error_fault(va, "address 0x%llx is not mapped (%s entry 0x%llx)",
			      (unsigned long long)va, level_names[level], (unsigned long long)entry);
}

static struct us_error *read_entry(struct us_pagewalk *w, uint64_t table, uint64_t va, int level,
				   uint64_t *entry)
{
	uint64_t index = (va >> (12 + 9 * level)) & 511;
	struct us_error *err = us_backend_read(w->backend, table + index * 8, entry, 8);

	if (!err)
		return NULL;
	us_error_destroy(err);
	return us_error_fault(va, "address 0x%llx: %s table at physical 0x%llx is outside guest memory",
			      (unsigned long long)va, level_names[level], (unsigned long long)table);
}

static struct us_error *walk(struct us_pagewalk *w, uint64_t va, struct us_pagewalk_entry *out)
{
	uint64_t table = w->root, entry = 0;
	bool writable = true, executable = true, user = true;
	struct us_error *err;

	for (int level = 3; level >= 0; level--) {
		if ((err = read_entry(w, table, va, level, &entry)))
			return err;
		if (!(entry & PTE_PRESENT))
			return not_mapped(va, level, entry);
		if (level == 3 && (entry & PTE_LARGE))
			return us_error_fault(va, "address 0x%llx: PML4 entry 0x%llx has the reserved "
					      "page-size bit set", (unsigned long long)va,
					      (unsigned long long)entry);
		writable &= (entry & PTE_WRITE) != 0;
		user &= (entry & PTE_USER) != 0;
		executable &= !(entry & PTE_NX);
		if (level == 0 || (entry & PTE_LARGE)) {
			uint64_t size = PAGE_4K << (9 * level);
			uint64_t base = (entry & PTE_ADDR & ~(size - 1)) + (va & (size - 1) & ~(PAGE_4K - 1));
			*out = (struct us_pagewalk_entry){ va & ~(PAGE_4K - 1), base, size,
							   writable, executable, user };
			return NULL;
		}
		table = entry & PTE_ADDR;
	}
	return not_mapped(va, 0, entry); /* not reached: level 0 always returns */
}

struct us_error *us_pagewalk_translate(struct us_pagewalk *w, uint64_t va,
				       struct us_translation *out)
{
	struct us_pagewalk_entry *slot = &w->cache[(va >> 12) % US_PAGEWALK_CACHE];
	struct us_error *err;

	if (!w->paging) {
		*out = (struct us_translation){ va, PAGE_4K, true, true, false };
		return NULL;
	}
	if (!canonical(va))
		return us_error_fault(va, "address 0x%llx is not canonical", (unsigned long long)va);
	if (slot->vpage != (va & ~(PAGE_4K - 1))) {
		if ((err = walk(w, va, slot))) {
			slot->vpage = 1;
			return err;
		}
		w->walks++;
	} else {
		w->hits++;
	}
	*out = (struct us_translation){ slot->ppage + (va & (PAGE_4K - 1)), slot->page_size,
					slot->writable, slot->executable, slot->user };
	return NULL;
}

static struct us_error *read_identity(struct us_pagewalk *w, uint64_t va, void *buf, size_t len)
{
	return us_backend_read(w->backend, va, buf, len);
}

struct us_error *us_pagewalk_read(struct us_pagewalk *w, uint64_t va, void *buf, size_t len)
{
	uint8_t *out = buf;
	struct us_error *err;

	if (!w->paging)
		return read_identity(w, va, buf, len);
	while (len > 0) {
		struct us_translation t;
		size_t room = (size_t)(PAGE_4K - (va & (PAGE_4K - 1)));
		size_t take = len < room ? len : room;
		if ((err = us_pagewalk_translate(w, va, &t)))
			return err;
		if ((err = us_backend_read(w->backend, t.paddr, out, take))) {
			us_error_destroy(err);
			return us_error_fault(va, "address 0x%llx maps to physical 0x%llx, outside guest memory",
					      (unsigned long long)va, (unsigned long long)t.paddr);
		}
		out += take;
		va += take;
		len -= take;
	}
	return NULL;
}

/* ---- enumerating mappings --------------------------------------------- */

struct mapping_walk {
	struct us_pagewalk *w;
	us_mapping_fn *fn;
	void *arg;
	struct us_mapping run; /* pending, size 0 when none */
	unsigned tables_read;
	bool stopped;
};

static bool extends(const struct us_mapping *run, const struct us_mapping *m)
{
	return run->size && run->vaddr + run->size == m->vaddr && run->paddr + run->size == m->paddr &&
	       run->writable == m->writable && run->executable == m->executable && run->user == m->user;
}

static void emit(struct mapping_walk *mw, const struct us_mapping *m)
{
	if (extends(&mw->run, m)) {
		mw->run.size += m->size;
		return;
	}
	if (mw->run.size && !mw->stopped && mw->fn(mw->arg, &mw->run))
		mw->stopped = true;
	mw->run = *m;
}

static uint64_t sign_extend(uint64_t va)
{
	return va & (1ull << 47) ? va | 0xffff000000000000ull : va;
}

/* Walks one table of the given level covering virtual addresses from base. */
static struct us_error *walk_table(struct mapping_walk *mw, uint64_t table, int level, uint64_t base,
				   bool writable, bool executable, bool user)
{
	uint64_t entries[512];
	struct us_error *err;

	if (++mw->tables_read > US_PAGEWALK_MAX_TABLES)
		return us_error_create(US_ERR_INVALID, "page tables larger than %u tables (looping?)",
				       US_PAGEWALK_MAX_TABLES);
	if ((err = us_backend_read(mw->w->backend, table, entries, sizeof(entries)))) {
		us_error_destroy(err);
		return us_error_fault(base, "%s table at physical 0x%llx is outside guest memory",
				      level_names[level], (unsigned long long)table);
	}
	for (unsigned i = 0; i < 512 && !mw->stopped; i++) {
		uint64_t e = entries[i], va = sign_extend(base + ((uint64_t)i << (12 + 9 * level)));
		uint64_t size = PAGE_4K << (9 * level);
		bool wr = writable && (e & PTE_WRITE), ex = executable && !(e & PTE_NX);
		bool us = user && (e & PTE_USER);
		if (!(e & PTE_PRESENT) || (level == 3 && (e & PTE_LARGE)))
			continue;
		if (level == 0 || (e & PTE_LARGE)) {
			struct us_mapping m = { va, e & PTE_ADDR & ~(size - 1), size, wr, ex, us };
			emit(mw, &m);
		} else if ((err = walk_table(mw, e & PTE_ADDR, level - 1, va, wr, ex, us))) {
			return err;
		}
	}
	return NULL;
}

struct us_error *us_pagewalk_mappings(struct us_pagewalk *w, us_mapping_fn *fn, void *arg)
{
	struct mapping_walk mw = { .w = w, .fn = fn, .arg = arg };
	struct us_error *err = NULL;

	if (!w->paging) {
		for (size_t i = 0; i < w->backend->nr_ranges && !mw.stopped; i++) {
			const struct us_mem_range *r = &w->backend->ranges[i];
			struct us_mapping m = { r->start, r->start, r->end - r->start, true, true, false };
			emit(&mw, &m);
		}
	} else {
		err = walk_table(&mw, w->root, 3, 0, true, true, true);
	}
	if (mw.run.size && !mw.stopped)
		fn(arg, &mw.run);
	return err;
}
