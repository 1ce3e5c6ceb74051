/*
 * Core-file formats: what the core reader (backend_core.c) understands and
 * what uniscope's own core writer must produce. Layouts are fixed-width
 * and checked with _Static_assert; nothing here needs libelf.
 *
 * uniscope's own cores (`uniscope core`):
 *	ET_CORE, EM_X86_64, ELFCLASS64, little-endian;
 *	PT_LOAD  one per mapped stretch of guest memory, p_vaddr = guest
 *	         VIRTUAL address (p_paddr = physical, informative); readers
 *	         read by p_vaddr, no page walk;
 *	PT_NOTE  "CORE"/NT_PRSTATUS (struct us_prstatus), one per libOS thread,
 *	         pr_pid = thread id (GDB shows it as "LWP n"; ids start at 1,
 *	         0 would mean "any"), the thread that was on the CPU FIRST (it is also what
 *	         the reader reports as vCPU 0's registers; for a dead guest, the
 *	         registers at the fault); "CORE"/NT_PRPSINFO naming the image;
 *	         "UNISCOPE"/US_CORE_NOTE_INFO (struct us_core_note_info): where
 *	         the guest descriptor is, and the image's build-id.
 *
 * QEMU cores (`dump-guest-memory`, paging=false):
 *	PT_LOAD  p_paddr = guest PHYSICAL address; readers walk page tables;
 *	PT_NOTE  "CORE"/NT_PRSTATUS per vCPU, and "QEMU"/0 per vCPU holding
 *	         struct us_qemu_cpu_state (QEMU's QEMUCPUState: adds CR0-CR4 and
 *	         segment bases, which NT_PRSTATUS lacks).
 */
#ifndef UNISCOPE_INTROSPECT_COREFILE_H
#define UNISCOPE_INTROSPECT_COREFILE_H

#include <stdint.h>
#include <uniscope/abi.h>

#define US_CORE_NOTE_NAME "UNISCOPE"
/*
 * A note's type means what its owner says it means, but eu-elflint (0.188)
 * checks a core's note types against the list it knows whatever their
 * owner, and complains of any other. Type 7 is on that list, and no reader
 * that matters gives it a meaning under an owner it does not know (BFD,
 * hence GDB, LLDB, libdwfl and drgn all skip it). Cores written before
 * used US_CORE_NOTE_INFO_OLD; readers accept both.
 */
#define US_CORE_NOTE_INFO 7u
#define US_CORE_NOTE_INFO_OLD 0x55530001u

struct us_core_note_info {
	uint64_t info_address; /* guest virtual address of struct uniscope_info */
	uint32_t build_id_len;
	uint8_t build_id[UNISCOPE_BUILD_ID_MAX];
};
_Static_assert(sizeof(struct us_core_note_info) == 32, "UNISCOPE note layout");

/* Linux x86-64 struct elf_prstatus, as GDB reads it from NT_PRSTATUS. */
struct us_prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig, pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	uint64_t times[8]; /* utime, stime, cutime, cstime: struct timeval each */
	/* user_regs_struct, in the kernel's order */
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	uint64_t orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs;
	int32_t fpvalid, pad1;
};
_Static_assert(sizeof(struct us_prstatus) == 336, "NT_PRSTATUS layout");

struct us_qemu_segment {
	uint32_t selector, limit, flags, pad;
	uint64_t base;
};

/* QEMU's QEMUCPUState (target/i386/arch_dump.c): note rsp comes before rbp. */
struct us_qemu_cpu_state {
	uint32_t version, size;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	struct us_qemu_segment cs, ds, es, fs, gs, ss;
	struct us_qemu_segment ldt, tr, gdt, idt;
	uint64_t cr[5];
	uint64_t kernel_gs_base;
};
_Static_assert(sizeof(struct us_qemu_cpu_state) == 8 + 18 * 8 + 10 * 24 + 6 * 8, "QEMUCPUState");

void us_regs_from_prstatus(struct uniscope_regs *r, const struct us_prstatus *p);
void us_regs_to_prstatus(struct us_prstatus *p, const struct uniscope_regs *r);
void us_regs_from_qemu_cpu_state(struct uniscope_regs *r, const struct us_qemu_cpu_state *s);

#endif
