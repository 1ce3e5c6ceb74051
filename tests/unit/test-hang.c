/*
 * Wait objects, owners and hangs on a synthetic guest (the buffer backend):
 * owners found through each kind of wait_owners entry (a thread pointer, a
 * thread id under a mask, the object itself for a join); an owner that is
 * not a thread, or a free lock, said so; a three-thread wait-for cycle
 * found once, with a thread waiting on the cycle reported as blocked
 * rather than as part of it; the report's summary and JSON; a guest that
 * keeps no clock gets the deadlock check only, and says so.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "../../introspect/postmortem.h"
#include "synthetic.h"
#include "tap.h"

#define MEM_SIZE (1u << 17)
#define INFO 0x8000u
#define THREADS 0xd000u /* thread i at THREADS + 0x200 * i */
#define LOCKS 0xe000u   /* lock i at LOCKS + 0x40 * i */
#define FUTEX 0xf000u
#define SECOND 1000000000ull

static uint8_t mem[MEM_SIZE];

static void put64(uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }
static uint64_t thread_at(unsigned i) { return THREADS + 0x200u * i; }
static uint64_t lock_at(unsigned i) { return LOCKS + 0x40u * i; }

static void add_thread(unsigned i, unsigned n, uint32_t state, uint32_t reason, uint64_t object,
		       uint64_t since)
{
	struct test_thread t = { .next = i + 1 < n ? thread_at(i + 1) : 0, .id = i + 1,
				 .state = state, .wait_reason = reason, .wait_object = object,
				 .stack_lo = 0x10000, .stack_hi = 0x14000, .wake_ns = since };

	snprintf(t.name, sizeof(t.name), "t%u", i + 1);
	memcpy(mem + thread_at(i), &t, sizeof(t));
}

/* With clock: 100 s; the layout says state_since lives in wake_ns (a test's liberty). */
static void build_guest(bool clock)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1,
		.thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = 0x9000, .current_thread = 0x9008, .panic = 0xb000,
		.clock = clock ? 0x9010 : 0,
		.wait_owners = { { UNISCOPE_WAIT_MUTEX, UNISCOPE_OWNER_THREAD, 8, 0 },
				 { UNISCOPE_WAIT_JOIN, UNISCOPE_OWNER_SELF, 0, 0 },
				 { UNISCOPE_WAIT_QUEUE, UNISCOPE_OWNER_TID, 4, 0x3fffffff } },
	};

	info.thread_layout.off_state_since = offsetof(struct test_thread, wake_ns);
	memset(mem, 0, sizeof(mem));
	put64(0x1000, 0x2000 | 3);
	put64(0x2000, 0x3000 | 3);
	put64(0x3000, 0x83);
	memcpy(mem + INFO, &info, sizeof(info));
	put64(0x9000, thread_at(0));
	put64(0x9010, 100 * SECOND);
	/* t1 -> t2 -> t3 -> t1 through mutexes; t4 joins t1; t5 waits on a queue
	 * (futex-like, owner by id with flag bits); t6 on a lock held by no thread;
	 * t7 on a free lock; t8 runnable for 50 s. */
	add_thread(0, 8, UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_MUTEX, lock_at(0), 90 * SECOND);
	add_thread(1, 8, UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_MUTEX, lock_at(1), 90 * SECOND);
	add_thread(2, 8, UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_MUTEX, lock_at(2), 90 * SECOND);
	add_thread(3, 8, UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_JOIN, thread_at(0), 10 * SECOND);
	add_thread(4, 8, UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_QUEUE, FUTEX, 50 * SECOND);
	add_thread(5, 8, UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_MUTEX, lock_at(3), 50 * SECOND);
	add_thread(6, 8, UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_MUTEX, lock_at(4), 50 * SECOND);
	add_thread(7, 8, UNISCOPE_THREAD_RUNNABLE, 0, 0, 50 * SECOND);
	put64(lock_at(0) + 8, thread_at(1));
	put64(lock_at(1) + 8, thread_at(2));
	put64(lock_at(2) + 8, thread_at(0));
	put64(lock_at(3) + 8, 0x12345678);
	put64(FUTEX + 4, 0x40000000u | 3); /* a flag bit above the mask, owner id 3 */
}

static struct us_target *open_guest(void)
{
	struct uniscope_regs regs = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20 };
	struct us_backend *b;
	struct us_target *t;

	if (us_backend_buffer_open(mem, sizeof(mem), 0, &regs, &b) ||
	    us_target_open_backend(b, "synthetic", NULL, &t))
		return NULL;
	return t;
}

static void test_waits(void)
{
	struct us_target *t;
	struct us_thread *threads;
	struct us_wait waits[8];
	char text[256];
	size_t n;

	build_guest(true);
	if (!ok((t = open_guest()) != NULL, "the synthetic guest opens"))
		return;
	ok(!us_target_threads(t, &threads, &n) && n == 8, "8 threads");
	us_target_waits(t, threads, n, waits);
	is_int(waits[0].owner, 1, "a mutex's owner from a thread pointer");
	us_wait_describe(&waits[0], threads, text, sizeof(text));
	is_str(text, "0xe000 held by 2 \"t2\"", "described with the owner's id and name");
	is_int(waits[3].owner, 0, "a join waits for the thread it joins");
	us_wait_describe(&waits[3], threads, text, sizeof(text));
	is_str(text, "thread 1 \"t1\"", "and names it as the object");
	is_int(waits[4].owner, 2, "an owner by id, under the mask");
	ok(waits[5].owner < 0 && strstr(waits[5].owner_note, "0x12345678, not a listed thread"),
	   "an owner that is no thread is said so: %s", waits[5].owner_note);
	ok(waits[6].owner < 0 && !strcmp(waits[6].owner_note, "free"), "a free lock is said so");
	ok(waits[7].owner < 0 && !waits[7].object[0], "a runnable thread waits on nothing");
	free(threads);
	us_target_close(t);
}

static void test_report(bool clock)
{
	struct us_report_options opts = { .stuck_ms = 20000 };
	struct us_target *t;
	struct us_report *r;
	char *json = NULL;
	size_t len = 0;
	FILE *out;

	build_guest(clock);
	if (!(t = open_guest()) || us_report_collect(t, &opts, &r)) {
		ok(0, "the report collects");
		return;
	}
	ok(!strncmp(us_report_summary(r), "deadlock: 3 threads wait for each other",
		    strlen("deadlock: 3 threads wait for each other")), "summary: %s", us_report_summary(r));
	ok(us_report_undecided(r) == NULL, "the report can tell");
	out = open_memstream(&json, &len);
	us_report_print_json(r, out);
	fclose(out);
	ok(strstr(json, "\"deadlocks\": [\n    [") != NULL, "one deadlock in the JSON");
	if (clock) {
		ok(strstr(json, "\"blocked\": [{\"tid\": 4,") && strstr(json, "{\"tid\": 5,") &&
		   strstr(json, "\"starved\": [{\"tid\": 8,"),
		   "t4 (waiting on the cycle) and t5..t7 blocked, t8 starved");
		ok(strstr(json, "\"waits_for\": \"thread 1 \\\"t1\\\"\", \"owner_tid\": 1, "
				"\"for_ns\": 90000000000}") != NULL, "t4 has waited 90 s for t1, by the clock");
	} else {
		ok(strstr(json, "only deadlocks are looked for") && strstr(json, "\"blocked\": []"),
		   "without a clock: only the deadlock check, and it says so");
	}
	free(json);
	us_report_free(r);
	us_target_close(t);
}

/*
 * As many threads as a host walk takes (UNISCOPE_MAX_THREADS), as a
 * hostile guest can list them, with the address space capped at 768 MiB:
 * the report keeps each thread's frames, not a 14 KiB backtrace per thread
 * (which was 944 MiB here, and failed).
 */
static void test_report_many_threads(void)
{
	const size_t n = UNISCOPE_MAX_THREADS, size = 0x100000 + n * sizeof(struct test_thread);
	struct rlimit limit = { .rlim_cur = 768u << 20, .rlim_max = 768u << 20 };
	struct uniscope_regs regs = { .cr0 = 0x11 }; /* paging off */
	struct us_report_options opts = { .stuck_ms = 20000 };
	uint8_t *guest = calloc(1, size);
	struct us_backend *b;
	struct us_target *t;
	struct us_report *r = NULL;
	char *json = NULL;
	size_t len = 0;
	FILE *out;

	build_guest(false);
	memcpy(guest, mem, sizeof(mem));
	for (size_t i = 0; guest && i < n; i++) {
		uint64_t at = 0x100000 + i * sizeof(struct test_thread), next = at + sizeof(struct test_thread);
		struct test_thread th = { .next = i + 1 < n ? next : 0, .id = (uint32_t)i + 1,
					  .state = UNISCOPE_THREAD_BLOCKED, .wait_reason = UNISCOPE_WAIT_MUTEX,
					  .wait_object = lock_at(3), /* held by no listed thread */
					  .stack_lo = 0x10000, .stack_hi = 0x14000 };
		snprintf(th.name, sizeof(th.name), "t%zu", i + 1);
		memcpy(guest + at, &th, sizeof(th));
	}
	if (guest) /* the list head: the threads above */
		memcpy(guest + 0x9000, &(uint64_t){ 0x100000 }, 8);
	if (!guest || setrlimit(RLIMIT_AS, &limit) || us_backend_buffer_borrow(guest, size, 0, &regs, &b) ||
	    us_target_open_backend(b, "synthetic", NULL, &t)) {
		ok(0, "a guest of %zu threads opens", n);
		free(guest);
		return;
	}
	ok(!us_report_collect(t, &opts, &r), "a report of %zu threads collects in 768 MiB", n);
	if (r) {
		out = open_memstream(&json, &len);
		us_report_print_json(r, out);
		fclose(out);
		ok(json && strstr(json, "\"name\": \"t65536\""), "the last thread is in it");
		free(json);
		us_report_free(r);
	}
	us_target_close(t);
	free(guest);
}

int main(void)
{
	test_waits();
	test_report(true);
	test_report(false);
	test_report_many_threads(); /* last: it caps the address space */
	return done_testing();
}
