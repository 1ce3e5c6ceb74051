/*
 * A QMP client: QEMU's JSON machine protocol over a unix socket. The only
 * file that touches jansson; everything else passes JSON as text.
 *
 * us_qmp_connect() does the handshake (greeting, qmp_capabilities). Each
 * command waits for its own reply, skipping asynchronous events, with a
 * timeout, and turns QMP errors into us_error objects.
 */
#ifndef UNISCOPE_INTROSPECT_QMP_H
#define UNISCOPE_INTROSPECT_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define US_QMP_TIMEOUT_MS 5000

struct us_qmp;

struct us_error *us_qmp_connect(const char *socket_path, struct us_qmp **out);
void us_qmp_close(struct us_qmp *q);

/*
 * Runs command with arguments (a JSON object as text, or NULL); when
 * result is not NULL it receives the "return" value as JSON text (free()).
 */
struct us_error *us_qmp_execute(struct us_qmp *q, const char *command, const char *arguments,
				int timeout_ms, char **result);
/* query-status: whether the guest's vCPUs are running. */
struct us_error *us_qmp_query_running(struct us_qmp *q, bool *running);
/* query-status: the run state ("running", "paused", "shutdown", ...). */
struct us_error *us_qmp_query_status(struct us_qmp *q, char *status, size_t cap);
/* query-replay: the instruction count of a recording or replay. */
struct us_error *us_qmp_query_replay_icount(struct us_qmp *q, uint64_t *icount);
/* human-monitor-command: the monitor's text answer (free()). */
struct us_error *us_qmp_hmp(struct us_qmp *q, const char *command_line, char **text);

#endif
