/*
 * libFuzzer target for the recording metadata parser (introspect/
 * recording.c): any input parses or is refused with an error, never a
 * crash; what parses formats back to text that parses to the same thing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "introspect/recording.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static struct us_recording first, second;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct us_error *err = us_recording_parse((const char *)data, size, &first);
	char *text = NULL;
	size_t len = 0;

	if (err) {
		CHECK(err->message && err->message[0]);
		us_error_destroy(err);
		return 0;
	}
	CHECK(first.nr_args <= US_RECORDING_MAX_ARGS && first.image[0] == '/');
	CHECK(!us_recording_format(&first, &text, &len));
	err = us_recording_parse(text, len, &second);
	CHECK(!err);
	CHECK(memcmp(&first, &second, sizeof(first)) == 0);
	free(text);
	return 0;
}
