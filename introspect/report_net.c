/*
 * The report's network section: the guest's TCP connections (net.c), so
 * a crash or hang report of a server says what it was serving. The
 * connections whose owner is the thread that died (the panic's thread,
 * first in the report's list) are marked, and of those the one it called
 * on last — the highest call stamp, the guest stamping every socket call
 * from one counter — is the request in flight: a worker serving many
 * keep-alive connections from an epoll loop owns them all, but crashed
 * serving the one it read its request from. Without stamps (an older
 * image) a sole connection of the dead thread is the one in flight, and
 * several are only marked. An image without a network stack gets no
 * section; a stack whose lists cannot be read gets the error and what was
 * read.
 */
#include <stdio.h>
#include <string.h>
#include "report.h"

bool report_net_of_dead(const struct us_report *r, const struct us_net_conn *c)
{
	return r->panic.kind != UNISCOPE_PANIC_NONE && r->nr_threads && c->owner_tid &&
	       c->owner_tid == r->threads[0].th.id;
}

/* The dead thread's connection with the latest call; -1 when none, or when it cannot tell. */
static long find_in_flight(const struct us_report *r)
{
	long best = -1;
	size_t mine = 0;

	for (size_t i = 0; i < r->net.count; i++) {
		const struct us_net_conn *c = &r->net.conns[i];

		if (!report_net_of_dead(r, c) || c->state == US_TCP_LISTEN)
			continue;
		mine++;
		if (best < 0 || c->call_seq > r->net.conns[best].call_seq)
			best = (long)i;
	}
	if (mine > 1 && !r->net.conns[best].call_seq)
		return -1; /* no stamps: any of them */
	return best;
}

void report_collect_net(struct us_report *r, struct us_target *t)
{
	struct us_error *err = us_target_net(t, &r->net);

	r->have_net = !err || err->code != US_ERR_NOT_FOUND || r->net.count;
	if (err && r->have_net)
		snprintf(r->net_problem, sizeof(r->net_problem), "%s", err->message);
	us_error_destroy(err);
	r->net_in_flight = r->have_net ? find_in_flight(r) : -1;
}

static void print_endpoints(FILE *out, const struct us_net_conn *c)
{
	char local[US_NET_ENDPOINT_MAX], peer[US_NET_ENDPOINT_MAX];

	us_net_endpoint(c, true, local, sizeof(local));
	us_net_endpoint(c, false, peer, sizeof(peer));
	fprintf(out, "%-11s %-24s %-24s", us_tcp_state_name(c->state), local, peer);
	if (c->fd >= 0)
		fprintf(out, " fd=%d", c->fd);
	if (c->owner_tid)
		fprintf(out, " tid=%u(\"%s\")", c->owner_tid, c->owner_name);
}

void report_print_in_flight(FILE *out, const struct us_report *r)
{
	if (r->net_in_flight < 0)
		return;
	fputs("  the request in flight: ", out);
	print_endpoints(out, &r->net.conns[r->net_in_flight]);
	fputc('\n', out);
}

void report_print_net(FILE *out, const struct us_report *r)
{
	if (!r->have_net)
		return;
	fprintf(out, "\nconnections (%zu):\n", r->net.count);
	for (size_t i = 0; i < r->net.count; i++) {
		const struct us_net_conn *c = &r->net.conns[i];

		fputs("  ", out);
		print_endpoints(out, c);
		if ((long)i == r->net_in_flight)
			fputs("  <- the request in flight (the thread that died)\n", out);
		else
			fputs(report_net_of_dead(r, c) ? "  <- the thread that died\n" : "\n", out);
	}
	if (r->net_problem[0])
		fprintf(out, "  (the walk stopped: %s)\n", r->net_problem);
}
