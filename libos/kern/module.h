/*
 * Optional parts of the libOS (modules): the network stack and its
 * driver, the readiness machinery of pipes, eventfds, poll and epoll.
 *
 * A module is linked into an image only when the application uses it, so
 * that an image that never opens a socket carries no TCP/IP stack: images
 * are linked with --gc-sections, nothing in the libOS's core refers to a
 * module, and a module's record sits in a section of its own
 * (.uniscope_modules.NAME) that the linker script gathers but does not
 * KEEP. What keeps a module is its roots: uniscope-cc links with
 * --wrap=socket (and friends, mk/uniscope-cc.in), so an application's call
 * of socket() lands in the module's __wrap_socket, which refers to the
 * record (LIBOS_MODULE_KEEP) and so keeps it, and the record keeps the
 * module's hooks and everything they reach.
 *
 * At boot the libOS walks the records that survived (module.c) and calls
 * each stage's hook in turn: `early` before the page tables are built (a
 * driver finds its devices and claims their MMIO windows), `init` once
 * threads exist (start the module's threads, register its syscalls), and
 * `ready` in the main thread just before the application's main (it may
 * block: the network waits there for its address).
 */
#ifndef LIBOS_KERN_MODULE_H
#define LIBOS_KERN_MODULE_H

struct libos_module {
	const char *name;
	void (*early)(void);
	void (*init)(void);
	void (*ready)(void);
};

enum libos_module_stage { MODULE_EARLY, MODULE_INIT, MODULE_READY };

#define LIBOS_MODULE(id) \
	const struct libos_module module_##id __attribute__((section(".uniscope_modules." #id), aligned(8)))
/* In a module's roots: a reference the linker sees, so the module stays linked. */
#define LIBOS_MODULE_KEEP(id) __asm__ volatile("" ::"r"(&module_##id))

void modules_run(enum libos_module_stage stage);

#endif
