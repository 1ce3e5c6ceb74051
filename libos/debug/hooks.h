/*
 * What the rest of the libOS calls in the debugger. The stub (stub.c and
 * the profile's half, DEBUG=full or sealed) implements these; off.c
 * implements them as nothing for DEBUG=off. The Makefile links one or the
 * other, so no kernel file asks whether a stub is there.
 */
#ifndef LIBOS_DEBUG_HOOKS_H
#define LIBOS_DEBUG_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uniscope/abi.h>
#include "arch/x86_64/arch.h"

/* Boot, once the channel is set up. */
void debug_init(void);
/* Just before main: stop for a debugger when the command line says gdb=wait. */
void debug_boot_wait(void);
/* #DB and int3: 1 when the trap was the debugger's (the frame may have changed). */
int debug_trap(trap_frame_t *frame);
/* A dying image: with a debugger attached, wait for it before dying. */
void debug_enter_on_death(struct uniscope_regs *regs, int signal);
/* Bytes of the gdb channel, from the receive interrupt or a poll. */
void debug_channel_input(const uint8_t *data, size_t len);
/* CHAN_CTL_INTERRUPT: the debugger's Ctrl-C. */
void debug_interrupt_request(void);
/* CHAN_CTL_DEBUGGER_GONE: the debugger left; forget everything it set. */
void debug_client_gone(void);
/*
 * True while the stub holds the image stopped. It may then wait for the
 * debugger with interrupts on; the timer's tick must not schedule, wake
 * sleepers or otherwise run the world meanwhile.
 */
bool debug_world_stopped(void);
/* True while a debugger is attached (it has spoken and not left) or connecting. */
bool debug_client_attached(void);

#endif
