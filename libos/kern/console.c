/*
 * The console: everything printed goes into the in-memory log ring (which
 * host tools read back from guest memory, even after a crash) and out over
 * the console channel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kern.h"
#include "arch/x86_64/cpu.h"
#include "plat/plat.h"
#include "trace.h"
#include "channel.h"

#define LOG_SIZE CONSOLE_LOG_SIZE

/* In .bss, not .data: 64 KiB of zeroes do not belong in the image file. */
static struct {
	struct uniscope_log header;
	uint8_t data[LOG_SIZE];
} log_storage;

struct uniscope_log *console_log = &log_storage.header;

static void log_append(const char *s, size_t len)
{
	if (!log_storage.header.magic) {
		log_storage.header.size = LOG_SIZE;
		log_storage.header.magic = UNISCOPE_LOG_MAGIC;
	}
	for (size_t i = 0; i < len; i++)
		log_storage.data[(log_storage.header.written + i) % LOG_SIZE] = (uint8_t)s[i];
	log_storage.header.written += len;
}

void console_write(const char *s, size_t len)
{
	uint64_t flags = irq_save();

	trace_console_write(len);
	log_append(s, len);
	channel_console_write(s, len);
	irq_restore(flags);
}

/* For panics: straight to the device, nothing that could block or recurse. */
void console_emergency_write(const char *s, size_t len)
{
	log_append(s, len);
	channel_console_write(s, len);
}

struct print_buffer {
	char buf[128];
	size_t used;
	size_t total;
};

static void print_flush(struct print_buffer *pb)
{
	console_write(pb->buf, pb->used);
	pb->used = 0;
}

static void print_emit(void *ctx, const char *s, size_t n)
{
	struct print_buffer *pb = ctx;

	pb->total += n;
	while (n > 0) {
		size_t room = sizeof(pb->buf) - pb->used;
		size_t take = n < room ? n : room;
		memcpy(pb->buf + pb->used, s, take);
		pb->used += take;
		s += take;
		n -= take;
		if (pb->used == sizeof(pb->buf))
			print_flush(pb);
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct print_buffer pb = { .used = 0, .total = 0 };

	vcbprintf(print_emit, &pb, fmt, ap);
	if (pb.used)
		print_flush(&pb);
	return (int)pb.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int puts(const char *s)
{
	console_write(s, strlen(s));
	console_write("\n", 1);
	return 0;
}

int putchar(int c)
{
	char ch = (char)c;

	console_write(&ch, 1);
	return (unsigned char)c;
}
