/*
 * The process: its main thread, its command line, environment and
 * auxiliary vector, its identity and its end.
 *
 * The main thread runs on a stack of MAIN_STACK_SIZE taken at boot, with
 * a guard page below it that is never mapped. It starts in the libOS
 * (process_main: the debugger's boot wait), builds the Linux process entry
 * state at the top of that stack (argc, argv, envp, auxv, the strings) and
 * jumps to the C library's _start (syscall.S, process_enter).
 *
 * The command line (-append) is the libOS's options, then the program's
 * arguments: words the libOS knows (key=value for the keys of
 * libos_option_keys, gdb=wait) come first and are not passed on; an
 * optional "--" ends them; "env=KEY=VALUE" sets the environment (%XX
 * escapes a byte, so values can hold spaces: `uniscope run --env`).
 * QEMU's microvm appends "virtio_mmio.device=..." words for its virtio
 * devices after everything else; they are the driver's, never argv.
 * Words may be "double quoted". argv[0] is "app" unless argv0=NAME says.
 */
#include <string.h>
#include "posix.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "plat/plat.h"
#include "kern/channel.h"
#include "image.h"
#include "kern/module.h"
#include "debug/hooks.h"
#include "arch/x86_64/arch.h"

#define MAIN_STACK_SIZE (1024 * 1024ul)
#define ENTRY_STATE_ROOM (16 * 1024ul) /* top of the main stack: argv, env, auxv */
#define MAX_ENV 32
#define CHAN_WAIT_NS (3000ull * 1000000ull) /* chan=wait: the host HELLOs every 200 ms */
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

/* The C library's entry (crt1.o). */
extern char _start[];

static const char *const libos_option_keys[] = {
	"gdb", "trace_mask", "trace_mode", "trace_ring", "env", "argv0", "chan", "ip", "net_wait", 0,
};

static struct {
	char words[CMDLINE_MAX];
	char *argv[MAX_ARGS + 1], *envp[MAX_ENV + 1];
	int argc, envc;
	const char *argv0;
	uint64_t stack_lo, stack_hi;
	struct elf64_phdr phdrs[2];
} proc;

/* Splits at spaces, keeping "quoted words" whole; NUL-terminates in place. */
static char *next_word(char **cursor)
{
	char *p = *cursor, *word, *out;

	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	word = out = p;
	for (bool quoted = false; *p && (quoted || *p != ' '); p++) {
		if (*p == '"')
			quoted = !quoted;
		else
			*out++ = *p;
	}
	*cursor = *p ? p + 1 : p;
	*out = 0;
	return word;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX escapes, in place. */
static void percent_decode(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s == '%' && hex_digit(s[1]) >= 0 && hex_digit(s[2]) >= 0) {
			*out++ = (char)(hex_digit(s[1]) * 16 + hex_digit(s[2]));
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

static bool is_libos_option(const char *word)
{
	for (int i = 0; libos_option_keys[i]; i++) {
		size_t n = strlen(libos_option_keys[i]);
		if (!strncmp(word, libos_option_keys[i], n) && word[n] == '=')
			return true;
	}
	return false;
}

static void take_option(char *word)
{
	if (!strncmp(word, "env=", 4) && proc.envc < MAX_ENV) {
		percent_decode(word + 4);
		proc.envp[proc.envc++] = word + 4;
	} else if (!strncmp(word, "argv0=", 6)) {
		proc.argv0 = word + 6;
	}
}

static void parse_command_line(const char *cmdline)
{
	char *cursor = proc.words, *word;
	bool options = true;

	strncpy(proc.words, cmdline, sizeof(proc.words) - 1);
	proc.argc = 1;
	while ((word = next_word(&cursor))) {
		if (!strncmp(word, "virtio_mmio.device=", 19)) {
			continue; /* QEMU's microvm appends these after everything: the driver's */
		} else if (options && !strcmp(word, "--")) {
			options = false;
		} else if (options && is_libos_option(word)) {
			take_option(word);
		} else if (proc.argc < MAX_ARGS) {
			options = false;
			percent_decode(word);
			proc.argv[proc.argc++] = word;
		}
	}
	proc.argv[0] = (char *)(proc.argv0 ? proc.argv0 : "app");
}

const char *process_name(void)
{
	return proc.argv[0];
}

static void fill_program_headers(void)
{
	uint64_t tdata = (uint64_t)_tdata_start;

	proc.phdrs[0] = (struct elf64_phdr){
		.p_type = PT_TLS, .p_flags = 4, .p_vaddr = tdata, .p_paddr = tdata,
		.p_filesz = (uint64_t)_tdata_end - tdata, .p_memsz = (uint64_t)_tbss_end - tdata,
		.p_align = (uint64_t)_tls_align ? (uint64_t)_tls_align : 1,
	};
	proc.phdrs[1] = (struct elf64_phdr){ .p_type = PT_GNU_STACK, .p_flags = 6 };
}

static uint64_t random_word(void)
{
	uint64_t x = rdtsc() ^ 0x9e3779b97f4a7c15ull;

	x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27, x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Copies s below *top; returns where it went. */
static uint64_t push_string(uint64_t *top, const char *s)
{
	size_t n = strlen(s) + 1;

	*top -= n;
	memcpy((void *)*top, s, n);
	return *top;
}

/* argc, argv, envp and auxv at the top of the main stack: the rsp _start expects. */
static uint64_t build_entry_state(void)
{
	uint64_t top = proc.stack_hi, strings_argv[MAX_ARGS], strings_env[MAX_ENV], random[2];
	uint32_t id[4];
	uint64_t *sp, n;

	for (int i = 0; i < proc.argc; i++)
		strings_argv[i] = push_string(&top, proc.argv[i]);
	for (int i = 0; i < proc.envc; i++)
		strings_env[i] = push_string(&top, proc.envp[i]);
	uint64_t platform = push_string(&top, "x86_64");
	random[0] = random_word(), random[1] = random_word();
	top = (top - 16) & ~15ull;
	memcpy((void *)top, random, 16);
	cpuid(1, 0, id);
	uint64_t auxv[][2] = {
		{ AT_PHDR, (uint64_t)proc.phdrs }, { AT_PHENT, sizeof(proc.phdrs[0]) },
		{ AT_PHNUM, 2 }, { AT_PAGESZ, PAGE_SIZE }, { AT_ENTRY, (uint64_t)_start },
		{ AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 }, { AT_SECURE, 0 },
		{ AT_HWCAP, id[3] }, { AT_CLKTCK, SCHED_HZ }, { AT_RANDOM, top },
		{ AT_PLATFORM, platform }, { AT_EXECFN, strings_argv[0] }, { AT_NULL, 0 },
	};
	n = 1 + (uint64_t)proc.argc + 1 + (uint64_t)proc.envc + 1 + sizeof(auxv) / 8;
	sp = (uint64_t *)((top - n * 8) & ~15ull);
	top = (uint64_t)sp;
	*sp++ = (uint64_t)proc.argc;
	for (int i = 0; i < proc.argc; i++)
		*sp++ = strings_argv[i];
	*sp++ = 0;
	for (int i = 0; i < proc.envc; i++)
		*sp++ = strings_env[i];
	*sp++ = 0;
	memcpy(sp, auxv, sizeof(auxv));
	return top;
}

/*
 * chan=wait (`uniscope run` adds it): the program starts once the host
 * has said HELLO, so all it writes is framed. Text before the first frame
 * is taken as plain text, and a program writing binary data (a 0x00 byte
 * starts a frame) would otherwise lose it. A host that never answers
 * costs CHAN_WAIT_NS, then the program runs in text mode.
 */
static void await_host(void)
{
	const char *chan = cmdline_get("chan");

	if (chan && !strcmp(chan, "wait") && !channel_await_hello(CHAN_WAIT_NS))
		kprintf("uniscope: chan=wait, but no host said HELLO: plain text output\n");
}

static void *process_main(void *arg)
{
	(void)arg;
	await_host();
	debug_boot_wait();
	modules_run(MODULE_READY); /* e.g. the network's address, before main */
	process_enter(_start, build_entry_state());
}

/* Boot, before paging_init: the main stack and its guard page. */
void process_reserve_stack(uint64_t (*alloc_pages)(uint64_t count))
{
	uint64_t pages = MAIN_STACK_SIZE / PAGE_SIZE + 1;
	uint64_t base = alloc_pages(pages);

	if (!base || paging_add_guard_page(base) < 0)
		panic("no memory for the main thread's stack (%lu KiB)", MAIN_STACK_SIZE / 1024);
	proc.stack_lo = base + PAGE_SIZE;
	proc.stack_hi = base + pages * PAGE_SIZE;
}

void process_init(const char *cmdline)
{
	struct thread *t;

	parse_command_line(cmdline);
	fill_program_headers();
	t = thread_create_user("main", proc.stack_lo, proc.stack_hi);
	if (!t)
		panic("cannot create the main thread");
	thread_set_entry(t, process_main, 0, proc.stack_hi - ENTRY_STATE_ROOM);
	thread_start(t);
}

void process_exit(int status)
{
	irq_disable();
	channel_exit_notify(status);
	plat->exit(status);
}

SYSCALL_HANDLER(getpid)
{
	(void)args;
	return 1;
}

SYSCALL_HANDLER(getppid)
{
	(void)args;
	return 0;
}
