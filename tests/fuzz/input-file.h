/*
 * For fuzz targets whose parser opens a file by path (a core, a trace
 * stream): the input as a file, in memory (memfd), rewritten each run.
 * Written over the last input and then cut to its size, not emptied first:
 * emptying gave back every page of the file and the write took them again.
 */
#ifndef UNISCOPE_FUZZ_INPUT_FILE_H
#define UNISCOPE_FUZZ_INPUT_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The path of a file holding exactly data[0..size). */
static const char *fuzz_input_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		if ((fd = memfd_create("fuzz-input", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (pwrite(fd, data, size, 0) != (ssize_t)size || ftruncate(fd, (off_t)size) < 0)
		abort();
	return path;
}

#endif
