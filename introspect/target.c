/*
 * Targets: resolving TARGET to a backend, setting up translation, symbols
 * and the guest descriptor, and the memory/register/symbol entry points of
 * target.h. The guest model lives in threads.c, stack_unwind.c, guest.c.
 *
 * Opening order (each step may fall back, only the first two may fail):
 *	1. backend from the spec (session, qemu:DIR, xen:DOMID|NAME, core file);
 *	2. translation: vCPU 0's CR0/CR3/CR4, or identity for virtual cores;
 *	3. symbols from --image, else the session's image;
 *	4. the descriptor: core note address, symbol `uniscope_info`, scan;
 *	5. symbols checked against the guest's build-id; when they are
 *	   missing or wrong, --debug-dir is searched by build-id (for a core,
 *	   then its own directory and /usr/lib/debug).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"
#include "session.h"

void us_target_warn(struct us_target *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	us_warning_append(t->warning, sizeof(t->warning), '\n', fmt, ap);
	va_end(ap);
}

static struct us_error *open_xen(const char *spec, const char *domain, struct us_backend **b)
{
	struct us_error *err = us_backend_xen_open(domain, b);

	return err ? us_error_prefix(err, "%s", spec) : NULL;
}

/*
 * An ended session's guest is gone; what is left is the core that
 * --core-on-crash kept in the session directory, read with the session's
 * image. Without one there is nothing to read, and the error says what is.
 */
static struct us_error *open_ended_session(const char *spec, const struct session *s,
					   struct us_backend **b)
{
	char core[SESSION_PATH_MAX + 64], how[64];
	struct us_error *err;

	session_describe_end(s, how, sizeof(how));
	if (!s->end.core[0])
		return us_error_create(US_ERR_NOT_FOUND, "%s: the session has ended (%s) and its "
				       "guest's memory with it (run --core-on-crash keeps a core; "
				       "uniscope log %s shows its console)", spec, how, s->name);
	session_path(s, s->end.core, core, sizeof(core));
	if ((err = us_backend_core_open(core, b)))
		return us_error_prefix(err, "%s: the session has ended (%s); its core", spec, how);
	snprintf((*b)->image, sizeof((*b)->image), "%s", s->image);
	return NULL;
}

/* A session's guest: QEMU's shared RAM and QMP, or its Xen domain by domid. */
static struct us_error *open_session_dir(const char *spec, const char *dir, struct us_backend **b)
{
	struct us_error *err;
	struct session s;
	int loaded = session_load(dir, &s) == 0;
	char domid[16];

	if (loaded && s.ended)
		return open_ended_session(spec, &s, b);
	if (loaded && !strcmp(s.platform, "xen")) {
		if (s.domid < 0)
			return us_error_create(US_ERR_NOT_FOUND, "%s: the session has no Xen domain "
					       "(yet)", spec);
		snprintf(domid, sizeof(domid), "%d", s.domid);
		if (!(err = open_xen(spec, domid, b)))
			snprintf((*b)->image, sizeof((*b)->image), "%s", s.image);
		return err;
	}
	err = us_backend_qemu_open(dir, b);
	return err ? us_error_prefix(err, "%s", spec) : NULL;
}

/* The directory of the session called name, if there is one. */
static bool session_dir_of(const char *name, char *dir, size_t cap)
{
	char root[SESSION_PATH_MAX];
	struct us_error *err;
	struct stat st;

	if (strchr(name, '/') || strlen(name) >= SESSION_NAME_MAX)
		return false;
	if ((err = session_root(root, sizeof(root), 0))) {
		us_error_destroy(err);
		return false;
	}
	snprintf(dir, cap, "%s/%s", root, name);
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

bool us_target_is_session_name(const char *name)
{
	char dir[SESSION_PATH_MAX + SESSION_NAME_MAX + 2];

	return session_dir_of(name, dir, sizeof(dir));
}

static struct us_error *open_session_name(const char *spec, struct us_backend **b)
{
	char root[SESSION_PATH_MAX], dir[SESSION_PATH_MAX + SESSION_NAME_MAX + 2];
	struct us_error *err;
	struct stat st;

	if ((err = session_root(root, sizeof(root), 0)) && err->code != US_ERR_NOT_FOUND)
		return us_error_prefix(err, "%s", spec);
	us_error_destroy(err);
	snprintf(dir, sizeof(dir), "%s/%s", root, spec);
	if (strlen(spec) >= SESSION_NAME_MAX || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return us_error_create(US_ERR_NOT_FOUND,
				       "'%s': no such session or core file (see 'uniscope ls')", spec);
	return open_session_dir(spec, dir, b);
}

static struct us_error *open_backend(const char *spec, struct us_backend **b)
{
	struct stat st;

	if (!strncmp(spec, "xen:", 4))
		return open_xen(spec, spec + 4, b);
	if (!strncmp(spec, "qemu:", 5))
		return open_session_dir(spec, spec + 5, b);
	if (stat(spec, &st) == 0 && S_ISREG(st.st_mode) && us_target_is_session_name(spec))
		return us_error_create(US_ERR_USAGE, US_AMBIGUOUS_TARGET_FMT, spec, spec);
	if (stat(spec, &st) == 0 && S_ISREG(st.st_mode))
		return us_backend_core_open(spec, b);
	if (strchr(spec, '/') && stat(spec, &st) == 0 && S_ISDIR(st.st_mode))
		return open_session_dir(spec, spec, b);
	return open_session_name(spec, b);
}

struct us_error *us_target_open(const char *spec, const struct us_target_options *opts,
				struct us_target **out)
{
	struct us_backend *b;
	struct us_error *err;

	if (!spec || !*spec)
		return us_error_create(US_ERR_USAGE, "no target given (a session name, "
				       "qemu:SESSION-DIR, xen:DOMID or a core file)");
	if ((err = open_backend(spec, &b)))
		return err;
	return us_target_open_backend(b, spec, opts, out);
}

#define CR0_PG_PE 0x80000001ull
#define CR4_PAE 0x20ull

static struct us_error *setup_translation(struct us_target *t, const struct us_target_options *opts)
{
	struct uniscope_regs regs;
	struct us_error *err;

	if (t->backend->memory_is_virtual) {
		us_pagewalk_init_identity(&t->walk, t->backend);
		return NULL;
	}
	if (opts && opts->page_root_given)
		return us_target_set_page_root(t, opts->page_root);
	if ((err = us_target_vcpu_regs(t, 0, &regs)))
		return us_error_prefix(err, "%s: cannot read vCPU 0 (needed for its page tables)",
				       t->name);
	return us_pagewalk_init(&t->walk, t->backend, regs.cr0, regs.cr3, regs.cr4);
}

static void load_symbols(struct us_target *t, const struct us_target_options *opts,
			 struct us_error **err)
{
	const char *image = opts && opts->image ? opts->image : t->backend->image;

	if (!image || !*image)
		return;
	*err = us_symbols_open(image, &t->symbols);
	if (*err && !(opts && opts->image)) { /* the session's image moved: carry on */
		us_target_warn(t, "no symbols: %s", (*err)->message);
		us_error_destroy(*err);
		*err = NULL;
	}
	if (t->symbols && us_symbols_count(t->symbols) == 0) {
		if (!(opts && opts->debug_dir))
			us_target_warn(t, "'%s' has no symbol table (stripped?); pass --debug-dir DIR "
				       "to find the unstripped image by build-id", image);
		us_symbols_close(t->symbols);
		t->symbols = NULL;
	}
}

static bool build_ids_differ(const struct us_target *t)
{
	size_t len;
	const uint8_t *id = us_symbols_build_id(t->symbols, &len);

	return t->have_info && t->info.build_id_len && len &&
	       (len != t->info.build_id_len || memcmp(id, t->info.build_id, len));
}

static void symbols_by_build_id(struct us_target *t, const char *debug_dir)
{
	const uint8_t *id = t->have_info ? t->info.build_id : t->backend->build_id;
	size_t len = t->have_info ? t->info.build_id_len : t->backend->build_id_len;
	struct us_error *err;
	char *path;

	if ((err = us_symbols_find_by_build_id(debug_dir, id, len, &path))) {
		us_target_warn(t, "no symbols: %s", err->message);
		us_error_destroy(err);
		return;
	}
	if ((err = us_symbols_open(path, &t->symbols))) {
		us_target_warn(t, "no symbols: %s", err->message);
		us_error_destroy(err);
	}
	free(path);
}

/*
 * A core whose recorded image is gone or rebuilt: its build-id, looked for
 * next to the core, then in the system's debug directory. Quiet unless found.
 */
static void symbols_near_core(struct us_target *t)
{
	const char *id = (const char *)(t->have_info ? t->info.build_id : t->backend->build_id);
	size_t len = t->have_info ? t->info.build_id_len : t->backend->build_id_len;
	const char *slash = strrchr(t->name, '/');
	char dir[US_PATH_MAX];
	const char *dirs[] = { dir, "/usr/lib/debug" };
	struct us_error *err;
	char *path;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - t->name) : 1,
		 slash ? t->name : ".");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !t->symbols; i++) {
		if ((err = us_symbols_find_by_build_id(dirs[i], (const uint8_t *)id, len, &path))) {
			us_error_destroy(err);
			continue;
		}
		if ((err = us_symbols_open(path, &t->symbols)))
			us_error_destroy(err);
		else
			us_target_warn(t, "the image was found by its build-id: %s", path);
		free(path);
	}
}

static void check_symbols(struct us_target *t, const struct us_target_options *opts)
{
	if (t->symbols && build_ids_differ(t)) {
		us_target_warn(t, "image '%s' does not match the guest (build-id differs); "
			       "its symbols are ignored (pass --image or --debug-dir)",
			       us_symbols_path(t->symbols));
		us_symbols_close(t->symbols);
		t->symbols = NULL;
	}
	if (!t->symbols && opts && opts->debug_dir)
		symbols_by_build_id(t, opts->debug_dir);
	if (!t->symbols && !(opts && opts->image) && !strcmp(t->backend->kind, "core"))
		symbols_near_core(t);
}

struct us_error *us_target_open_backend(struct us_backend *b, const char *name,
					const struct us_target_options *opts,
					struct us_target **out)
{
	struct us_target *t = calloc(1, sizeof(*t));
	struct us_error *err = NULL;

	if (!t || !(t->name = strdup(name ? name : b->kind))) {
		free(t);
		us_backend_destroy(b);
		return &us_error_nomem;
	}
	t->backend = b;
	if (b->warning[0])
		us_target_warn(t, "%s", b->warning);
	if (!(err = setup_translation(t, opts)))
		load_symbols(t, opts, &err);
	if (err) {
		us_target_close(t);
		return err;
	}
	us_descriptor_find(t);
	check_symbols(t, opts);
	*out = t;
	return NULL;
}

void us_target_close(struct us_target *t)
{
	if (!t)
		return;
	us_backend_destroy(t->backend); /* resumes a guest we paused */
	us_symbols_close(t->symbols);
	free(t->name);
	free(t);
}

const char *us_target_name(const struct us_target *t) { return t->name; }
const char *us_target_kind(const struct us_target *t) { return t->backend->kind; }
bool us_target_is_live(const struct us_target *t) { return t->backend->live; }
const char *us_target_warning(const struct us_target *t) { return t->warning[0] ? t->warning : NULL; }
unsigned us_target_nr_vcpus(const struct us_target *t) { return t->backend->nr_vcpus; }

static void forget_vcpu_state(struct us_target *t)
{
	memset(t->vcpu_regs_valid, 0, sizeof(t->vcpu_regs_valid));
}

struct us_error *us_target_pause(struct us_target *t)
{
	struct us_error *err;

	if (t->pause_depth == 0) {
		if ((err = t->backend->ops->pause(t->backend->ctx)))
			return us_error_prefix(err, "%s: cannot pause the guest", t->name);
		forget_vcpu_state(t);
	}
	t->pause_depth++;
	return NULL;
}

struct us_error *us_target_resume(struct us_target *t)
{
	struct us_error *err;

	if (t->pause_depth == 0)
		return us_error_create(US_ERR_USAGE, "%s: resume without pause", t->name);
	if (--t->pause_depth == 0) {
		forget_vcpu_state(t);
		us_pagewalk_flush(&t->walk);
		if ((err = t->backend->ops->resume(t->backend->ctx)))
			return us_error_prefix(err, "%s: cannot resume the guest", t->name);
	}
	return NULL;
}

struct us_error *us_target_read(struct us_target *t, uint64_t vaddr, void *buf, size_t len)
{
	return us_pagewalk_read(&t->walk, vaddr, buf, len);
}

int us_target_read_fn(void *target, uint64_t vaddr, void *buf, size_t len)
{
	struct us_error *err = us_target_read(target, vaddr, buf, len);

	if (!err)
		return 0;
	us_error_destroy(err);
	return -1;
}

struct us_error *us_target_read_u64(struct us_target *t, uint64_t vaddr, uint64_t *value)
{
	return us_pagewalk_read(&t->walk, vaddr, value, sizeof(*value));
}

struct us_error *us_target_read_phys(struct us_target *t, uint64_t paddr, void *buf, size_t len)
{
	if (t->backend->memory_is_virtual)
		return us_error_create(US_ERR_UNSUPPORTED,
				       "%s: this core holds virtual memory only", t->name);
	return us_backend_read(t->backend, paddr, buf, len);
}

bool us_target_known_zero(struct us_target *t, uint64_t paddr, uint64_t len)
{
	const struct us_backend_ops *ops = t->backend->ops;

	return ops->known_zero && len && ops->known_zero(t->backend->ctx, paddr, len);
}

struct us_error *us_target_translate(struct us_target *t, uint64_t vaddr,
				     struct us_translation *out)
{
	return us_pagewalk_translate(&t->walk, vaddr, out);
}

struct us_error *us_target_set_page_root(struct us_target *t, uint64_t cr3)
{
	if (t->backend->memory_is_virtual)
		return us_error_create(US_ERR_UNSUPPORTED, "%s: this core holds virtual memory only",
				       t->name);
	return us_pagewalk_init(&t->walk, t->backend, CR0_PG_PE, cr3, CR4_PAE);
}

struct us_error *us_target_map_writable(struct us_target *t, uint64_t vaddr, size_t len,
					struct us_writable *out)
{
	const struct us_backend_ops *ops = t->backend->ops;
	struct us_translation first, page;
	struct us_error *err;

	if (!ops->map_writable || t->backend->memory_is_virtual)
		return us_error_create(US_ERR_UNSUPPORTED, "%s: guest memory cannot be written here",
				       t->name);
	if (len == 0 || len > US_WRITABLE_MAX || vaddr + len - 1 < vaddr)
		return us_error_create(US_ERR_INVALID, "%s: cannot map %zu bytes at 0x%llx writable",
				       t->name, len, (unsigned long long)vaddr);
	if ((err = us_target_translate(t, vaddr, &first)))
		return err;
	/* One mapping of the RAM file: every page must follow the first in guest RAM too. */
	for (uint64_t at = (vaddr | 4095) + 1; at - vaddr < len; at += 4096) {
		if ((err = us_target_translate(t, at, &page)))
			return err;
		if (page.paddr != first.paddr + (at - vaddr))
			return us_error_create(US_ERR_UNSUPPORTED, "%s: 0x%llx..+%zu is not contiguous "
					       "in guest RAM", t->name, (unsigned long long)vaddr, len);
	}
	return ops->map_writable(t->backend->ctx, first.paddr, len, out);
}

void us_target_unmap_writable(struct us_target *t, struct us_writable *w)
{
	if (w->map && t->backend->ops->unmap_writable)
		t->backend->ops->unmap_writable(t->backend->ctx, w);
}

struct us_error *us_target_mappings(struct us_target *t, us_mapping_fn *fn, void *arg)
{
	return us_pagewalk_mappings(&t->walk, fn, arg);
}

struct us_error *us_target_vcpu_regs(struct us_target *t, unsigned vcpu,
				     struct uniscope_regs *regs)
{
	struct us_error *err;

	if (vcpu >= US_MAX_VCPUS || vcpu >= t->backend->nr_vcpus)
		return us_error_create(US_ERR_NOT_FOUND, "%s: no vCPU %u", t->name, vcpu);
	if (!t->vcpu_regs_valid[vcpu] || !t->backend->live || t->pause_depth == 0) {
		if ((err = us_backend_regs(t->backend, vcpu, &t->vcpu_regs[vcpu])))
			return err;
		t->vcpu_regs_valid[vcpu] = true;
	}
	*regs = t->vcpu_regs[vcpu];
	return NULL;
}

struct us_error *us_target_vcpu_fpu(struct us_target *t, unsigned vcpu,
				    struct uniscope_fxsave *fx)
{
	const struct us_backend_ops *ops = t->backend->ops;

	if (vcpu >= US_MAX_VCPUS || vcpu >= t->backend->nr_vcpus)
		return us_error_create(US_ERR_NOT_FOUND, "%s: no vCPU %u", t->name, vcpu);
	if (!ops->read_vcpu_fpu)
		return us_error_create(US_ERR_UNSUPPORTED, "%s: a %s target does not give "
				       "a vCPU's FPU state", t->name, t->backend->kind);
	return ops->read_vcpu_fpu(t->backend->ctx, vcpu, fx);
}

const struct uniscope_info *us_target_info(const struct us_target *t)
{
	return t->have_info ? &t->info : NULL;
}

uint64_t us_target_info_address(const struct us_target *t) { return t->info_address; }

struct us_error *us_target_info_error(const struct us_target *t)
{
	if (t->have_info)
		return NULL;
	return us_error_create(US_ERR_NOT_FOUND, "%s: %s", t->name, t->info_problem);
}

const char *us_target_image(const struct us_target *t)
{
	return t->symbols ? us_symbols_path(t->symbols) : NULL;
}
