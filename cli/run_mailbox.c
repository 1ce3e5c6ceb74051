/*
 * The host's end of the GDB mailbox (include/uniscope/mailbox.h).
 *
 * Once the stub has reported a stop (so cr3 is known) the bridge finds the
 * mailbox by its symbol in the image, checks its magic through the RAM
 * file, maps those pages writable and sets host_attached. From then on,
 * while the guest is stopped, GDB's bytes go into to_guest instead of onto
 * the UART, and the stub's replies come back through to_host: the bridge
 * polls it closely for a short while after each packet it hands over, and
 * otherwise drains it when the stub rings (an empty gdb frame). Ctrl-C and
 * everything sent while the guest runs still take the channel.
 *
 * UNISCOPE_GDB_FASTPATH=0 turns this off along with the rest of the fast
 * path; so does a session without a RAM file (Xen).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uniscope/mailbox.h>
#include "introspect/symbols.h"
#include "run.h"

/* After handing the stub a packet, poll for its answer this long. */
#define MAILBOX_EAGER_MS 50
/* The stub drains to_guest while it polls; a full ring waits this long. */
#define MAILBOX_PUT_WAIT_MS 200

static uint64_t mailbox_address(const char *image)
{
	struct us_symbols *syms;
	const struct us_symbol *sym;
	uint64_t addr = 0;
	struct us_error *err = us_symbols_open(image, &syms);

	if (err) {
		us_error_destroy(err);
		return 0;
	}
	sym = us_symbols_by_name(syms, UNISCOPE_MAILBOX_SYMBOL);
	if (sym && sym->size >= sizeof(struct uniscope_mailbox))
		addr = sym->address;
	us_symbols_close(syms);
	return addr;
}

/* Maps [pa, pa + size) of the RAM file writable; the whole struct must be in RAM. */
static struct uniscope_mailbox *map_mailbox(struct run_state *rs, uint64_t pa)
{
	struct gdb_fast *f = &rs->gdbfast;
	char path[SESSION_PATH_MAX + 16];
	uint64_t start = pa & ~4095ull, len = pa - start + sizeof(struct uniscope_mailbox);
	void *m;
	int fd;

	if (pa >= f->ram_size || len > f->ram_size - start)
		return 0;
	session_path(&rs->session, "mem", path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	f->mailbox_map = m;
	f->mailbox_map_len = len;
	return (struct uniscope_mailbox *)((uint8_t *)m + (pa - start));
}

/* At a stop with cr3 known: attach the mailbox, once per run. */
void gdb_mailbox_attach(struct run_state *rs)
{
	struct gdb_fast *f = &rs->gdbfast;
	struct uniscope_mailbox *mb;
	uint64_t va, pa, pa_last;

	if (f->mailbox_tried || f->disabled || !f->stopped || !f->cr3_known || !gdb_fast_map_ram(rs))
		return;
	f->mailbox_tried = true;
	va = mailbox_address(rs->session.image);
	/* One mapping of the RAM file: the struct must be contiguous in guest-physical memory too. */
	if (!va || !gdb_fast_translate(f, va, &pa) ||
	    !gdb_fast_translate(f, va + sizeof(*mb) - 1, &pa_last) || pa_last - pa != sizeof(*mb) - 1 ||
	    !(mb = map_mailbox(rs, pa)))
		return;
	if (mailbox_load(&mb->magic) != UNISCOPE_MAILBOX_MAGIC) {
		gdb_mailbox_detach(rs);
		return;
	}
	mailbox_store(&mb->host_attached, 1);
	f->mailbox = mb;
}

void gdb_mailbox_detach(struct run_state *rs)
{
	struct gdb_fast *f = &rs->gdbfast;

	if (f->mailbox)
		mailbox_store(&f->mailbox->host_attached, 0);
	if (f->mailbox_map)
		munmap(f->mailbox_map, f->mailbox_map_len);
	f->mailbox = 0;
	f->mailbox_map = 0;
}

/* GDB's bytes for a stopped stub; false when they must take the channel. */
bool gdb_mailbox_put(struct run_state *rs, const void *buf, size_t len)
{
	struct gdb_fast *f = &rs->gdbfast;
	const uint8_t *p = buf;
	uint64_t deadline = run_now_ms() + MAILBOX_PUT_WAIT_MS;

	if (!f->mailbox || !f->stopped || memchr(buf, 0x03, len))
		return false;
	while (len > 0) {
		size_t n = mailbox_ring_put(&f->mailbox->to_guest, p, len);
		p += n;
		len -= n;
		f->mailbox_bytes_in += n;
		if (len && !n) {
			if (run_now_ms() > deadline) {
				/* The stub is not draining: the channel for the rest, and from now on. */
				gdb_mailbox_detach(rs);
				run_gdb_to_guest(rs, p, len);
				return true;
			}
			usleep(100);
		}
	}
	f->mailbox_eager_until_ms = run_now_ms() + MAILBOX_EAGER_MS;
	return true;
}

/* The stub's replies waiting in to_host, relayed as if they came on the channel. */
void gdb_mailbox_drain(struct run_state *rs)
{
	uint8_t buf[4096];
	size_t n;

	for (int i = 0; i < 64 && rs->gdbfast.mailbox; i++) {
		n = mailbox_ring_get(&rs->gdbfast.mailbox->to_host, buf, sizeof(buf));
		if (!n)
			break;
		rs->gdbfast.mailbox_bytes_out += n;
		run_gdb_from_guest(rs, buf, n);
	}
}

/* True while an answer is expected soon: the loop then polls closely. */
bool gdb_mailbox_eager(const struct run_state *rs)
{
	return rs->gdbfast.mailbox && run_now_ms() < rs->gdbfast.mailbox_eager_until_ms;
}
