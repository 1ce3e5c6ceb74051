/*
 * The image's layout, as the linker script (libos.ld) defines it: the one
 * place C code learns where text, rodata, data and bss begin and end.
 */
#ifndef LIBOS_IMAGE_H
#define LIBOS_IMAGE_H

extern char _image_start[], _image_end[];
extern char _text_start[], _text_end[];
extern char _rodata_start[], _rodata_end[];
extern char _data_start[];
extern char _bss_start[], _bss_end[];
/* The TLS template (.tdata, .tbss) the C library copies for each thread. */
extern char _tdata_start[], _tdata_end[], _tbss_end[], _tls_align[], _tls_block_size[];
extern char _trace_emit_start[], _trace_emit_end[];
extern char _build_id_note[];

#endif
