/*
 * TCP's trace points at the socket layer (tcp_trace.c); the lwIP hook that
 * sees retransmissions is declared in arch/tcp_hooks.h.
 */
#ifndef LIBOS_NET_TCP_TRACE_H
#define LIBOS_NET_TCP_TRACE_H

#include "arch/tcp_hooks.h"

struct socket;

void tcp_trace_event(struct socket *so);
void tcp_trace_error(struct socket *so, int err);
void tcp_trace_accept(const struct socket *listener, struct socket *so);
void tcp_trace_close(const struct socket *so);

#endif
