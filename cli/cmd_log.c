/*
 * uniscope log TARGET: the console log ring, read from guest memory. It
 * holds what the guest printed even when nothing was listening, and after
 * it crashed.
 */
#include <stdlib.h>
#include "cli.h"
#include "introspect_cli.h"

static void print_json(const char *text, uint64_t lost)
{
	printf("{\"lost\": %llu, \"text\": ", (unsigned long long)lost);
	cli_json_string(stdout, text);
	printf("}\n");
}

int cmd_log(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_error *err;
	struct us_target *t;
	uint64_t lost;
	size_t len;
	char *text;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 1, 1)))
		return status;
	if (!(t = cli_target_open(&a)))
		return 1;
	err = us_target_log(t, &text, &len, &lost);
	us_target_close(t);
	if (err)
		return cli_report(err);
	if (a.json) {
		print_json(text, lost);
	} else {
		if (lost)
			cli_error("note: %llu older bytes were overwritten in the ring",
				  (unsigned long long)lost);
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return 0;
}
