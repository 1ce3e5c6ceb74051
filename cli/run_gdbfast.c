/*
 * The GDB fast path of `uniscope run`.
 *
 * A UART moves a few hundred KB/s under emulation (and costs a VM exit per
 * byte under KVM), so bulk memory reads do not belong on it. While the
 * guest sits in its stub (all-stop: nothing in it runs), memory cannot
 * change behind our back, so the bridge answers GDB's `m` packets itself
 * from the session's shared RAM file, translating through the guest's page
 * tables (the stub expedites cr3 in every stop reply). Everything else
 * goes to the stub, which stays the authority: anything the fast path
 * cannot answer in full is forwarded. UNISCOPE_GDB_FASTPATH=0 turns it off,
 * so a test can compare.
 *
 * The bridge knows the guest is stopped from the stop replies it relays
 * ($T, $S) and running again from the resume packets it relays (c, C, s,
 * S, vCont, D, k).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uniscope/gdbstub.h>
#include "run.h"

#define PTE_PRESENT 1ull
#define PTE_LARGE 0x80ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull
/* A reply must fit the PacketSize the stub advertised (4096): '$', hex, '#', checksum. */
#define MAX_FAST_READ ((4096 - 4) / 2)

void gdb_fast_init(struct run_state *rs)
{
	const char *env = getenv("UNISCOPE_GDB_FASTPATH");

	memset(&rs->gdbfast, 0, sizeof(rs->gdbfast));
	/* Under Xen there is no RAM file: every packet goes to the stub. A
	 * recording cannot have the host write guest RAM (the mailbox) behind
	 * QEMU's back: the replay would not see it. */
	rs->gdbfast.disabled = (env && !strcmp(env, "0")) || rs->opt.xen || rs->opt.record_dir;
}

/* Maps guest RAM on first use: QEMU creates the file only once it runs. */
bool gdb_fast_map_ram(struct run_state *rs)
{
	struct gdb_fast *f = &rs->gdbfast;
	char path[SESSION_PATH_MAX + 16];
	void *ram;
	int fd;

	if (f->ram || f->disabled)
		return f->ram != 0;
	session_path(&rs->session, "mem", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ram = mmap(0, rs->session.mem_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (ram == MAP_FAILED)
		return false;
	f->ram = ram;
	f->ram_size = rs->session.mem_size;
	return true;
}

/* Little-endian register bytes in hex, as in a stop reply. */
static bool parse_le_u64(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (end - p < 16)
		return false;
	for (int i = 0; i < 8; i++) {
		int hi = gdb_hex_value(p[2 * i]), lo = gdb_hex_value(p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		v |= (uint64_t)(hi << 4 | lo) << (8 * i);
	}
	*out = v;
	return true;
}

/* Bytes from the stub to GDB: notice stop replies and take cr3 from them. */
void gdb_fast_from_guest(struct run_state *rs, const uint8_t *data, size_t len)
{
	struct gdb_fast *f = &rs->gdbfast;
	const char *p = (const char *)data, *end = p + len, *cr3;

	for (const char *s = memchr(p, '$', len); s && s + 1 < end; s = memchr(s + 1, '$', (size_t)(end - s - 1))) {
		if (s[1] == 'T' || s[1] == 'S') {
			f->stopped = true;
			f->cr3_known = false;
			cr3 = memmem(s, (size_t)(end - s), ";2c:", 4);
			if (cr3 && parse_le_u64(cr3 + 4, end, &f->cr3))
				f->cr3_known = true;
			gdb_mailbox_attach(rs);
		} else if (s[1] == 'W' || s[1] == 'X') {
			f->stopped = false;
		}
	}
}

static bool is_resume_packet(const char *body, size_t len)
{
	if (len == 0)
		return false;
	if (strchr("cCsSDk", body[0]) && (len == 1 || body[0] != 'S' || gdb_hex_value(body[1]) >= 0))
		return true;
	return len >= 6 && !memcmp(body, "vCont;", 6);
}

static bool parse_m_packet(const char *body, size_t len, uint64_t *addr, size_t *count)
{
	char copy[64], *comma, *end;

	if (len < 4 || body[0] != 'm' || len >= sizeof(copy))
		return false;
	memcpy(copy, body + 1, len - 1);
	copy[len - 1] = 0;
	comma = strchr(copy, ',');
	if (!comma)
		return false;
	*addr = strtoull(copy, &end, 16);
	if (end != comma)
		return false;
	*count = strtoull(comma + 1, &end, 16);
	if (*end || *count == 0)
		return false;
	if (*count > MAX_FAST_READ)
		*count = MAX_FAST_READ; /* a short read: GDB asks again for the rest */
	return true;
}

/*
 * One four-level walk from cr3 through the RAM file (2 MiB and 1 GiB pages
 * too). Always at most four table reads, each bounds-checked, so hostile
 * tables cost nothing more than a failed lookup.
 */
static bool translate(const struct gdb_fast *f, uint64_t va, uint64_t *pa, uint64_t *page_size)
{
	uint64_t table = f->cr3 & PTE_ADDR_MASK, entry;

	for (int level = 3; level >= 0; level--) {
		uint64_t slot = table + ((va >> (12 + 9 * level)) & 511) * 8;
		if (slot > f->ram_size - 8)
			return false;
		memcpy(&entry, f->ram + slot, 8);
		if (!(entry & PTE_PRESENT))
			return false;
		if (level == 0 || (level <= 2 && (entry & PTE_LARGE))) {
			*page_size = 1ull << (12 + 9 * level);
			*pa = (entry & PTE_ADDR_MASK & ~(*page_size - 1)) | (va & (*page_size - 1));
			return true;
		}
		table = entry & PTE_ADDR_MASK;
	}
	return false;
}

bool gdb_fast_translate(const struct gdb_fast *f, uint64_t va, uint64_t *pa)
{
	uint64_t page_size;

	return f->ram && translate(f, va, pa, &page_size);
}

/* Reads guest virtual memory from the RAM file; false unless all of it is mapped RAM. */
static bool read_guest(const struct gdb_fast *f, uint64_t addr, uint8_t *buf, size_t count)
{
	for (size_t done = 0; done < count;) {
		uint64_t pa, page_size, in_page, n;
		if (!translate(f, addr + done, &pa, &page_size))
			return false;
		in_page = page_size - ((addr + done) & (page_size - 1));
		n = count - done < in_page ? count - done : in_page;
		if (pa > f->ram_size || n > f->ram_size - pa)
			return false;
		memcpy(buf + done, f->ram + pa, n);
		done += n;
	}
	return true;
}

static void send_reply(struct run_state *rs, const uint8_t *bytes, size_t count)
{
	static char out[2 * MAX_FAST_READ + 8];
	uint8_t sum = 0;
	size_t n = 0;

	out[n++] = '$';
	for (size_t i = 0; i < count; i++) {
		out[n++] = gdb_hex_char(bytes[i] >> 4);
		out[n++] = gdb_hex_char(bytes[i] & 15);
	}
	for (size_t i = 1; i < n; i++)
		sum += (uint8_t)out[i];
	out[n++] = '#';
	out[n++] = gdb_hex_char(sum >> 4);
	out[n++] = gdb_hex_char(sum & 15);
	if (!rs->gdbfast.no_ack)
		run_gdb_to_client(rs, "+", 1);
	run_gdb_to_client(rs, out, n);
}

/* One whole packet from GDB: answered here, or forwarded. */
static void client_packet(struct run_state *rs, const char *pkt, size_t len)
{
	struct gdb_fast *f = &rs->gdbfast;
	const char *body = pkt + 1;
	size_t body_len = len >= 4 ? len - 4 : 0;
	static uint8_t bytes[MAX_FAST_READ];
	uint64_t addr;
	size_t count;

	if (f->stopped && f->cr3_known && parse_m_packet(body, body_len, &addr, &count) &&
	    gdb_fast_map_ram(rs) && read_guest(f, addr, bytes, count)) {
		f->fast_reads++;
		send_reply(rs, bytes, count);
		return;
	}
	if (body_len == 15 && !memcmp(body, "QStartNoAckMode", 15))
		f->no_ack = true;
	if (body_len >= 1 && (body[0] == 'D' || body[0] == 'k'))
		f->client_detached = true;
	run_gdb_to_guest(rs, pkt, len); /* the mailbox takes it only while stopped */
	if (is_resume_packet(body, body_len))
		f->stopped = false;
}

/* Bytes from GDB: split into packets and single bytes (acks, Ctrl-C). */
void gdb_fast_from_client(struct run_state *rs, const uint8_t *data, size_t len)
{
	struct gdb_fast *f = &rs->gdbfast;

	for (size_t i = 0; i < len; i++) {
		char c = (char)data[i];
		if (f->pkt_len == 0 && c != '$') {
			run_gdb_to_guest(rs, &c, 1);
			continue;
		}
		if (f->pkt_len >= sizeof(f->pkt)) { /* too long to inspect: pass it on */
			run_gdb_to_guest(rs, f->pkt, f->pkt_len);
			f->pkt_len = 0;
			f->hash_at = 0;
		}
		f->pkt[f->pkt_len++] = c;
		if (c == '#' && !f->hash_at)
			f->hash_at = f->pkt_len;
		if (f->hash_at && f->pkt_len == f->hash_at + 2) {
			client_packet(rs, f->pkt, f->pkt_len);
			f->pkt_len = 0;
			f->hash_at = 0;
		}
	}
}

void gdb_fast_client_gone(struct run_state *rs)
{
	rs->gdbfast.pkt_len = 0;
	rs->gdbfast.hash_at = 0;
	rs->gdbfast.no_ack = false;
	rs->gdbfast.stopped = false;
	rs->gdbfast.client_detached = false;
}
