/*
 * Test helper for tests/t4000-tracer-memory.sh: decodes the trace ring
 * straight from a guest RAM file (QEMU memory-backend-file; file offset =
 * guest physical = guest virtual, the libOS identity-maps) with no help
 * from the guest, the way host tools do, and exports it.
 *
 *	trace-mem RAMFILE IMAGE INFO_ADDR text|json|ctf [OUT]
 *
 * Thread names come from the guest's thread list (uniscope_info), so they
 * are known even when the thread_create events were overwritten. Prints
 * "records N lost M" on stderr.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tracer/tracer.h"

static int read_ram(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return pread(*(int *)ctx, buf, len, (off_t)addr) == (ssize_t)len ? 0 : -1;
}

static void name_threads(struct trace_set *s, int fd, uint64_t info_addr)
{
	struct uniscope_info info;
	uint64_t t;
	char name[UNISCOPE_THREAD_NAME_MAX + 1] = "";
	uint32_t id;

	if (read_ram(&fd, info_addr, &info, sizeof(info)) || read_ram(&fd, info.thread_list, &t, 8))
		return;
	for (int n = 0; t && n < UNISCOPE_MAX_THREADS; n++) {
		if (read_ram(&fd, t + info.thread_layout.off_id, &id, 4) ||
		    read_ram(&fd, t + info.thread_layout.off_name, name, UNISCOPE_THREAD_NAME_MAX) ||
		    read_ram(&fd, t + info.thread_layout.off_next, &t, 8))
			return;
		trace_set_thread_name(s, id, name);
	}
}

int main(int argc, char **argv)
{
	static struct trace_set s;
	struct trace_error err;
	uint64_t info_addr, lost = 0, records = 0;
	int fd, rc;

	if (argc < 5) {
		fprintf(stderr, "usage: trace-mem RAMFILE IMAGE INFO_ADDR text|json|ctf [OUT]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	info_addr = strtoull(argv[3], NULL, 16);
	trace_set_init(&s);
	if (fd < 0 || trace_meta_load(&s.meta, argv[2], &err) < 0 ||
	    trace_decode_guest(&s, read_ram, &fd, info_addr, &err) < 0 ||
	    trace_set_check_build_id(&s, &err) < 0) {
		fprintf(stderr, "trace-mem: %s\n", fd < 0 ? "cannot open the RAM file" : err.msg);
		return 1;
	}
	name_threads(&s, fd, info_addr);
	trace_set_sort(&s);
	for (size_t i = 0; i < s.nr_events; i++) {
		records += s.events[i].id != UNISCOPE_TRACE_ID_LOST;
		lost += s.events[i].lost;
	}
	fprintf(stderr, "records %llu lost %llu\n", (unsigned long long)records, (unsigned long long)lost);
	if (!strcmp(argv[4], "ctf"))
		rc = trace_export_ctf(&s, argc > 5 ? argv[5] : "ctf", &err);
	else if (!strcmp(argv[4], "json"))
		rc = trace_export_json(&s, stdout, &err);
	else
		rc = trace_export_text(&s, stdout, &err);
	if (rc < 0)
		fprintf(stderr, "trace-mem: %s\n", err.msg);
	trace_set_free(&s);
	return rc < 0;
}
