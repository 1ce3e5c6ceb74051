/*
 * File descriptors. 0, 1 and 2 are the console: what the application
 * writes to 1 or 2 goes to the console log and channel (console_write),
 * what it reads from 0 comes from the host (uniscope run's standard
 * input, as console frames; before framing, the serial line's bytes).
 * Descriptors from 3 up are files of the root file system (fs.c) or
 * objects (fd.h: sockets, pipes, ...), whose own operations serve them.
 *
 * The console answers TIOCGWINSZ (80x24), so the C library line-buffers
 * stdout as on a terminal and nothing printed is stuck in a buffer when
 * the image dies; TCGETS says ENOTTY.
 */
#include <string.h>
#include "posix.h"
#include "fd.h"
#include "arch/x86_64/cpu.h"

#define CONSOLE_CHUNK 4096 /* interrupts get a look in between chunks */
#define STDIN_BUFFER 4096

static struct {
	uint8_t buf[STDIN_BUFFER];
	uint32_t head, len;
	bool eof;
	struct wait_queue readers;
} stdin_ring;

static bool is_console(int64_t fd)
{
	return fd >= 0 && fd <= 2 && !fs_console_closed((int)fd);
}

/* From the channel (host console frames; an empty one is end of file). */
void console_input(const uint8_t *data, size_t len)
{
	uint64_t flags = irq_save();

	if (!len)
		stdin_ring.eof = true;
	for (size_t i = 0; i < len && stdin_ring.len < STDIN_BUFFER; i++) {
		stdin_ring.buf[(stdin_ring.head + stdin_ring.len) % STDIN_BUFFER] = data[i];
		stdin_ring.len++;
	}
	wait_queue_wake_all(&stdin_ring.readers);
	irq_restore(flags);
}

static int64_t console_read(uint64_t buf, uint64_t len)
{
	uint8_t chunk[256];
	uint64_t flags, n = 0;

	if (!user_ok(buf, len, true))
		return -LINUX_EFAULT;
	flags = irq_save();
	while (!stdin_ring.len && !stdin_ring.eof)
		wait_queue_block(&stdin_ring.readers, UNISCOPE_WAIT_CONSOLE, &stdin_ring);
	while (n < len && n < sizeof(chunk) && stdin_ring.len) {
		chunk[n++] = stdin_ring.buf[stdin_ring.head];
		stdin_ring.head = (stdin_ring.head + 1) % STDIN_BUFFER;
		stdin_ring.len--;
	}
	irq_restore(flags);
	memcpy((void *)buf, chunk, n);
	return (int64_t)n;
}

static int64_t console_write_user(uint64_t buf, uint64_t len)
{
	if (!user_ok(buf, len, false))
		return -LINUX_EFAULT;
	for (uint64_t done = 0; done < len; done += CONSOLE_CHUNK) {
		uint64_t n = len - done < CONSOLE_CHUNK ? len - done : CONSOLE_CHUNK;
		console_write((const char *)(buf + done), n);
	}
	return (int64_t)len;
}

/* An object's operation (fd.h); the reference fd_get took goes with it. */
static bool object_call(int64_t fd, enum fd_call call, uint64_t a, uint64_t b, int64_t *ret)
{
	struct fd_object *o = fd >= 3 && fd < FD_MAX ? fd_get((int)fd) : 0;

	if (o)
		*ret = fd_object_call(o, call, a, b);
	return o != 0;
}

static int64_t fd_read(int64_t fd, uint64_t buf, uint64_t len)
{
	int64_t ret;

	if (object_call(fd, FD_CALL_READ, buf, len, &ret))
		return ret;
	if (fd == 0 && is_console(fd))
		return console_read(buf, len);
	if (is_console(fd))
		return -LINUX_EBADF;
	return fs_read((int)fd, buf, len);
}

static int64_t fd_write(int64_t fd, uint64_t buf, uint64_t len)
{
	int64_t ret;

	if (object_call(fd, FD_CALL_WRITE, buf, len, &ret))
		return ret;
	if ((fd == 1 || fd == 2) && is_console(fd))
		return console_write_user(buf, len);
	if (is_console(fd))
		return -LINUX_EBADF;
	return fs_write((int)fd, buf, len);
}

SYSCALL_HANDLER(read)
{
	return fd_read((int64_t)args->a[0], args->a[1], args->a[2]);
}

SYSCALL_HANDLER(write)
{
	return fd_write((int64_t)args->a[0], args->a[1], args->a[2]);
}

/* readv/writev: each buffer in turn, stopping at the first short transfer. */
static int64_t fd_vector(int64_t fd, uint64_t uiov, uint64_t count, bool write)
{
	struct linux_iovec iov;
	int64_t total = 0, n;

	if (object_call(fd, write ? FD_CALL_WRITEV : FD_CALL_READV, uiov, count, &n))
		return n;
	if (count > LINUX_IOV_MAX)
		return -LINUX_EINVAL;
	for (uint64_t i = 0; i < count; i++) {
		if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)) < 0)
			return total ? total : -LINUX_EFAULT;
		if (!iov.len)
			continue;
		n = write ? fd_write(fd, iov.base, iov.len) : fd_read(fd, iov.base, iov.len);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < iov.len)
			break;
	}
	return total;
}

SYSCALL_HANDLER(readv)
{
	return fd_vector((int64_t)args->a[0], args->a[1], args->a[2], false);
}

SYSCALL_HANDLER(writev)
{
	return fd_vector((int64_t)args->a[0], args->a[1], args->a[2], true);
}

SYSCALL_HANDLER(ioctl)
{
	int64_t fd = (int64_t)args->a[0];
	uint64_t request = args->a[1];
	struct linux_winsize ws = { 24, 80, 0, 0 };
	int64_t ret;

	if (object_call(fd, FD_CALL_IOCTL, request, args->a[2], &ret))
		return ret;
	if (!is_console(fd))
		return fs_valid_fd((int)fd) ? -LINUX_ENOTTY : -LINUX_EBADF;
	if (request == TIOCGWINSZ)
		return copy_to_user(args->a[2], &ws, sizeof(ws));
	return -LINUX_ENOTTY; /* TCGETS and the rest: not a terminal that can be set up */
}
