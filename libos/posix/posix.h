/*
 * The Linux process the libOS presents to a C library (libos/posix/): one
 * process, its threads, its memory, its files, entered through the
 * syscall instruction (arch/x86_64/syscall.S -> syscall_dispatch).
 */
#ifndef LIBOS_POSIX_H
#define LIBOS_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kern/kern.h"
#include "linux.h"

/* A syscall as its handler sees it: the six arguments and the caller's frame. */
struct syscall_args {
	uint64_t a[6];
	trap_frame_t *frame;
};
typedef int64_t syscall_fn(const struct syscall_args *args);

/* Handlers, one file per group; each returns a result or -errno. */
#define SYSCALL_HANDLER(name) int64_t sys_##name(const struct syscall_args *args)
void syscall_init(void);
void syscall_register(uint64_t nr, syscall_fn *handler);
int64_t syscall_dispatch(trap_frame_t *frame);

/* uaccess.c: application pointers, checked against the page tables. */
bool user_ok(uint64_t addr, uint64_t len, bool write);
int copy_from_user(void *dst, uint64_t src, uint64_t len);
int copy_to_user(uint64_t dst, const void *src, uint64_t len);
/* A NUL-terminated string of at most cap - 1 bytes: its length, or -EFAULT/-ENAMETOOLONG. */
int64_t copy_string_from_user(char *dst, uint64_t src, size_t cap);

/* process.c: the process's life. */
void process_reserve_stack(uint64_t (*alloc_pages)(uint64_t count));
void process_init(const char *cmdline);
void process_thread_gone(void);
const char *process_name(void);

/* sys_time.c: CLOCK_REALTIME - CLOCK_MONOTONIC (wall time at boot, from the host). */
uint64_t wall_clock_offset_ns(void);

/* sys_thread.c */
int64_t futex_wake(uint64_t uaddr, uint64_t count, uint32_t bitset);

/* sys_mem.c: memory handed to the application. */
void mem_init(void);
bool mem_region_of(uint64_t addr, uint64_t *lo, uint64_t *hi);

/* sys_io.c and fs.c: the console and the read-only root file system. */
/* Copies a file's bytes from offset into [addr, addr + len) (mmap of a file). */
int64_t fs_map_file(int fd, uint64_t addr, uint64_t len, uint64_t offset);
void fs_set_module(uint64_t addr, uint64_t size);
int64_t fs_read(int fd, uint64_t buf, uint64_t len);
int64_t fs_write(int fd, uint64_t buf, uint64_t len);
bool fs_valid_fd(int fd);
bool fs_console_closed(int fd);
void console_input(const uint8_t *data, size_t len);

/* Reports a use of something the libOS does not do, once per what. */
void posix_unsupported(const char *what, uint64_t detail);

#endif
