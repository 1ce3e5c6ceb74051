/*
 * The stub's DEBUG=full half: the debugger may write memory and registers,
 * and software breakpoints are int3 bytes written into text. The seal is
 * lifted only for the length of one such write (paging_unseal), so a full
 * image is as protected as a sealed one whenever the debugger is not
 * writing.
 */
#include <string.h>
#include "arch/x86_64/paging.h"
#include "debug.h"

#define MAX_SW_BREAKPOINTS 64


static struct {
	uint64_t addr;
	uint8_t saved;
	bool used;
} sw[MAX_SW_BREAKPOINTS];

/* The one place the seal is lifted: a debugger write in the full profile. */
int stub_write_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	uint64_t saved_cr0;

	(void)ctx;
	if (!paging_range_mapped(addr, len))
		return GDB_ERR_FAULT;
	saved_cr0 = paging_unseal();
	memcpy((void *)addr, buf, len);
	paging_reseal(saved_cr0);
	return 0;
}

int stub_may_write_registers(void)
{
	return 0;
}

int stub_sw_breakpoint_insert(uint64_t addr)
{
	static const uint8_t int3 = 0xcc;

	for (int i = 0; i < MAX_SW_BREAKPOINTS; i++) {
		if (sw[i].used)
			continue;
		if (stub_read_memory(0, addr, &sw[i].saved, 1) != 1 || stub_write_memory(0, addr, &int3, 1))
			return GDB_ERR_FAULT;
		sw[i].addr = addr;
		sw[i].used = true;
		return 0;
	}
	stub_refuse_because("all 64 software breakpoints in use");
	return GDB_ERR_NO_SPACE;
}

int stub_sw_breakpoint_remove(uint64_t addr)
{
	for (int i = 0; i < MAX_SW_BREAKPOINTS; i++) {
		if (sw[i].used && sw[i].addr == addr) {
			sw[i].used = false;
			return stub_write_memory(0, addr, &sw[i].saved, 1);
		}
	}
	return GDB_ERR_INVALID;
}

bool stub_sw_breakpoint_at(uint64_t addr)
{
	for (int i = 0; i < MAX_SW_BREAKPOINTS; i++)
		if (sw[i].used && sw[i].addr == addr)
			return true;
	return false;
}

void stub_sw_breakpoints_clear(void)
{
	for (int i = 0; i < MAX_SW_BREAKPOINTS; i++)
		if (sw[i].used)
			stub_sw_breakpoint_remove(sw[i].addr);
}
