# uniscope — one non-recursive Makefile.
#
#   make                 host tools and every example image (build/examples/NAME.elf)
#   make check           all tests through prove
#   make demo            boot the threads example under uniscope
#   make DEBUG=full      guest profile: full | sealed (default) | off
#   make V=1             show the commands
#
# Other guest profiles build side by side: `make DEBUG=full BUILD=build/full`.
# Local overrides go in config.mak (not tracked).

DEBUG ?= sealed
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

-include config.mak
# One spelling of the build tree whoever names it (the user's relative
# `build`, a test's absolute path): the flags recorded in it then agree, and
# a `make` run by a test does not rebuild, under the tests running beside it,
# every object and image.
override BUILD := $(patsubst $(CURDIR)/%,%,$(abspath $(BUILD)))

ifeq ($(filter $(DEBUG),full sealed off),)
$(error DEBUG must be full, sealed or off (got '$(DEBUG)'))
endif

HOST_CC ?= cc
GUEST_CC ?= gcc
GUEST_LD ?= ld
FUZZ_CC ?= clang
PKG_CONFIG ?= pkg-config

ifneq ($(V),1)
Q = @
QUIET_CC = @echo '   CC     ' $@;
QUIET_AS = @echo '   AS     ' $@;
QUIET_LD = @echo '   LD     ' $@;
QUIET_AR = @echo '   AR     ' $@;
QUIET_GEN = @echo '   GEN    ' $@;
endif

WARN = -Wall -Wextra -Werror
COMMON_CFLAGS = -std=c11 $(WARN) -g -O2 -Iinclude -MMD -MP

# --- what this machine has ----------------------------------------------
# Everything the build asks the machine (pkg-config flags, the compiler's
# own include directory) is found once per build tree by the rule for
# $(CONFIG_MAK) below, *after* mk/deps.sh has installed what is missing,
# and read back from that file: make remakes an included makefile first and
# then starts over with it, so on a fresh machine `make demo` installs the
# packages and then builds with their flags on the first try. `make clean`
# (or removing the file) asks again.
CONFIG_MAK = $(BUILD)/config-host.mak
HOST_PKGS = libelf libdw capstone ncursesw jansson
XEN_PKGS = xencontrol xenforeignmemory xenstore
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
include $(CONFIG_MAK)
endif
$(CONFIG_MAK): mk/deps.sh Makefile
	$(Q)sh mk/deps.sh
	@mkdir -p $(@D)
	$(QUIET_GEN){ \
		echo "GCC_INC = $$($(GUEST_CC) -print-file-name=include)"; \
		echo "HOST_PKG_CFLAGS = $$($(PKG_CONFIG) --cflags $(HOST_PKGS))"; \
		echo "HOST_PKG_LIBS = $$($(PKG_CONFIG) --libs $(HOST_PKGS))"; \
		if $(PKG_CONFIG) --exists $(XEN_PKGS) 2>/dev/null; then \
			echo "HOST_PKG_CFLAGS += $$($(PKG_CONFIG) --cflags $(XEN_PKGS)) -DUNISCOPE_HAVE_XEN=1"; \
			echo "HOST_PKG_LIBS += $$($(PKG_CONFIG) --libs $(XEN_PKGS))"; \
		fi; \
	} >$@.tmp && mv $@.tmp $@

# --- guest ---------------------------------------------------------------
GUEST_PROFILE_DEF_full = -DUNISCOPE_DEBUG_FULL=1 -DUNISCOPE_STUB=1
GUEST_PROFILE_DEF_sealed = -DUNISCOPE_DEBUG_SEALED=1 -DUNISCOPE_STUB=1
GUEST_PROFILE_DEF_off = -DUNISCOPE_DEBUG_OFF=1
# -Oz: the images are small (README: sealed hello within 64 KiB); the trace
# emit path stays -Os, as bench/trace-emit.c measures it.
GUEST_BASE_CFLAGS = $(COMMON_CFLAGS) -Oz -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-Ilibos/include -Ilibos/api -Ilibos -I$(GUEST_OUT)/gen -mno-red-zone -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-builtin-printf -ffunction-sections -fdata-sections \
	-DUNISCOPE_GUEST=1 $(GUEST_PROFILE_DEF_$(DEBUG))
# The libOS core never touches SSE/x87 state, so traps need not save it.
GUEST_CORE_CFLAGS = $(GUEST_BASE_CFLAGS) -mgeneral-regs-only
# Applications (examples, test images) are built by uniscope-cc, as users build theirs.
GUEST_APP_CFLAGS = -std=c11 $(WARN) -g -Os -MMD -MP -ffunction-sections -fdata-sections -Iinclude

# The applications' C library: musl from Debian's source package (mk/musl.sh).
MUSL ?= $(BUILD)/musl
MUSL_LIB = $(MUSL)/lib/libc.a
# The SDK, staged in the tree as `make install` lays it out under PREFIX/lib/uniscope.
SDK = $(BUILD)/sdk
SDK_STAMP = $(SDK)/.staged
UNISCOPE_CC = $(BUILD)/uniscope-cc
SDK_LIBOS = $(SDK)/lib/libos-$(DEBUG).a

GUEST_OUT = $(BUILD)/guest

PORTABLE_SRCS = $(sort $(wildcard chan/*.c gdbstub/*.c)) $(wildcard tracer/ring.c)
# The debugger: the stub and its profile's half (stub_full.c or stub_sealed.c),
# or for DEBUG=off only off.c, which implements the stub's hooks as nothing.
LIBOS_STUB_SRCS_full = $(filter-out libos/debug/off.c libos/debug/stub_sealed.c,$(wildcard libos/debug/*.c))
LIBOS_STUB_SRCS_sealed = $(filter-out libos/debug/off.c libos/debug/stub_full.c,$(wildcard libos/debug/*.c))
LIBOS_STUB_SRCS_off = libos/debug/off.c
LIBOS_SRCS = $(sort $(wildcard libos/arch/x86_64/*.c libos/arch/x86_64/*.S \
	libos/plat/*.c libos/plat/qemu/*.c libos/plat/xen/*.c libos/kern/*.c libos/posix/*.c libos/posix/*.S \
	libos/libc/*.c libos/dev/*.c libos/net/*.c) $(LIBOS_STUB_SRCS_$(DEBUG)))
LIBOS_OBJS = $(patsubst %,$(GUEST_OUT)/%.o,$(basename $(LIBOS_SRCS) $(PORTABLE_SRCS)))
LIBOS_LIB = $(GUEST_OUT)/libos.a

EXAMPLES = $(sort $(notdir $(wildcard examples/*)))
EXAMPLE_IMAGES = $(patsubst %,$(BUILD)/examples/%.elf,$(EXAMPLES))
# Tiny unikernels that tests boot (tests/images/NAME/*.c), built as examples are.
TEST_IMAGES = $(patsubst %,$(BUILD)/tests/images/%.elf,$(sort $(notdir $(wildcard tests/images/*))))

# --- host ----------------------------------------------------------------
HOST_CFLAGS = $(COMMON_CFLAGS) -I. -I$(HOST_OUT)/gen -D_GNU_SOURCE -DUNISCOPE_HOST=1 $(HOST_PKG_CFLAGS)
HOST_LIBS = $(HOST_PKG_LIBS) -lm

HOST_OUT = $(BUILD)/host
HOST_PORTABLE_OBJS = $(patsubst %,$(HOST_OUT)/%.o,$(basename $(PORTABLE_SRCS)))
HOST_LIB_SRCS = $(sort $(filter-out tracer/ring.c,$(wildcard tracer/*.c)) $(wildcard introspect/*.c))
HOST_LIB_OBJS = $(patsubst %,$(HOST_OUT)/%.o,$(basename $(HOST_LIB_SRCS)))
HOST_LIB = $(HOST_OUT)/libuniscope.a
CLI_SRCS = $(sort $(wildcard cli/*.c tui/*.c))
CLI_OBJS = $(patsubst %,$(HOST_OUT)/%.o,$(basename $(CLI_SRCS)))
UNISCOPE = $(BUILD)/uniscope

# libc under test on the host: the guest libc compiled with renamed symbols.
LIBC_TEST_OBJS = $(patsubst %,$(HOST_OUT)/libc-test/%.o,$(basename $(notdir $(wildcard libos/libc/*.c))))

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test-*.c))
FUZZERS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))
BENCH_TOOLS = $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out bench/trace-emit.c,$(wildcard bench/*.c)))

.PHONY: all check demo fuzz install clean examples host unit deps man bench
.DEFAULT_GOAL := all

MANPAGE = $(BUILD)/uniscope.1

all: host sdk examples unit man
host: $(UNISCOPE)
man: $(MANPAGE)
examples: $(EXAMPLE_IMAGES)
unit: $(UNIT_TESTS) $(BENCH_TOOLS) $(TEST_IMAGES)

deps: $(CONFIG_MAK)

# Flag files, git-style: objects rebuild when their compiler flags change.
GUEST_FLAGS_FILE = $(GUEST_OUT)/.flags
HOST_FLAGS_FILE = $(HOST_OUT)/.flags
.PHONY: FORCE
$(GUEST_FLAGS_FILE): FORCE
	@mkdir -p $(@D)
	@echo '$(GUEST_CORE_CFLAGS) | $(GUEST_APP_CFLAGS) | $(GUEST_LDFLAGS)' | cmp -s - $@ || \
		echo '$(GUEST_CORE_CFLAGS) | $(GUEST_APP_CFLAGS) | $(GUEST_LDFLAGS)' >$@
$(HOST_FLAGS_FILE): FORCE
	@mkdir -p $(@D)
	@echo '$(HOST_CFLAGS) | $(HOST_LIBS)' | cmp -s - $@ || echo '$(HOST_CFLAGS) | $(HOST_LIBS)' >$@
$(LIBOS_OBJS) $(patsubst %.c,$(GUEST_OUT)/%.o,$(wildcard examples/*/*.c tests/images/*/*.c)): $(GUEST_FLAGS_FILE)
$(HOST_PORTABLE_OBJS) $(HOST_LIB_OBJS) $(CLI_OBJS): $(HOST_FLAGS_FILE)

# The host's list of Linux x86-64 syscall numbers and names (tracer/syscalls.c).
HOST_SYSCALL_LIST = $(HOST_OUT)/gen/linux_syscalls.h
LINUX_UNISTD_64 ?= $(firstword $(wildcard /usr/include/x86_64-linux-gnu/asm/unistd_64.h \
	/usr/include/asm/unistd_64.h))
$(HOST_SYSCALL_LIST):
	@mkdir -p $(@D)
	$(QUIET_GEN)sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]*\([0-9]*\)$$/LINUX_SYSCALL(\1, \2)/p' \
		$(LINUX_UNISTD_64) >$@.tmp && test -s $@.tmp && mv $@.tmp $@
$(HOST_LIB_OBJS) $(FUZZERS): | $(HOST_SYSCALL_LIST)

$(MUSL_LIB): mk/musl.sh mk/source-package.sh
	$(Q)GUEST_CC=$(GUEST_CC) sh mk/musl.sh $(BUILD)
# The syscall numbers and names, from the C library's own list.
SYSCALL_LIST = $(GUEST_OUT)/gen/linux_syscalls.h
$(SYSCALL_LIST): $(MUSL_LIB)
	@mkdir -p $(@D)
	$(QUIET_GEN)sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]*\([0-9]*\)$$/LINUX_SYSCALL(\1, \2)/p' \
		$(MUSL)/include/bits/syscall.h >$@.tmp && mv $@.tmp $@
# Where musl keeps a thread's errno and tid (struct pthread is not an ABI).
MUSL_OFFSETS = $(GUEST_OUT)/gen/musl_offsets.h
$(MUSL_OFFSETS): $(MUSL_LIB) mk/musl-offsets.sh
	@mkdir -p $(@D)
	$(QUIET_GEN)GUEST_CC=$(GUEST_CC) sh mk/musl-offsets.sh $(patsubst %/,%,$(dir $(abspath $(MUSL)))) $@
$(LIBOS_OBJS): | $(SYSCALL_LIST) $(MUSL_OFFSETS)

# lwIP, from Debian's source package (mk/lwip.sh), as one relocatable object
# with only the names the libOS calls global; in libos.o, but in an image
# only when the application uses sockets (libos/kern/module.h).
LWIP_OBJ = $(GUEST_OUT)/lwip.o
LWIP_INC = $(BUILD)/lwip/include
LWIP_CFLAGS = $(filter-out $(WARN) -MMD -MP -std=c11 -Oz,$(GUEST_CORE_CFLAGS)) -std=gnu11 -w -Os
$(LWIP_OBJ): mk/lwip.sh mk/source-package.sh libos/net/lwipopts.h $(wildcard libos/net/arch/*.h) \
		libos/net/lwip.keep $(GUEST_FLAGS_FILE)
	@mkdir -p $(@D)
	$(Q)sh mk/lwip.sh $(BUILD) $@ "$(GUEST_CC)" "$(LWIP_CFLAGS)"
$(GUEST_OUT)/libos/kern/trace.o $(GUEST_OUT)/tracer/ring.o: GUEST_EXTRA_CFLAGS = -Os
NET_OBJS = $(filter $(GUEST_OUT)/libos/net/%,$(LIBOS_OBJS))
$(NET_OBJS): GUEST_EXTRA_CFLAGS = -isystem $(LWIP_INC) -Ilibos/net
$(NET_OBJS): | $(LWIP_OBJ)

# The SDK: uniscope-cc, musl's headers and libraries, the libOS's archive, header and linker script.
.PHONY: sdk
sdk: $(UNISCOPE_CC) $(SDK_LIBOS)
$(SDK_STAMP): $(MUSL_LIB) libos/api/libos.h libos/api/uniscope/trace_point.h include/uniscope/trace.h \
		include/uniscope/abi.h libos/libos.ld
	@mkdir -p $(SDK)/include/uniscope $(SDK)/lib
	$(QUIET_GEN)cp -R $(MUSL)/include/. $(SDK)/include/ && cp $(MUSL)/lib/*.a $(MUSL)/lib/*.o $(SDK)/lib/ && \
		cp libos/api/libos.h $(SDK)/include/ && \
		cp include/uniscope/trace.h include/uniscope/abi.h libos/api/uniscope/trace_point.h \
			$(SDK)/include/uniscope/ && \
		cp libos/libos.ld $(SDK)/lib/ && touch $@
$(SDK_LIBOS): $(LIBOS_LIB) $(SDK_STAMP)
	$(QUIET_GEN)cp $(LIBOS_LIB) $@
$(UNISCOPE_CC): mk/uniscope-cc.in $(SDK_STAMP)
	$(QUIET_GEN)sed -e 's|@SDK@|$(patsubst $(BUILD)/%,%,$(SDK))|' -e 's|@PROFILE@|$(DEBUG)|' -e 's|@CC@|$(GUEST_CC)|' \
		mk/uniscope-cc.in >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@

$(GUEST_OUT)/examples/%.o: examples/%.c $(UNISCOPE_CC)
	@mkdir -p $(@D)
	$(QUIET_CC)$(UNISCOPE_CC) $(GUEST_APP_CFLAGS) -c -o $@ $<
$(GUEST_OUT)/tests/images/%.o: tests/images/%.c $(UNISCOPE_CC)
	@mkdir -p $(@D)
	$(QUIET_CC)$(UNISCOPE_CC) $(GUEST_APP_CFLAGS) -c -o $@ $<
$(GUEST_OUT)/%.o: %.c
	@mkdir -p $(@D)
	$(QUIET_CC)$(GUEST_CC) $(GUEST_CORE_CFLAGS) $(GUEST_EXTRA_CFLAGS) -c -o $@ $<
$(GUEST_OUT)/%.o: %.S
	@mkdir -p $(@D)
	$(QUIET_AS)$(GUEST_CC) $(GUEST_CORE_CFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# The libOS is one relocatable object whose only global symbols are the
# application interface (libos/exports.txt): its internals cannot collide
# with, or be replaced by, an application's or the C library's names.
# --unique keeps each object's string literals a section of its own, which
# an image's --gc-sections then drops with the code that used them (merged
# into one, they would all stay whenever one string is used).
LIBOS_RELOC = $(GUEST_OUT)/libos.o
GUEST_LDFLAGS = -r --unique
$(LIBOS_RELOC): $(LIBOS_OBJS) $(LWIP_OBJ) libos/api/exports.txt $(GUEST_FLAGS_FILE)
	$(QUIET_LD)$(GUEST_LD) $(GUEST_LDFLAGS) -o $@.all $(LIBOS_OBJS) $(LWIP_OBJ) && \
		grep -v '^#' libos/api/exports.txt | tr ' ' '\n' | grep -v '^$$' >$@.keep && \
		objcopy --wildcard --keep-global-symbols=$@.keep $@.all $@ && rm -f $@.all $@.keep
$(LIBOS_LIB): $(LIBOS_RELOC)
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

# An example is every .c in its folder; the libOS entry comes from libos.a.
.SECONDARY:
.SECONDEXPANSION:
example_objs = $(patsubst %.c,$(GUEST_OUT)/%.o,$(wildcard examples/$(1)/*.c))
$(BUILD)/examples/%.elf: $$(call example_objs,$$*) $(SDK_LIBOS) $(UNISCOPE_CC)
	@mkdir -p $(@D)
	$(QUIET_LD)$(UNISCOPE_CC) -o $@ $(filter %.o,$^)
test_image_objs = $(patsubst %.c,$(GUEST_OUT)/%.o,$(wildcard tests/images/$(1)/*.c))
$(BUILD)/tests/images/%.elf: $$(call test_image_objs,$$*) $(SDK_LIBOS) $(UNISCOPE_CC)
	@mkdir -p $(@D)
	$(QUIET_LD)$(UNISCOPE_CC) -o $@ $(filter %.o,$^)

$(HOST_OUT)/libc-test/%.o: libos/libc/%.c tests/unit/libc-rename.h
	@mkdir -p $(@D)
	$(QUIET_CC)$(HOST_CC) $(COMMON_CFLAGS) -fno-builtin -Ilibos/include -include tests/unit/libc-rename.h \
		-DUNISCOPE_LIBC_TEST=1 -c -o $@ $<

$(HOST_OUT)/%.o: %.c
	@mkdir -p $(@D)
	$(QUIET_CC)$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(HOST_LIB): $(HOST_PORTABLE_OBJS) $(HOST_LIB_OBJS)
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

$(UNISCOPE): $(CLI_OBJS) $(HOST_LIB)
	$(QUIET_LD)$(HOST_CC) -o $@ $(CLI_OBJS) $(HOST_LIB) $(HOST_LIBS)

# uniscope(1): the COMMANDS section comes from the command table (`uniscope CMD --help`).
$(MANPAGE): cli/uniscope.1.in mk/manpage.sh $(UNISCOPE)
	$(QUIET_GEN)sh mk/manpage.sh $(UNISCOPE) cli/uniscope.1.in >$@.tmp && mv $@.tmp $@

$(BUILD)/tests/unit/test-libc: tests/unit/test-libc.c $(LIBC_TEST_OBJS)
	@mkdir -p $(@D)
	$(QUIET_CC)$(HOST_CC) $(HOST_CFLAGS) -Itests/unit -o $@ $< $(LIBC_TEST_OBJS)
$(BUILD)/tests/unit/%: tests/unit/%.c $(HOST_LIB)
	@mkdir -p $(@D)
	$(QUIET_CC)$(HOST_CC) $(HOST_CFLAGS) -Itests/unit -o $@ $< $(HOST_LIB) $(HOST_LIBS)
# The guest's trace emit functions, built as the guest builds them (-Os,
# frame pointers, no red zone, absolute addresses) but to run on the host.
# The bench's evidence ring is its main ring: -fno-ipa-icf keeps the two
# emitter sets apart as in the guest, where the rings differ.
BENCH_GUEST_CODEGEN = -Os -fno-pic -fno-pie -mno-red-zone -fno-omit-frame-pointer \
	-mgeneral-regs-only -fcf-protection=none -fno-stack-protector -fno-ipa-icf
$(BUILD)/bench/trace-emit.o: bench/trace-emit.c $(HOST_FLAGS_FILE)
	@mkdir -p $(@D)
	$(QUIET_CC)$(HOST_CC) $(HOST_CFLAGS) $(BENCH_GUEST_CODEGEN) -c -o $@ $<
$(BUILD)/bench/trace-bench: bench/trace-bench.c $(BUILD)/bench/trace-emit.o $(HOST_LIB)
	@mkdir -p $(@D)
	$(QUIET_CC)$(HOST_CC) $(HOST_CFLAGS) -no-pie -o $@ $< $(BUILD)/bench/trace-emit.o $(HOST_LIB) $(HOST_LIBS)
$(BUILD)/bench/%: bench/%.c $(HOST_LIB)
	@mkdir -p $(@D)
	$(QUIET_CC)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(HOST_LIB) $(HOST_LIBS)

# Fuzzers: clang + libFuzzer + ASan/UBSan over the portable and host parsers.
FUZZ_SRCS = $(PORTABLE_SRCS) $(HOST_LIB_SRCS)
# Fuzzers may #include a cli/ file (fuzz-gdbbridge): they rebuild when any of those change.
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS) $(CLI_SRCS) $(wildcard include/uniscope/*.h cli/*.h tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(QUIET_CC)$(FUZZ_CC) -std=c11 -g -O1 -D_GNU_SOURCE -DUNISCOPE_HOST=1 -DUNISCOPE_FUZZ=1 -Iinclude -I. -Itests/unit -I$(HOST_OUT)/gen \
		$(HOST_PKG_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ $< $(FUZZ_SRCS) $(HOST_LIBS)
fuzz: $(FUZZERS)

# Every target to FUZZ_LONG_RUNS executions, one at a time, niced (hours;
# not part of check). Results: $(BUILD)/fuzz-long/summary, recorded in
# tests/fuzz/README.md. FUZZ_LONG_TARGETS="fuzz-core ..." picks some;
# FUZZ_LONG_SECONDS=S caps each one's time (a partial run).
FUZZ_LONG_RUNS ?= 10000000
.PHONY: fuzz-long
fuzz-long: $(FUZZERS)
	$(Q)FUZZ_LONG_SECONDS=$(FUZZ_LONG_SECONDS) sh tests/fuzz/long.sh $(BUILD) $(FUZZ_LONG_RUNS) $(FUZZ_LONG_TARGETS)

TEST_SCRIPTS = $(sort $(wildcard tests/t[0-9]*.sh))
PROVE ?= prove
PROVE_FLAGS ?= -j2

check: all $(FUZZERS)
	@$(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS) $(TEST_SCRIPTS)

# The Xen rig (tests/xen/): Debian's Xen 4.17 with a PV dom0 booted under
# QEMU, the examples run as PVH domUs inside it. The first run downloads the
# Debian packages into $(BUILD)/xen-rig/debs; later runs reuse them.
XEN_TEST_SCRIPTS = $(sort $(wildcard tests/xen/t[0-9]*.sh))
.PHONY: check-xen
check-xen: host examples
	$(Q)BUILD=$(BUILD) sh tests/xen/rig.sh build
	@BUILD=$(BUILD) $(PROVE) -v $(XEN_TEST_SCRIPTS)

# Every benchmark in bench/, one after another: the table of their figures,
# with the date and the load, in $(BUILD)/bench/results.md (bench/run-all.sh;
# BENCH_ONLY="boot size" or BENCH_SKIP=xen to choose).
bench: all
	$(Q)sh bench/run-all.sh $(BUILD)

# On a terminal: uniscope top on the threads example. Without one: the
# example for DEMO_MS ms (default 5000), its console here, its exit status.
demo: all
	$(Q)$(if $(DEMO_MS),DEMO_MS=$(DEMO_MS) )sh mk/demo.sh $(BUILD)

# The SDK of every profile: the other two profiles' libOS archives are built
# beside the tree's (sharing its musl), and uniscope-cc is written for PREFIX.
SDK_PROFILES = full sealed off
INSTALL_SDK = $(DESTDIR)$(PREFIX)/lib/uniscope
.PHONY: sdk-profiles
sdk-profiles: sdk
	$(Q)for p in $(filter-out $(DEBUG),$(SDK_PROFILES)); do \
		$(MAKE) -s DEBUG=$$p BUILD=$(BUILD)/profile-$$p MUSL=$(abspath $(MUSL)) \
			$(BUILD)/profile-$$p/guest/libos.a && \
		cp $(BUILD)/profile-$$p/guest/libos.a $(SDK)/lib/libos-$$p.a || exit 1; done

install: all sdk-profiles install-man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/uniscope/examples \
		$(INSTALL_SDK) $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 $(UNISCOPE) $(DESTDIR)$(PREFIX)/bin/uniscope
	install -m 0644 $(EXAMPLE_IMAGES) $(DESTDIR)$(PREFIX)/share/uniscope/examples/
	cp -R $(SDK)/include $(SDK)/lib $(INSTALL_SDK)/
	sed -e 's|@SDK@|../lib/uniscope|' -e 's|@PROFILE@|sealed|' -e 's|@CC@|$(GUEST_CC)|' \
		mk/uniscope-cc.in >$(DESTDIR)$(PREFIX)/bin/uniscope-cc && chmod 0755 $(DESTDIR)$(PREFIX)/bin/uniscope-cc
	sed -e 's|@PREFIX@|$(PREFIX)|' mk/uniscope.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/uniscope.pc

.PHONY: install-man
install-man: $(MANPAGE)
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(MANPAGE) $(DESTDIR)$(PREFIX)/share/man/man1/uniscope.1

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path $(BUILD)/xen-rig -prune -o -type f -name '*.d' -print 2>/dev/null)
