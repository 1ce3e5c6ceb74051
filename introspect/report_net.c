/*
 * The report's network section: the guest's TCP connections (net.c), so
 * a crash or hang report of a server says what it was serving. A
 * connection whose owner is the thread that died (the panic's thread,
 * first in the report's list) is marked: the request in flight when a
 * handler crashed. An image without a network stack gets no section; a
 * stack whose lists cannot be read gets the error and what was read.
 */
#include <stdio.h>
#include <string.h>
#include "report.h"

void report_collect_net(struct us_report *r, struct us_target *t)
{
	struct us_error *err = us_target_net(t, &r->net);

	r->have_net = !err || err->code != US_ERR_NOT_FOUND || r->net.count;
	if (err && r->have_net)
		snprintf(r->net_problem, sizeof(r->net_problem), "%s", err->message);
	us_error_destroy(err);
}

bool report_net_of_dead(const struct us_report *r, const struct us_net_conn *c)
{
	return r->panic.kind != UNISCOPE_PANIC_NONE && r->nr_threads && c->owner_tid &&
	       c->owner_tid == r->threads[0].th.id;
}

void report_print_net(FILE *out, const struct us_report *r)
{
	char local[US_NET_ENDPOINT_MAX], peer[US_NET_ENDPOINT_MAX];

	if (!r->have_net)
		return;
	fprintf(out, "\nconnections (%zu):\n", r->net.count);
	for (size_t i = 0; i < r->net.count; i++) {
		const struct us_net_conn *c = &r->net.conns[i];

		us_net_endpoint(c, true, local, sizeof(local));
		us_net_endpoint(c, false, peer, sizeof(peer));
		fprintf(out, "  %-11s %-24s %-24s", us_tcp_state_name(c->state), local, peer);
		if (c->fd >= 0)
			fprintf(out, " fd=%d", c->fd);
		if (c->owner_tid)
			fprintf(out, " tid=%u(\"%s\")", c->owner_tid, c->owner_name);
		fputs(report_net_of_dead(r, c) ? "  <- the thread that died\n" : "\n", out);
	}
	if (r->net_problem[0])
		fprintf(out, "  (the walk stopped: %s)\n", r->net_problem);
}
