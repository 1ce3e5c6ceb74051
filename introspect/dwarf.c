/*
 * libdw behind one file (see dwarf.h). The image is reported to a Dwfl
 * session as one offline module at its link addresses; the session
 * carries a "process" whose single thread is whatever unwind is under way:
 * its registers come from the caller and its memory through the caller's
 * read function, so libdw's unwinder (dwfl_getthread_frames) runs over
 * guest memory exactly as it runs over a Linux process.
 *
 * Lines and scopes come from the module's DWARF: dwfl_module_addrdie()
 * finds the compilation unit, dwarf_getsrc_die() the line,
 * dwarf_getscopes() the inlined blocks. Every walk over DIEs is bounded.
 */
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dwarf.h"

#define DIE_DEPTH_MAX 64
#define UNWIND_TID 1

struct unwind_request {
	const uint64_t *regs;
	us_dwarf_read_fn *read;
	void *arg;
	struct us_dwarf_frame *frames;
	size_t max, count;
	bool repeated;
};

struct us_dwarf {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf *dwarf;          /* NULL when the file has CFI but no DWARF */
	Dwarf_Addr bias;
	bool attached;         /* the unwinder's process is set up */
	struct unwind_request *req;
};

/* The file given is the one with the debug information: look nowhere else. */
static int no_separate_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
				 Dwarf_Addr base, const char *file_name,
				 const char *debuglink_file, GElf_Word debuglink_crc,
				 char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = no_separate_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* ---- the unwinder's process: one thread, the unwind under way ----------- */

static pid_t no_more_threads(Dwfl *dwfl, void *arg, void **thread_arg)
{
	(void)dwfl, (void)arg, (void)thread_arg;
	return 0;
}

static bool the_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_arg)
{
	(void)dwfl;
	*thread_arg = arg;
	return tid == UNWIND_TID;
}

static bool read_word(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct us_dwarf *d = arg;
	uint64_t word;

	(void)dwfl;
	if (!d->req || !d->req->read(d->req->arg, addr, &word))
		return false;
	*result = word;
	return true;
}

static bool initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct us_dwarf *d = arg;
	Dwarf_Word regs[US_DWARF_NREGS];

	for (int i = 0; i < US_DWARF_NREGS; i++)
		regs[i] = d->req->regs[i];
	if (!dwfl_thread_state_registers(thread, 0, US_DWARF_NREGS, regs))
		return false;
	dwfl_thread_state_register_pc(thread, regs[US_DWARF_RIP]);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = no_more_threads,
	.get_thread = the_thread,
	.memory_read = read_word,
	.set_initial_registers = initial_registers,
};

/* ---- opening ------------------------------------------------------------- */

static bool has_any_cfi(Dwfl_Module *mod)
{
	Dwarf_Addr bias;

	return dwfl_module_dwarf_cfi(mod, &bias) || dwfl_module_eh_cfi(mod, &bias);
}

static struct us_error *report_image(struct us_dwarf *d, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return us_error_errno(errno, "cannot open '%s'", path);
	if (!(d->dwfl = dwfl_begin(&offline_callbacks))) {
		close(fd);
		return us_error_create(US_ERR_INVALID, "libdw: %s", dwfl_errmsg(-1));
	}
	d->mod = dwfl_report_offline(d->dwfl, "image", path, fd); /* owns fd from here */
	if (!d->mod || dwfl_report_end(d->dwfl, NULL, NULL) != 0)
		return us_error_create(US_ERR_INVALID, "'%s' cannot be read as an image: %s", path,
				       dwfl_errmsg(-1));
	return NULL;
}

struct us_error *us_dwarf_open(const char *path, struct us_dwarf **out)
{
	struct us_dwarf *d = calloc(1, sizeof(*d));
	struct us_error *err;
	GElf_Addr elf_bias;

	if (!d)
		return &us_error_nomem;
	if ((err = report_image(d, path))) {
		us_dwarf_close(d);
		return err;
	}
	d->dwarf = dwfl_module_getdwarf(d->mod, &d->bias);
	if (has_any_cfi(d->mod) && dwfl_module_getelf(d->mod, &elf_bias))
		d->attached = dwfl_attach_state(d->dwfl, NULL, UNWIND_TID, &thread_callbacks, d);
	if (!d->dwarf && !d->attached) {
		us_dwarf_close(d);
		return us_error_create(US_ERR_NOT_FOUND, "'%s' has no DWARF debug information",
				       path);
	}
	*out = d;
	return NULL;
}

void us_dwarf_close(struct us_dwarf *d)
{
	if (!d)
		return;
	if (d->dwfl)
		dwfl_end(d->dwfl);
	free(d);
}

/* ---- lines --------------------------------------------------------------- */

static Dwarf_Die *unit_at(struct us_dwarf *d, uint64_t addr)
{
	Dwarf_Addr bias;

	if (!d || !d->dwarf)
		return NULL;
	return dwfl_module_addrdie(d->mod, addr, &bias);
}

/* "DIR/sub/file.c" -> "sub/file.c" when DIR is the unit's compilation directory. */
static const char *relative_to_comp_dir(Dwarf_Die *cu, const char *file)
{
	Dwarf_Attribute attr;
	const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
	size_t n = dir ? strlen(dir) : 0;

	if (n && !strncmp(file, dir, n) && file[n] == '/')
		return file + n + 1;
	return file;
}

static bool line_in_unit(Dwarf_Die *cu, uint64_t addr, const char **file, int *line)
{
	Dwarf_Line *l = dwarf_getsrc_die(cu, addr);
	const char *src;

	if (!l || !(src = dwarf_linesrc(l, NULL, NULL)) || dwarf_lineno(l, line) != 0)
		return false;
	*file = relative_to_comp_dir(cu, src);
	return true;
}

bool us_dwarf_line(struct us_dwarf *d, uint64_t addr, const char **file, int *line)
{
	Dwarf_Die *cu = unit_at(d, addr);

	return cu && line_in_unit(cu, addr - d->bias, file, line);
}

/* ---- unwinding ----------------------------------------------------------- */

bool us_dwarf_can_unwind(const struct us_dwarf *d)
{
	return d && d->attached;
}

bool us_dwarf_has_cfi(struct us_dwarf *d, uint64_t pc, bool *signal_frame)
{
	Dwarf_Addr bias[2], start, end;
	Dwarf_CFI *cfi[2];
	Dwarf_Frame *frame;
	bool signal;

	if (!d || !d->attached)
		return false;
	cfi[0] = dwfl_module_eh_cfi(d->mod, &bias[0]);
	cfi[1] = dwfl_module_dwarf_cfi(d->mod, &bias[1]);
	for (int i = 0; i < 2; i++) {
		if (cfi[i] && dwarf_cfi_addrframe(cfi[i], pc - bias[i], &frame) == 0) {
			dwarf_frame_info(frame, &start, &end, &signal);
			if (signal_frame)
				*signal_frame = signal;
			free(frame);
			return true;
		}
	}
	return false;
}

static int take_frame(Dwfl_Frame *state, void *arg)
{
	struct unwind_request *req = arg;
	struct us_dwarf_frame f = { 0 };
	Dwarf_Word sp = 0;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(state, &pc, &f.activation))
		return DWARF_CB_ABORT;
	dwfl_frame_reg(state, US_DWARF_RSP, &sp);
	f.pc = pc;
	f.sp = sp;
	if (req->count && f.pc == req->frames[req->count - 1].pc &&
	    f.sp == req->frames[req->count - 1].sp) {
		req->repeated = true; /* no progress: a corrupt stack would loop here */
		return DWARF_CB_ABORT;
	}
	req->frames[req->count++] = f;
	return req->count < req->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

size_t us_dwarf_unwind(struct us_dwarf *d, const uint64_t regs[US_DWARF_NREGS],
		       us_dwarf_read_fn *read, void *arg, struct us_dwarf_frame *frames,
		       size_t max, char *why, size_t why_len)
{
	struct unwind_request req = { .regs = regs, .read = read, .arg = arg,
				      .frames = frames, .max = max };
	int rc;

	why[0] = 0;
	if (!d || !d->attached || !max) {
		snprintf(why, why_len, "no call frame information");
		return 0;
	}
	d->req = &req;
	rc = dwfl_getthread_frames(d->dwfl, UNWIND_TID, take_frame, &req);
	d->req = NULL;
	if (req.repeated)
		snprintf(why, why_len, "frame at 0x%llx repeats (corrupt stack?)",
			 (unsigned long long)frames[req.count - 1].pc);
	else if (rc == DWARF_CB_ABORT && req.count >= max)
		snprintf(why, why_len, "stopped after %zu frames", max);
	else if (rc != 0 && rc != DWARF_CB_ABORT)
		snprintf(why, why_len, "%s", dwfl_errmsg(-1));
	return req.count;
}

/* ---- scopes -------------------------------------------------------------- */

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

/* The first address of a function or block: its low pc, or its first range's. */
static bool die_entry(Dwarf_Die *die, uint64_t *entry)
{
	Dwarf_Addr base, start, end, low;

	if (dwarf_lowpc(die, &low) == 0) {
		*entry = low;
		return true;
	}
	if (dwarf_ranges(die, 0, &base, &start, &end) > 0) {
		*entry = start;
		return true;
	}
	return false;
}

/* The block begins at addr: one of its ranges starts there. */
static bool block_begins_at(Dwarf_Die *die, uint64_t addr)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off = 0;

	for (int i = 0; i < DIE_DEPTH_MAX && (off = dwarf_ranges(die, off, &base, &start, &end)) > 0; i++)
		if (start == addr)
			return !dwarf_haspc(die, addr - 1);
	return false;
}

/* Where the inlined block die was inlined: DW_AT_call_file, DW_AT_call_line. */
static void call_position(Dwarf_Die *cu, Dwarf_Die *die, const char **file, int *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word index = 0, number = 0;
	Dwarf_Files *files;
	size_t nfiles;
	const char *name;

	*file = NULL;
	*line = 0;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &index) != 0 ||
	    dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &number) != 0 ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || index >= nfiles ||
	    !(name = dwarf_filesrc(files, index, NULL, NULL)))
		return;
	*file = relative_to_comp_dir(cu, name);
	*line = (int)number;
}

static void fill_scope(struct us_dwarf_scope *s, Dwarf_Die *die, uint64_t addr)
{
	s->function = die_name(die);
	s->inlined = dwarf_tag(die) == DW_TAG_inlined_subroutine;
	if (!die_entry(die, &s->entry))
		s->entry = 0;
	s->entered_at = s->inlined && (s->entry == addr || block_begins_at(die, addr));
}

size_t us_dwarf_scopes(struct us_dwarf *d, uint64_t addr, struct us_dwarf_scope *out, size_t max)
{
	Dwarf_Die *cu = unit_at(d, addr), *scopes = NULL, innermost;
	uint64_t a = addr - (d ? d->bias : 0);
	int count, inner = -1; /* the DIE of the scope reported last */
	size_t n = 0;

	if (!cu || (count = dwarf_getscopes(cu, a, &scopes)) <= 0)
		return 0;
	/* Those are the lexical scopes (an inlined body's outer scopes are its
	 * abstract definition's); the physical nesting starts from the innermost. */
	innermost = scopes[0];
	free(scopes);
	scopes = NULL;
	if ((count = dwarf_getscopes_die(&innermost, &scopes)) <= 0)
		return 0;
	for (int i = 0; i < count && n < max; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
			continue;
		fill_scope(&out[n], &scopes[i], a);
		if (inner < 0 && !line_in_unit(cu, a, &out[n].file, &out[n].line))
			out[n].file = NULL;
		if (inner >= 0) /* this instance stands where the inner one was inlined */
			call_position(cu, &scopes[inner], &out[n].file, &out[n].line);
		inner = i;
		n++;
		if (tag == DW_TAG_subprogram)
			break;
	}
	free(scopes);
	return n;
}

/* ---- call sites ---------------------------------------------------------- */

static bool flag(Dwarf_Die *die, unsigned name)
{
	Dwarf_Attribute attr;
	bool value = false;

	return dwarf_attr_integrate(die, name, &attr) && dwarf_formflag(&attr, &value) == 0 && value;
}

static bool lists_all_tail_calls(Dwarf_Die *fn)
{
	return flag(fn, DW_AT_call_all_calls) || flag(fn, DW_AT_GNU_all_call_sites) ||
	       flag(fn, DW_AT_call_all_tail_calls) || flag(fn, DW_AT_GNU_all_tail_call_sites);
}

/* The callee as GDB resolves it: a declaration by name, a definition by its entry. */
static void call_target(Dwarf_Die *site, struct us_dwarf_call_site *out)
{
	Dwarf_Attribute attr;
	Dwarf_Die target;
	const char *linkage;

	if ((!dwarf_attr(site, DW_AT_call_origin, &attr) &&
	     !dwarf_attr(site, DW_AT_abstract_origin, &attr)) ||
	    !dwarf_formref_die(&attr, &target))
		return;
	if (flag(&target, DW_AT_declaration)) {
		linkage = dwarf_formstring(dwarf_attr(&target, DW_AT_linkage_name, &attr));
		out->target_name = linkage ? linkage : die_name(&target);
	} else if (!die_entry(&target, &out->target)) {
		out->target = 0; /* an abstract instance: GDB cannot place it either */
	}
}

static void report_call_site(Dwarf_Die *site, uint64_t caller_entry,
			     const struct us_dwarf_call_site_ops *ops, void *arg)
{
	struct us_dwarf_call_site s = { .caller_entry = caller_entry };
	Dwarf_Attribute attr;
	Dwarf_Addr pc;

	if (dwarf_formaddr(dwarf_attr(site, DW_AT_call_return_pc, &attr), &pc) != 0 &&
	    dwarf_formaddr(dwarf_attr(site, DW_AT_low_pc, &attr), &pc) != 0)
		return;
	s.return_pc = pc;
	s.tail = flag(site, DW_AT_call_tail_call) || flag(site, DW_AT_GNU_tail_call);
	call_target(site, &s);
	ops->call_site(arg, &s);
}

/* Walks die's children; call sites belong to the function they are in. */
static void walk_children(Dwarf_Die *die, uint64_t function, int depth,
			  const struct us_dwarf_call_site_ops *ops, void *arg)
{
	Dwarf_Die child;
	uint64_t entry;

	if (depth >= DIE_DEPTH_MAX || dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		uint64_t inside = function;
		if (tag == DW_TAG_subprogram && die_entry(&child, &entry)) {
			ops->function(arg, entry, lists_all_tail_calls(&child));
			inside = entry;
		} else if ((tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site) && function) {
			report_call_site(&child, function, ops, arg);
			continue;
		}
		walk_children(&child, inside, depth + 1, ops, arg);
	} while (dwarf_siblingof(&child, &child) == 0);
}

void us_dwarf_call_sites(struct us_dwarf *d, const struct us_dwarf_call_site_ops *ops, void *arg)
{
	Dwarf_Die *cu = NULL;
	Dwarf_Addr bias;

	if (!d || !d->dwarf)
		return;
	while ((cu = dwfl_module_nextcu(d->mod, cu, &bias)))
		walk_children(cu, 0, 0, ops, arg);
}
