/*
 * How the libOS dies: CPU faults, panic() and failed assertions all fill
 * the panic record (which host tools read from memory), print a report,
 * give a debugger the chance to look, and stop the VM with a non-zero
 * status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kern.h"
#include "debug/hooks.h"
#include "image.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "plat/plat.h"
#include "trace.h"
#include "channel.h"

struct uniscope_panic panic_record;
static int panicking;
static int panic_die_signal = 6; /* SIGABRT, unless panic_signal() says which */


static void print_registers(const struct uniscope_regs *r)
{
	kprintf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n"
		"  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
		"  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
		"  rip %016llx rflags %08llx cs %04llx ss %04llx\n"
		"  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n",
		(unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx,
		(unsigned long long)r->rdx, (unsigned long long)r->rsi, (unsigned long long)r->rdi,
		(unsigned long long)r->rbp, (unsigned long long)r->rsp, (unsigned long long)r->r8,
		(unsigned long long)r->r9, (unsigned long long)r->r10, (unsigned long long)r->r11,
		(unsigned long long)r->r12, (unsigned long long)r->r13, (unsigned long long)r->r14,
		(unsigned long long)r->r15, (unsigned long long)r->rip, (unsigned long long)r->rflags,
		(unsigned long long)r->cs, (unsigned long long)r->ss, (unsigned long long)r->cr0,
		(unsigned long long)r->cr2, (unsigned long long)r->cr3, (unsigned long long)r->cr4);
}

static void print_backtrace(uint64_t rbp)
{
	kprintf("  backtrace (frame pointers):");
	for (int depth = 0; depth < 16 && rbp && rbp % 8 == 0; depth++) {
		uint64_t *frame = (uint64_t *)rbp;
		if (!paging_is_mapped(rbp) || !paging_is_mapped(rbp + 8))
			break;
		if (!frame[1])
			break;
		kprintf(" %#llx", (unsigned long long)frame[1]);
		rbp = frame[0];
	}
	kprintf("\n");
}

static const char *thread_label(void)
{
	return current ? current->name : "boot";
}

__attribute__((noreturn)) static void die(int signal)
{
	debug_enter_on_death(&panic_record.regs, signal);
	channel_exit_notify(EXIT_STATUS_PANIC);
	plat->exit(EXIT_STATUS_PANIC);
}

static void record_start(uint32_t kind)
{
	irq_disable();
	if (panicking++) {
		console_emergency_write("\nnested panic\n", 14);
		plat->exit(EXIT_STATUS_PANIC);
	}
	panic_record.kind = kind;
	panic_record.console_written = console_log ? console_log->written : 0;
	trace_panic(kind);
	panic_record.thread_id = current ? current->id : 0;
	panic_record.tsc = rdtsc();
}

static void capture_here(struct uniscope_regs *r)
{
	memset(r, 0, sizeof(*r));
	__asm__ volatile("mov %%rbp, %0; mov %%rsp, %1; lea 0(%%rip), %2"
			 : "=r"(r->rbp), "=r"(r->rsp), "=r"(r->rip));
	r->rflags = read_rflags();
	r->cs = 0x08;
	r->ss = 0x10;
	r->cr0 = read_cr0();
	r->cr3 = read_cr3();
	r->cr4 = read_cr4();
}

__attribute__((noreturn)) static void vpanic_at(uint32_t kind, uint64_t caller_pc, const char *file,
						int line, const char *fmt, va_list ap);

void panic_signal(int signal, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_die_signal = signal;
	vpanic_at(UNISCOPE_PANIC_PANIC, (uint64_t)__builtin_return_address(0), 0, 0, fmt, ap);
}

__attribute__((noreturn)) static void vpanic_at(uint32_t kind, uint64_t caller_pc, const char *file,
						int line, const char *fmt, va_list ap)
{
	record_start(kind);
	capture_here(&panic_record.regs);
	panic_record.caller_pc = caller_pc;
	vsnprintf(panic_record.message, sizeof(panic_record.message), fmt, ap);
	strncpy(panic_record.file, file ? file : "", sizeof(panic_record.file) - 1);
	panic_record.line = (uint32_t)line;
	kprintf("\n*** uniscope: %s in thread %u '%s': %s\n",
		kind == UNISCOPE_PANIC_ASSERT ? "assertion failed" : "panic",
		panic_record.thread_id, thread_label(), panic_record.message);
	if (file)
		kprintf("  at %s:%d\n", file, line);
	print_backtrace(panic_record.regs.rbp);
	die(panic_die_signal);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_at(UNISCOPE_PANIC_PANIC, (uint64_t)__builtin_return_address(0), 0, 0, fmt, ap);
}

static void panic_assert(uint64_t caller_pc, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_at(UNISCOPE_PANIC_ASSERT, caller_pc, file, line, fmt, ap);
}

void __assert_fail(const char *expr, const char *file, int line, const char *func)
{
	panic_assert((uint64_t)__builtin_return_address(0), file, line, "%s (in %s)", expr, func);
}

static int fault_signal(uint64_t vector)
{
	switch (vector) {
	case 0: case 16: case 19: return 8;  /* SIGFPE */
	case 6: return 4;                    /* SIGILL */
	case 1: case 3: return 5;            /* SIGTRAP */
	case 17: return 7;                   /* SIGBUS */
	default: return 11;                  /* SIGSEGV */
	}
}

static int is_stack_overflow(const trap_frame_t *f)
{
	uint64_t addr = f->vector == 14 ? read_cr2() : f->rsp;

	return (f->vector == 14 || f->vector == 8) && paging_is_guard(addr);
}

/* What a page fault's error code says, in words. */
static const char *page_fault_cause(uint64_t error_code)
{
	if (error_code & 0x10)
		return error_code & 1 ? "execute of a non-executable page" : "execute of an unmapped page";
	if (error_code & 2)
		return error_code & 1 ? "write to a read-only page" : "write to an unmapped page";
	return error_code & 1 ? "read of a protected page" : "read of an unmapped page";
}

static void describe_fault(const trap_frame_t *f, const char *name, int overflow)
{
	uint64_t cr2 = read_cr2();
	const char *where = "";

	if (f->vector != 14) {
		snprintf(panic_record.message, sizeof(panic_record.message), "%s", name);
		return;
	}
	if (overflow)
		where = " (stack overflow)";
	else if (cr2 >= (uint64_t)_text_start && cr2 < (uint64_t)_text_end)
		where = " (sealed text)";
	else if (cr2 < PAGE_SIZE)
		where = " (null pointer)";
	snprintf(panic_record.message, sizeof(panic_record.message), "%s: %s at %#llx%s", name,
		 page_fault_cause(f->error_code), (unsigned long long)cr2, where);
}

void fault_handle(trap_frame_t *f)
{
	const char *name = f->vector < UNISCOPE_EXCEPTION_NAMED_COUNT ? uniscope_exception_names[f->vector]
								       : "exception";
	int overflow = is_stack_overflow(f);

	record_start(overflow ? UNISCOPE_PANIC_STACK_OVERFLOW : UNISCOPE_PANIC_FAULT);
	regs_from_trap_frame(&panic_record.regs, f);
	panic_record.vector = (uint32_t)f->vector;
	panic_record.error_code = f->error_code;
	panic_record.fault_addr = read_cr2();
	describe_fault(f, name, overflow);
	kprintf("\n*** uniscope: fault in thread %u '%s': %s\n", panic_record.thread_id,
		thread_label(), panic_record.message);
	kprintf("  vector %llu error code %#llx cr2 %#llx rip %#llx\n", (unsigned long long)f->vector,
		(unsigned long long)f->error_code, (unsigned long long)panic_record.fault_addr,
		(unsigned long long)f->rip);
	if (overflow)
		kprintf("  stack overflow: %#llx is the guard page below the thread's stack\n",
			(unsigned long long)(f->vector == 14 ? read_cr2() : f->rsp));
	print_registers(&panic_record.regs);
	print_backtrace(f->rbp);
	die(fault_signal(f->vector));
}
