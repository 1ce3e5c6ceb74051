/*
 * Is this file a bootable PVH image? `uniscope run` asks before it starts
 * QEMU or Xen, so that a text file, a Linux program, an object file or a
 * truncated image is refused with a message that says what is wrong with
 * it, instead of a hypervisor error or, worse, a success.
 *
 * A PVH image, as QEMU's -kernel and Xen's PVH builder load it: a 64-bit
 * x86-64 ELF executable (ET_EXEC) whose program headers and loadable
 * segments lie within the file, with a Xen ELF note of type
 * XEN_ELFNOTE_PHYS32_ENTRY (18) giving the 32-bit entry point, which lies
 * inside a loadable segment, and whose segments fit in the guest's memory.
 * The file is untrusted: every offset and size is checked against it.
 */
#ifndef UNISCOPE_INTROSPECT_PVH_IMAGE_H
#define UNISCOPE_INTROSPECT_PVH_IMAGE_H

#include <stdint.h>
#include "error.h"

#define US_XEN_ELFNOTE_PHYS32_ENTRY 18

struct us_pvh_image {
	uint64_t entry;    /* the PVH entry point (physical) */
	uint64_t load_end; /* one past the highest byte a loadable segment occupies */
};

/*
 * NULL when path is a PVH image that fits in mem_size bytes of guest memory
 * (0: do not check the size), with *out filled; otherwise an error whose
 * message names the file and what is wrong with it (US_ERR_INVALID), or
 * why it could not be read (US_ERR_OS).
 */
struct us_error *us_pvh_image_check(const char *path, uint64_t mem_size, struct us_pvh_image *out);

#endif
