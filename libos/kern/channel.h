/*
 * The guest end of the console channel (channel.c; the wire format is
 * include/uniscope/chan.h): what the rest of the libOS and the debugger
 * stub call.
 */
#ifndef LIBOS_KERN_CHANNEL_H
#define LIBOS_KERN_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void channel_init(void);
/* True once the host's HELLO switched the channel to frames. */
bool channel_framed(void);
/* One frame (or several, for a payload over CHAN_PAYLOAD_MAX), sent before it returns. */
void channel_send(uint8_t channel, const void *payload, size_t len);
/* Polled receive, where interrupts are off (the stub, a dying image): what the device holds. */
size_t channel_poll(void);
void channel_console_write(const char *s, size_t len);
void channel_exit_notify(int status);
void channel_idle_work(void);
/* Where the receive counters live, for the guest descriptor. */
uint64_t chan_stats_address(void);

#endif
