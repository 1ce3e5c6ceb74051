/*
 * A recording: what `uniscope run --record DIR` leaves for `uniscope
 * replay DIR`. DIR (mode 0700) holds
 *
 *	recording        this metadata, key=value lines (below)
 *	replay.bin       QEMU's record/replay log (-icount rr=record,rrfile=)
 *	console.log      what the guest printed while it was recorded
 *	rootfs.cpio      the root file system it was given (run --rootfs), if any
 *
 * Keys (unknown keys are skipped, so later versions may add some):
 *
 *	format=1            required first: the layout of this file
 *	image=PATH          the image that ran, absolute
 *	build_id=HEX        its GNU build-id ("" when it has none)
 *	qemu=TEXT           the first line of `qemu-system-x86_64 --version`:
 *	                    a log replays only under the QEMU that wrote it
 *	mem_size=BYTES      guest RAM
 *	append=TEXT         the guest command line (absent: none)
 *	qemu_arg=TEXT       one extra QEMU argument, in order (repeatable)
 *	rootfs=yes          DIR/rootfs.cpio is the guest's initrd
 *	log_size=BYTES      replay.bin's size and CRC-32C when QEMU ended:
 *	log_crc32c=HEX      written last, with
 *	end_icount=N        the instruction count where the recorded run
 *	                    stopped. Without them the recording never ended
 *	                    cleanly (its `uniscope run` was killed).
 *
 * The file is untrusted input (a user may hand us anyone's DIR): lines are
 * bounded, numbers checked, duplicates refused; parse errors name the line.
 */
#ifndef UNISCOPE_INTROSPECT_RECORDING_H
#define UNISCOPE_INTROSPECT_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define US_RECORDING_FORMAT 1
#define US_RECORDING_FILE "recording"
#define US_RECORDING_LOG "replay.bin"
#define US_RECORDING_ROOTFS "rootfs.cpio"
#define US_RECORDING_MAX_ARGS 64
#define US_RECORDING_VALUE_MAX 4096
#define US_RECORDING_ARG_MAX 1024
#define US_RECORDING_FILE_MAX (1u << 20)

struct us_recording {
	char image[US_RECORDING_VALUE_MAX];
	char build_id[2 * 64 + 1];
	char qemu[256];
	uint64_t mem_size;
	bool has_append;
	char append[US_RECORDING_VALUE_MAX];
	bool rootfs;
	unsigned nr_args;
	char args[US_RECORDING_MAX_ARGS][US_RECORDING_ARG_MAX];
	bool ended;          /* log_size, log_crc32c and end_icount were written */
	uint64_t log_size;
	uint32_t log_crc32c;
	uint64_t end_icount;
};

/* text[0..len) as the file holds it; *out is filled (caller-owned, ~80 KiB: heap it). */
struct us_error *us_recording_parse(const char *text, size_t len, struct us_recording *out);
/* DIR/recording, read and parsed. */
struct us_error *us_recording_load(const char *dir, struct us_recording *out);
/* The file's text for rec (*text: free()). */
struct us_error *us_recording_format(const struct us_recording *rec, char **text, size_t *len);
/* Writes DIR/recording whole (a temporary file renamed over it), mode 0600. */
struct us_error *us_recording_save(const char *dir, const struct us_recording *rec);
/* DIR/replay.bin's size and CRC-32C, as log_size and log_crc32c hold them. */
struct us_error *us_recording_log_sum(const char *dir, uint64_t *size, uint32_t *crc);
/* True when value can be stored as a value of cap bytes: no newline, short enough. */
bool us_recording_value_ok(const char *value, size_t cap);

#endif
