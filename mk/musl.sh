#!/bin/sh
# mk/musl.sh BUILD: the applications' C library. musl from Debian's source
# package (fetched once into BUILD/src), built with frame pointers and
# debug information (C code: .debug_frame; assembly: CFI added by musl's
# own tools/add-cfi) so that backtraces through libc frames are complete,
# and installed into BUILD/musl (include/, lib/). Debian's prebuilt
# musl-dev libc.a has neither frame pointers nor CFI: README, "The C library".
# _start gets CFI too, "undefined rip" (as glibc's has): it is where the
# application's main thread's stack begins, and without the mark debuggers
# unwind past it into junk (libos/arch/x86_64/stack_entry.h); and a type
# and size, so that debuggers name it rather than a label at its address.
# A normal (default) mutex keeps its owner's thread id in its lock word, as
# the other mutex types do (musl stores only "locked" there, EBUSY; glibc
# keeps every mutex's owner): `uniscope report` and `ps` then name the
# thread a blocked one waits for, and find deadlocks between default
# mutexes. The cost is one thread-pointer load per uncontended lock.
set -eu
build=$1
prefix=$build/musl
[ -f "$prefix/lib/libc.a" ] && [ -f "$prefix/.syscall-refs-weak" ] && [ -f "$prefix/.secure-start-unlinked" ] && exit 0
tree=$(sh "$(dirname "$0")/source-package.sh" musl "$build/src")
crt_arch=$tree/arch/x86_64/crt_arch.h
grep -q cfi_undefined "$crt_arch" ||
	sed -i -e 's|^START ": \\n"$|".type " START ", @function\\n" START ": \\n" "\t.cfi_startproc\\n\t.cfi_undefined rip\\n\t.cfi_undefined rsp\\n\t.cfi_undefined rbp\\n\t.cfi_undefined rbx\\n\t.cfi_undefined r12\\n\t.cfi_undefined r13\\n\t.cfi_undefined r14\\n\t.cfi_undefined r15\\n"|' \
		-e 's|^"\tcall " START "_c \\n"$|"\tcall " START "_c \\n\t.cfi_endproc\\n.size " START ", . - " START "\\n"|' \
		"$crt_arch"
grep -q cfi_endproc "$crt_arch" ||
	{ echo "uniscope: cannot mark musl's _start as the outermost frame ($crt_arch)" >&2; exit 1; }
thread=$tree/src/thread
for f in pthread_mutex_lock.c pthread_mutex_timedlock.c mtx_lock.c; do
	sed -i 's|a_cas(&m->_m_lock, 0, EBUSY)|a_cas(\&m->_m_lock, 0, __pthread_self()->tid)|' "$thread/$f"
done
sed -i 's|return a_cas(&m->_m_lock, 0, EBUSY) & EBUSY;|return a_cas(\&m->_m_lock, 0, __pthread_self()->tid) ? EBUSY : 0;|' \
	"$thread/pthread_mutex_trylock.c"
sed -i 's|(a_cas(&m->_m_lock, 0, EBUSY) & EBUSY)|a_cas(\&m->_m_lock, 0, __pthread_self()->tid)|' "$thread/mtx_trylock.c"
[ "$(grep -l '_m_lock, 0, __pthread_self()->tid)' "$thread"/pthread_mutex_lock.c "$thread"/pthread_mutex_timedlock.c \
	"$thread"/pthread_mutex_trylock.c "$thread"/mtx_lock.c "$thread"/mtx_trylock.c | wc -l)" = 5 ] &&
	! grep -q '_m_lock, 0, EBUSY' "$thread"/*.c ||
	{ echo "uniscope: cannot make musl's normal mutexes keep their owner ($thread)" >&2; exit 1; }
# Every syscall site names its number to the linker, so that an image links
# only the libOS's handlers (and names) of the calls its C library code can
# make (libos/posix/syscall.c): a constant number N becomes a relocation
# (R_X86_64_NONE, no bytes) against uniscope_syscall_N in the section of the
# function that makes the call, which --gc-sections follows as it follows a
# call. The public syscall(2) may make any call: it refers to
# uniscope_syscall_all. A number the compiler cannot see as a constant
# (musl's own dispatchers, whose callers name theirs) refers to
# uniscope_syscall_dynamic, which keeps nothing; the list of objects that
# have one is checked below, so a new one in a later musl is seen. The
# references are weak: the same musl links programs for Linux (tests' peers).
internal=$tree/src/internal/syscall.h
grep -q uniscope_syscall_ "$internal" || {
	sed -i -e 's|^#define \(__syscall[1-7]\)(n,\([a-g,]*\)) \(.*\)$|#define \1(n,\2) (__uniscope_syscall_ref(n), \3)|' \
		-e 's|^#define \(__syscall_cp[0-6]\)(n\([a-f,]*\)) \(.*\)$|#define \1(n\2) (__uniscope_syscall_ref(n), \3)|' \
		"$internal"
	sed -i '/^#define __syscall1(n,a) /i\
/* uniscope (mk/musl.sh): which syscall this site makes, for the linker. */\
#define __uniscope_syscall_ref(n) ({ if (__builtin_constant_p(n)) \\\
	__asm__ volatile(".weak uniscope_syscall_%c0\\n.reloc ., R_X86_64_NONE, uniscope_syscall_%c0" :: "i"(n)); else \\\
	__asm__ volatile(".weak uniscope_syscall_dynamic\\n.reloc ., R_X86_64_NONE, uniscope_syscall_dynamic"); })\
#define __syscall0(n) (__uniscope_syscall_ref(n), __syscall0(n))' "$internal"
}
grep -q uniscope_syscall_all "$tree/src/misc/syscall.c" ||
	sed -i 's|^\treturn __syscall_ret(__syscall(n,a,b,c,d,e,f));$|\t__asm__ volatile(".weak uniscope_syscall_all\\n.reloc ., R_X86_64_NONE, uniscope_syscall_all");\n\treturn __syscall_ret(__syscall(n,a,b,c,d,e,f));|' \
		"$tree/src/misc/syscall.c"
for f in "$tree"/src/*/x86_64/*.s; do
	grep -q uniscope_syscall_ "$f" ||
		sed -i 's#^\(\tmovl* \$\([0-9][0-9]*\), *%\(eax\|rax\|al\).*\)$#\1\n\t.weak uniscope_syscall_\2\n\t.reloc ., R_X86_64_NONE, uniscope_syscall_\2#' "$f"
done
[ "$(grep -c '__uniscope_syscall_ref(n)' "$internal")" = 16 ] && grep -q uniscope_syscall_all "$tree/src/misc/syscall.c" &&
	[ "$(cat "$tree"/src/*/x86_64/*.s | grep -c 'R_X86_64_NONE, uniscope_syscall_')" = 7 ] ||
	{ echo "uniscope: cannot make musl's syscall sites name their numbers ($tree)" >&2; exit 1; }
# __init_libc's branch for set-user-ID programs (AT_SECURE: poll fds 0-2,
# open /dev/null on closed ones) would make every image link the file
# layer's open and path lookup (~2 KiB). The libOS never starts a program
# set-user-ID, so under uniscope the branch is dead; its two calls take
# their numbers at run time (unnamed to the linker, as syscall(2)'s are not),
# and behave exactly as before on Linux.
start=$tree/src/env/__libc_start_main.c
grep -q uniscope_unlinked "$start" || {
	sed -i -e 's|^	__syscall(SYS_poll, pfd, 3, 0);$|	__syscall(uniscope_unlinked(SYS_poll), pfd, 3, 0);|' \
		-e 's|if (__sys_open("/dev/null", O_RDWR)<0)|if (__syscall(uniscope_unlinked(SYS_open), "/dev/null", O_RDWR\|O_LARGEFILE)<0)|' \
		"$start"
	sed -i '/^#define AUX_CNT 38$/i\
/* uniscope (mk/musl.sh): a syscall number the linker is not told of. */\
#define uniscope_unlinked(n) (*(volatile long *)\&(long){ n })\
' "$start"
}
[ "$(grep -c 'uniscope_unlinked(SYS_' "$start")" = 2 ] ||
	{ echo "uniscope: cannot keep musl's set-user-ID start from linking the file layer ($start)" >&2; exit 1; }
obj=$build/musl-build
rm -rf "$obj" && mkdir -p "$obj"
prefix_abs=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
echo "   MUSL    $prefix (from $(basename "$tree"), ~30 s)"
(
	cd "$obj"
	"$tree/configure" --prefix="$prefix_abs" --disable-shared \
		CC="${GUEST_CC:-gcc}" CFLAGS="-Os -g -fno-omit-frame-pointer" >configure.log 2>&1
	make -j2 >make.log 2>&1
	make install >install.log 2>&1
) || { echo "uniscope: building musl failed (see $obj/*.log)" >&2; exit 1; }
# The sites whose number is not a constant: musl's dispatchers (their callers
# name their numbers: __syscall_cp, pthread_cancel), syscall(2) (which keeps
# every handler), the set-user-ID start above and __setxid (the set*id calls, which the libOS does not
# implement: their report gives the number, not the name).
dynamic=$(cd "$prefix/lib" && nm -A libc.a 2>/dev/null | sed -n 's|^libc.a:\([^:]*\):.* [Uw] uniscope_syscall_dynamic$|\1|p' | sort -u | tr '\n' ' ')
[ "$dynamic" = "__libc_start_main.lo __syscall_cp.lo pthread_cancel.lo setxid.lo syscall.lo " ] ||
	{ echo "uniscope: musl has syscall sites of unknown number in: $dynamic(libos/posix/syscall.c keeps only the named ones)" >&2; exit 1; }
touch "$prefix/.mutex-owner" "$prefix/.syscall-refs-weak" "$prefix/.secure-start-unlinked"
