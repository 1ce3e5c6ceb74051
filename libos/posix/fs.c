/*
 * The root file system: read-only, from a cpio archive (the "newc" format
 * of `cpio -H newc`), either given at run time as the PVH module
 * (`uniscope run --rootfs DIR`, QEMU -initrd, Xen ramdisk) or embedded in
 * the image's sealed rodata (`uniscope-cc --rootfs DIR`). The run-time
 * one wins when both are there.
 *
 * The archive stays where it is; the first lookup indexes its entries
 * (path, mode, size, data), once: a program that opens no file links no
 * archive reader. It comes from outside the image, so every header field
 * and size is checked against the archive's end. Paths are resolved
 * against the working directory, with "." and "..", and symbolic links
 * followed (at most FS_MAX_LINKS).
 *
 * Files open for reading only: asking to write is -EROFS. The one
 * writable path is /proc/self/task/TID/comm (and /proc/thread-self/comm),
 * where pthread_setname_np writes a thread's name.
 *
 * The descriptor table is here too: beside files, a descriptor may name an
 * object (fd.h: a socket, pipe, eventfd or epoll instance), which this
 * file only installs, duplicates and closes.
 */
#include <string.h>
#include <stdlib.h>
#include "posix.h"
#include "fd.h"
#include "image.h"
#include "arch/x86_64/cpu.h"

#define FS_MAX_ENTRIES 65536
#define FS_MAX_FILES FD_MAX
#define FS_MAX_LINKS 8
#define PATH_MAX_LEN 1024
#define CPIO_HEADER 110
#define COMM_MAX 16

struct fs_entry {
	const char *path; /* absolute, without the leading '/' ("" is the root) */
	uint32_t mode, ino;
	uint64_t size, mtime;
	const uint8_t *data;
};

enum fd_kind { FD_FREE, FD_FILE, FD_DIR, FD_COMM, FD_OBJECT };

struct open_file {
	uint8_t kind;
	bool cloexec;
	uint32_t entry;  /* FD_FILE, FD_DIR */
	uint32_t tid;    /* FD_COMM */
	uint64_t offset;
	struct fd_object *object; /* FD_OBJECT */
};

static struct fs_entry *entries;
static uint32_t nr_entries;
static struct open_file files[FS_MAX_FILES];
static bool console_closed[3];
static char cwd[PATH_MAX_LEN] = "";
static const struct fs_entry root_entry = { "", LINUX_S_IFDIR | 0755, 1, 0, 0, 0 };

/* The run-time archive (boot.c, from the PVH module list); else the embedded one. */
static const uint8_t *module_start;
static uint64_t module_size;
extern const uint8_t _rootfs_start[], _rootfs_end[];

void fs_set_module(uint64_t addr, uint64_t size)
{
	module_start = (const uint8_t *)addr;
	module_size = size;
}

static bool parse_hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

static const char *normalize_name(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	return !strcmp(name, ".") ? "" : name;
}

/* One entry at *pos; false at the trailer or a malformed header. */
static bool cpio_next(const uint8_t *base, uint64_t size, uint64_t *pos, struct fs_entry *e)
{
	uint32_t f[13];
	uint64_t p = *pos, name_at, data_at;

	if (size - p < CPIO_HEADER || memcmp(base + p, "070701", 6))
		return false;
	for (int i = 0; i < 13; i++)
		if (!parse_hex8(base + p + 6 + 8 * i, &f[i]))
			return false;
	name_at = p + CPIO_HEADER;
	/* f: 0 ino, 1 mode, 2 uid, 3 gid, 4 nlink, 5 mtime, 6 filesize, 11 namesize */
	if (f[11] == 0 || f[11] > PATH_MAX_LEN || size - name_at < f[11] || base[name_at + f[11] - 1])
		return false;
	data_at = (name_at + f[11] + 3) & ~3ull;
	if (data_at > size || size - data_at < f[6])
		return false;
	*e = (struct fs_entry){ normalize_name((const char *)base + name_at), f[1], f[0], f[6], f[5],
				base + data_at };
	*pos = (data_at + f[6] + 3) & ~3ull;
	return strcmp((const char *)base + name_at, "TRAILER!!!") != 0;
}

static void fs_index(const uint8_t *base, uint64_t size)
{
	struct fs_entry e;
	uint64_t pos = 0, count = 0;

	for (uint64_t p = 0; count < FS_MAX_ENTRIES && cpio_next(base, size, &p, &e);)
		count++;
	entries = count ? calloc(count, sizeof(*entries)) : 0;
	if (count && !entries) {
		kprintf("uniscope: no memory to index the root file system (%llu entries)\n",
			(unsigned long long)count);
		return;
	}
	while (nr_entries < count && cpio_next(base, size, &pos, &e))
		if (e.path[0]) /* the archive's own "." is the root, which always exists */
			entries[nr_entries++] = e;
}

/* The first lookup indexes; a thread that comes while it does waits its turn. */
static void fs_index_once(void)
{
	static int state; /* 0 not indexed, 1 indexing, 2 indexed */
	int expected = 0;

	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (module_start && module_size)
			fs_index(module_start, module_size);
		else if ((uint64_t)_rootfs_end > (uint64_t)_rootfs_start)
			fs_index(_rootfs_start, (uint64_t)(_rootfs_end - _rootfs_start));
		__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
		thread_yield();
}

static const char *skip_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return p;
}

static const struct fs_entry *entry_at(uint32_t index)
{
	return index == UINT32_MAX ? &root_entry : &entries[index];
}

static int64_t find_entry(const char *path, uint32_t *index)
{
	fs_index_once();
	if (!*path) {
		*index = UINT32_MAX;
		return 0;
	}
	for (uint32_t i = 0; i < nr_entries; i++) {
		if (!strcmp(entries[i].path, path)) {
			*index = i;
			return 0;
		}
	}
	return -LINUX_ENOENT;
}

static bool is_type(const struct fs_entry *e, uint32_t type)
{
	return (e->mode & LINUX_S_IFMT) == type;
}

/* Appends component (len bytes) to out (an absolute path without its '/'), handling . and .. */
static int path_push(char *out, const char *component, size_t len)
{
	size_t n = strlen(out);

	if (len == 1 && component[0] == '.')
		return 0;
	if (len == 2 && component[0] == '.' && component[1] == '.') {
		char *slash = strrchr(out, '/');
		*(slash ? slash : out) = 0;
		return 0;
	}
	if (n + 1 + len + 1 > PATH_MAX_LEN)
		return -LINUX_ENAMETOOLONG;
	if (n)
		out[n++] = '/';
	memcpy(out + n, component, len);
	out[n + len] = 0;
	return 0;
}

/*
 * Resolves path (relative to base, an absolute path without its '/') into
 * an entry, following symbolic links; the last one too unless nofollow.
 */
static int64_t resolve(const char *base, const char *path, bool nofollow, uint32_t *index, int depth)
{
	char out[PATH_MAX_LEN];
	const char *p = path;
	int64_t err;

	if (depth > FS_MAX_LINKS)
		return -LINUX_ELOOP;
	strncpy(out, *path == '/' ? "" : base, sizeof(out) - 1);
	out[sizeof(out) - 1] = 0;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		bool last = !slash || !*skip_slashes(slash);
		uint32_t i;
		if (len && (err = path_push(out, p, len)))
			return err;
		p += len;
		p = skip_slashes(p);
		if (find_entry(out, &i) < 0)
			return -LINUX_ENOENT;
		if (is_type(entry_at(i), LINUX_S_IFLNK) && !(last && nofollow)) {
			char target[PATH_MAX_LEN], dir[PATH_MAX_LEN];
			const struct fs_entry *l = entry_at(i);
			if (l->size >= sizeof(target))
				return -LINUX_ENAMETOOLONG;
			memcpy(target, l->data, l->size);
			target[l->size] = 0;
			strcpy(dir, out);
			char *cut = strrchr(dir, '/');
			*(cut ? cut : dir) = 0;
			if ((err = resolve(dir, target, false, &i, depth + 1)) < 0)
				return err;
			strcpy(out, entry_at(i)->path);
		}
		if (!last && !is_type(entry_at(i), LINUX_S_IFDIR))
			return -LINUX_ENOTDIR;
	}
	return find_entry(out, index);
}

static struct open_file *file_of(int fd)
{
	if (fd < 3 || fd >= FS_MAX_FILES || files[fd].kind == FD_FREE)
		return 0;
	return &files[fd];
}

bool fs_valid_fd(int fd)
{
	return file_of(fd) != 0;
}

bool fs_console_closed(int fd)
{
	return fd >= 0 && fd < 3 && console_closed[fd];
}

/*
 * Readiness of what is not an object: files are always ready, as on Linux;
 * the console always takes output; its input is not watched (a poll on
 * descriptor 0 never reports it readable).
 */
uint32_t fd_poll_other(int fd)
{
	if (fd >= 0 && fd < 3 && !console_closed[fd])
		return fd ? LINUX_POLLOUT | LINUX_POLLWRNORM : 0;
	if (fd >= 3 && fd < FS_MAX_FILES && files[fd].kind != FD_FREE && files[fd].kind != FD_OBJECT)
		return LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM;
	return LINUX_POLLNVAL;
}

static int fd_alloc(int from)
{
	for (int fd = from < 3 ? 3 : from; fd < FS_MAX_FILES; fd++)
		if (files[fd].kind == FD_FREE)
			return fd;
	return -LINUX_EMFILE;
}

int fd_install(struct fd_object *o, bool cloexec)
{
	uint64_t flags = irq_save();
	int fd = fd_alloc(3);

	if (fd >= 0)
		files[fd] = (struct open_file){ .kind = FD_OBJECT, .cloexec = cloexec, .object = o };
	irq_restore(flags);
	if (fd < 0)
		fd_object_call(o, FD_CALL_PUT, 0, 0);
	return fd;
}

int64_t (*fd_object_call)(struct fd_object *o, enum fd_call call, uint64_t a, uint64_t b);

/* For host tools (the network descriptor): where the table is and how to read it. */
void fd_table_describe(struct uniscope_net_info *info)
{
	info->fd_table = (uint64_t)files;
	info->fd_entries = FS_MAX_FILES;
	info->fd_entry_size = sizeof(files[0]);
	info->fd_off_kind = (uint32_t)offsetof(struct open_file, kind);
	info->fd_kind_object = FD_OBJECT;
	info->fd_off_object = (uint32_t)offsetof(struct open_file, object);
}

struct fd_object *fd_get(int fd)
{
	uint64_t flags = irq_save();
	struct fd_object *o = 0;

	if (fd >= 3 && fd < FS_MAX_FILES && files[fd].kind == FD_OBJECT) {
		o = files[fd].object;
		o->refs++;
	}
	irq_restore(flags);
	return o;
}

/* Empties a slot; an object loses the slot's reference (maybe its last). */
static void fd_release_slot(int fd)
{
	uint64_t flags = irq_save();
	struct open_file f = files[fd];

	files[fd].kind = FD_FREE;
	files[fd].object = 0;
	irq_restore(flags);
	if (f.kind == FD_OBJECT)
		fd_object_call(f.object, FD_CALL_PUT, 0, 0);
}

/* The base directory of a *at() call. */
static int64_t at_base(int64_t dirfd, const char *path, const char **base)
{
	struct open_file *f;

	if (path[0] == '/' || dirfd == LINUX_AT_FDCWD) {
		*base = cwd;
		return 0;
	}
	if (!(f = file_of((int)dirfd)))
		return -LINUX_EBADF;
	if (f->kind != FD_DIR)
		return -LINUX_ENOTDIR;
	*base = entry_at(f->entry)->path;
	return 0;
}

/* /proc/self/task/TID/comm, /proc/thread-self/comm: a thread's name; the thread id, or 0. */
static uint32_t comm_path_tid(const char *path)
{
	const char *p;
	long tid;

	if (!strcmp(path, "/proc/thread-self/comm") || !strcmp(path, "/proc/self/comm"))
		return current->id;
	if (strncmp(path, "/proc/self/task/", 16))
		return 0;
	tid = strtol(path + 16, (char **)&p, 10);
	return tid > 0 && !strcmp(p, "/comm") ? (uint32_t)tid : 0;
}

static struct thread *thread_by_id(uint32_t tid)
{
	uint64_t n = 0;

	for (struct thread *t = thread_list; t && n < UNISCOPE_MAX_THREADS; t = t->next_all, n++)
		if (t->id == tid && t->state != UNISCOPE_THREAD_EXITED)
			return t;
	return 0;
}

static int64_t open_at(int64_t dirfd, uint64_t upath, uint64_t flags)
{
	char path[PATH_MAX_LEN];
	const char *base;
	uint32_t index, tid;
	int64_t err = copy_string_from_user(path, upath, sizeof(path));
	int fd;

	if (err < 0)
		return err;
	if ((tid = comm_path_tid(path))) {
		if (!thread_by_id(tid))
			return -LINUX_ENOENT;
		if ((fd = fd_alloc(3)) < 0)
			return fd;
		files[fd] = (struct open_file){ .kind = FD_COMM, .tid = tid };
		return fd;
	}
	if ((err = at_base(dirfd, path, &base)) < 0)
		return err;
	if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY || (flags & (LINUX_O_CREAT | LINUX_O_TRUNC)))
		return resolve(base, path, false, &index, 0) < 0 && (flags & LINUX_O_CREAT) ? -LINUX_EROFS
		       : -LINUX_EROFS;
	if ((err = resolve(base, path, false, &index, 0)) < 0)
		return err;
	if ((flags & LINUX_O_DIRECTORY) && !is_type(entry_at(index), LINUX_S_IFDIR))
		return -LINUX_ENOTDIR;
	if ((fd = fd_alloc(3)) < 0)
		return fd;
	files[fd] = (struct open_file){
		.kind = is_type(entry_at(index), LINUX_S_IFDIR) ? FD_DIR : FD_FILE,
		.cloexec = (flags & LINUX_O_CLOEXEC) != 0, .entry = index,
	};
	return fd;
}

SYSCALL_HANDLER(open)
{
	return open_at(LINUX_AT_FDCWD, args->a[0], args->a[1]);
}

SYSCALL_HANDLER(openat)
{
	return open_at((int64_t)(int32_t)args->a[0], args->a[1], args->a[2]);
}

int64_t fd_close(int fd)
{
	if (fd >= 0 && fd < 3 && !console_closed[fd]) {
		console_closed[fd] = true;
		return 0;
	}
	if (!file_of(fd))
		return -LINUX_EBADF;
	fd_release_slot(fd);
	return 0;
}

SYSCALL_HANDLER(close)
{
	return fd_close((int)args->a[0]);
}

static int64_t comm_read(struct open_file *f, uint64_t buf, uint64_t len)
{
	struct thread *t = thread_by_id(f->tid);
	char name[COMM_MAX + 1];
	uint64_t n;

	if (!t)
		return -LINUX_ESRCH;
	n = strnlen(t->name, COMM_MAX - 1);
	memcpy(name, t->name, n);
	name[n++] = '\n';
	if (f->offset >= n)
		return 0;
	n = n - f->offset < len ? n - f->offset : len;
	if (copy_to_user(buf, name + f->offset, n) < 0)
		return -LINUX_EFAULT;
	f->offset += n;
	return (int64_t)n;
}

static int64_t file_pread(struct open_file *f, uint64_t buf, uint64_t len, uint64_t offset)
{
	const struct fs_entry *e = entry_at(f->entry);
	uint64_t n;

	if (f->kind == FD_DIR)
		return -LINUX_EISDIR;
	if (offset >= e->size)
		return 0;
	n = e->size - offset < len ? e->size - offset : len;
	return copy_to_user(buf, e->data + offset, n) < 0 ? -LINUX_EFAULT : (int64_t)n;
}

int64_t fs_read(int fd, uint64_t buf, uint64_t len)
{
	struct open_file *f = file_of(fd);
	int64_t n;

	if (!f || f->kind == FD_OBJECT)
		return -LINUX_EBADF;
	if (f->kind == FD_COMM)
		return comm_read(f, buf, len);
	if ((n = file_pread(f, buf, len, f->offset)) > 0)
		f->offset += (uint64_t)n;
	return n;
}

/* Writes go nowhere but to a thread's name. */
int64_t fs_write(int fd, uint64_t buf, uint64_t len)
{
	struct open_file *f = file_of(fd);
	struct thread *t;
	char name[COMM_MAX];
	uint64_t n = len < COMM_MAX - 1 ? len : COMM_MAX - 1;

	if (!f)
		return -LINUX_EBADF;
	if (f->kind != FD_COMM)
		return -LINUX_EBADF; /* opened read-only: the file system is */
	if (!(t = thread_by_id(f->tid)))
		return -LINUX_ESRCH;
	if (copy_from_user(name, buf, n) < 0)
		return -LINUX_EFAULT;
	while (n && name[n - 1] == '\n')
		n--;
	thread_rename(t, name, n);
	return (int64_t)len;
}

SYSCALL_HANDLER(pread64)
{
	struct open_file *f = file_of((int)args->a[0]);

	if (!f)
		return -LINUX_EBADF;
	if (f->kind != FD_FILE && f->kind != FD_DIR)
		return -LINUX_ESPIPE;
	return file_pread(f, args->a[1], args->a[2], args->a[3]);
}

SYSCALL_HANDLER(lseek)
{
	struct open_file *f = file_of((int)args->a[0]);
	int64_t off = (int64_t)args->a[1], base;

	if (!f)
		return args->a[0] < 3 ? -LINUX_ESPIPE : -LINUX_EBADF;
	if (f->kind == FD_OBJECT)
		return -LINUX_ESPIPE;
	switch (args->a[2]) {
	case LINUX_SEEK_SET: base = 0; break;
	case LINUX_SEEK_CUR: base = (int64_t)f->offset; break;
	case LINUX_SEEK_END: base = f->kind == FD_COMM ? 0 : (int64_t)entry_at(f->entry)->size; break;
	default: return -LINUX_EINVAL;
	}
	if (base + off < 0)
		return -LINUX_EINVAL;
	f->offset = (uint64_t)(base + off);
	return (int64_t)f->offset;
}

int64_t fs_map_file(int fd, uint64_t addr, uint64_t len, uint64_t offset)
{
	struct open_file *f = file_of(fd);
	const struct fs_entry *e;

	if (!f || f->kind != FD_FILE)
		return -LINUX_EBADF;
	e = entry_at(f->entry);
	if (offset < e->size)
		memcpy((void *)addr, e->data + offset, e->size - offset < len ? e->size - offset : len);
	return 0;
}

static void fill_stat(struct linux_stat *st, const struct fs_entry *e)
{
	*st = (struct linux_stat){
		.st_dev = 1, .st_ino = e->ino, .st_nlink = 1, .st_mode = e->mode,
		.st_size = (int64_t)e->size, .st_blksize = 4096, .st_blocks = (int64_t)((e->size + 511) / 512),
		.st_atim = { (int64_t)e->mtime, 0 }, .st_mtim = { (int64_t)e->mtime, 0 },
		.st_ctim = { (int64_t)e->mtime, 0 },
	};
}

static int64_t stat_fd(int64_t fd, uint64_t ust)
{
	struct linux_stat st;
	struct open_file *f;
	const struct fs_entry console = { "", LINUX_S_IFCHR | 0620, 2, 0, 0, 0 };

	if (fd >= 0 && fd < 3 && !console_closed[fd])
		fill_stat(&st, &console);
	else if ((f = file_of((int)fd)) && f->kind == FD_OBJECT)
		fill_stat(&st, &(struct fs_entry){ "", f->object->ops->st_mode, (uint32_t)fd, 0, 0, 0 });
	else if (f && f->kind != FD_COMM)
		fill_stat(&st, entry_at(f->entry));
	else
		return f ? -LINUX_EINVAL : -LINUX_EBADF;
	return copy_to_user(ust, &st, sizeof(st));
}

static int64_t stat_at(int64_t dirfd, uint64_t upath, uint64_t ust, uint64_t flags)
{
	char path[PATH_MAX_LEN];
	struct linux_stat st;
	const char *base;
	uint32_t index;
	int64_t err = copy_string_from_user(path, upath, sizeof(path));

	if (err < 0)
		return err;
	if (!path[0] && (flags & LINUX_AT_EMPTY_PATH))
		return stat_fd(dirfd, ust);
	if (!path[0])
		return -LINUX_ENOENT;
	if ((err = at_base(dirfd, path, &base)) < 0 ||
	    (err = resolve(base, path, flags & LINUX_AT_SYMLINK_NOFOLLOW, &index, 0)) < 0)
		return err;
	fill_stat(&st, entry_at(index));
	return copy_to_user(ust, &st, sizeof(st));
}

SYSCALL_HANDLER(fstat) { return stat_fd((int64_t)args->a[0], args->a[1]); }
SYSCALL_HANDLER(stat) { return stat_at(LINUX_AT_FDCWD, args->a[0], args->a[1], 0); }
SYSCALL_HANDLER(lstat)
{
	return stat_at(LINUX_AT_FDCWD, args->a[0], args->a[1], LINUX_AT_SYMLINK_NOFOLLOW);
}
SYSCALL_HANDLER(newfstatat)
{
	return stat_at((int64_t)(int32_t)args->a[0], args->a[1], args->a[2], args->a[3]);
}

static int64_t access_at(int64_t dirfd, uint64_t upath, uint64_t mode)
{
	char path[PATH_MAX_LEN];
	const char *base;
	uint32_t index;
	int64_t err = copy_string_from_user(path, upath, sizeof(path));

	if (err < 0)
		return err;
	if ((err = at_base(dirfd, path, &base)) < 0 || (err = resolve(base, path, false, &index, 0)) < 0)
		return err;
	return (mode & 2) ? -LINUX_EROFS : 0; /* W_OK */
}

SYSCALL_HANDLER(access) { return access_at(LINUX_AT_FDCWD, args->a[0], args->a[1]); }
SYSCALL_HANDLER(faccessat)
{
	return access_at((int64_t)(int32_t)args->a[0], args->a[1], args->a[2]);
}

static int64_t readlink_at(int64_t dirfd, uint64_t upath, uint64_t buf, uint64_t len)
{
	char path[PATH_MAX_LEN];
	const char *base;
	const struct fs_entry *e;
	uint32_t index;
	int64_t err = copy_string_from_user(path, upath, sizeof(path));

	if (err < 0)
		return err;
	if ((err = at_base(dirfd, path, &base)) < 0 || (err = resolve(base, path, true, &index, 0)) < 0)
		return err;
	e = entry_at(index);
	if (!is_type(e, LINUX_S_IFLNK))
		return -LINUX_EINVAL;
	len = e->size < len ? e->size : len;
	return copy_to_user(buf, e->data, len) < 0 ? -LINUX_EFAULT : (int64_t)len;
}

SYSCALL_HANDLER(readlink) { return readlink_at(LINUX_AT_FDCWD, args->a[0], args->a[1], args->a[2]); }
SYSCALL_HANDLER(readlinkat)
{
	return readlink_at((int64_t)(int32_t)args->a[0], args->a[1], args->a[2], args->a[3]);
}

/* The direct children of a directory, in archive order, from the open file's offset. */
SYSCALL_HANDLER(getdents64)
{
	struct open_file *f = file_of((int)args->a[0]);
	uint64_t buf = args->a[1], cap = args->a[2], used = 0;
	const char *dir;
	size_t dir_len;

	if (!f)
		return -LINUX_EBADF;
	if (f->kind != FD_DIR)
		return -LINUX_ENOTDIR;
	dir = entry_at(f->entry)->path;
	dir_len = strlen(dir);
	for (; f->offset < nr_entries; f->offset++) {
		const struct fs_entry *e = &entries[f->offset];
		const char *name = e->path + dir_len + (dir_len ? 1 : 0);
		if ((dir_len && (strncmp(e->path, dir, dir_len) || e->path[dir_len] != '/')) || strchr(name, '/'))
			continue;
		size_t n = strlen(name), reclen = (19 + n + 1 + 7) & ~7ul;
		uint8_t rec[19 + PATH_MAX_LEN + 8] = { 0 };
		uint64_t ino = e->ino, off = f->offset + 1;
		uint8_t type = is_type(e, LINUX_S_IFDIR) ? LINUX_DT_DIR : is_type(e, LINUX_S_IFLNK) ? LINUX_DT_LNK
			       : LINUX_DT_REG;
		if (used + reclen > cap)
			break;
		memcpy(rec, &ino, 8);
		memcpy(rec + 8, &off, 8);
		memcpy(rec + 16, &(uint16_t){ (uint16_t)reclen }, 2);
		rec[18] = type;
		memcpy(rec + 19, name, n);
		if (copy_to_user(buf + used, rec, reclen) < 0)
			return -LINUX_EFAULT;
		used += reclen;
	}
	return used || f->offset >= nr_entries || !cap ? (int64_t)used : -LINUX_EINVAL;
}

SYSCALL_HANDLER(fcntl)
{
	int fd = (int)args->a[0];
	struct open_file *f = file_of(fd);

	if (!f && !(fd >= 0 && fd < 3 && !console_closed[fd]))
		return -LINUX_EBADF;
	switch (args->a[1]) {
	case LINUX_F_GETFD: return f && f->cloexec ? 1 : 0;
	case LINUX_F_SETFD: if (f) f->cloexec = args->a[2] & 1; return 0;
	case LINUX_F_GETFL:
		if (f && f->kind == FD_OBJECT)
			return 2 /* O_RDWR */ | f->object->status;
		return fd < 3 ? 2 /* O_RDWR */ : LINUX_O_RDONLY;
	case LINUX_F_SETFL:
		if (f && f->kind == FD_OBJECT)
			f->object->status = (uint32_t)args->a[2] & LINUX_O_NONBLOCK;
		return 0;
	default:
		posix_unsupported("fcntl command", args->a[1]);
		return -LINUX_EINVAL;
	}
}

static int64_t dup_to(int old, int new_fd)
{
	struct open_file *f = file_of(old);

	if (!f || new_fd < 3 || new_fd >= FS_MAX_FILES)
		return -LINUX_EBADF; /* the console's descriptors are not duplicated */
	if (files[new_fd].kind != FD_FREE)
		fd_release_slot(new_fd); /* dup2 onto an open descriptor closes it first */
	if (f->kind == FD_OBJECT)
		fd_get(old); /* the new descriptor's reference */
	files[new_fd] = *f;
	files[new_fd].cloexec = false;
	return new_fd;
}

SYSCALL_HANDLER(dup)
{
	int fd = fd_alloc(3);

	return fd < 0 ? fd : dup_to((int)args->a[0], fd);
}

SYSCALL_HANDLER(dup2)
{
	return args->a[0] == args->a[1] && file_of((int)args->a[0]) ? (int64_t)args->a[1]
									 : dup_to((int)args->a[0], (int)args->a[1]);
}

SYSCALL_HANDLER(dup3)
{
	return args->a[0] == args->a[1] ? -LINUX_EINVAL : dup_to((int)args->a[0], (int)args->a[1]);
}

SYSCALL_HANDLER(getcwd)
{
	size_t n = strlen(cwd) + 2;

	if (args->a[1] < n)
		return -LINUX_ERANGE;
	if (copy_to_user(args->a[0], "/", 1) < 0 || copy_to_user(args->a[0] + 1, cwd, n - 1) < 0)
		return -LINUX_EFAULT;
	return (int64_t)n;
}

SYSCALL_HANDLER(chdir)
{
	char path[PATH_MAX_LEN];
	uint32_t index;
	int64_t err = copy_string_from_user(path, args->a[0], sizeof(path));

	if (err < 0 || (err = resolve(cwd, path, false, &index, 0)) < 0)
		return err;
	if (!is_type(entry_at(index), LINUX_S_IFDIR))
		return -LINUX_ENOTDIR;
	strcpy(cwd, entry_at(index)->path);
	return 0;
}
