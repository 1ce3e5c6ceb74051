/*
 * The packets `uniscope run`'s GDB bridge answers from the host instead of
 * passing them to the stub (gdb_host.c): the target description, the
 * thread list document, TLS addresses and `monitor` commands.
 */
#ifndef UNISCOPE_CLI_GDB_HOST_H
#define UNISCOPE_CLI_GDB_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "introspect/uniscope.h"

struct gdb_host;

/*
 * put(ctx, ...) takes the framed replies for the client (the bridge sends
 * the acknowledgement first); trace_enable(ctx, mask) sends the guest
 * CHAN_CTL_TRACE_ENABLE. NULL: out of memory.
 */
struct gdb_host *gdb_host_new(bool (*put)(void *ctx, const void *buf, size_t len),
			      bool (*trace_enable)(void *ctx, uint64_t mask), void *ctx);
void gdb_host_free(struct gdb_host *h);
void gdb_host_client_connected(struct gdb_host *h);
/* Is this packet (payload, unframed) the host's to answer? */
bool gdb_host_takes(const char *payload, size_t len);
/*
 * Answers it over target (the caller's, or NULL: then only the target
 * description, without AVX, and an error for the rest). False: the
 * client did not take the reply.
 */
bool gdb_host_answer(struct gdb_host *h, struct us_target *target, const char *payload, size_t len);

#endif
