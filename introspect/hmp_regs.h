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
#include "error.h"

/* Fails unless RIP, RSP and CR3 are all present. */
struct us_error *us_parse_info_registers(const char *text, struct uniscope_regs *regs);
/*
 * The same text's x87/SSE lines (FCW, FSW, FTW, MXCSR, FPRn, XMMnn or YMMnn)
 * as an FXSAVE image. The instruction and operand pointers and the opcode
 * are not printed, so they read 0. Fails unless FCW and MXCSR are present.
 */
struct us_error *us_parse_info_registers_fpu(const char *text, struct uniscope_fxsave *fx);

#endif
