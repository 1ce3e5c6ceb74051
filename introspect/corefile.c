/* Register conversions between core-file notes and struct uniscope_regs (see corefile.h). */
#include <string.h>
#include "corefile.h"

void us_regs_from_prstatus(struct uniscope_regs *r, const struct us_prstatus *p)
{
	*r = (struct uniscope_regs){
		.rax = p->rax, .rbx = p->rbx, .rcx = p->rcx, .rdx = p->rdx,
		.rsi = p->rsi, .rdi = p->rdi, .rbp = p->rbp, .rsp = p->rsp,
		.r8 = p->r8, .r9 = p->r9, .r10 = p->r10, .r11 = p->r11,
		.r12 = p->r12, .r13 = p->r13, .r14 = p->r14, .r15 = p->r15,
		.rip = p->rip, .rflags = p->eflags, .cs = p->cs, .ss = p->ss,
		.ds = p->ds, .es = p->es, .fs = p->fs, .gs = p->gs,
		.fs_base = p->fs_base, .gs_base = p->gs_base,
	};
}

void us_regs_to_prstatus(struct us_prstatus *p, const struct uniscope_regs *r)
{
	p->rax = r->rax; p->rbx = r->rbx; p->rcx = r->rcx; p->rdx = r->rdx;
	p->rsi = r->rsi; p->rdi = r->rdi; p->rbp = r->rbp; p->rsp = r->rsp;
	p->r8 = r->r8; p->r9 = r->r9; p->r10 = r->r10; p->r11 = r->r11;
	p->r12 = r->r12; p->r13 = r->r13; p->r14 = r->r14; p->r15 = r->r15;
	p->rip = r->rip; p->eflags = r->rflags; p->cs = r->cs; p->ss = r->ss;
	p->ds = r->ds; p->es = r->es; p->fs = r->fs; p->gs = r->gs;
	p->fs_base = r->fs_base; p->gs_base = r->gs_base;
	p->orig_rax = (uint64_t)-1;
}

void us_regs_from_qemu_cpu_state(struct uniscope_regs *r, const struct us_qemu_cpu_state *s)
{
	*r = (struct uniscope_regs){
		.rax = s->rax, .rbx = s->rbx, .rcx = s->rcx, .rdx = s->rdx,
		.rsi = s->rsi, .rdi = s->rdi, .rbp = s->rbp, .rsp = s->rsp,
		.r8 = s->r8, .r9 = s->r9, .r10 = s->r10, .r11 = s->r11,
		.r12 = s->r12, .r13 = s->r13, .r14 = s->r14, .r15 = s->r15,
		.rip = s->rip, .rflags = s->rflags,
		.cs = s->cs.selector, .ss = s->ss.selector, .ds = s->ds.selector,
		.es = s->es.selector, .fs = s->fs.selector, .gs = s->gs.selector,
		.fs_base = s->fs.base, .gs_base = s->gs.base,
		.cr0 = s->cr[0], .cr2 = s->cr[2], .cr3 = s->cr[3], .cr4 = s->cr[4],
	};
}
