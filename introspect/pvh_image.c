/*
 * The PVH image check (pvh_image.h). Two steps: the ELF header is read
 * here and checked byte by byte against the file's size (so that a text
 * file, a 32-bit or foreign ELF, a .o, a Linux program, a core or a
 * truncated file each get their own message, before libelf would give a
 * vaguer one); then elf.c's libelf reader walks the program headers and
 * notes, each segment checked against the file size, for the Xen PVH entry
 * note QEMU and Xen boot from.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf.h"
#include "pvh_image.h"

static struct us_error *invalid(const char *path, const char *what)
{
	return us_error_create(US_ERR_INVALID, "'%s' is not a PVH image: %s", path, what);
}

static const char *elf_type_problem(unsigned type)
{
	switch (type) {
	case ET_EXEC: return NULL;
	case ET_REL: return "it is a relocatable object file (.o), not a linked image (link it "
			    "with the libOS: uniscope-cc, or an examples/ folder and make)";
	case ET_DYN: return "it is a position-independent executable or shared library (a Linux "
			    "program?), not a unikernel image (build one with the libOS)";
	case ET_CORE: return "it is a core file (inspect it: uniscope report FILE, or gdb IMAGE "
			     "FILE)";
	default: return "its ELF type is neither executable nor anything QEMU boots";
	}
}

/* ident, class, byte order, machine, type, and the header tables inside the file. */
static struct us_error *check_header(const char *path, const Elf64_Ehdr *h, size_t got, off_t size)
{
	if (got < 4 || memcmp(h->e_ident, ELFMAG, SELFMAG))
		return invalid(path, size == 0 ? "the file is empty"
				     : got >= 2 && !memcmp(h->e_ident, "#!", 2) ? "it is a script"
				     : "it is not an ELF file (a PVH image is an ELF executable built "
				       "with the libOS)");
	if (got < sizeof(*h))
		return invalid(path, "it is truncated inside its ELF header");
	if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB ||
	    h->e_machine != EM_X86_64)
		return invalid(path, "it is an ELF file for another machine (uniscope images are "
				     "64-bit x86-64)");
	if (elf_type_problem(h->e_type))
		return invalid(path, elf_type_problem(h->e_type));
	if (h->e_phnum == 0 || h->e_phentsize != sizeof(Elf64_Phdr))
		return invalid(path, "it has no program headers to load");
	if (h->e_phoff > (uint64_t)size ||
	    (uint64_t)h->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)size - h->e_phoff)
		return us_error_create(US_ERR_INVALID, "'%s' is truncated: its program headers end "
				       "past its %lld bytes", path, (long long)size);
	if (h->e_shnum && (h->e_shoff > (uint64_t)size ||
			   (uint64_t)h->e_shnum * h->e_shentsize > (uint64_t)size - h->e_shoff))
		return us_error_create(US_ERR_INVALID, "'%s' is truncated: its section headers end "
				       "past its %lld bytes", path, (long long)size);
	return NULL;
}

static struct us_error *read_header(const char *path, Elf64_Ehdr *h, size_t *got, off_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return us_error_errno(errno, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return us_error_create(US_ERR_INVALID, "'%s' is not a regular file", path);
	}
	memset(h, 0, sizeof(*h));
	n = pread(fd, h, sizeof(*h), 0);
	close(fd);
	if (n < 0)
		return us_error_errno(errno, "cannot read '%s'", path);
	*got = (size_t)n;
	*size = st.st_size;
	return NULL;
}

struct pvh_note_search {
	bool found, bad_size;
	uint64_t entry;
};

static int note_pvh_entry(void *arg, const char *name, uint32_t type, const void *desc, size_t descsz)
{
	struct pvh_note_search *s = arg;
	uint32_t entry32;

	if (strcmp(name, "Xen") || type != US_XEN_ELFNOTE_PHYS32_ENTRY)
		return 0;
	if (descsz == 8) {
		memcpy(&s->entry, desc, 8);
	} else if (descsz == 4) {
		memcpy(&entry32, desc, 4);
		s->entry = entry32;
	} else {
		s->bad_size = true;
		return 1;
	}
	s->found = true;
	return 1;
}

/* Every segment inside the file, at least one to load; the end of the loaded image. */
static struct us_error *check_segments(const char *path, const struct us_elf_segment *segs,
				       size_t count, uint64_t size, struct us_pvh_image *out)
{
	size_t loads = 0;

	out->load_end = 0;
	for (size_t i = 0; i < count; i++) {
		const struct us_elf_segment *s = &segs[i];
		if (s->type != US_ELF_PT_LOAD && s->type != US_ELF_PT_NOTE)
			continue;
		if (s->offset > size || s->filesz > size - s->offset)
			return us_error_create(US_ERR_INVALID, "'%s' is truncated: segment %zu ends at "
					       "byte %llu of a %llu-byte file", path, i,
					       (unsigned long long)(s->offset + s->filesz),
					       (unsigned long long)size);
		if (s->type != US_ELF_PT_LOAD)
			continue;
		if (s->memsz < s->filesz || s->paddr + s->memsz < s->paddr)
			return invalid(path, "a loadable segment has absurd sizes");
		loads++;
		if (s->paddr + s->memsz > out->load_end)
			out->load_end = s->paddr + s->memsz;
	}
	return loads ? NULL : invalid(path, "it has no loadable segment");
}

static bool entry_is_loaded(const struct us_elf_segment *segs, size_t count, uint64_t entry)
{
	for (size_t i = 0; i < count; i++)
		if (segs[i].type == US_ELF_PT_LOAD && entry >= segs[i].paddr &&
		    entry - segs[i].paddr < segs[i].memsz)
			return true;
	return false;
}

static struct us_error *check_pvh_note(struct us_elf *e, const char *path,
				       const struct us_elf_segment *segs, size_t count,
				       struct us_pvh_image *out)
{
	struct pvh_note_search s = { 0 };
	struct us_error *err = us_elf_for_each_note(e, note_pvh_entry, &s);

	if (err)
		return us_error_prefix(err, "'%s' is not a PVH image", path);
	if (s.bad_size)
		return invalid(path, "its Xen PVH entry note has a size other than 4 or 8 bytes");
	if (!s.found)
		return invalid(path, "it has no Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY), so "
				     "neither QEMU nor Xen can boot it (images linked with the libOS, "
				     "libos/libos.ld, have one)");
	if (!entry_is_loaded(segs, count, s.entry))
		return us_error_create(US_ERR_INVALID, "'%s' is not a PVH image: its PVH entry %#llx "
				       "is outside every loadable segment", path,
				       (unsigned long long)s.entry);
	out->entry = s.entry;
	return NULL;
}

static struct us_error *check_body(const char *path, uint64_t size, uint64_t mem_size,
				   struct us_pvh_image *out)
{
	struct us_elf_segment *segs = NULL;
	struct us_error *err;
	struct us_elf *e;
	size_t count = 0;

	if ((err = us_elf_open(path, &e)))
		return err;
	if (!(err = us_elf_segments(e, &segs, &count)) &&
	    !(err = check_segments(path, segs, count, size, out)))
		err = check_pvh_note(e, path, segs, count, out);
	if (!err && mem_size && out->load_end > mem_size)
		err = us_error_create(US_ERR_INVALID, "'%s' needs %llu MiB of guest memory to load, "
				      "more than the %llu MiB given (--mem)", path,
				      (unsigned long long)((out->load_end + (1 << 20) - 1) >> 20),
				      (unsigned long long)(mem_size >> 20));
	free(segs);
	us_elf_close(e);
	return err;
}

struct us_error *us_pvh_image_check(const char *path, uint64_t mem_size, struct us_pvh_image *out)
{
	struct us_error *err;
	Elf64_Ehdr h;
	size_t got = 0;
	off_t size = 0;

	if ((err = read_header(path, &h, &got, &size)) ||
	    (err = check_header(path, &h, got, size)))
		return err;
	return check_body(path, (uint64_t)size, mem_size, out);
}
