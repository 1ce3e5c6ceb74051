/*
 * The guest's trace points: UNISCOPE_TRACE_POINT declares one, and the emit
 * functions it calls are the libOS's (libos/kern/trace.c). For the libOS
 * and applications (the SDK installs it as <uniscope/trace_point.h>); the
 * record format they write is the contract in <uniscope/trace.h>, which is
 * all host code sees.
 */
#ifndef UNISCOPE_TRACE_POINT_H
#define UNISCOPE_TRACE_POINT_H

#include <stdint.h>
#include <uniscope/trace.h>

/* ---- declaring trace points ----------------------------------------------------- */

/*
 * UNISCOPE_TRACE_POINT(name, id, format, (type, field)...) declares
 * trace_<name>(fields...): when bit id of uniscope_trace.enabled is clear it
 * costs one load, test and branch. Types: u64 s64 hex tid state str sysnr; 1 to
 * UNISCOPE_TRACE_FIELDS_MAX fields, UNISCOPE_TRACE_SLOTS_MAX slots. Example:
 *
 *	UNISCOPE_TRACE_POINT(item_produced, UNISCOPE_TRACE_APP_ID(0),
 *			     "item=%u queued=%u", (u64, item), (u64, queued))
 *	...
 *	trace_item_produced(item, count);
 *
 * It also emits the metadata record, so declare each trace point in one .c
 * file, or define UNISCOPE_TRACE_META_ELSEWHERE in all but one of the
 * files that include a header of declarations (as libos/kern/trace.h does).
 * The guest provides uniscope_trace and uniscope_trace_emit*().
 */
extern struct uniscope_trace_info uniscope_trace;
void uniscope_trace_emit0(uint32_t word);
void uniscope_trace_emit1(uint32_t word, uint64_t a);
void uniscope_trace_emit2(uint32_t word, uint64_t a, uint64_t b);
void uniscope_trace_emit3(uint32_t word, uint64_t a, uint64_t b, uint64_t c);
/* The same into the evidence ring (UNISCOPE_TRACE_IS_EVIDENCE ids). */
void uniscope_trace_keep0(uint32_t word);
void uniscope_trace_keep1(uint32_t word, uint64_t a);
void uniscope_trace_keep2(uint32_t word, uint64_t a, uint64_t b);
void uniscope_trace_keep3(uint32_t word, uint64_t a, uint64_t b, uint64_t c);
/*
 * Any shape: values[i] is field i; field_slots[i] > 1 marks a string, whose
 * value is a pointer to the text; field_slots NULL means one slot each.
 * The ring follows the event id.
 */
void uniscope_trace_emit_fields(uint32_t word, const uint64_t *values,
				const uint8_t *field_slots, unsigned nr_fields);

#define UNISCOPE_TRACE_POINT(name, id, format, ...) \
	_Static_assert((id) > 0 && (id) < UNISCOPE_TRACE_POINT_IDS, #name ": trace point id out of range"); \
	_Static_assert(UTP_NARGS(__VA_ARGS__) <= UNISCOPE_TRACE_FIELDS_MAX, #name ": too many fields"); \
	UTP_META(name, id, format, __VA_ARGS__) \
	static inline __attribute__((always_inline)) void trace_##name(UTP_LIST(UTP_PARAM, __VA_ARGS__)) \
	{ \
		if (__builtin_expect(!!(__atomic_load_n(&uniscope_trace.enabled, __ATOMIC_RELAXED) & \
					UNISCOPE_TRACE_BIT(id)), 0)) \
			UTP_EMIT(id, __VA_ARGS__); \
	}

/* Machinery of UNISCOPE_TRACE_POINT: per type, a C type, an enum and slots. */
#define UTP_CTYPE_u64 uint64_t
#define UTP_CTYPE_s64 int64_t
#define UTP_CTYPE_hex uint64_t
#define UTP_CTYPE_tid uint32_t
#define UTP_CTYPE_state uint32_t
#define UTP_CTYPE_str const char *
#define UTP_CTYPE_sysnr uint64_t
#define UTP_TYPE_u64 UNISCOPE_TRACE_U64
#define UTP_TYPE_s64 UNISCOPE_TRACE_S64
#define UTP_TYPE_hex UNISCOPE_TRACE_HEX
#define UTP_TYPE_tid UNISCOPE_TRACE_TID
#define UTP_TYPE_state UNISCOPE_TRACE_STATE
#define UTP_TYPE_str UNISCOPE_TRACE_STR
#define UTP_TYPE_sysnr UNISCOPE_TRACE_SYSNR
#define UTP_SLOTS_u64 1
#define UTP_SLOTS_s64 1
#define UTP_SLOTS_hex 1
#define UTP_SLOTS_tid 1
#define UTP_SLOTS_state 1
#define UTP_SLOTS_str UNISCOPE_TRACE_STR_SLOTS
#define UTP_SLOTS_sysnr 1
#define UTP_ISSTR_u64 0
#define UTP_ISSTR_s64 0
#define UTP_ISSTR_hex 0
#define UTP_ISSTR_tid 0
#define UTP_ISSTR_state 0
#define UTP_ISSTR_str 1
#define UTP_ISSTR_sysnr 0

#define UTP_CAT_(a, b) a##b
#define UTP_CAT(a, b) UTP_CAT_(a, b)
#define UTP_NARGS(...) UTP_NARGS_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define UTP_NARGS_(a, b, c, d, e, f, n, ...) n
#define UTP_LIST(m, ...) UTP_CAT(UTP_LIST, UTP_NARGS(__VA_ARGS__))(m, __VA_ARGS__)
#define UTP_LIST1(m, a) m a
#define UTP_LIST2(m, a, ...) m a, UTP_LIST1(m, __VA_ARGS__)
#define UTP_LIST3(m, a, ...) m a, UTP_LIST2(m, __VA_ARGS__)
#define UTP_LIST4(m, a, ...) m a, UTP_LIST3(m, __VA_ARGS__)
#define UTP_LIST5(m, a, ...) m a, UTP_LIST4(m, __VA_ARGS__)
#define UTP_LIST6(m, a, ...) m a, UTP_LIST5(m, __VA_ARGS__)
/* The same, with no commas between: string literals that join. */
#define UTP_JOIN(m, ...) UTP_CAT(UTP_JOIN, UTP_NARGS(__VA_ARGS__))(m, __VA_ARGS__)
#define UTP_JOIN1(m, a) m a
#define UTP_JOIN2(m, a, ...) m a UTP_JOIN1(m, __VA_ARGS__)
#define UTP_JOIN3(m, a, ...) m a UTP_JOIN2(m, __VA_ARGS__)
#define UTP_JOIN4(m, a, ...) m a UTP_JOIN3(m, __VA_ARGS__)
#define UTP_JOIN5(m, a, ...) m a UTP_JOIN4(m, __VA_ARGS__)
#define UTP_JOIN6(m, a, ...) m a UTP_JOIN5(m, __VA_ARGS__)

#define UTP_PARAM(type, field) UTP_CTYPE_##type field
#define UTP_VALUE(type, field) ((uint64_t)(uintptr_t)(field))
#define UTP_SLOTS(type, field) UTP_SLOTS_##type
#define UTP_ISSTR(type, field) UTP_ISSTR_##type
#define UTP_FIELD_TYPE(type, field) UTP_TYPE_##type
#define UTP_FIELD_TEXT(type, field) #field "\0"
#define UTP_ADD(...) UTP_CAT(UTP_ADD, UTP_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define UTP_ADD1(a) (a)
#define UTP_ADD2(a, ...) ((a) + UTP_ADD1(__VA_ARGS__))
#define UTP_ADD3(a, ...) ((a) + UTP_ADD2(__VA_ARGS__))
#define UTP_ADD4(a, ...) ((a) + UTP_ADD3(__VA_ARGS__))
#define UTP_ADD5(a, ...) ((a) + UTP_ADD4(__VA_ARGS__))
#define UTP_ADD6(a, ...) ((a) + UTP_ADD5(__VA_ARGS__))
#define UTP_TOTAL_SLOTS(...) UTP_ADD(UTP_LIST(UTP_SLOTS, __VA_ARGS__))
#define UTP_HAS_STR(...) UTP_ADD(UTP_LIST(UTP_ISSTR, __VA_ARGS__))
#define UTP_RECORD_SIZE(...) (UNISCOPE_TRACE_HEADER_SIZE + 8 * UTP_TOTAL_SLOTS(__VA_ARGS__))
#define UTP_WORD(id, ...) ((uint32_t)UNISCOPE_TRACE_WORD(id, UTP_RECORD_SIZE(__VA_ARGS__), 0))

/* Numeric fields go in registers; a string takes the general path. */
#define UTP_EMIT(id, ...) \
	(UTP_HAS_STR(__VA_ARGS__) \
		 ? uniscope_trace_emit_fields(UTP_WORD(id, __VA_ARGS__), \
					      (const uint64_t[]){ UTP_LIST(UTP_VALUE, __VA_ARGS__) }, \
					      (const uint8_t[]){ UTP_LIST(UTP_SLOTS, __VA_ARGS__) }, \
					      UTP_NARGS(__VA_ARGS__)) \
		 : UNISCOPE_TRACE_IS_EVIDENCE(id) \
			   ? UTP_CAT(UTP_KEEP, UTP_NARGS(__VA_ARGS__))(UTP_WORD(id, __VA_ARGS__), \
								       UTP_LIST(UTP_VALUE, __VA_ARGS__)) \
			   : UTP_CAT(UTP_EMIT, UTP_NARGS(__VA_ARGS__))(UTP_WORD(id, __VA_ARGS__), \
								       UTP_LIST(UTP_VALUE, __VA_ARGS__)))
#define UTP_EMIT1(w, ...) uniscope_trace_emit1(w, __VA_ARGS__)
#define UTP_EMIT2(w, ...) uniscope_trace_emit2(w, __VA_ARGS__)
#define UTP_EMIT3(w, ...) uniscope_trace_emit3(w, __VA_ARGS__)
#define UTP_KEEP1(w, ...) uniscope_trace_keep1(w, __VA_ARGS__)
#define UTP_KEEP2(w, ...) uniscope_trace_keep2(w, __VA_ARGS__)
#define UTP_KEEP3(w, ...) uniscope_trace_keep3(w, __VA_ARGS__)
#define UTP_KEEP4 UTP_EMIT4
#define UTP_KEEP5 UTP_EMIT5
#define UTP_KEEP6 UTP_EMIT6
#define UTP_EMIT4(w, ...) uniscope_trace_emit_fields(w, (const uint64_t[]){ __VA_ARGS__ }, 0, 4)
#define UTP_EMIT5(w, ...) uniscope_trace_emit_fields(w, (const uint64_t[]){ __VA_ARGS__ }, 0, 5)
#define UTP_EMIT6(w, ...) uniscope_trace_emit_fields(w, (const uint64_t[]){ __VA_ARGS__ }, 0, 6)

/*
 * A trace point's metadata record, for whichever section keeps it: the
 * header and its text (name, format, field names, each NUL-terminated; the
 * literal adds the last NUL). The text is a flexible array member, which GCC
 * and clang initialise in static objects.
 */
#define UTP_META_TEXT(tp_name, tp_format, ...) #tp_name "\0" tp_format "\0" UTP_JOIN(UTP_FIELD_TEXT, __VA_ARGS__)
#define UTP_META_INIT(tp_name, tp_id, tp_format, ...) \
	{ \
		.magic = UNISCOPE_TRACE_META_MAGIC, \
		.size = sizeof(struct uniscope_trace_meta) + sizeof(UTP_META_TEXT(tp_name, tp_format, __VA_ARGS__)) - 1, \
		.version = UNISCOPE_TRACE_META_VERSION, \
		.nr_fields = UTP_NARGS(__VA_ARGS__), \
		.event = (tp_id), \
		.types = { UTP_LIST(UTP_FIELD_TYPE, __VA_ARGS__) }, \
		.text = UTP_META_TEXT(tp_name, tp_format, __VA_ARGS__), \
	}
#ifdef UNISCOPE_TRACE_META_ELSEWHERE
#define UTP_META(tp_name, tp_id, tp_format, ...)
#else
#define UTP_META(tp_name, tp_id, tp_format, ...) \
	_Static_assert(UTP_TOTAL_SLOTS(__VA_ARGS__) <= UNISCOPE_TRACE_SLOTS_MAX, #tp_name ": too big"); \
	__attribute__((used, section(".uniscope_trace_meta"), aligned(4))) \
	static const struct uniscope_trace_meta uniscope_trace_meta_##tp_name = \
		UTP_META_INIT(tp_name, tp_id, tp_format, __VA_ARGS__);
#endif

#endif
