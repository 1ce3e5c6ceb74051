/*
 * uniscope mem TARGET ADDR LEN: a hexdump of guest memory. ADDR is a
 * virtual address (translated through the guest's page tables), a symbol
 * or symbol+offset; with --phys, a physical address. What could be read
 * before an unmapped address is shown, then the fault.
 */
#include <ctype.h>
#include <stdlib.h>
#include "cli.h"
#include "introspect_cli.h"

#define MEM_LEN_MAX (1u << 20)
#define LINE_BYTES 16

static void dump_line(uint64_t addr, const uint8_t *p, size_t n)
{
	printf("0x%016llx ", (unsigned long long)addr);
	for (size_t i = 0; i < LINE_BYTES; i++)
		printf(i < n ? " %02x" : "   ", p[i]);
	printf("  |");
	for (size_t i = 0; i < n; i++)
		putchar(isprint(p[i]) ? p[i] : '.');
	printf("|\n");
}

static void print_json(uint64_t addr, const uint8_t *buf, size_t got)
{
	printf("{\"address\": ");
	us_json_address(stdout, addr);
	printf(", \"length\": %zu, \"hex\": \"", got);
	for (size_t i = 0; i < got; i++)
		printf("%02x", buf[i]);
	printf("\"}\n");
}

/* Reads page by page so a fault still leaves what came before it. */
static struct us_error *read_range(struct us_target *t, bool phys, uint64_t addr, uint8_t *buf,
				   size_t len, size_t *got)
{
	struct us_error *err = NULL;

	for (*got = 0; *got < len && !err;) {
		size_t room = 4096 - ((addr + *got) & 4095);
		size_t take = len - *got < room ? len - *got : room;
		err = phys ? us_target_read_phys(t, addr + *got, buf + *got, take)
			   : us_target_read(t, addr + *got, buf + *got, take);
		if (!err)
			*got += take;
	}
	return err;
}

static int parse_args(struct us_target *t, const struct cli_target_args *a, uint64_t *addr,
		      uint64_t *len)
{
	struct us_error *err = us_target_parse_address(t, a->positional[1], addr);

	if (err)
		return cli_report(err);
	if (!cli_parse_count(a->positional[2], len) || *len == 0 || *len > MEM_LEN_MAX)
		return cli_error("mem: length '%s' must be 1..%u", a->positional[2], MEM_LEN_MAX);
	return 0;
}

int cmd_mem(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_error *err;
	struct us_target *t;
	uint64_t addr, len;
	uint8_t *buf;
	size_t got;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 3, 3)))
		return status;
	if (!(t = cli_target_open(&a)))
		return 1;
	if ((status = parse_args(t, &a, &addr, &len)) || !(buf = malloc(len))) {
		us_target_close(t);
		return status ? status : cli_error("out of memory");
	}
	err = read_range(t, a.phys, addr, buf, len, &got);
	us_target_close(t);
	if (a.json)
		print_json(addr, buf, got);
	else
		for (size_t off = 0; off < got; off += LINE_BYTES)
			dump_line(addr + off, buf + off, got - off < LINE_BYTES ? got - off : LINE_BYTES);
	free(buf);
	return err ? cli_report(err) : 0;
}
