/*
 * libFuzzer target for the trace stream as `uniscope trace FILE` reads it,
 * end to end: the input is a file. Its start must pass the stream check
 * (trace_stream_check_start: a STREAM_INFO record of this version first)
 * or be refused with a reason; a file that passes is decoded through
 * trace_decode_stream_file (the reader's buffer refills and the check at
 * the first refill) and its damage described (trace_stats_describe). The
 * check on its own must agree with the file reader about refusing.
 *
 * Seeds: with UNISCOPE_FUZZ_SEED_DIR=DIR it first writes a small valid
 * stream there (STREAM_INFO, THREAD_NAME, CHUNK and two records), as
 * `make fuzz-long` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tracer/tracer.h"
#include "input-file.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static size_t put_record(uint8_t *out, uint16_t event, const void *payload, size_t len)
{
	uint64_t tsc = 1000, word = UNISCOPE_TRACE_WORD(event, UNISCOPE_TRACE_HEADER_SIZE + len, 1);

	memcpy(out, &tsc, 8);
	memcpy(out + 8, &word, 8);
	memcpy(out + 16, payload, len);
	return UNISCOPE_TRACE_HEADER_SIZE + len;
}

static void write_seed(const char *dir)
{
	struct uniscope_trace_stream_info info = { .version = UNISCOPE_TRACE_VERSION, .nr_cpus = 1,
						   .tsc_hz = 1000000000, .build_id_len = 4 };
	struct uniscope_trace_chunk chunk = { .records = 2 };
	uint64_t name[5] = { 1, 0x6e69616d }; /* tid 1, "main" */
	uint64_t sched[3] = { 1, 2, 0 }, mutex[2] = { 0x181d40, 1 };
	uint8_t buf[512];
	size_t n = 0;
	char path[4096];
	FILE *f;

	n += put_record(buf + n, UNISCOPE_TRACE_ID_STREAM_INFO, &info, sizeof(info));
	n += put_record(buf + n, UNISCOPE_TRACE_ID_THREAD_NAME, name, sizeof(name));
	n += put_record(buf + n, UNISCOPE_TRACE_ID_CHUNK, &chunk, sizeof(chunk));
	n += put_record(buf + n, UNISCOPE_TRACE_ID_SCHED_SWITCH, sched, sizeof(sched));
	n += put_record(buf + n, UNISCOPE_TRACE_ID_MUTEX_CONTENDED, mutex, sizeof(mutex));
	snprintf(path, sizeof(path), "%s/seed-stream.bin", dir);
	if ((f = fopen(path, "wb"))) {
		fwrite(buf, 1, n, f);
		fclose(f);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seed_dir = getenv("UNISCOPE_FUZZ_SEED_DIR");

	(void)argc, (void)argv;
	if (seed_dir)
		write_seed(seed_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_set set;
	const char *path = fuzz_input_file(data, size);
	struct trace_error err = { "" };
	char text[512];
	int checked, decoded;

	checked = trace_stream_check_start(data, size, &err);
	CHECK(checked == 0 || err.msg[0]);
	trace_set_init(&set);
	decoded = trace_decode_stream_file(&set, path, &err);
	CHECK(checked == 0 || decoded < 0); /* a refused start is refused by the file reader too */
	trace_stats_describe(&set.stats, text, sizeof(text));
	CHECK(strlen(text) < sizeof(text));
	trace_set_free(&set);
	return 0;
}
