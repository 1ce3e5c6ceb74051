/*
 * uniscope sym TARGET ADDR|NAME: symbol lookup both ways.
 *	sym dev 0x103f6f   ->  0x103f6f = idle_loop+0x1f at libos/kern/sched.c:160
 *	sym dev schedule   ->  schedule = 0x103e20 (function, 212 bytes) at libos/kern/sched.c:66
 */
#include <string.h>
#include "cli.h"
#include "introspect_cli.h"

static const char *kind_name(enum us_symbol_kind kind)
{
	return kind == US_SYM_FUNC ? "function" : kind == US_SYM_OBJECT ? "object" : "symbol";
}

static void print_by_name(const struct us_symbol *sym, const struct us_symbolized *where, bool json)
{
	if (json) {
		printf("{\"name\": ");
		us_json_string(stdout, sym->name);
		printf(", \"address\": ");
		us_json_address(stdout, sym->address);
		printf(", \"size\": %llu, \"kind\": \"%s\", ", (unsigned long long)sym->size,
		       kind_name(sym->kind));
		us_json_symbolized(stdout, where);
		printf("}\n");
		return;
	}
	printf("%s = 0x%llx (%s, %llu bytes)", sym->name, (unsigned long long)sym->address,
	       kind_name(sym->kind), (unsigned long long)sym->size);
	if (where->file)
		printf(" at %s:%d", where->file, where->line);
	putchar('\n');
}

static int print_by_address(uint64_t addr, const struct us_symbolized *where, bool json)
{
	if (json) {
		printf("{\"address\": ");
		us_json_address(stdout, addr);
		printf(", ");
		us_json_symbolized(stdout, where);
		printf("}\n");
	} else {
		char text[US_SYMBOLIZED_TEXT_MAX];

		printf("0x%llx = %s\n", (unsigned long long)addr,
		       us_symbolized_text(where, false, text, sizeof(text)));
	}
	return where->function ? 0 : 1;
}

static int lookup(struct us_target *t, const char *what, bool json)
{
	struct us_symbolized where;
	struct us_symbol sym;
	struct us_error *err;
	uint64_t addr;

	if (us_target_image(t) && !us_target_lookup_symbol(t, what, &sym)) {
		us_target_symbolize(t, sym.address, &where);
		print_by_name(&sym, &where, json);
		return 0;
	}
	if ((err = us_target_parse_address(t, what, &addr)))
		return cli_report(err);
	us_target_symbolize(t, addr, &where);
	if (!us_target_image(t))
		return cli_error("%s: no symbols (pass --image or --debug-dir)", us_target_name(t));
	return print_by_address(addr, &where, json);
}

int cmd_sym(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_target *t;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 2, 2)))
		return status;
	if (!(t = cli_target_open(&a)))
		return 1;
	status = lookup(t, a.positional[1], a.json);
	us_target_close(t);
	return status;
}
