/*
 * The host side of Xen support that needs no Xen to check: the HVM CPU save
 * record turned into uniscope_regs (every field from its own place, short
 * records refused), domain state names, and the xl configuration and guest
 * command line `uniscope run --platform xen` writes. The rest (domains,
 * foreign mappings, the console pty) is tested in the nested Xen rig
 * (tests/xen/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "../../introspect/xen_ctl.h"
#include "../../cli/xl_config.c" /* cli/ is not in libuniscope: the file under test */

#ifdef UNISCOPE_HAVE_XEN
#undef __STRICT_ANSI__ /* as in xen_ctl.c: Xen's headers want GNU alignment attributes */
#include <xen/xen.h>
#include <xen/hvm/save.h>

static void test_hvm_cpu(void)
{
	struct hvm_hw_cpu c;
	struct uniscope_regs r;
	struct us_error *err;

	memset(&c, 0, sizeof(c));
	c.rax = 1, c.rbx = 2, c.rcx = 3, c.rdx = 4, c.rsi = 5, c.rdi = 6, c.rbp = 7, c.rsp = 8;
	c.r8 = 9, c.r9 = 10, c.r10 = 11, c.r11 = 12, c.r12 = 13, c.r13 = 14, c.r14 = 15, c.r15 = 16;
	c.rip = 0x10b786, c.rflags = 0x246;
	c.cs_sel = 0x8, c.ss_sel = 0x10, c.ds_sel = 0x18, c.es_sel = 0x20, c.fs_sel = 0x28,
	c.gs_sel = 0x30;
	c.fs_base = 0xf5, c.gs_base = 0x65;
	c.cr0 = 0x80010013, c.cr2 = 0xdead, c.cr3 = 0x111f000, c.cr4 = 0x620;
	c.shadow_gs = 0x5ad0; /* the other gs base: not the one in use */
	err = us_xen_regs_from_hvm_cpu(&c, sizeof(c), &r);
	ok(!err, "a full HVM CPU record converts");
	is_int(r.rax, 1, "rax"); is_int(r.rbx, 2, "rbx"); is_int(r.rcx, 3, "rcx");
	is_int(r.rdx, 4, "rdx"); is_int(r.rsi, 5, "rsi"); is_int(r.rdi, 6, "rdi");
	is_int(r.rbp, 7, "rbp"); is_int(r.rsp, 8, "rsp");
	is_int(r.r8, 9, "r8"); is_int(r.r11, 12, "r11"); is_int(r.r15, 16, "r15");
	is_int(r.rip, 0x10b786, "rip"); is_int(r.rflags, 0x246, "rflags");
	is_int(r.cs, 0x8, "cs selector"); is_int(r.ss, 0x10, "ss selector");
	is_int(r.ds, 0x18, "ds selector"); is_int(r.es, 0x20, "es selector");
	is_int(r.fs, 0x28, "fs selector"); is_int(r.gs, 0x30, "gs selector");
	is_int(r.fs_base, 0xf5, "fs_base"); is_int(r.gs_base, 0x65, "gs_base, not the shadow one");
	is_int(r.cr0, 0x80010013, "cr0"); is_int(r.cr2, 0xdead, "cr2");
	is_int(r.cr3, 0x111f000, "cr3"); is_int(r.cr4, 0x620, "cr4");

	err = us_xen_regs_from_hvm_cpu(&c, sizeof(c) - 1, &r);
	ok(err && err->code == US_ERR_INVALID, "a short record is refused");
	us_error_destroy(err);
}
#else
static void test_hvm_cpu(void)
{
	struct uniscope_regs r = { 0 };
	struct us_error *err = us_xen_regs_from_hvm_cpu(&r, sizeof(r), &r);

	ok(err && err->code == US_ERR_UNSUPPORTED, "without libxen the conversion says so");
	us_error_destroy(err);
}
#endif

static void test_state_names(void)
{
	struct us_xen_domain d = { .running = true };

	is_str(us_xen_state_name(&d), "running", "running");
	d = (struct us_xen_domain){ .blocked = true };
	is_str(us_xen_state_name(&d), "blocked", "blocked");
	d = (struct us_xen_domain){ .paused = true, .blocked = true };
	is_str(us_xen_state_name(&d), "paused", "paused before blocked");
	d = (struct us_xen_domain){ .shutdown = true, .shutdown_reason = US_XEN_SHUTDOWN_CRASH };
	is_str(us_xen_state_name(&d), "crashed", "crashed");
	d = (struct us_xen_domain){ .shutdown = true, .shutdown_reason = 200 };
	is_str(us_xen_state_name(&d), "shutdown", "an unknown shutdown reason");
	d = (struct us_xen_domain){ .dying = true, .shutdown = true };
	is_str(us_xen_state_name(&d), "dying", "dying first");
}

static char *config_text(const struct xl_config *c, int *rc, const char **why)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	*rc = xl_config_write(f, c, why);
	fclose(f);
	return text;
}

static void test_xl_config(void)
{
	struct xl_config c = { .name = "hello", .kernel = "/uniscope/examples/hello.elf",
			       .mem_bytes = 128ull << 20, .cmdline = "run_ms=500 threads=3" };
	const char *why = NULL;
	int rc;
	char *text = config_text(&c, &rc, &why);

	is_int(rc, 0, "a plain configuration is written");
	ok(strstr(text, "name = \"hello\"\n") != NULL, "name");
	ok(strstr(text, "type = \"pvh\"\n") != NULL, "type pvh");
	ok(strstr(text, "kernel = \"/uniscope/examples/hello.elf\"\n") != NULL, "kernel");
	ok(strstr(text, "memory = 128\n") != NULL, "memory in MiB");
	ok(strstr(text, "vcpus = 1\n") != NULL, "one vCPU");
	ok(strstr(text, "cmdline = \"run_ms=500 threads=3\"\n") != NULL, "command line");
	ok(strstr(text, "on_poweroff = \"destroy\"\n") != NULL, "destroyed on poweroff");
	ok(strstr(text, "on_crash = \"destroy\"\n") != NULL, "destroyed on crash by default");
	free(text);

	c.preserve_crash = true;
	c.cmdline = "";
	text = config_text(&c, &rc, &why);
	ok(strstr(text, "on_crash = \"preserve\"\n") != NULL, "preserved on crash for a core");
	ok(!strstr(text, "cmdline"), "no command line line when there is none");
	free(text);

	c.cmdline = "say=\"hi\"";
	free(config_text(&c, &rc, &why));
	ok(rc < 0 && why && strstr(why, "command line"), "a quote in the command line is refused");
	c.cmdline = NULL;
	c.kernel = "/tmp/a\nname = \"evil\"";
	free(config_text(&c, &rc, &why));
	ok(rc < 0, "a newline in the image path is refused");
	c.kernel = "/tmp/x.elf";
	c.mem_bytes = 1000;
	text = config_text(&c, &rc, &why);
	ok(rc == 0 && strstr(text, "memory = 1\n"), "less than a MiB still asks for one");
	free(text);
}

static void test_cmdline_join(void)
{
	const char *words[] = { "a=1", "", "b=2" };
	char out[32], tiny[16];

	is_int(xl_cmdline_join(out, sizeof(out), "run_ms=5", words, 3), 0, "join fits");
	is_str(out, "run_ms=5 a=1 b=2", "--append first, then the words, empty ones skipped");
	is_int(xl_cmdline_join(out, sizeof(out), NULL, words, 1), 0, "no --append");
	is_str(out, "a=1", "just the words");
	is_int(xl_cmdline_join(out, sizeof(out), NULL, words, 0), 0, "nothing");
	is_str(out, "", "an empty command line");
	ok(xl_cmdline_join(tiny, sizeof(tiny), "run_ms=5", words, 3) < 0,
	   "16 bytes and a NUL do not fit in 16: refused");
}

int main(void)
{
	test_hvm_cpu();
	test_state_names();
	test_xl_config();
	test_cmdline_join();
	return done_testing();
}
