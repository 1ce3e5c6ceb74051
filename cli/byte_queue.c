/*
 * Bounded byte FIFOs for the run loop (byte_queue.h): a ring over one
 * allocation, written to non-blocking file descriptors a contiguous piece
 * at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "byte_queue.h"

int byte_queue_init(struct byte_queue *q, size_t cap)
{
	*q = (struct byte_queue){ .buf = malloc(cap), .cap = cap };
	if (!q->buf)
		q->cap = 0;
	return q->buf ? 0 : -1;
}

void byte_queue_free(struct byte_queue *q)
{
	free(q->buf);
	*q = (struct byte_queue){ 0 };
}

void byte_queue_clear(struct byte_queue *q)
{
	q->head = q->len = 0;
}

size_t byte_queue_room(const struct byte_queue *q)
{
	return q->cap - q->len;
}

bool byte_queue_push(struct byte_queue *q, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t tail, first;

	if (len > byte_queue_room(q))
		return false;
	tail = (q->head + q->len) % (q->cap ? q->cap : 1);
	first = len < q->cap - tail ? len : q->cap - tail;
	memcpy(q->buf + tail, p, first);
	memcpy(q->buf, p + first, len - first);
	q->len += len;
	return true;
}

/* The longest piece at the front that is contiguous in buf. */
static size_t front_piece(const struct byte_queue *q)
{
	size_t to_end = q->cap - q->head;

	return q->len < to_end ? q->len : to_end;
}

size_t byte_queue_peek(const struct byte_queue *q, void *out, size_t cap)
{
	size_t n = cap < q->len ? cap : q->len, first = front_piece(q);

	if (first > n)
		first = n;
	memcpy(out, q->buf + q->head, first);
	memcpy((uint8_t *)out + first, q->buf, n - first);
	return n;
}

void byte_queue_drop(struct byte_queue *q, size_t len)
{
	if (len > q->len)
		len = q->len;
	q->head = q->len == len ? 0 : (q->head + len) % q->cap;
	q->len -= len;
}

int byte_queue_write(struct byte_queue *q, int fd)
{
	while (q->len > 0) {
		ssize_t n = write(fd, q->buf + q->head, front_piece(q));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		byte_queue_drop(q, (size_t)n);
	}
	return 0;
}
