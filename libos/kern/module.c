/*
 * The modules linked into this image (module.h): the linker script puts
 * the records that --gc-sections kept between _modules_start and
 * _modules_end; each stage calls every record's hook for it, in link
 * order.
 */
#include <stddef.h>
#include "module.h"

extern const struct libos_module _modules_start[], _modules_end[];

void modules_run(enum libos_module_stage stage)
{
	for (const struct libos_module *m = _modules_start; m < _modules_end; m++) {
		void (*hook)(void) = stage == MODULE_EARLY ? m->early : stage == MODULE_INIT ? m->init : m->ready;
		if (hook)
			hook();
	}
}
