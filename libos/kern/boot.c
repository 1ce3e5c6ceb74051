/*
 * Boot: from the PVH entry (arch/x86_64/pvh.S) to the application's main().
 *
 * Order matters: the console first (so everything later can report), then
 * CPU tables, physical memory, the stack arena, the final page tables, the
 * clock and interrupts, threads; the image is sealed just before main runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern.h"
#include "debug/hooks.h"
#include "image.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "plat/plat.h"
#include "channel.h"
#include "trace.h"
#include "posix/posix.h"
#include "module.h"

#define HVM_START_MAGIC 0x336ec578u
#define E820_RAM 1

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};


static char cmdline[CMDLINE_MAX];
static char argv_storage[CMDLINE_MAX];
static char *argv[MAX_ARGS + 1];
static int argc;
static struct paging_layout layout;

const char *cmdline_string(void) { return cmdline; }

/* The ACPI root pointer the PVH start info gave, or 0: no ACPI. */
static uint64_t acpi_rsdp;
uint64_t boot_acpi_rsdp(void) { return acpi_rsdp; }

/* What the page allocator must not hand out: the image, the PVH module (a root file system). */
static struct { uint64_t lo, hi; } reserved[2];

/* RAM the page allocator may hand out: above 1 MiB and outside reserved[r..]. */
static void add_free_ram_from(uint64_t start, uint64_t end, unsigned r)
{
	if (start < 0x100000)
		start = 0x100000;
	if (end <= start)
		return;
	if (r == sizeof(reserved) / sizeof(reserved[0])) {
		page_alloc_add_ram(start, end);
		return;
	}
	if (!reserved[r].hi || end <= reserved[r].lo || start >= reserved[r].hi) {
		add_free_ram_from(start, end, r + 1);
		return;
	}
	if (start < reserved[r].lo)
		add_free_ram_from(start, reserved[r].lo, r + 1);
	if (end > reserved[r].hi)
		add_free_ram_from(reserved[r].hi, end, r + 1);
}

static void add_free_ram(uint64_t start, uint64_t end)
{
	add_free_ram_from(start, end, 0);
}

/* The first module, when there is one, is the root file system (a cpio archive). */
static void read_modules(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *mod = (const struct hvm_modlist_entry *)si->modlist_paddr;

	reserved[0].lo = (uint64_t)_image_start;
	reserved[0].hi = (uint64_t)_image_end;
	if (!si->nr_modules || !si->modlist_paddr || !mod->size || mod->paddr < 0x100000 ||
	    mod->paddr + mod->size < mod->paddr)
		return;
	reserved[1].lo = PAGE_ALIGN_DOWN(mod->paddr);
	reserved[1].hi = PAGE_ALIGN_UP(mod->paddr + mod->size);
	fs_set_module(mod->paddr, mod->size);
}

static void read_start_info(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *map;

	if (!si || si->magic != HVM_START_MAGIC)
		panic("no PVH start info (magic %#x)", si ? si->magic : 0);
	if (si->cmdline_paddr)
		strncpy(cmdline, (const char *)si->cmdline_paddr, sizeof(cmdline) - 1);
	if (si->version < 1 || !si->memmap_paddr)
		panic("PVH start info has no memory map (version %u)", si->version);
	read_modules(si);
	acpi_rsdp = si->rsdp_paddr;
	map = (const struct hvm_memmap_entry *)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries && i < 128; i++) {
		if (map[i].type != E820_RAM || layout.nr_ram >= PAGING_MAX_RAM_RANGES)
			continue;
		layout.ram[layout.nr_ram].start = map[i].addr;
		layout.ram[layout.nr_ram].end = map[i].addr + map[i].size;
		layout.nr_ram++;
		add_free_ram(map[i].addr, map[i].addr + map[i].size);
	}
}

static void split_cmdline(void)
{
	char *p = argv_storage;

	strncpy(argv_storage, cmdline, sizeof(argv_storage) - 1);
	argv[argc++] = "app";
	while (*p && argc < MAX_ARGS) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = 0;
}

/* Look up key=value among the command-line words. */
const char *cmdline_get(const char *key)
{
	size_t n = strlen(key);

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return 0;
}

long cmdline_get_long(const char *key, long fallback)
{
	const char *v = cmdline_get(key);

	return v ? strtol(v, 0, 0) : fallback;
}

static void memory_init(void)
{
	uint64_t ram_pages;

	ram_pages = heap_stats.pages_free;
	/* A quarter of RAM for stacks, so many-thread images still fit. */
	if (stack_arena_init(page_alloc, ram_pages * PAGE_SIZE / 4 / STACK_SLOT_SIZE) < 0)
		panic("not enough memory for thread stacks");
	layout.arena_start = stack_arena_start();
	layout.arena_end = stack_arena_end();
	layout.guard_stride = STACK_SLOT_SIZE;
	process_reserve_stack(page_alloc);
	modules_run(MODULE_EARLY); /* drivers claim their MMIO windows */
	if (paging_init(&layout, page_alloc) < 0)
		panic("cannot build page tables");
}

void boot_main(const struct hvm_start_info *si)
{
	plat_init();
	gdt_init();
	idt_init();
	lapic_init();
	tsc_calibrate_begin();
	lapic_calibrate_begin();
	read_start_info(si);
	page_alloc_init();
	memory_init();
	fpu_init();
	tsc_calibrate_end();
	split_cmdline();
	info_init();
	channel_init();
	trace_init();
	syscall_init();
	sched_init();
	mem_init();
	process_init(cmdline);
	modules_run(MODULE_INIT);
	debug_init();
	lapic_timer_start(SCHED_HZ);
	paging_seal();
	sched_start();
}
