/*
 * The thin layer over Xen's control libraries: libxenctrl (domain info,
 * pause/unpause, vCPU context), libxenforeignmemory (mapping guest frames)
 * and libxenstore (names, console tty). Their ABI changes between Xen
 * releases, so xen_ctl.c is the only file that includes their headers;
 * everything else sees plain C types and us_error objects.
 *
 * Built without libxen (no UNISCOPE_HAVE_XEN), xen_ctl_none.c provides the
 * same functions, each failing with US_ERR_UNSUPPORTED.
 *
 * A handle is used by one thread at a time. Nothing here prints: the
 * libraries' own log messages are swallowed, and the last one is kept for
 * the error message.
 */
#ifndef UNISCOPE_INTROSPECT_XEN_CTL_H
#define UNISCOPE_INTROSPECT_XEN_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uniscope/abi.h>
#include "error.h"

#define US_XEN_NAME_MAX 64
#define US_XEN_MAX_DOMAINS 1024
#define US_XEN_PAGE_SHIFT 12
#define US_XEN_PAGE_SIZE (1ull << US_XEN_PAGE_SHIFT)

/* Xen's shutdown reasons (public/sched.h SHUTDOWN_*), as Xen numbers them. */
enum us_xen_shutdown {
	US_XEN_SHUTDOWN_POWEROFF = 0,
	US_XEN_SHUTDOWN_REBOOT = 1,
	US_XEN_SHUTDOWN_SUSPEND = 2,
	US_XEN_SHUTDOWN_CRASH = 3,
	US_XEN_SHUTDOWN_WATCHDOG = 4,
};

struct us_xen_domain {
	uint32_t domid;
	char name[US_XEN_NAME_MAX]; /* from xenstore, by us_xen_list() only; else "" */
	bool hvm;                   /* HVM or PVH (not PV) */
	bool paused;                /* by a controller (xl pause, us) */
	bool running, blocked, dying;
	bool shutdown;
	unsigned shutdown_reason;   /* enum us_xen_shutdown, when shutdown */
	uint64_t tot_pages;         /* pages it holds now */
	uint64_t max_pages;
	unsigned nr_vcpus;          /* max_vcpu_id + 1 */
};

struct us_xen;

/*
 * Opens libxenctrl and libxenforeignmemory (libxenstore on first use).
 * Fails with US_ERR_UNSUPPORTED when there is no /dev/xen/privcmd (not on
 * a Xen host, or not in a domain allowed to control others).
 */
struct us_error *us_xen_open(struct us_xen **out);
void us_xen_close(struct us_xen *x);

/* US_ERR_NOT_FOUND when there is no such domain. No name: no xenstore round trip. */
struct us_error *us_xen_domain_info(struct us_xen *x, uint32_t domid, struct us_xen_domain *out);
/* Every domain, in domid order, at most cap of them. */
struct us_error *us_xen_list(struct us_xen *x, struct us_xen_domain *out, size_t cap,
			     size_t *count);
/* US_ERR_NOT_FOUND when no domain has that name. */
struct us_error *us_xen_domid_by_name(struct us_xen *x, const char *name, uint32_t *domid);

struct us_error *us_xen_pause(struct us_xen *x, uint32_t domid);
struct us_error *us_xen_unpause(struct us_xen *x, uint32_t domid);

/* A PVH/HVM vCPU's registers (the HVM CPU save record). */
struct us_error *us_xen_vcpu_regs(struct us_xen *x, uint32_t domid, unsigned vcpu,
				  struct uniscope_regs *regs);

/* The same record's FXSAVE image: the vCPU's x87/SSE state. */
struct us_error *us_xen_vcpu_fpu(struct us_xen *x, uint32_t domid, unsigned vcpu,
				 struct uniscope_fxsave *fx);

/*
 * Maps pages guest frames first_pfn.. read-only, in one call. errs[i] is 0
 * for a frame mapped, else an errno: the caller must not touch that page.
 * *addr is unmapped with us_xen_unmap(x, *addr, pages).
 */
struct us_error *us_xen_map(struct us_xen *x, uint32_t domid, uint64_t first_pfn, size_t pages,
			    void **addr, int *errs);
void us_xen_unmap(struct us_xen *x, void *addr, size_t pages);

/* A xenstore value, NUL-terminated and cut to cap. US_ERR_NOT_FOUND when absent. */
struct us_error *us_xen_store_read(struct us_xen *x, const char *path, char *out, size_t cap);

/*
 * Converts a struct hvm_hw_cpu (the HVM_SAVE_CODE(CPU) record, len bytes)
 * to uniscope_regs. Separate so that unit tests can check it without Xen.
 */
struct us_error *us_xen_regs_from_hvm_cpu(const void *cpu, size_t len, struct uniscope_regs *regs);

/* "running", "paused", "crashed", "poweroff", ...: for ls. */
const char *us_xen_state_name(const struct us_xen_domain *d);

#endif
