/*
 * The Xen backend: a PVH (or HVM) domain read from dom0 with no help from
 * the guest, through xen_ctl.h.
 *
 *	memory     guest frames mapped read-only with libxenforeignmemory,
 *	           lazily, XEN_CHUNK_PAGES frames (2 MiB) per call, and kept
 *	           mapped until close: a read never costs a hypercall per page.
 *	           Frames the domain does not have (holes, pages not populated)
 *	           come back with an error from the batch; they are recorded in
 *	           a per-chunk bitmap and read as faults, never touched.
 *	ranges     RAM as libxl lays out an HVM/PVH guest: from 0 up to the
 *	           MMIO hole below 4 GiB (HVM_BELOW_4G_RAM_END), the rest from
 *	           4 GiB; the size is the pages the domain holds. The few
 *	           special pages counted in it (console, xenstore rings) make the
 *	           end a little generous; the bitmap keeps that honest.
 *	registers  the HVM CPU save record of each vCPU (rip, rsp, cr3, ...).
 *	pause      xc_domain_pause only when the domain is not paused already,
 *	resume     so a domain the user paused (xl pause) stays paused; resume
 *	           undoes only our pause.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"
#include "xen_ctl.h"

/*
 * 2 MiB of guest frames per mapping call: in the nested rig a thread list
 * (ps, 1000 threads in 128 MiB) took 0.31 s with 16 MiB chunks and 0.25 s
 * with 1-4 MiB ones, while a whole-memory core took 1.05 s and 1.31 s.
 */
#define XEN_CHUNK_SHIFT 21
#define XEN_CHUNK_SIZE (1ull << XEN_CHUNK_SHIFT)
#define XEN_CHUNK_PAGES (XEN_CHUNK_SIZE >> US_XEN_PAGE_SHIFT)
#define XEN_LOW_RAM_END 0xf0000000ull /* HVM_BELOW_4G_RAM_END */
#define XEN_HIGH_RAM_START (1ull << 32)
#define XEN_RAM_MAX (1ull << 40)      /* bounds what the hypervisor may claim */
#define XEN_VCPUS_MAX 64              /* as many as a target tracks (US_MAX_VCPUS) */

struct xen_chunk {
	uint8_t *addr;    /* NULL until mapped */
	size_t pages;
	uint8_t ok[XEN_CHUNK_PAGES / 8]; /* bit set: frame mapped */
};

struct xen_backend {
	struct us_xen *xen;
	uint32_t domid;
	struct us_mem_range ranges[2];
	size_t nr_ranges;
	struct xen_chunk *chunks; /* one per XEN_CHUNK_SIZE of [0, ranges' end) */
	size_t nr_chunks;
	bool paused_by_us;
};

const char *us_xen_state_name(const struct us_xen_domain *d)
{
	static const char *const reasons[] = { "poweroff", "reboot", "suspend", "crashed", "watchdog" };

	if (d->dying)
		return "dying";
	if (d->shutdown)
		return d->shutdown_reason < 5 ? reasons[d->shutdown_reason] : "shutdown";
	if (d->paused)
		return "paused";
	return d->running ? "running" : "blocked";
}

/* Which range holds [paddr, paddr+len), or NULL. */
static const struct us_mem_range *range_of(const struct xen_backend *xb, uint64_t paddr)
{
	for (size_t i = 0; i < xb->nr_ranges; i++)
		if (paddr >= xb->ranges[i].start && paddr < xb->ranges[i].end)
			return &xb->ranges[i];
	return NULL;
}

static struct us_error *map_chunk(struct xen_backend *xb, size_t index)
{
	struct xen_chunk *c = &xb->chunks[index];
	uint64_t start = (uint64_t)index << XEN_CHUNK_SHIFT;
	const struct us_mem_range *r = range_of(xb, start);
	struct us_error *err;
	void *addr;
	int *errs;

	if (!r)
		return us_error_fault(start, "address 0x%llx is outside guest RAM",
				      (unsigned long long)start);
	c->pages = (size_t)((r->end - start < XEN_CHUNK_SIZE ? r->end - start : XEN_CHUNK_SIZE) >>
			    US_XEN_PAGE_SHIFT);
	if (!(errs = calloc(c->pages, sizeof(*errs))))
		return &us_error_nomem;
	err = us_xen_map(xb->xen, xb->domid, start >> US_XEN_PAGE_SHIFT, c->pages, &addr, errs);
	if (!err) {
		memset(c->ok, 0, sizeof(c->ok));
		for (size_t i = 0; i < c->pages; i++)
			if (errs[i] == 0)
				c->ok[i / 8] |= (uint8_t)(1u << (i % 8));
		c->addr = addr;
	}
	free(errs);
	return err ? us_error_prefix(err, "guest RAM at 0x%llx", (unsigned long long)start) : NULL;
}

static bool page_ok(const struct xen_chunk *c, size_t page)
{
	return page < c->pages && (c->ok[page / 8] >> (page % 8)) & 1;
}

/* Copies what lies in one chunk: [paddr, paddr+len) must not cross it. */
static struct us_error *read_in_chunk(struct xen_backend *xb, uint64_t paddr, uint8_t *buf,
				      size_t len)
{
	size_t index = (size_t)(paddr >> XEN_CHUNK_SHIFT);
	uint64_t off = paddr & (XEN_CHUNK_SIZE - 1);
	struct xen_chunk *c = &xb->chunks[index];
	struct us_error *err;

	if (!c->addr && (err = map_chunk(xb, index)))
		return err;
	for (uint64_t at = off; at < off + len; at = (at | (US_XEN_PAGE_SIZE - 1)) + 1) {
		if (!page_ok(c, (size_t)(at >> US_XEN_PAGE_SHIFT))) {
			uint64_t bad = paddr + (at - off);
			return us_error_fault(bad, "guest frame at 0x%llx is not mapped (the domain "
					      "has no page there)", (unsigned long long)bad);
		}
	}
	memcpy(buf, c->addr + off, len);
	return NULL;
}

static struct us_error *xen_read_phys(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	struct xen_backend *xb = ctx;
	const struct us_mem_range *r = range_of(xb, paddr);
	struct us_error *err;
	uint8_t *out = buf;

	if ((err = us_range_check(r ? r->start : 0, r ? r->end : 0, paddr, len, "guest RAM")))
		return err;
	while (len > 0) {
		uint64_t room = XEN_CHUNK_SIZE - (paddr & (XEN_CHUNK_SIZE - 1));
		size_t part = len < room ? len : (size_t)room;
		if ((err = read_in_chunk(xb, paddr, out, part)))
			return err;
		paddr += part;
		out += part;
		len -= part;
	}
	return NULL;
}

static struct us_error *xen_read_vcpu_regs(void *ctx, unsigned vcpu, struct uniscope_regs *regs)
{
	struct xen_backend *xb = ctx;

	return us_xen_vcpu_regs(xb->xen, xb->domid, vcpu, regs);
}

static struct us_error *xen_read_vcpu_fpu(void *ctx, unsigned vcpu, struct uniscope_fxsave *fx)
{
	struct xen_backend *xb = ctx;

	return us_xen_vcpu_fpu(xb->xen, xb->domid, vcpu, fx);
}

static struct us_error *xen_pause(void *ctx)
{
	struct xen_backend *xb = ctx;
	struct us_xen_domain d;
	struct us_error *err;

	if (xb->paused_by_us)
		return NULL;
	if ((err = us_xen_domain_info(xb->xen, xb->domid, &d)))
		return err;
	if (d.paused || d.shutdown)
		return NULL; /* stopped already: nothing of ours to undo later */
	if ((err = us_xen_pause(xb->xen, xb->domid)))
		return err;
	xb->paused_by_us = true;
	return NULL;
}

static struct us_error *xen_resume(void *ctx)
{
	struct xen_backend *xb = ctx;
	struct us_error *err;

	if (!xb->paused_by_us)
		return NULL;
	if ((err = us_xen_unpause(xb->xen, xb->domid)))
		return err;
	xb->paused_by_us = false;
	return NULL;
}

static void xen_close(void *ctx)
{
	struct xen_backend *xb = ctx;

	if (!xb)
		return;
	us_error_destroy(xen_resume(xb)); /* never leave a domain paused behind us */
	for (size_t i = 0; i < xb->nr_chunks; i++)
		us_xen_unmap(xb->xen, xb->chunks[i].addr, xb->chunks[i].pages);
	free(xb->chunks);
	us_xen_close(xb->xen);
	free(xb);
}

static const struct us_backend_ops xen_ops = {
	.read_phys = xen_read_phys,
	.read_vcpu_regs = xen_read_vcpu_regs,
	.read_vcpu_fpu = xen_read_vcpu_fpu,
	.pause = xen_pause,
	.resume = xen_resume,
	.close = xen_close,
};

/* "7" is a domid, anything else a name. */
static struct us_error *resolve_domain(struct us_xen *x, const char *domain, uint32_t *domid)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(domain, &end, 10);
	if (*domain >= '0' && *domain <= '9' && !*end && !errno && v < 0x7ff0) {
		*domid = (uint32_t)v;
		return NULL;
	}
	return us_xen_domid_by_name(x, domain, domid);
}

static struct us_error *layout_ram(struct xen_backend *xb, const struct us_xen_domain *d)
{
	uint64_t ram = d->tot_pages << US_XEN_PAGE_SHIFT, last_end;

	if (d->tot_pages == 0 || d->tot_pages > (XEN_RAM_MAX >> US_XEN_PAGE_SHIFT))
		return us_error_create(US_ERR_INVALID, "the domain holds %llu pages: no RAM to read",
				       (unsigned long long)d->tot_pages);
	xb->ranges[0] = (struct us_mem_range){ 0, ram < XEN_LOW_RAM_END ? ram : XEN_LOW_RAM_END };
	xb->nr_ranges = 1;
	if (ram > XEN_LOW_RAM_END) {
		xb->ranges[1] = (struct us_mem_range){ XEN_HIGH_RAM_START,
						       XEN_HIGH_RAM_START + ram - XEN_LOW_RAM_END };
		xb->nr_ranges = 2;
	}
	last_end = xb->ranges[xb->nr_ranges - 1].end;
	xb->nr_chunks = (size_t)((last_end + XEN_CHUNK_SIZE - 1) >> XEN_CHUNK_SHIFT);
	xb->chunks = calloc(xb->nr_chunks, sizeof(*xb->chunks));
	return xb->chunks ? NULL : &us_error_nomem;
}

static struct us_error *check_domain(struct xen_backend *xb, const struct us_xen_domain *d)
{
	if (!d->hvm)
		return us_error_create(US_ERR_UNSUPPORTED,
				       "domain %u is a PV domain; uniscope inspects PVH and HVM "
				       "domains (type=\"pvh\")", xb->domid);
	if (d->dying)
		return us_error_create(US_ERR_NOT_FOUND, "domain %u is being destroyed", xb->domid);
	return layout_ram(xb, d);
}

static struct us_error *open_domain(struct xen_backend *xb, const char *domain,
				    struct us_xen_domain *d)
{
	struct us_error *err;

	if ((err = us_xen_open(&xb->xen)))
		return err;
	if ((err = resolve_domain(xb->xen, domain, &xb->domid)) ||
	    (err = us_xen_domain_info(xb->xen, xb->domid, d))) {
		if (err->code != US_ERR_NOT_FOUND)
			return err;
		us_error_destroy(err);
		return us_error_create(US_ERR_NOT_FOUND, "domain not found (is xl list showing it?)");
	}
	return check_domain(xb, d);
}

struct us_error *us_backend_xen_open(const char *domain, struct us_backend **out)
{
	struct xen_backend *xb = calloc(1, sizeof(*xb));
	struct us_backend *b = calloc(1, sizeof(*b));
	struct us_xen_domain d;
	struct us_error *err;

	if (!xb || !b) {
		free(xb);
		free(b);
		return &us_error_nomem;
	}
	if ((err = open_domain(xb, domain, &d))) {
		xen_close(xb);
		free(b);
		return err;
	}
	*b = (struct us_backend){ .ops = &xen_ops, .ctx = xb, .kind = "xen",
				  .nr_vcpus = d.nr_vcpus == 0 ? 1 : d.nr_vcpus > XEN_VCPUS_MAX ? XEN_VCPUS_MAX : d.nr_vcpus, .live = true,
				  .ranges = xb->ranges, .nr_ranges = xb->nr_ranges };
	*out = b;
	return NULL;
}
