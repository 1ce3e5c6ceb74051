/*
 * The guest end of the console channel (channel.c; the wire format is
 * include/uniscope/chan.h), as the rest of the libOS and the debugger stub
 * see it: console text out, frames on the other channels, polling where
 * interrupts are off, and the exit handshake.
 */
#ifndef LIBOS_KERN_CHANNEL_H
#define LIBOS_KERN_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void channel_init(void);
bool channel_framed(void);
/* One frame (split at CHAN_PAYLOAD_MAX) on a channel; polled, complete on return. */
void channel_send(uint8_t channel, const void *payload, size_t len);
/* Polled receive, where interrupts are off (the stub, a dying image): what the device holds, bounded. */
size_t channel_poll(void);
/*
 * Waits (polling, at most ns) for the host's HELLO: `uniscope run` asks
 * with chan=wait, so that everything a program writes is framed, binary
 * output included. True once framed.
 */
bool channel_await_hello(uint64_t ns);
/* Console text: framed once the host said HELLO, plain before. */
void channel_console_write(const char *s, size_t len);
/* The exit status and counters to the host; a crash may wait for it here. */
void channel_exit_notify(int status);
/* From the idle thread: stream pending trace records. */
void channel_idle_work(void);
/* Where the receive counters live, for the guest descriptor. */
uint64_t chan_stats_address(void);
/* posix/sys_io.c: bytes for the application's stdin; none means end of file. */
void console_input(const uint8_t *data, size_t len);

#endif
