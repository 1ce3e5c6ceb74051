/*
 * errno for debuggers. musl keeps a thread's errno in its own thread
 * structure (struct pthread's errno_val, at MUSL_PTHREAD_ERRNO from the
 * thread pointer); `errno` is a macro calling __errno_location(), so no
 * symbol says where it is and GDB answers "No symbol errno". This is one
 * DWARF compilation unit declaring an int variable `errno` that is
 * thread-local, at an offset into the TLS block that lands on
 * fs_base + MUSL_PTHREAD_ERRNO: the block ends at the thread pointer, so
 * the offset is the block's size (_tls_block_size, libos.ld, filled in by
 * the final link) plus MUSL_PTHREAD_ERRNO. GDB asks the target for the
 * address (qGetTLSAddr: the stub and `uniscope gdbserver` answer it), and
 * `print errno` shows the errno of the selected thread. (DW_OP_bregx on
 * fs_base, DWARF register 58, would be simpler: GDB 13 cannot read that
 * register through DWARF.) Nothing is loaded: debug sections only.
 */
#include "musl_offsets.h"

#define DW_TAG_compile_unit 0x11
#define DW_TAG_base_type 0x24
#define DW_TAG_variable 0x34
#define DW_AT_location 0x02
#define DW_AT_name 0x03
#define DW_AT_byte_size 0x0b
#define DW_AT_language 0x13
#define DW_AT_producer 0x25
#define DW_AT_encoding 0x3e
#define DW_AT_external 0x3f
#define DW_AT_type 0x49
#define DW_FORM_data2 0x05
#define DW_FORM_string 0x08
#define DW_FORM_data1 0x0b
#define DW_FORM_ref4 0x13
#define DW_FORM_exprloc 0x18
#define DW_FORM_flag_present 0x19
#define DW_LANG_C99 0x0c
#define DW_ATE_signed 0x05
#define DW_OP_const8u 0x0e
#define DW_OP_form_tls_address 0x9b

	.section .debug_abbrev, "", @progbits
.Labbrev:
	.uleb128 1, DW_TAG_compile_unit
	.byte 1 /* has children */
	.uleb128 DW_AT_producer, DW_FORM_string, DW_AT_language, DW_FORM_data2
	.uleb128 DW_AT_name, DW_FORM_string, 0, 0
	.uleb128 2, DW_TAG_base_type
	.byte 0
	.uleb128 DW_AT_name, DW_FORM_string, DW_AT_encoding, DW_FORM_data1
	.uleb128 DW_AT_byte_size, DW_FORM_data1, 0, 0
	.uleb128 3, DW_TAG_variable
	.byte 0
	.uleb128 DW_AT_name, DW_FORM_string, DW_AT_type, DW_FORM_ref4
	.uleb128 DW_AT_external, DW_FORM_flag_present, DW_AT_location, DW_FORM_exprloc, 0, 0
	.byte 0

	.section .debug_info, "", @progbits
.Lcu:
	.long .Lcu_end - .Lcu_version /* DWARF 4, 32-bit */
.Lcu_version:
	.short 4
	.long .Labbrev
	.byte 8
	.uleb128 1
	.asciz "uniscope libos/posix/errno_dwarf.S"
	.short DW_LANG_C99
	.asciz "<musl errno>"
.Lint:
	.uleb128 2
	.asciz "int"
	.byte DW_ATE_signed, 4
	.uleb128 3
	.asciz "errno"
	.long .Lint - .Lcu
	.uleb128 .Lloc_end - .Lloc
.Lloc:
	.byte DW_OP_const8u
	.quad _tls_block_size + MUSL_PTHREAD_ERRNO
	.byte DW_OP_form_tls_address
.Lloc_end:
	.byte 0 /* end of the unit's children */
.Lcu_end:

	.section .note.GNU-stack, "", @progbits
