/*
 * errno for the libOS libc: one global shared by all threads, set only by
 * the few libc functions that the standard says set it (strtol and family).
 * The values are Linux's, so they read the same in a debugger.
 */
#ifndef UNISCOPE_LIBC_ERRNO_H
#define UNISCOPE_LIBC_ERRNO_H

/*
 * Not named "errno" in the image: debuggers asked for errno must find the
 * C library's, per thread (libos/posix/errno_dwarf.S), not this one.
 */
#ifndef errno
#define errno libos_errno
#endif
extern int errno;

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define EAGAIN 11
#define ENOMEM 12
#define EBUSY 16
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ETIMEDOUT 110

#endif
