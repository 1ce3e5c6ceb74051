/*
 * Parsing QEMU's `info registers` text (x86_64) into struct uniscope_regs.
 *
 * Why text: QMP has no structured register query any more, and the other
 * source, QEMU's own gdbstub, stops the VM as soon as a client connects,
 * resumes it on detach (even if the user had paused it), and serves one
 * client at a time (a user's GDB may hold it). Measured here (QEMU 7.2,
 * TCG): `info registers` over an open QMP connection 0.6 ms; gdbstub
 * connect + `g` 0.15 ms. Both are far below the cost of a command, and the
 * monitor has none of those side effects, so it is the source we use.
 */
#ifndef UNISCOPE_INTROSPECT_HMP_REGS_H
#define UNISCOPE_INTROSPECT_HMP_REGS_H

#include <uniscope/abi.h>
#include "backend.h"
#include "error.h"

/* Fails unless RIP, RSP and CR3 are all present. */
struct us_error *us_parse_info_registers(const char *text, struct uniscope_regs *regs);

/*
 * The x87/SSE lines of the same text (FCW, FSW, FTW, MXCSR, FPR0-7,
 * XMM00-15) as a 512-byte FXSAVE image, the layout cores carry
 * (NT_FPREGSET). FOP, FIP and FDP are not shown by QEMU and stay 0. Fails
 * when FCW or MXCSR is missing.
 */
struct us_error *us_parse_info_registers_fpu(const char *text, uint8_t fxsave[US_FXSAVE_SIZE]);

#endif
