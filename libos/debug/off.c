/*
 * DEBUG=off: no debugger stub. The libOS still calls its hooks
 * (libos/debug/hooks.h); here they do nothing, so a trap the debugger would
 * have claimed is a fault like any other, and gdb channel bytes are dropped.
 */
#include "debug/hooks.h"

void debug_init(void) {}
void debug_boot_wait(void) {}
void debug_interrupt_request(void) {}
void debug_client_gone(void) {}

bool debug_world_stopped(void)
{
	return false;
}

bool debug_client_attached(void)
{
	return false;
}

int debug_trap(trap_frame_t *frame)
{
	(void)frame;
	return 0;
}

void debug_enter_on_death(struct uniscope_regs *regs, int signal)
{
	(void)regs;
	(void)signal;
}

void debug_channel_input(const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
}
