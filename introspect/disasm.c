/*
 * Disassembly through Capstone: the only file that includes <capstone.h>.
 * x86-64, AT&T syntax as GDB and objdump show it by default.
 */
#include <capstone.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

static struct us_error *capstone_error(csh handle, const char *what)
{
	return us_error_create(US_ERR_OTHER, "capstone: %s: %s", what, cs_strerror(cs_errno(handle)));
}

struct us_error *us_disasm(const uint8_t *code, size_t len, uint64_t addr, size_t max,
			   struct us_insn *insns, size_t *count)
{
	cs_insn *decoded = NULL;
	size_t n;
	csh handle;

	*count = 0;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
		return us_error_create(US_ERR_OTHER, "capstone: cannot open an x86-64 disassembler");
	cs_option(handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	n = cs_disasm(handle, code, len, addr, max, &decoded);
	if (n == 0 && len > 0 && cs_errno(handle) != CS_ERR_OK) {
		struct us_error *err = capstone_error(handle, "disassembly failed");
		cs_close(&handle);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		struct us_insn *in = &insns[i];
		in->address = decoded[i].address;
		in->size = (uint8_t)(decoded[i].size < US_INSN_MAX_BYTES ? decoded[i].size
									 : US_INSN_MAX_BYTES);
		memcpy(in->bytes, decoded[i].bytes, in->size);
		snprintf(in->mnemonic, sizeof(in->mnemonic), "%s", decoded[i].mnemonic);
		snprintf(in->operands, sizeof(in->operands), "%s", decoded[i].op_str);
	}
	cs_free(decoded, n);
	cs_close(&handle);
	*count = n;
	return NULL;
}

/* Reads as much of [addr, addr + want) as is mapped, page by page. */
static size_t read_readable(struct us_target *t, uint64_t addr, uint8_t *buf, size_t want,
			    struct us_error **first_err)
{
	size_t got = 0;

	while (got < want) {
		size_t room = 4096 - ((addr + got) & 4095), take = want - got < room ? want - got : room;
		struct us_error *err = us_target_read(t, addr + got, buf + got, take);
		if (err) {
			*first_err = err;
			break;
		}
		got += take;
	}
	return got;
}

struct us_error *us_target_disassemble(struct us_target *t, uint64_t addr, size_t max,
				       struct us_insn *insns, size_t *count)
{
	uint8_t code[US_INSN_MAX_BYTES * 256] = { 0 };
	struct us_error *read_err = NULL, *err;
	size_t want = max * US_INSN_MAX_BYTES, got;

	*count = 0;
	if (max > 256)
		return us_error_create(US_ERR_USAGE, "at most 256 instructions at a time");
	got = read_readable(t, addr, code, want, &read_err);
	if ((err = us_disasm(code, got, addr, max, insns, count))) {
		us_error_destroy(read_err);
		return err;
	}
	if (*count > 0 || !read_err) {
		us_error_destroy(read_err); /* stopping at unmapped memory is not a failure */
		return NULL;
	}
	return read_err;
}
