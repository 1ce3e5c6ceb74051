/*
 * The QEMU session backend: a running VM read from the host with no help
 * from the guest.
 *
 *	memory     the session's `mem` file (memory-backend-file,share=on),
 *	           mapped read-only: file offset = guest physical address.
 *	           That holds below the PCI hole, so for RAM files larger than
 *	           2 GiB only the first 2 GiB are offered (q35 moves RAM above
 *	           the hole to 4 GiB; the libOS's default 128 MiB is far below).
 *	pause      QMP `stop`, only when query-status says the VM runs, so a VM
 *	resume     the user paused stays paused; `cont` undoes only our stop.
 *	registers  QMP human-monitor-command `info registers N` (hmp_regs.h
 *	           says why not QEMU's gdbstub).
 *
 * The host writes guest memory in one place only, the GDB mailbox of a
 * stopped stub (cli/gdb_bridge.c): map_writable maps those pages of `mem`
 * shared and writable on their own, leaving the read-only view as it is.
 *
 * The QMP connection is opened when needed and closed again unless we hold
 * the VM paused: QEMU serves one QMP client at a time, so a long-lived
 * target (the TUI) must not keep other commands out. Reading memory needs
 * no connection at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend.h"
#include "hmp_regs.h"
#include "qmp.h"
#include "session.h"

#define QEMU_DIRECT_RAM_MAX (2ull << 30)

struct qemu_backend {
	char dir[US_PATH_MAX];
	const uint8_t *mem;
	size_t mem_size; /* mapped bytes */
	struct us_mem_range range;
	int fd;           /* of `mem`, for SEEK_DATA: holes are pages never touched */
	struct us_qmp *qmp;
	bool paused_by_us;
};

static struct us_error *qemu_read_phys(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	struct qemu_backend *qb = ctx;
	struct us_error *err = us_range_check(qb->range.start, qb->range.end, paddr, len,
					      "guest RAM");

	if (err)
		return err;
	memcpy(buf, qb->mem + paddr, len);
	return NULL;
}

/* A hole of the sparse RAM file reads as zeros: no data from paddr to paddr+len. */
static bool qemu_known_zero(void *ctx, uint64_t paddr, uint64_t len)
{
	struct qemu_backend *qb = ctx;
	off_t data;

	if (qb->fd < 0 || paddr >= qb->range.end || len > qb->range.end - paddr)
		return false;
	data = lseek(qb->fd, (off_t)paddr, SEEK_DATA);
	if (data < 0)
		return errno == ENXIO; /* no data at or after paddr */
	return (uint64_t)data >= paddr + len;
}

static struct us_error *qemu_qmp(struct qemu_backend *qb, struct us_qmp **out)
{
	char path[US_PATH_MAX + 16];
	struct us_error *err;

	if (!qb->qmp) {
		snprintf(path, sizeof(path), "%s/qmp.sock", qb->dir);
		if ((err = us_qmp_connect(path, &qb->qmp)))
			return err;
	}
	*out = qb->qmp;
	return NULL;
}

/* Drops the connection unless a pause of ours needs it for the resume. */
static void qemu_release(struct qemu_backend *qb)
{
	if (!qb->paused_by_us) {
		us_qmp_close(qb->qmp);
		qb->qmp = NULL;
	}
}

/* The monitor's `info registers N` text (free() it). */
static struct us_error *info_registers(struct qemu_backend *qb, unsigned vcpu, char **text)
{
	struct us_error *err;
	struct us_qmp *qmp;
	char command[32];

	if ((err = qemu_qmp(qb, &qmp)))
		return err;
	snprintf(command, sizeof(command), "info registers %u", vcpu);
	err = us_qmp_hmp(qmp, command, text);
	qemu_release(qb);
	if (!err && strstr(*text, "not available")) {
		free(*text);
		err = us_error_create(US_ERR_NOT_FOUND, "vCPU %u does not exist", vcpu);
	}
	return err;
}

static struct us_error *qemu_read_vcpu_regs(void *ctx, unsigned vcpu, struct uniscope_regs *regs)
{
	struct us_error *err;
	char *text;

	if ((err = info_registers(ctx, vcpu, &text)))
		return err;
	err = us_parse_info_registers(text, regs);
	free(text);
	return err;
}

static struct us_error *qemu_read_vcpu_fpu(void *ctx, unsigned vcpu, struct uniscope_fxsave *fx)
{
	struct us_error *err;
	char *text;

	if ((err = info_registers(ctx, vcpu, &text)))
		return err;
	err = us_parse_info_registers_fpu(text, fx);
	free(text);
	return err;
}

static struct us_error *qemu_pause(void *ctx)
{
	struct qemu_backend *qb = ctx;
	struct us_error *err;
	struct us_qmp *qmp;
	bool running;

	if (qb->paused_by_us)
		return NULL;
	if ((err = qemu_qmp(qb, &qmp)))
		return err;
	if (!(err = us_qmp_query_running(qmp, &running)) && running &&
	    !(err = us_qmp_execute(qmp, "stop", NULL, US_QMP_TIMEOUT_MS, NULL)))
		qb->paused_by_us = true;
	qemu_release(qb);
	return err;
}

static struct us_error *qemu_resume(void *ctx)
{
	struct qemu_backend *qb = ctx;
	struct us_error *err;

	if (!qb->paused_by_us)
		return NULL;
	err = us_qmp_execute(qb->qmp, "cont", NULL, US_QMP_TIMEOUT_MS, NULL);
	if (!err)
		qb->paused_by_us = false;
	qemu_release(qb);
	return err;
}

static void qemu_close(void *ctx)
{
	struct qemu_backend *qb = ctx;

	if (!qb)
		return;
	us_error_destroy(qemu_resume(qb)); /* never leave a VM stopped behind us */
	us_qmp_close(qb->qmp);
	if (qb->mem)
		munmap((void *)qb->mem, qb->mem_size);
	if (qb->fd >= 0)
		close(qb->fd);
	free(qb);
}

static struct us_error *qemu_map_writable(void *ctx, uint64_t paddr, size_t len,
					  struct us_writable *out)
{
	struct qemu_backend *qb = ctx;
	uint64_t start = paddr & ~4095ull;
	struct us_error *err = us_range_check(qb->range.start, qb->range.end, paddr, len, "guest RAM");
	char path[US_PATH_MAX + 16];
	void *m;
	int fd;

	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/mem", qb->dir);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return us_error_errno(errno, "cannot open guest RAM '%s' for writing", path);
	m = mmap(NULL, paddr - start + len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
	close(fd);
	if (m == MAP_FAILED)
		return us_error_errno(errno, "cannot map guest RAM '%s' writable", path);
	*out = (struct us_writable){ .ptr = (uint8_t *)m + (paddr - start), .map = m,
				     .map_len = paddr - start + len };
	return NULL;
}

static void qemu_unmap_writable(void *ctx, struct us_writable *w)
{
	(void)ctx;
	if (w->map)
		munmap(w->map, w->map_len);
	*w = (struct us_writable){ 0 };
}

static const struct us_backend_ops qemu_ops = {
	.read_phys = qemu_read_phys,
	.read_vcpu_regs = qemu_read_vcpu_regs,
	.pause = qemu_pause,
	.resume = qemu_resume,
	.close = qemu_close,
	.known_zero = qemu_known_zero,
	.map_writable = qemu_map_writable,
	.unmap_writable = qemu_unmap_writable,
	.read_vcpu_fpu = qemu_read_vcpu_fpu,
};

static struct us_error *qemu_map_ram(struct qemu_backend *qb)
{
	char path[US_PATH_MAX + 16];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/mem", qb->dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return us_error_errno(errno, "cannot open guest RAM '%s'", path);
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return us_error_create(US_ERR_INVALID, "guest RAM '%s' is empty", path);
	}
	qb->mem_size = (size_t)st.st_size;
	if ((uint64_t)st.st_size > QEMU_DIRECT_RAM_MAX)
		qb->mem_size = QEMU_DIRECT_RAM_MAX;
	p = mmap(NULL, qb->mem_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int saved = errno;
		close(fd);
		return us_error_errno(saved, "cannot map guest RAM '%s'", path);
	}
	qb->fd = fd;
	qb->mem = p;
	qb->range = (struct us_mem_range){ 0, qb->mem_size };
	return NULL;
}

struct us_error *us_backend_qemu_open(const char *dir, struct us_backend **out)
{
	struct qemu_backend *qb = calloc(1, sizeof(*qb));
	struct us_backend *b = calloc(1, sizeof(*b));
	struct us_error *err;
	struct session s;

	if (!qb || !b) {
		free(qb);
		free(b);
		return &us_error_nomem;
	}
	snprintf(qb->dir, sizeof(qb->dir), "%s", dir);
	qb->fd = -1;
	if ((err = qemu_map_ram(qb))) {
		free(qb);
		free(b);
		return err;
	}
	*b = (struct us_backend){ .ops = &qemu_ops, .ctx = qb, .kind = "qemu", .nr_vcpus = 1,
				  .live = true, .ranges = &qb->range, .nr_ranges = 1 };
	if (session_load(dir, &s) == 0)
		snprintf(b->image, sizeof(b->image), "%s", s.image);
	*out = b;
	return NULL;
}
