/*
 * uniscope dis TARGET ADDR|SYMBOL [N]: disassembly of guest memory as it is
 * now (not of the file: what actually runs). N instructions, default 16; a
 * function named without N is shown whole (up to 256 instructions).
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "introspect_cli.h"

#define DIS_DEFAULT 16
#define DIS_MAX 256

/* "callq 0x102a50" gets " <irq_disable+0>", as objdump writes it. */
static void print_branch_target(struct us_target *t, const struct us_insn *in)
{
	struct us_symbolized where;
	char *end;
	uint64_t target;

	if (in->mnemonic[0] != 'j' && strncmp(in->mnemonic, "call", 4))
		return;
	if (strncmp(in->operands, "0x", 2))
		return;
	target = strtoull(in->operands, &end, 16);
	if (*end)
		return;
	us_target_symbolize(t, target, &where);
	if (where.function)
		printf(" <%s+%llu>", where.function, (unsigned long long)where.offset);
}

static void print_insn(struct us_target *t, const struct us_insn *in)
{
	struct us_symbolized where;
	char bytes[3 * US_INSN_MAX_BYTES + 1] = "";

	us_target_symbolize(t, in->address, &where);
	for (size_t i = 0; i < in->size; i++)
		sprintf(bytes + 3 * i, "%02x ", in->bytes[i]);
	printf("0x%016llx", (unsigned long long)in->address);
	if (where.function)
		printf(" <%s+%llu>", where.function, (unsigned long long)where.offset);
	printf(":\t%-24s %s%s%s", bytes, in->mnemonic, in->operands[0] ? " " : "", in->operands);
	print_branch_target(t, in);
	putchar('\n');
}

static void print_json_insn(struct us_target *t, const struct us_insn *in, bool first)
{
	struct us_symbolized where;

	us_target_symbolize(t, in->address, &where);
	printf(first ? "\n  {\"address\": " : ",\n  {\"address\": ");
	us_json_address(stdout, in->address);
	printf(", \"bytes\": \"");
	for (size_t i = 0; i < in->size; i++)
		printf("%02x", in->bytes[i]);
	printf("\", \"mnemonic\": ");
	us_json_string(stdout, in->mnemonic);
	printf(", \"operands\": ");
	us_json_string(stdout, in->operands);
	printf(", ");
	us_json_symbolized(stdout, &where);
	printf("}");
}

/* How many instructions: N, or a whole named function, or the default. */
static int instruction_count(struct us_target *t, const struct cli_target_args *a, uint64_t *n)
{
	struct us_symbol sym;

	if (a->nr_positional > 2) {
		if (!cli_parse_count(a->positional[2], n) || *n == 0 || *n > DIS_MAX)
			return cli_error("dis: count '%s' must be 1..%d", a->positional[2], DIS_MAX);
		return 0;
	}
	*n = DIS_DEFAULT;
	if (us_target_image(t) && !strchr(a->positional[1], '+') &&
	    !us_target_lookup_symbol(t, a->positional[1], &sym) && sym.kind == US_SYM_FUNC && sym.size)
		*n = sym.size < DIS_MAX ? sym.size : DIS_MAX; /* an upper bound: stop at the end below */
	return 0;
}

static int disassemble(struct us_target *t, const struct cli_target_args *a)
{
	struct us_insn *insns = calloc(DIS_MAX, sizeof(*insns));
	struct us_symbol sym = { 0 };
	uint64_t addr, n, end = UINT64_MAX;
	struct us_error *err;
	size_t count;
	int status = 0;

	if (!insns)
		return cli_error("out of memory");
	if ((err = us_target_parse_address(t, a->positional[1], &addr)))
		status = cli_report(err);
	else if (!(status = instruction_count(t, a, &n))) {
		if (a->nr_positional == 2 && us_target_image(t) &&
		    !us_target_lookup_symbol(t, a->positional[1], &sym) && sym.size)
			end = sym.address + sym.size;
		if ((err = us_target_disassemble(t, addr, n, insns, &count)))
			status = cli_report(err);
		if (a->json)
			printf("{\"instructions\": [");
		for (size_t i = 0; !err && i < count && insns[i].address < end; i++) {
			if (a->json)
				print_json_insn(t, &insns[i], i == 0);
			else
				print_insn(t, &insns[i]);
		}
		if (a->json)
			printf("\n]}\n");
	}
	free(insns);
	return status;
}

int cmd_dis(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_target *t;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 2, 3)))
		return status;
	if (!(t = cli_target_open(&a)))
		return 1;
	status = disassemble(t, &a);
	us_target_close(t);
	return status;
}
