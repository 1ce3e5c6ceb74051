/*
 * libFuzzer target for the core reader end to end (fuzz-core is the reader alone): the input is a core
 * file. It is opened as `uniscope ps/bt/report/heap CORE` would open it
 * (libelf, the PT_LOAD map, the notes, the descriptor found from the
 * UNISCOPE note or by scanning), and every reader runs over it: threads,
 * backtraces, wait objects and owners, the log, the panic record, heap
 * statistics, and the whole crash or hang report, printed. Nothing may
 * crash, hang, leak or read outside the file.
 *
 * Seeds: run once with UNISCOPE_FUZZ_SEED_DIR=DIR and it writes a real
 * uniscope core of a synthetic guest there (us_core_write over the buffer
 * backend, the descriptor and a thread list planted as in fuzz-introspect):
 * `make fuzz-long` does, so no core is kept in the repository.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../introspect/postmortem.h"
#include "../../introspect/report.h"
#include "input-file.h"
#include "synthetic.h"

#define MAX_BACKTRACES 16
#define SEED_GUEST_SIZE (1u << 17)

static FILE *devnull;

/* True (and the error gone) when err is one. */
static bool failed(struct us_error *err)
{
	us_error_destroy(err);
	return err != NULL;
}

/* What `uniscope ps` and `bt` do on their own: the walk, backtraces, wait owners. */
static void walk_threads(struct us_target *t)
{
	static struct us_backtrace bt;
	struct us_thread *threads = NULL;
	struct us_wait *waits;
	size_t count = 0;

	us_error_destroy(us_target_threads(t, &threads, &count));
	for (size_t i = 0; i < count && i < MAX_BACKTRACES; i++)
		us_target_backtrace(t, &threads[i], &bt);
	if ((waits = calloc(count ? count : 1, sizeof(*waits))))
		us_target_waits(t, threads, count, waits);
	free(waits);
	free(threads);
}

/* The wait owners of the threads the report read, when its hang analysis did not look. */
static void report_waits(struct us_target *t, const struct us_report *r)
{
	struct us_thread *threads = malloc((r->nr_threads ? r->nr_threads : 1) * sizeof(*threads));
	struct us_wait *waits = calloc(r->nr_threads ? r->nr_threads : 1, sizeof(*waits));

	for (size_t i = 0; threads && waits && i < r->nr_threads; i++)
		threads[i] = r->threads[i].th;
	if (threads && waits)
		us_target_waits(t, threads, r->nr_threads, waits);
	free(threads);
	free(waits);
}

/*
 * The report walks the thread list, unwinds every thread and (for a guest
 * that has not died) finds the wait owners: the readers `ps` and `bt` use.
 * A walk of a hostile list costs the most here (up to
 * UNISCOPE_MAX_THREADS nodes, hundreds of bytes each), so it is walked
 * once when the report succeeds, twice only when the report gave up.
 */
static void exercise(struct us_target *t)
{
	struct us_report_options opts = { .events = 8, .cpu_window_ms = -1 };
	struct uniscope_heap_stats heap;
	struct uniscope_panic panic;
	struct us_report *r = NULL;
	size_t len;
	uint64_t lost, now;
	char *text = NULL, why[160];

	if (!failed(us_report_collect(t, &opts, &r))) {
		us_report_print(r, devnull);
		us_report_print_json(r, devnull);
		if (!r->hang.analysed)
			report_waits(t, r);
		us_report_free(r);
	} else {
		walk_threads(t);
	}
	if (!failed(us_target_log(t, &text, &len, &lost)))
		free(text);
	us_error_destroy(us_target_panic(t, &panic));
	if (!failed(us_target_heap(t, &heap)))
		us_heap_absurd(&heap, why, sizeof(why));
	us_error_destroy(us_target_clock(t, &now));
}

static void put64(uint8_t *mem, uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

/* A small guest: identity map, a descriptor at 0x8000, two threads, a log, a panic record. */
static void build_seed_guest(uint8_t *mem)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1,
		.thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = 0x9000, .current_thread = 0x9008, .console_log = 0xa000,
		.panic = 0xb000, .heap_stats = 0xc000, .clock = 0x9010,
		.wait_owners = { { UNISCOPE_WAIT_MUTEX, UNISCOPE_OWNER_THREAD, 0, 0 } },
	};
	struct test_thread a = { .next = 0xd200, .id = 1, .state = UNISCOPE_THREAD_BLOCKED,
				 .wait_reason = UNISCOPE_WAIT_MUTEX, .wait_object = 0xe000,
				 .name = "a", .stack_lo = 0x10000, .stack_hi = 0x14000 };
	struct test_thread b = a;
	struct uniscope_log log = { .magic = UNISCOPE_LOG_MAGIC, .size = 64, .written = 5 };

	memset(mem, 0, SEED_GUEST_SIZE);
	put64(mem, 0x1000, 0x2000 | 3);
	put64(mem, 0x2000, 0x3000 | 3);
	put64(mem, 0x3000, 0x83);
	memcpy(mem + 0x8000, &info, sizeof(info));
	put64(mem, 0x9000, 0xd000);
	put64(mem, 0x9008, 0xd000);
	put64(mem, 0x9010, 5000000000ull);
	memcpy(mem + 0xa000, &log, sizeof(log));
	memcpy(mem + 0xa000 + sizeof(log), "hello", 5);
	b.next = 0, b.id = 2, b.name[0] = 'b', b.wait_object = 0xe100;
	memcpy(mem + 0xd000, &a, sizeof(a));
	memcpy(mem + 0xd200, &b, sizeof(b));
	put64(mem, 0xe000, 0xd200); /* the mutexes' owners: a cycle */
	put64(mem, 0xe100, 0xd000);
}

static void write_seed(const char *dir)
{
	static uint8_t mem[SEED_GUEST_SIZE];
	struct uniscope_regs regs = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20, .rip = 0x8000 };
	char path[4096];
	struct us_backend *b;
	struct us_target *t;

	build_seed_guest(mem);
	snprintf(path, sizeof(path), "%s/seed-synthetic.core", dir);
	if (failed(us_backend_buffer_open(mem, sizeof(mem), 0, &regs, &b)) ||
	    failed(us_target_open_backend(b, "seed", NULL, &t)))
		return;
	us_error_destroy(us_core_write(t, path, NULL, NULL));
	us_target_close(t);
}

/*
 * The name the core goes by: a file in an empty directory of its own. A
 * core whose descriptor carries a build-id has its image looked for next
 * to it (.build-id/, *.elf): here that finds nothing, every run, wherever
 * the fuzzer is started (as "fuzz.core" it read the current directory).
 */
static char core_dir[64], core_name[80];

static void remove_core_dir(void)
{
	rmdir(core_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seed_dir = getenv("UNISCOPE_FUZZ_SEED_DIR");

	(void)argc, (void)argv;
	devnull = fopen("/dev/null", "w");
	snprintf(core_dir, sizeof(core_dir), "%s/fuzz-core-e2e.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(core_dir))
		abort();
	atexit(remove_core_dir);
	snprintf(core_name, sizeof(core_name), "%s/fuzz.core", core_dir);
	if (seed_dir)
		write_seed(seed_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct us_backend *b;
	struct us_target *t;

	if (failed(us_backend_core_open(fuzz_input_file(data, size), &b)))
		return 0;
	if (failed(us_target_open_backend(b, core_name, NULL, &t)))
		return 0;
	exercise(t);
	us_target_close(t);
	return 0;
}
