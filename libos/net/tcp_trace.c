/*
 * TCP's trace points (net_trace.h), from where the libOS sees TCP: the
 * socket layer's netconn callback, accept and close, and one lwIP hook.
 *
 * lwIP has no hook for state changes: a socket remembers the state it
 * last saw (tcp_state) and the callback, which lwIP calls on every event
 * of the connection (data in, room to send, errors), says when it
 * differs; so a change shows at the next event, and states lwIP passes
 * through between two events are not seen. A reset or abort reaches the
 * callback as an error after lwIP freed the PCB; the error goes to the
 * evidence ring with the ports the socket last saw.
 *
 * Retransmissions: lwIP calls LWIP_HOOK_TCP_OUT_ADD_TCPOPTS (lwipopts.h)
 * for every segment it sends; one sent before (its sequence number below
 * snd_nxt, or inside the range an expired retransmission timer moved back
 * to be sent: TF_RTO up to rto_end) is a retransmission.
 */
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "dev/net_trace.h"
#include "socket.h"
#include "tcp_trace.h"

static const char *const state_names[] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECV", "ESTAB", "FIN-WAIT-1", "FIN-WAIT-2",
	"CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};

static const char *state_name(unsigned state)
{
	return state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state] : "?";
}

static struct tcp_pcb *tcp_of(const struct socket *so)
{
	if (so->type != LINUX_SOCK_STREAM || !so->conn)
		return 0;
	return so->conn->pcb.tcp;
}

/* In the netconn callback: the state changed since the socket last looked. */
void tcp_trace_event(struct socket *so)
{
	struct tcp_pcb *pcb = tcp_of(so);

	if (!pcb || pcb->state == so->tcp_state)
		return;
	so->tcp_state = (uint8_t)pcb->state;
	so->local_port = pcb->local_port;
	/* a listening PCB is a smaller struct tcp_pcb_listen: it has no remote port */
	so->remote_port = pcb->state == LISTEN ? 0 : pcb->remote_port;
	trace_tcp_state(so->fd, state_name(pcb->state), so->local_port, so->remote_port);
}

/* In the netconn callback: an error; err is the netconn's (ERR_RST, ERR_ABRT, ERR_CLSD). */
void tcp_trace_error(struct socket *so, int err)
{
	if (so->type == LINUX_SOCK_STREAM && err != ERR_OK)
		trace_tcp_reset(so->fd, err, so->local_port, so->remote_port);
}

void tcp_trace_accept(const struct socket *listener, struct socket *so)
{
	struct tcp_pcb *pcb = tcp_of(so);

	if (!pcb)
		return;
	so->tcp_state = (uint8_t)pcb->state;
	so->local_port = pcb->local_port;
	so->remote_port = pcb->remote_port;
	trace_tcp_accept(so->fd, listener->fd, pcb->local_port, pcb->remote_port);
}

void tcp_trace_close(const struct socket *so)
{
	struct tcp_pcb *pcb = tcp_of(so);

	if (so->type == LINUX_SOCK_STREAM)
		trace_tcp_close(so->fd, pcb ? state_name(pcb->state) : "CLOSED");
}

/*
 * lwIP's hook, for each segment sent (tcp_output_segment), and for each
 * control segment (tcp_output_fill_options: ACKs, keepalives, resets,
 * these with no PCB at all): opts unchanged. Only a segment that carries
 * data, SYN or FIN can be a retransmission (a keepalive's sequence number
 * is below snd_nxt on purpose).
 */
u8_t *net_tcp_segment_out(const struct pbuf *p, const struct tcp_hdr *hdr, const struct tcp_pcb *pcb,
			  u8_t *opts)
{
	const u8_t *hdrlen_flags = (const u8_t *)&hdr->_hdrlen_rsvd_flags; /* network order */
	u32_t seq = lwip_ntohl(hdr->seqno);
	bool carries = p->tot_len > (hdrlen_flags[0] >> 4) * 4u || (hdrlen_flags[1] & (TCP_SYN | TCP_FIN));

	if (!pcb || !carries)
		return opts;
	if (TCP_SEQ_LT(seq, pcb->snd_nxt) || ((pcb->flags & TF_RTO) && TCP_SEQ_LT(seq, pcb->rto_end)))
		trace_tcp_retransmit(pcb->local_port, pcb->remote_port, seq, pcb->nrtx);
	return opts;
}
