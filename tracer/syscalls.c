/*
 * Linux x86-64 system call names by number, for trace fields of type
 * UNISCOPE_TRACE_SYSNR (the libOS's sys_enter/sys_exit carry numbers, so
 * that a syscall's trace records stay small and need no string copy). The
 * list is the host's kernel headers' (asm/unistd_64.h, made into
 * gen/linux_syscalls.h at build time): the same stable ABI the guest's C
 * library numbers its calls by.
 */
#include <stddef.h>
#include <stdint.h>
#include "tracer.h"

static const struct {
	uint16_t nr;
	const char *name;
} syscall_table[] = {
#define LINUX_SYSCALL(name, nr) { nr, #name },
#include "linux_syscalls.h"
#undef LINUX_SYSCALL
};

const char *trace_syscall_name(uint64_t nr)
{
	for (size_t i = 0; i < sizeof(syscall_table) / sizeof(syscall_table[0]); i++)
		if (syscall_table[i].nr == nr)
			return syscall_table[i].name;
	return NULL;
}

size_t trace_syscall_count(void)
{
	return sizeof(syscall_table) / sizeof(syscall_table[0]);
}

const char *trace_syscall_at(size_t i, uint64_t *nr)
{
	if (i >= trace_syscall_count())
		return NULL;
	*nr = syscall_table[i].nr;
	return syscall_table[i].name;
}
