/*
 * uniscope heap TARGET: the page allocator and malloc statistics the guest
 * keeps. Values no heap can have are printed as read, flagged, and the
 * command fails, as for a corrupt thread list.
 */
#include "cli.h"
#include "introspect_cli.h"

#define PAGE_SIZE 4096ull

static void print_text(const struct uniscope_heap_stats *h)
{
	printf("pages total      %12llu  (%.1f MiB)\n", (unsigned long long)h->pages_total,
	       (double)(h->pages_total * PAGE_SIZE) / (1 << 20));
	printf("pages free       %12llu  (%.1f MiB)\n", (unsigned long long)h->pages_free,
	       (double)(h->pages_free * PAGE_SIZE) / (1 << 20));
	printf("heap in use      %12llu bytes\n", (unsigned long long)h->heap_bytes_in_use);
	printf("heap peak        %12llu bytes\n", (unsigned long long)h->heap_bytes_peak);
	printf("allocations      %12llu\n", (unsigned long long)h->heap_allocs);
	printf("frees            %12llu\n", (unsigned long long)h->heap_frees);
	printf("failures         %12llu\n", (unsigned long long)h->heap_failures);
}

static void print_json(const struct uniscope_heap_stats *h, const char *absurd)
{
	printf("{\"absurd\": ");
	us_json_string(stdout, absurd);
	printf(", \"pages_total\": %llu, \"pages_free\": %llu, \"page_size\": %llu, "
	       "\"heap_bytes_in_use\": %llu, \"heap_bytes_peak\": %llu, \"heap_allocs\": %llu, "
	       "\"heap_frees\": %llu, \"heap_failures\": %llu}\n",
	       (unsigned long long)h->pages_total, (unsigned long long)h->pages_free, PAGE_SIZE,
	       (unsigned long long)h->heap_bytes_in_use, (unsigned long long)h->heap_bytes_peak,
	       (unsigned long long)h->heap_allocs, (unsigned long long)h->heap_frees,
	       (unsigned long long)h->heap_failures);
}

int cmd_heap(int argc, char **argv)
{
	struct uniscope_heap_stats h;
	struct cli_target_args a;
	struct us_error *err;
	struct us_target *t;
	char why[160];
	bool absurd;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 1, 1)))
		return status;
	if (!(t = cli_target_open(&a)))
		return 1;
	err = us_target_heap(t, &h);
	us_target_close(t);
	if (err)
		return cli_report(err);
	absurd = us_heap_absurd(&h, why, sizeof(why));
	if (a.json)
		print_json(&h, absurd ? why : NULL);
	else
		print_text(&h);
	return absurd ? cli_error("heap: %s: the statistics are absurd: %s (corrupt guest memory?)",
				  a.positional[0], why) : 0;
}
