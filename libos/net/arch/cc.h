/*
 * lwIP's compiler and platform glue for the libOS (lwIP: src/include/lwip/arch.h).
 * lwIP is built freestanding against the libOS's small libc (libos/include):
 * no <inttypes.h>, no <ctype.h>, errno values of lwIP's own (Linux's), and
 * its diagnostics and assertions go to the libOS's console and panic.
 */
#ifndef LIBOS_NET_ARCH_CC_H
#define LIBOS_NET_ARCH_CC_H

#include <stdint.h>
#include <stddef.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_PROVIDE_ERRNO 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define BYTE_ORDER LITTLE_ENDIAN
#define PACK_STRUCT_STRUCT __attribute__((packed))

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint32_t lwip_port_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { kprintf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) panic("lwIP assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)
#define LWIP_RAND() lwip_port_rand()

#endif
