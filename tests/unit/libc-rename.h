/*
 * Force-included into every source of libos/libc/ when it is built for the host
 * unit test: gives each public name of the libOS libc a uk_ prefix, so the
 * test links our functions next to the host libc's and compares the two.
 * A new public function in libos/libc/ needs its line here.
 */
#ifndef UNISCOPE_LIBC_RENAME_H
#define UNISCOPE_LIBC_RENAME_H

#define memcpy    uk_memcpy
#define memmove   uk_memmove
#define memset    uk_memset
#define memcmp    uk_memcmp
#define memchr    uk_memchr
#define strlen    uk_strlen
#define strnlen   uk_strnlen
#define strcmp    uk_strcmp
#define strncmp   uk_strncmp
#define strchr    uk_strchr
#define strrchr   uk_strrchr
#define strstr    uk_strstr
#define strcpy    uk_strcpy
#define strncpy   uk_strncpy
#define strlcpy   uk_strlcpy
#define strcat    uk_strcat
#define strncat   uk_strncat

#define strtol    uk_strtol
#define strtoul   uk_strtoul
#define strtoll   uk_strtoll
#define strtoull  uk_strtoull
#define atoi      uk_atoi
#define atol      uk_atol
#define abs       uk_abs
#define labs      uk_labs
#define llabs     uk_llabs

#define qsort     uk_qsort
#define snprintf  uk_snprintf
#define vsnprintf uk_vsnprintf

#define vcbprintf uk_vcbprintf
#define isalnum   uk_isalnum
#define isalpha   uk_isalpha
#define isblank   uk_isblank
#define iscntrl   uk_iscntrl
#define isdigit   uk_isdigit
#define isgraph   uk_isgraph
#define islower   uk_islower
#define isprint   uk_isprint
#define ispunct   uk_ispunct
#define isspace   uk_isspace
#define isupper   uk_isupper
#define isxdigit  uk_isxdigit
#define tolower   uk_tolower

#define toupper   uk_toupper
#define errno     uk_errno

#endif
