/*
 * xen_ctl.h over libxenctrl, libxenforeignmemory and libxenstore (Xen 4.17
 * ABI; the only file that includes their headers).
 *
 * Domain information comes from xc_domain_getinfolist() (one
 * XEN_DOMCTL_getdomaininfo), which outlived xc_domain_getinfo() in later
 * releases. Registers come from the HVM CPU save record of one vCPU
 * (xc_domain_hvm_getcontext_partial), which PVH guests have too: no
 * PV-style vcpu_guest_context is involved.
 *
 * The libraries log through a xentoollog logger; ours keeps the last
 * message for error text instead of printing it, so that `uniscope ls` on
 * a machine without Xen stays quiet.
 */
#ifdef UNISCOPE_HAVE_XEN
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
/*
 * Xen's foreign-ABI headers align fields with a GNU attribute that they
 * replace by the word FIXME (a compile error) under __STRICT_ANSI__, which
 * -std=c11 defines. The attribute is what the ABI needs: ask for it.
 */
#undef __STRICT_ANSI__
#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xen/hvm/save.h>
#include "xen_ctl.h"

#define PRIVCMD_PATH "/dev/xen/privcmd"
#define LIST_BATCH 64

struct quiet_logger {
	xentoollog_logger base;
	char last[256];
};

struct us_xen {
	struct quiet_logger log;
	xc_interface *xch;
	xenforeignmemory_handle *fmem;
	struct xs_handle *xs;
};

static void quiet_vmessage(xentoollog_logger *logger, xentoollog_level level, int errnoval,
			   const char *context, const char *format, va_list al)
{
	struct quiet_logger *q = (struct quiet_logger *)logger;

	(void)errnoval;
	(void)context;
	if (level >= XTL_ERROR)
		vsnprintf(q->last, sizeof(q->last), format, al);
}

static void quiet_progress(xentoollog_logger *logger, const char *context, const char *doing_what,
			   int percent, unsigned long done, unsigned long total)
{
	(void)logger, (void)context, (void)doing_what, (void)percent, (void)done, (void)total;
}

static void quiet_destroy(xentoollog_logger *logger)
{
	(void)logger;
}

static struct us_error *xen_errno(struct us_xen *x, int errnum, const char *what)
{
	if (x && x->log.last[0])
		return us_error_create(US_ERR_OS, "%s: %s", what, x->log.last);
	return us_error_errno(errnum, "%s", what);
}

struct us_error *us_xen_open(struct us_xen **out)
{
	struct us_xen *x;
	int saved;

	if (access(PRIVCMD_PATH, R_OK | W_OK) < 0)
		return us_error_create(US_ERR_UNSUPPORTED,
				       "cannot use the Xen control interface %s: %s (run this in "
				       "dom0 of a Xen host, as root)", PRIVCMD_PATH, strerror(errno));
	if (!(x = calloc(1, sizeof(*x))))
		return &us_error_nomem;
	x->log.base = (xentoollog_logger){ .vmessage = quiet_vmessage,
					   .progress = quiet_progress, .destroy = quiet_destroy };
	x->xch = xc_interface_open(&x->log.base, &x->log.base, 0);
	if (x->xch)
		x->fmem = xenforeignmemory_open(&x->log.base, 0);
	if (!x->xch || !x->fmem) {
		struct us_error *err;
		saved = errno;
		err = xen_errno(x, saved, "cannot open the Xen control libraries");
		us_xen_close(x);
		return err;
	}
	*out = x;
	return NULL;
}

void us_xen_close(struct us_xen *x)
{
	if (!x)
		return;
	if (x->xs)
		xs_close(x->xs);
	if (x->fmem)
		xenforeignmemory_close(x->fmem);
	if (x->xch)
		xc_interface_close(x->xch);
	free(x);
}

struct us_error *us_xen_store_read(struct us_xen *x, const char *path, char *out, size_t cap)
{
	unsigned int len = 0;
	char *value;

	if (!x->xs && !(x->xs = xs_open(0)))
		return us_error_errno(errno, "cannot connect to xenstore (is xenstored running?)");
	if (!(value = xs_read(x->xs, XBT_NULL, path, &len)))
		return us_error_create(US_ERR_NOT_FOUND, "xenstore has no '%s'", path);
	snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), value);
	free(value);
	return NULL;
}

static void domain_from_info(struct us_xen *x, const xc_domaininfo_t *i, bool with_name,
			     struct us_xen_domain *d)
{
	char path[64];
	struct us_error *err;

	memset(d, 0, sizeof(*d));
	d->domid = i->domain;
	d->hvm = i->flags & XEN_DOMINF_hvm_guest;
	d->paused = i->flags & XEN_DOMINF_paused;
	d->running = i->flags & XEN_DOMINF_running;
	d->blocked = i->flags & XEN_DOMINF_blocked;
	d->dying = i->flags & XEN_DOMINF_dying;
	d->shutdown = i->flags & XEN_DOMINF_shutdown;
	d->shutdown_reason = (i->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
	d->tot_pages = i->tot_pages;
	d->max_pages = i->max_pages;
	d->nr_vcpus = i->max_vcpu_id + 1;
	if (!with_name)
		return;
	snprintf(path, sizeof(path), "/local/domain/%u/name", d->domid);
	if ((err = us_xen_store_read(x, path, d->name, sizeof(d->name))))
		us_error_destroy(err); /* a domain being built may have no name yet */
}

struct us_error *us_xen_domain_info(struct us_xen *x, uint32_t domid, struct us_xen_domain *out)
{
	xc_domaininfo_t info;
	int n = xc_domain_getinfolist(x->xch, domid, 1, &info);

	if (n < 0)
		return xen_errno(x, errno, "cannot read domain information");
	if (n == 0 || info.domain != domid)
		return us_error_create(US_ERR_NOT_FOUND, "domain %u not found", domid);
	domain_from_info(x, &info, false, out);
	return NULL;
}

struct us_error *us_xen_list(struct us_xen *x, struct us_xen_domain *out, size_t cap,
			     size_t *count)
{
	xc_domaininfo_t info[LIST_BATCH];
	uint32_t next = 0;

	*count = 0;
	while (*count < cap && next < DOMID_FIRST_RESERVED) {
		int n = xc_domain_getinfolist(x->xch, next, LIST_BATCH, info);
		if (n < 0)
			return xen_errno(x, errno, "cannot list Xen domains");
		if (n == 0 || n > LIST_BATCH)
			break;
		for (int i = 0; i < n && *count < cap; i++)
			domain_from_info(x, &info[i], true, &out[(*count)++]);
		if (info[n - 1].domain < next) /* the hypervisor went backwards: stop */
			break;
		next = info[n - 1].domain + 1u;
	}
	return NULL;
}

struct us_error *us_xen_domid_by_name(struct us_xen *x, const char *name, uint32_t *domid)
{
	struct us_xen_domain *doms = calloc(US_XEN_MAX_DOMAINS, sizeof(*doms));
	struct us_error *err;
	size_t n = 0;

	if (!doms)
		return &us_error_nomem;
	err = us_xen_list(x, doms, US_XEN_MAX_DOMAINS, &n);
	for (size_t i = 0; !err && i < n; i++) {
		if (!strcmp(doms[i].name, name)) {
			*domid = doms[i].domid;
			free(doms);
			return NULL;
		}
	}
	free(doms);
	return err ? err : us_error_create(US_ERR_NOT_FOUND, "no domain named '%s'", name);
}

struct us_error *us_xen_pause(struct us_xen *x, uint32_t domid)
{
	if (xc_domain_pause(x->xch, domid) < 0)
		return xen_errno(x, errno, "cannot pause the domain");
	return NULL;
}

struct us_error *us_xen_unpause(struct us_xen *x, uint32_t domid)
{
	if (xc_domain_unpause(x->xch, domid) < 0)
		return xen_errno(x, errno, "cannot unpause the domain");
	return NULL;
}

struct us_error *us_xen_regs_from_hvm_cpu(const void *record, size_t len, struct uniscope_regs *r)
{
	struct hvm_hw_cpu c;

	if (len < sizeof(c))
		return us_error_create(US_ERR_INVALID, "HVM CPU record of %zu bytes (expected %zu)",
				       len, sizeof(c));
	memcpy(&c, record, sizeof(c));
	*r = (struct uniscope_regs){
		.rax = c.rax, .rbx = c.rbx, .rcx = c.rcx, .rdx = c.rdx,
		.rsi = c.rsi, .rdi = c.rdi, .rbp = c.rbp, .rsp = c.rsp,
		.r8 = c.r8, .r9 = c.r9, .r10 = c.r10, .r11 = c.r11,
		.r12 = c.r12, .r13 = c.r13, .r14 = c.r14, .r15 = c.r15,
		.rip = c.rip, .rflags = c.rflags,
		.cs = c.cs_sel, .ss = c.ss_sel, .ds = c.ds_sel, .es = c.es_sel,
		.fs = c.fs_sel, .gs = c.gs_sel,
		.fs_base = c.fs_base, .gs_base = c.gs_base,
		.cr0 = c.cr0, .cr2 = c.cr2, .cr3 = c.cr3, .cr4 = c.cr4,
	};
	return NULL;
}

/* The vCPU's HVM CPU save record; `what` names the part wanted, for the error. */
static struct us_error *hvm_cpu_record(struct us_xen *x, uint32_t domid, unsigned vcpu,
				       struct hvm_hw_cpu *cpu, const char *what)
{
	if (vcpu > UINT16_MAX)
		return us_error_create(US_ERR_NOT_FOUND, "vCPU %u does not exist", vcpu);
	if (xc_domain_hvm_getcontext_partial(x->xch, domid, HVM_SAVE_CODE(CPU), (uint16_t)vcpu,
					     cpu, sizeof(*cpu)) < 0) {
		char message[64];
		snprintf(message, sizeof(message), "cannot read vCPU %u's %s", vcpu, what);
		return xen_errno(x, errno, message);
	}
	return NULL;
}

struct us_error *us_xen_vcpu_regs(struct us_xen *x, uint32_t domid, unsigned vcpu,
				  struct uniscope_regs *regs)
{
	struct hvm_hw_cpu cpu;
	struct us_error *err = hvm_cpu_record(x, domid, vcpu, &cpu, "registers");

	return err ? err : us_xen_regs_from_hvm_cpu(&cpu, sizeof(cpu), regs);
}

struct us_error *us_xen_vcpu_fpu(struct us_xen *x, uint32_t domid, unsigned vcpu,
				 struct uniscope_fxsave *fx)
{
	struct hvm_hw_cpu cpu;
	struct us_error *err = hvm_cpu_record(x, domid, vcpu, &cpu, "FPU state");

	_Static_assert(sizeof(cpu.fpu_regs) == sizeof(*fx), "the HVM record's FXSAVE image");
	if (!err)
		memcpy(fx, cpu.fpu_regs, sizeof(*fx));
	return err;
}

struct us_error *us_xen_map(struct us_xen *x, uint32_t domid, uint64_t first_pfn, size_t pages,
			    void **addr, int *errs)
{
	xen_pfn_t *pfns = calloc(pages, sizeof(*pfns));
	void *p;

	if (!pfns)
		return &us_error_nomem;
	for (size_t i = 0; i < pages; i++)
		pfns[i] = (xen_pfn_t)(first_pfn + i);
	p = xenforeignmemory_map(x->fmem, domid, PROT_READ, pages, pfns, errs);
	free(pfns);
	if (!p)
		return xen_errno(x, errno, "cannot map guest frames");
	*addr = p;
	return NULL;
}

void us_xen_unmap(struct us_xen *x, void *addr, size_t pages)
{
	if (addr)
		xenforeignmemory_unmap(x->fmem, addr, pages);
}

#endif /* UNISCOPE_HAVE_XEN */
