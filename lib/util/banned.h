#ifndef ET_BANNED_H
#define ET_BANNED_H

/*
 * Functions this codebase does not use, after git's banned.h: each has a bounded or reentrant
 * replacement (snprintf, et_buf, strtok_r, gmtime_r), or a portable one (et_compat.h). Every library source includes it last, so a
 * use is a compile error.
 */

#define ET_BANNED(func) sorry_##func##_is_banned_in_execution_telemetry

#undef strcpy
#define strcpy(x, y) ET_BANNED(strcpy)
#undef strcat
#define strcat(x, y) ET_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) ET_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) ET_BANNED(strncat)
#undef sprintf
#define sprintf(...) ET_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) ET_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) ET_BANNED(strtok)
#undef gmtime
#define gmtime(t) ET_BANNED(gmtime)
#undef localtime
#define localtime(t) ET_BANNED(localtime)
#undef atoi
#define atoi(s) ET_BANNED(atoi)

/*
 * GNU extensions, or calls that one of the systems we build on lacks (docs/portability.md): use
 * et_memmem, et_memrchr, et_mkstemp_cloexec, et_fadvise_sequential from et_compat.h.
 */
#undef memmem
#define memmem(h, hn, n, nn) ET_BANNED(memmem)
#undef memrchr
#define memrchr(s, c, n) ET_BANNED(memrchr)
#undef mkostemp
#define mkostemp(t, f) ET_BANNED(mkostemp)
#undef posix_fadvise
#define posix_fadvise(fd, o, n, a) ET_BANNED(posix_fadvise)

#endif
