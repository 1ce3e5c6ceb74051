/*
 * What the unit tests' synthetic guests share (test-introspect.c,
 * test-corewrite.c): a thread structure laid out like the libOS's, and the
 * descriptor's description of it. Each test places them in its own memory.
 */
#ifndef UNISCOPE_TEST_SYNTHETIC_H
#define UNISCOPE_TEST_SYNTHETIC_H

#include <stddef.h>
#include <stdint.h>
#include <uniscope/abi.h>

struct test_thread {
	uint64_t next;
	uint32_t id, state, wait_reason, pad;
	uint64_t wait_object;
	char name[32];
	uint64_t cpu_ns, switches, stack_lo, stack_hi, wake_ns, trap_frame;
	struct uniscope_context context;
};

#define TEST_THREAD_LAYOUT                                                 \
	{                                                                  \
		.size = sizeof(struct test_thread),                        \
		.off_id = offsetof(struct test_thread, id),                \
		.off_name = offsetof(struct test_thread, name),            \
		.off_state = offsetof(struct test_thread, state),          \
		.off_wait_reason = offsetof(struct test_thread, wait_reason), \
		.off_wait_object = offsetof(struct test_thread, wait_object), \
		.off_cpu_ns = offsetof(struct test_thread, cpu_ns),        \
		.off_switches = offsetof(struct test_thread, switches),    \
		.off_stack_lo = offsetof(struct test_thread, stack_lo),    \
		.off_stack_hi = offsetof(struct test_thread, stack_hi),    \
		.off_context = offsetof(struct test_thread, context),      \
		.off_next = offsetof(struct test_thread, next),            \
		.off_wake_ns = offsetof(struct test_thread, wake_ns),      \
		.off_trap_frame = offsetof(struct test_thread, trap_frame), \
	}

#endif
