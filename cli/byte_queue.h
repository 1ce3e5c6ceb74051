/*
 * A bounded FIFO of bytes (byte_queue.c): what the run loop holds for a
 * peer that is not ready to take it (the serial line, a debugger), so no
 * write ever waits. Appends are all or nothing; when a queue is full its
 * owner decides: hold the producer back, or cut the peer off.
 */
#ifndef UNISCOPE_CLI_BYTE_QUEUE_H
#define UNISCOPE_CLI_BYTE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byte_queue {
	uint8_t *buf;
	size_t cap;   /* 0 until byte_queue_init() */
	size_t head;  /* first byte */
	size_t len;
};

int byte_queue_init(struct byte_queue *q, size_t cap);
void byte_queue_free(struct byte_queue *q);
void byte_queue_clear(struct byte_queue *q);
size_t byte_queue_room(const struct byte_queue *q);
/* All of buf, or false and nothing. */
bool byte_queue_push(struct byte_queue *q, const void *buf, size_t len);
/* Copies up to cap bytes from the front without taking them; returns how many. */
size_t byte_queue_peek(const struct byte_queue *q, void *out, size_t cap);
void byte_queue_drop(struct byte_queue *q, size_t len);
/*
 * Writes as much as fd takes now (non-blocking); returns 0, or -1 when
 * the peer is gone (EPIPE, a closed socket, any error but EAGAIN).
 */
int byte_queue_write(struct byte_queue *q, int fd);

#endif
