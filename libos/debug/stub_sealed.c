/*
 * The stub's DEBUG=sealed half, the default for production images: the
 * stub never writes memory or registers, so a debugger can look at a
 * sealed image but not change what it does. Breakpoints of every kind
 * come from the CPU's four debug registers while they last. Refusals say
 * why in the error reply (gdb_engine_error_message), which GDB shows for
 * hardware breakpoints and register writes.
 */
#include "arch/x86_64/debugreg.h"
#include "debug.h"


int stub_write_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx, (void)addr, (void)buf, (void)len;
	stub_refuse_because("sealed profile: memory writes disabled");
	return GDB_ERR_REFUSED;
}

int stub_may_write_registers(void)
{
	stub_refuse_because("sealed profile: register writes disabled");
	return GDB_ERR_REFUSED;
}

/* GDB must hear "swbreak" for a Z0 breakpoint, whatever serves it. */
int stub_sw_breakpoint_insert(uint64_t addr)
{
	int slot = debug_slot_insert(DEBUG_SLOT_EXEC, addr, 1);

	if (slot < 0) {
		stub_refuse_because("all 4 debug registers in use");
		return GDB_ERR_NO_SPACE;
	}
	debug_slot_mark_software(slot);
	return 0;
}

int stub_sw_breakpoint_remove(uint64_t addr)
{
	return debug_slot_remove(DEBUG_SLOT_EXEC, addr) == 0 ? 0 : GDB_ERR_INVALID;
}

/* No int3 of ours is ever in the text. */
bool stub_sw_breakpoint_at(uint64_t addr)
{
	(void)addr;
	return false;
}

void stub_sw_breakpoints_clear(void)
{
}
