/*
 * libuniscope's public surface: the one header cli/ and tui/ include. What
 * it lists is the library's interface; every other header in introspect/
 * (backend.h, pagewalk.h, symbols.h, dwarf.h, corefile.h, internal.h, ...)
 * is the library's own, included by its .c files and white-box tests only.
 *
 *	target.h         a guest (live QEMU or Xen, or a core): memory, threads,
 *	                 backtraces, symbols, log, panic, heap (start here)
 *	error.h          the error objects every function returns
 *	json_out.h       the one JSON writer of every --json output
 *	postmortem.h     cores and the crash or hang report
 *	gdbtarget.h      GDB's view of a target (uniscope gdbserver)
 *	session.h        the sessions `uniscope run` leaves for other commands
 *	session_stats.h  a session's stats file, session_ctl.h its ctl.sock
 *	recording.h      run --record's directory, replay_target.h its replay
 *	xen_ctl.h        Xen domains (ls, the Xen launcher)
 *	pvh_image.h      is this file a bootable image (run)
 *	elf.h            ELF files (the one file that talks to libelf)
 *	qmp.h, hmp_regs.h  QEMU's QMP and `info registers` (the launcher)
 *	tracer/tracer.h  trace decoding, formatting and export
 */
#ifndef UNISCOPE_INTROSPECT_UNISCOPE_H
#define UNISCOPE_INTROSPECT_UNISCOPE_H

#include "introspect/target.h"
#include "introspect/error.h"
#include "introspect/json_out.h"
#include "introspect/postmortem.h"
#include "introspect/gdbtarget.h"
#include "introspect/session.h"
#include "introspect/session_stats.h"
#include "introspect/session_ctl.h"
#include "introspect/recording.h"
#include "introspect/replay_target.h"
#include "introspect/xen_ctl.h"
#include "introspect/pvh_image.h"
#include "introspect/elf.h"
#include "introspect/qmp.h"
#include "introspect/hmp_regs.h"
#include "tracer/tracer.h"

#endif
