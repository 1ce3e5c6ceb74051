/*
 * libelf behind one file (see elf.h). Files are opened with
 * ELF_C_READ_MMAP: a 128 MiB QEMU core costs a mapping, not a copy, and
 * libelf checks every header against the file size for us.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf.h"

struct us_elf {
	char *path;
	int fd;
	Elf *elf;
	unsigned type;
};

static struct us_error *elf_fail(const struct us_elf *e, const char *what)
{
	return us_error_create(US_ERR_INVALID, "'%s': %s: %s", e->path, what, elf_errmsg(-1));
}

static unsigned elf_kind_of(Elf *elf)
{
	GElf_Ehdr ehdr;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr))
		return 0;
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 || ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
	    ehdr.e_machine != EM_X86_64)
		return 0;
	return ehdr.e_type;
}

struct us_error *us_elf_open(const char *path, struct us_elf **out)
{
	struct us_elf *e = calloc(1, sizeof(*e));
	struct us_error *err;

	if (!e || !(e->path = strdup(path))) {
		free(e);
		return &us_error_nomem;
	}
	elf_version(EV_CURRENT);
	if ((e->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err = us_error_errno(errno, "cannot open '%s'", path);
		us_elf_close(e);
		return err;
	}
	if (!(e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL))) {
		err = elf_fail(e, "not an ELF file");
		us_elf_close(e);
		return err;
	}
	if (!(e->type = elf_kind_of(e->elf))) {
		err = us_error_create(US_ERR_INVALID, "'%s' is not a 64-bit x86-64 ELF file", path);
		us_elf_close(e);
		return err;
	}
	*out = e;
	return NULL;
}

void us_elf_close(struct us_elf *e)
{
	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	free(e->path);
	free(e);
}

const char *us_elf_path(const struct us_elf *e) { return e->path; }
unsigned us_elf_type(const struct us_elf *e) { return e->type; }

const uint8_t *us_elf_bytes(const struct us_elf *e, size_t *size)
{
	return (const uint8_t *)elf_rawfile(e->elf, size);
}

struct us_error *us_elf_segments(struct us_elf *e, struct us_elf_segment **out, size_t *count)
{
	struct us_elf_segment *segs;
	size_t n;

	if (elf_getphdrnum(e->elf, &n) < 0)
		return elf_fail(e, "bad program headers");
	if (!(segs = calloc(n ? n : 1, sizeof(*segs))))
		return &us_error_nomem;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e->elf, (int)i, &ph)) {
			free(segs);
			return elf_fail(e, "bad program header");
		}
		segs[i] = (struct us_elf_segment){ ph.p_type, ph.p_flags, ph.p_offset, ph.p_vaddr,
						   ph.p_paddr, ph.p_filesz, ph.p_memsz };
	}
	*out = segs;
	*count = n;
	return NULL;
}

struct us_error *us_elf_entry(struct us_elf *e, uint64_t *entry, uint64_t *phoff)
{
	GElf_Ehdr ehdr;

	if (!gelf_getehdr(e->elf, &ehdr))
		return elf_fail(e, "bad ELF header");
	*entry = ehdr.e_entry;
	*phoff = ehdr.e_phoff;
	return NULL;
}

static int notes_in(Elf_Data *data, us_elf_note_fn *fn, void *arg)
{
	size_t offset = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while ((offset = gelf_getnote(data, offset, &nh, &name_off, &desc_off)) > 0) {
		const char *base = data->d_buf;
		char name[64] = "";
		if (nh.n_namesz > 0 && nh.n_namesz < sizeof(name))
			memcpy(name, base + name_off, nh.n_namesz);
		name[sizeof(name) - 1] = 0;
		if (fn(arg, name, nh.n_type, base + desc_off, nh.n_descsz))
			return 1;
	}
	return 0;
}

struct us_error *us_elf_for_each_note(struct us_elf *e, us_elf_note_fn *fn, void *arg)
{
	size_t n;

	if (elf_getphdrnum(e->elf, &n) < 0)
		return elf_fail(e, "bad program headers");
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		Elf_Data *data;
		if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(e->elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		if (!data)
			return elf_fail(e, "bad note segment");
		if (notes_in(data, fn, arg))
			break;
	}
	return NULL;
}

struct build_id_search {
	uint8_t *id;
	size_t cap, len;
};

static int note_build_id(void *arg, const char *name, uint32_t type, const void *desc, size_t descsz)
{
	struct build_id_search *s = arg;

	if (strcmp(name, "GNU") || type != NT_GNU_BUILD_ID)
		return 0;
	s->len = descsz < s->cap ? descsz : s->cap;
	memcpy(s->id, desc, s->len);
	return 1;
}

struct us_error *us_elf_build_id(struct us_elf *e, uint8_t *id, size_t cap, size_t *len)
{
	struct build_id_search s = { id, cap, 0 };
	struct us_error *err = us_elf_for_each_note(e, note_build_id, &s);

	*len = s.len;
	return err;
}

struct us_error *us_elf_section(struct us_elf *e, const char *name, const void **data, size_t *size)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e->elf, &shstrndx) < 0)
		return elf_fail(e, "no section headers");
	while ((scn = elf_nextscn(e->elf, scn))) {
		const char *sname;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(sname = elf_strptr(e->elf, shstrndx, sh.sh_name)) ||
		    strcmp(sname, name) || sh.sh_type == SHT_NOBITS)
			continue;
		if (!(d = elf_getdata(scn, NULL)) || !d->d_buf)
			return elf_fail(e, "cannot read a section");
		*data = d->d_buf;
		*size = d->d_size;
		return NULL;
	}
	return us_error_create(US_ERR_NOT_FOUND, "'%s' has no %s section", e->path, name);
}

static enum us_symbol_kind symbol_kind(unsigned char info)
{
	switch (GELF_ST_TYPE(info)) {
	case STT_FUNC: return US_SYM_FUNC;
	case STT_OBJECT: return US_SYM_OBJECT;
	default: return US_SYM_OTHER;
	}
}

static struct us_error *symbols_of(struct us_elf *e, Elf_Scn *scn, GElf_Shdr *sh,
				   us_elf_symbol_fn *fn, void *arg)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count;

	if (!data || !sh->sh_entsize)
		return elf_fail(e, "bad symbol table");
	count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		if (GELF_ST_TYPE(sym.st_info) == STT_SECTION || GELF_ST_TYPE(sym.st_info) == STT_FILE)
			continue;
		name = elf_strptr(e->elf, sh->sh_link, sym.st_name);
		if (name && *name)
			fn(arg, name, sym.st_value, sym.st_size, symbol_kind(sym.st_info));
	}
	return NULL;
}

struct us_error *us_elf_for_each_symbol(struct us_elf *e, us_elf_symbol_fn *fn, void *arg)
{
	Elf_Scn *scn = NULL, *dynsym = NULL;
	GElf_Shdr sh, dynsh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return elf_fail(e, "bad section header");
		if (sh.sh_type == SHT_SYMTAB)
			return symbols_of(e, scn, &sh, fn, arg);
		if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsh = sh;
		}
	}
	return dynsym ? symbols_of(e, dynsym, &dynsh, fn, arg) : NULL;
}
