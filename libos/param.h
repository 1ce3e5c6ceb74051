/*
 * The guest's limits, in one place (as xv6's param.h). Formats fixed by
 * hardware or a hypervisor (the Xen console ring, the PIT rate) stay with
 * their code; what the host tools bound their walks by is in
 * include/uniscope/abi.h (UNISCOPE_MAX_THREADS and friends).
 */
#ifndef LIBOS_PARAM_H
#define LIBOS_PARAM_H

#define NR_CPUS 1                       /* the libOS runs on one CPU */
#define SCHED_HZ 100                    /* timer ticks per second */

/* Threads and stacks. */
#define STACK_SIZE (16 * 1024ul)        /* a libOS thread's stack */
#define MAX_STACK_SLOTS 4096            /* stack slots in the arena, at most */
#define BOOT_STACK_SIZE 16384           /* pvh.S, until the scheduler starts */
#define IST_STACK_SIZE 8192             /* each interrupt-stack-table stack */

/* Memory. */
#define MAX_RAM_RANGES 32               /* RAM ranges of the PVH memory map kept */
#define MAX_PT_POOL_PAGES 4096          /* page-table pages, at most */
#define MAX_SHARED_PAGES 4              /* pages shared with the hypervisor */
#define MAX_GUARD_PAGES 4               /* guard pages outside the stack arena */
#define MAX_MMIO_WINDOWS 8              /* devices' MMIO windows mapped at boot */
#define MAX_MMIO_WINDOW_SIZE (64ul << 20) /* bytes of one, at most */

/* The command line. */
#define CMDLINE_MAX 1024                /* bytes of -append kept */
#define MAX_ARGS 32                     /* words of it */

/* Buffers host tools read. */
#define CONSOLE_LOG_SIZE (64 * 1024)    /* the console log ring */
#define TRACE_RING_BYTES (256 * 1024ul) /* each CPU's trace ring, at most */

#endif
