#!/bin/sh
# uniscope run refuses, before any QEMU starts, a file that is no PVH image
# (a text file, a script, a Linux program, a .o, an ELF without the Xen PVH
# note, a truncated ELF), saying what is wrong with it, and exits 1; where
# only QEMU can tell, QEMU's own error reaches the user and run fails.
. "$(dirname "$0")/lib.sh"

# refused FILE REGEX: run exits 1 with REGEX on stderr, and no session was made.
refused() {
	rc=0; $UNISCOPE run "$1" >out 2>err || rc=$?
	expect_equal $rc 1 &&
	expect_grep "^uniscope: '[^']*$(basename "$1")' $2" err &&
	expect_no_grep "session .* ended" err &&
	test ! -e $XDG_RUNTIME_DIR/uniscope/$(basename "${1%.*}")
}

test_expect_success 'a text file, an empty file and a script are no ELF' '
	echo "hello, world" >notes.txt && : >empty.elf && printf "#!/bin/sh\ntrue\n" >script.sh &&
	refused notes.txt "is not a PVH image: it is not an ELF file" &&
	refused empty.elf "is not a PVH image: the file is empty" &&
	refused script.sh "is not a PVH image: it is a script"
'

test_expect_success 'a Linux program and a shared library are no unikernel image' '
	cp /bin/true true &&
	refused true "is not a PVH image: it is a position-independent executable or shared library" &&
	cp $(ldd /bin/true | sed -n "s/.*libc.so.6 => \([^ ]*\).*/\1/p") libc.so.6 &&
	refused libc.so.6 "is not a PVH image: it is a position-independent executable"
'

test_expect_success 'an object file is not linked' '
	echo "int main(void) { return 0; }" >prog.c && cc -c -o prog.o prog.c &&
	refused prog.o "is not a PVH image: it is a relocatable object file \(\.o\), not a linked image"
'

test_expect_success 'an ELF executable without the Xen PVH note cannot boot' '
	objcopy --remove-section .note $EXAMPLES/hello.elf nonote.elf &&
	refused nonote.elf "is not a PVH image: it has no Xen PVH entry note \(XEN_ELFNOTE_PHYS32_ENTRY\)"
'

# The PVH note's entry moved to an address no segment loads.
test_expect_success 'a PVH entry outside every loadable segment' '
	python3 - $EXAMPLES/hello.elf badentry.elf <<-\PY &&
	import struct, sys
	data = bytearray(open(sys.argv[1], "rb").read())
	i = data.find(b"Xen\0")
	namesz, descsz, ntype = struct.unpack_from("<III", data, i - 12)
	assert ntype == 18 and descsz == 8
	struct.pack_into("<Q", data, i + 4, 0x7fff0000)
	open(sys.argv[2], "wb").write(data)
	PY
	refused badentry.elf "is not a PVH image: its PVH entry 0x7fff0000 is outside every loadable segment"
'

test_expect_success 'truncated images: in the program headers, the section headers, a segment' '
	head -c 100 $EXAMPLES/hello.elf >cut-phdrs.elf &&
	refused cut-phdrs.elf "is truncated: its program headers end past its 100 bytes" &&
	strip -o stripped.elf $EXAMPLES/hello.elf &&
	head -c $(($(stat -c %s stripped.elf) - 1)) stripped.elf >cut-shdrs.elf &&
	refused cut-shdrs.elf "is truncated: its section headers end past its" &&
	python3 - stripped.elf noshdrs.elf <<-\PY &&
	import struct, sys
	data = bytearray(open(sys.argv[1], "rb").read())
	struct.pack_into("<Q", data, 0x28, 0)      # e_shoff
	struct.pack_into("<HH", data, 0x3c, 0, 0)  # e_shnum, e_shstrndx
	open(sys.argv[2], "wb").write(data[:20000])
	PY
	refused noshdrs.elf "is truncated: segment [0-9]+ ends at byte [0-9]+ of a 20000-byte file"
'

test_expect_success 'a good image still runs' '
	$UNISCOPE run $EXAMPLES/hello.elf >out 2>err &&
	expect_grep "^Hello from uniscope!" out
'

test_expect_success 'what only QEMU can tell: its own error, run exits 1, nothing left' '
	rc=0; $UNISCOPE run $EXAMPLES/hello.elf -- -no-such-option >out 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^uniscope: QEMU could not run the image; it said:" err &&
	expect_grep "^qemu-system-x86_64: -no-such-option: invalid option" err &&
	test ! -e $XDG_RUNTIME_DIR/uniscope/hello
'

test_expect_success 'QEMU failing under --detach: its error, and the ended session says so' '
	rc=0; $UNISCOPE run --detach --name qfail $EXAMPLES/hello.elf -- -no-such-option >out 2>err || rc=$? &&
	expect_equal $rc 1 &&
	expect_grep "^qemu-system-x86_64: -no-such-option: invalid option" err &&
	expect_grep "^uniscope: session .qfail. did not start \(failed 1\)" err &&
	test ! -s out &&
	$UNISCOPE ls --all >ls &&
	expect_grep "^qfail +failed 1 " ls &&
	expect_grep "^detail=qemu-system-x86_64: -no-such-option: invalid option$" \
		$XDG_RUNTIME_DIR/uniscope/qfail/status &&
	$UNISCOPE rm qfail
'

test_done
