/*
 * The guest descriptor host tools start from (include/uniscope/abi.h). It is
 * in read-only data: filled in at boot before the image is sealed, and
 * immutable after.
 */
#include <stddef.h>
#include <string.h>
#include "kern.h"
#include "image.h"
#include "arch/x86_64/paging.h"
#include "channel.h"
#include "trace.h"
#include "musl_offsets.h"

#if defined(UNISCOPE_DEBUG_FULL)
#define PROFILE UNISCOPE_PROFILE_FULL
#elif defined(UNISCOPE_DEBUG_SEALED)
#define PROFILE UNISCOPE_PROFILE_SEALED
#else
#define PROFILE UNISCOPE_PROFILE_OFF
#endif

#define OFF(field) ((uint32_t)offsetof(struct thread, field))

struct elf_note_header {
	uint32_t namesz, descsz, type;
};


__attribute__((section(".uniscope_info"), used))
struct uniscope_info uniscope_info = {
	.magic = UNISCOPE_INFO_MAGIC,
	.version = UNISCOPE_INFO_VERSION,
	.size = sizeof(struct uniscope_info),
	.profile = PROFILE,
	.nr_cpus = 1,
	.thread_layout = {
		.size = sizeof(struct thread),
		.off_id = OFF(id),
		.off_name = OFF(name),
		.off_state = OFF(state),
		.off_wait_reason = OFF(wait_reason),
		.off_wait_object = OFF(wait_object),
		.off_cpu_ns = OFF(cpu_ns),
		.off_switches = OFF(switches),
		.off_stack_lo = OFF(stack_lo),
		.off_stack_hi = OFF(stack_hi),
		.off_context = OFF(context),
		.off_next = OFF(next_all),
		.off_wake_ns = OFF(wake_ns),
		.off_trap_frame = OFF(trap_frame),
		.off_fpu_state = OFF(fpu_state),
		.off_fs_base = OFF(fs_base),
		.off_state_since = OFF(state_since_ns),
	},
	.wait_owners = {
		{ UNISCOPE_WAIT_MUTEX, UNISCOPE_OWNER_THREAD, offsetof(struct mutex, owner), 0 },
		{ UNISCOPE_WAIT_JOIN, UNISCOPE_OWNER_SELF, 0, 0 },
		/* pthread_mutex_lock waits on the lock word; musl keeps owners' tids there */
		{ UNISCOPE_WAIT_FUTEX, UNISCOPE_OWNER_MUSL_MUTEX, MUSL_MUTEX_LOCK - MUSL_MUTEX_TYPE, 0x3fffffff },
	},
	.clock = (uint64_t)&sched_clock_ns,
	.idle_thread = (uint64_t)&idle_thread,
	.thread_list = (uint64_t)&thread_list,
	.current_thread = (uint64_t)&current_threads,
	.thread_count = (uint64_t)&thread_count,
	.panic = (uint64_t)&panic_record,
	.heap_stats = (uint64_t)&heap_stats,
	.text_start = (uint64_t)_text_start,
	.text_end = (uint64_t)_text_end,
};

static void copy_build_id(void)
{
	const struct elf_note_header *n = (const void *)_build_id_note;
	const uint8_t *desc = (const uint8_t *)(n + 1) + ((n->namesz + 3) & ~3u);
	uint32_t len = n->descsz < UNISCOPE_BUILD_ID_MAX ? n->descsz : UNISCOPE_BUILD_ID_MAX;

	if (n->type != 3 /* NT_GNU_BUILD_ID */)
		return;
	memcpy(uniscope_info.build_id, desc, len);
	uniscope_info.build_id_len = len;
}

/* Runs before sealing: the descriptor is still writable (CR0.WP clear). */
void info_init(void)
{
	uniscope_info.tsc_hz = tsc_hz();
	uniscope_info.boot_tsc = tsc_boot_value();
	uniscope_info.console_log = (uint64_t)console_log;
	uniscope_info.sealed = (uint64_t)paging_sealed_flag();
	uniscope_info.trace = trace_info_address();
	uniscope_info.chan_stats = chan_stats_address();
	uniscope_info.fpu_state_size = fpu_state_bytes();
	uniscope_info.fpu_xfeatures = (uint32_t)fpu_xfeatures();
	page_map.stack_arena_start = stack_arena_start();
	page_map.stack_arena_end = stack_arena_end();
	uniscope_info.pages = (uint64_t)&page_map;
	copy_build_id();
}
