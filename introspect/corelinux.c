/*
 * The notes a Linux core carries beyond the threads' registers, so that
 * every debugger opens a uniscope core the way it opens a Linux one,
 * without being told where the image is:
 *
 *	NT_SIGINFO    how the guest died: signal, code and fault address
 *	              (GDB's $_siginfo, LLDB's stop reason);
 *	NT_AUXV       where the image's program headers are and its entry
 *	              (LLDB places the executable by AT_ENTRY; libdwfl reads
 *	              AT_PHDR);
 *	NT_FILE       the image, mapped at its load addresses (LLDB opens the
 *	              first entry as the executable; libdwfl, so eu-stack and
 *	              eu-unstrip, names the module it found in memory after
 *	              it; drgn checks every segment against it). The image
 *	              loads its ELF header, program headers and notes in its
 *	              first page (libos/libos.ld), so that page in the core
 *	              carries the build-id too. These ranges always go in the
 *	              core: GDB reads the file for what a core lacks, and the
 *	              guest has written its data since;
 *	NT_FPREGSET,  per thread, its x87/SSE state (FXSAVE), and the same
 *	NT_X86_XSTATE as an XSAVE area with XCR0 = x87|SSE: the note owned
 *	              "LINUX" that LLDB needs to accept an ELF core at all.
 *
 * NT_FILE's page size is 1: the image is linked --nmagic, so its segments
 * sit at file offsets that are not page-aligned; offsets are in bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "corefile.h"
#include "corewrite.h"
#include "elf.h"

#define NT_SIGINFO 0x53494749u
#define NT_FILE 0x46494c45u
#define NT_AUXV 6u
#define NT_FPREGSET 2u
#define NT_X86_XSTATE 0x202u
#define XSAVE_HEADER_SIZE 64
#define XSAVE_SW_XCR0 464     /* where Linux (and GDB) keep XCR0 in the legacy area */
#define XSTATE_X87_SSE 3ull

/* Linux x86-64 siginfo_t for a fault (si_addr) */
struct core_siginfo {
	int32_t si_signo, si_errno, si_code, pad;
	uint64_t si_addr;
	uint8_t rest[128 - 24];
};
_Static_assert(sizeof(struct core_siginfo) == 128, "siginfo_t layout");

/* ---- the image ----------------------------------------------------------- */

/* Every segment with file bytes (readers check them all against the file); false
 * when none loads the ELF header, so that nothing in memory names the image. */
static bool image_maps(struct core_image *img, const struct us_elf_segment *segs, size_t n,
		       uint64_t phoff)
{
	bool headers_loaded = false;

	for (size_t i = 0; i < n && img->nr_maps < CORE_IMAGE_MAPS_MAX; i++) {
		const struct us_elf_segment *s = &segs[i];
		if (s->type != US_ELF_PT_LOAD || !s->filesz)
			continue;
		if (s->offset == 0 && phoff + n * 56 <= s->filesz) {
			img->phdr = s->vaddr + phoff;
			headers_loaded = true;
		}
		img->maps[img->nr_maps].start = s->vaddr;
		img->maps[img->nr_maps].end = s->vaddr + s->filesz;
		img->maps[img->nr_maps].offset = s->offset;
		img->nr_maps++;
	}
	return headers_loaded;
}

/* The image symbols came from (target.c checked it is the guest's), as loaded. */
void core_find_image(struct core_writer *w)
{
	const char *path = us_target_image(w->t);
	struct us_elf_segment *segs = NULL;
	struct core_image *img = &w->image;
	struct us_elf *elf = NULL;
	struct us_error *err;
	uint64_t phoff;
	size_t n = 0;

	memset(img, 0, sizeof(*img));
	if (!path || !*path)
		return;
	if ((err = us_elf_open(path, &elf)) || (err = us_elf_entry(elf, &img->entry, &phoff)) ||
	    (err = us_elf_segments(elf, &segs, &n))) {
		core_warn(w, "no NT_FILE: %s", err->message);
		us_error_destroy(err);
	} else {
		img->phnum = n;
		if (image_maps(img, segs, n, phoff))
			img->path = path;
	}
	free(segs);
	us_elf_close(elf);
}

/* ---- the process notes --------------------------------------------------- */

/* si_code and si_addr as Linux gives them for the fault the panic record holds. */
static void fault_details(const struct uniscope_panic *p, int signal, struct core_siginfo *si)
{
	switch (signal) {
	case 11: /* SIGSEGV: SEGV_ACCERR when the page was there, else SEGV_MAPERR */
		si->si_code = (p->error_code & 1) && p->vector == 14 ? 2 : 1;
		si->si_addr = p->fault_addr;
		break;
	case 4:  /* SIGILL: ILL_ILLOPN */
	case 8:  /* SIGFPE: FPE_INTDIV */
		si->si_code = signal == 4 ? 2 : 1;
		si->si_addr = p->regs.rip;
		break;
	case 5:  /* SIGTRAP: TRAP_BRKPT */
		si->si_code = 1;
		si->si_addr = p->regs.rip;
		break;
	case 6:  /* SIGABRT from abort(): SI_TKILL */
		si->si_code = -6;
		break;
	default:
		si->si_code = 1;
		si->si_addr = p->fault_addr;
	}
}

static void note_siginfo(struct core_writer *w, struct core_notes *n)
{
	int signal = us_panic_signal(&w->panic);
	struct core_siginfo si;

	if (!signal)
		return; /* alive: no signal to tell */
	memset(&si, 0, sizeof(si));
	si.si_signo = signal;
	fault_details(&w->panic, signal, &si);
	core_note_add(n, "CORE", NT_SIGINFO, &si, sizeof(si));
}

static void note_auxv(const struct core_image *img, struct core_notes *n)
{
	const uint64_t auxv[] = {
		3, img->phdr,  /* AT_PHDR */
		4, 56,         /* AT_PHENT */
		5, img->phnum, /* AT_PHNUM */
		6, 4096,       /* AT_PAGESZ */
		9, img->entry, /* AT_ENTRY */
		0, 0,          /* AT_NULL */
	};

	core_note_add(n, "CORE", NT_AUXV, auxv, sizeof(auxv));
}

static void note_file(const struct core_image *img, struct core_notes *n)
{
	size_t path_len = strlen(img->path) + 1, words = 2 + 3 * img->nr_maps;
	size_t len = words * 8 + img->nr_maps * path_len;
	uint64_t head[2 + 3 * CORE_IMAGE_MAPS_MAX] = { img->nr_maps, 1 /* page size: bytes */ };
	uint8_t *desc = malloc(len);

	if (!desc) {
		n->failed = true;
		return;
	}
	for (size_t i = 0; i < img->nr_maps; i++) {
		head[2 + 3 * i] = img->maps[i].start;
		head[3 + 3 * i] = img->maps[i].end;
		head[4 + 3 * i] = img->maps[i].offset;
	}
	memcpy(desc, head, words * 8);
	for (size_t i = 0; i < img->nr_maps; i++)
		memcpy(desc + words * 8 + i * path_len, img->path, path_len);
	core_note_add(n, "CORE", NT_FILE, desc, len);
	free(desc);
}

void core_note_process(struct core_writer *w, struct core_notes *n)
{
	note_siginfo(w, n);
	if (!w->image.path)
		return;
	note_auxv(&w->image, n);
	note_file(&w->image, n);
}

/* ---- x87 and SSE --------------------------------------------------------- */

void core_note_fpu(struct core_writer *w, struct core_notes *n, const struct us_thread *th)
{
	uint8_t xsave[sizeof(struct uniscope_fxsave) + XSAVE_HEADER_SIZE];
	uint64_t xcr0 = XSTATE_X87_SSE;
	struct uniscope_fxsave fx;
	struct us_error *err;

	if (!th->address && th->regs_source != US_REGS_VCPU)
		return;
	if ((err = us_thread_fpu(w->t, th, &fx))) {
		us_error_destroy(err); /* a core without it is still a core */
		return;
	}
	core_note_add(n, "CORE", NT_FPREGSET, &fx, sizeof(fx));
	memset(xsave, 0, sizeof(xsave));
	memcpy(xsave, &fx, sizeof(fx));
	memcpy(xsave + XSAVE_SW_XCR0, &xcr0, sizeof(xcr0));
	memcpy(xsave + sizeof(fx), &xcr0, sizeof(xcr0)); /* XSTATE_BV */
	core_note_add(n, "LINUX", NT_X86_XSTATE, xsave, sizeof(xsave));
}
