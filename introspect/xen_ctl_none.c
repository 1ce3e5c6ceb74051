/*
 * xen_ctl.h in a build without libxen: every operation says so. Opening
 * fails first, so the others are never reached in practice.
 */
#ifndef UNISCOPE_HAVE_XEN
#include "xen_ctl.h"

static struct us_error *not_built(void)
{
	return us_error_create(US_ERR_UNSUPPORTED,
			       "Xen domains are not supported in this build (rebuild with "
			       "libxen-dev: libxenctrl, libxenforeignmemory, libxenstore)");
}

struct us_error *us_xen_open(struct us_xen **out)
{
	*out = 0;
	return not_built();
}

void us_xen_close(struct us_xen *x)
{
	(void)x;
}

struct us_error *us_xen_domain_info(struct us_xen *x, uint32_t domid, struct us_xen_domain *out)
{
	(void)x, (void)domid, (void)out;
	return not_built();
}

struct us_error *us_xen_list(struct us_xen *x, struct us_xen_domain *out, size_t cap,
			     size_t *count)
{
	(void)x, (void)out, (void)cap;
	*count = 0;
	return not_built();
}

struct us_error *us_xen_domid_by_name(struct us_xen *x, const char *name, uint32_t *domid)
{
	(void)x, (void)name, (void)domid;
	return not_built();
}

struct us_error *us_xen_pause(struct us_xen *x, uint32_t domid)
{
	(void)x, (void)domid;
	return not_built();
}

struct us_error *us_xen_unpause(struct us_xen *x, uint32_t domid)
{
	(void)x, (void)domid;
	return not_built();
}

struct us_error *us_xen_vcpu_regs(struct us_xen *x, uint32_t domid, unsigned vcpu,
				  struct uniscope_regs *regs)
{
	(void)x, (void)domid, (void)vcpu, (void)regs;
	return not_built();
}

struct us_error *us_xen_map(struct us_xen *x, uint32_t domid, uint64_t first_pfn, size_t pages,
			    void **addr, int *errs)
{
	(void)x, (void)domid, (void)first_pfn, (void)pages, (void)addr, (void)errs;
	return not_built();
}

void us_xen_unmap(struct us_xen *x, void *addr, size_t pages)
{
	(void)x, (void)addr, (void)pages;
}

struct us_error *us_xen_store_read(struct us_xen *x, const char *path, char *out, size_t cap)
{
	(void)x, (void)path, (void)out, (void)cap;
	return not_built();
}

struct us_error *us_xen_regs_from_hvm_cpu(const void *cpu, size_t len, struct uniscope_regs *regs)
{
	(void)cpu, (void)len, (void)regs;
	return not_built();
}

#endif /* !UNISCOPE_HAVE_XEN */
