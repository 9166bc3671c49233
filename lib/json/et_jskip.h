#ifndef ET_JSKIP_H
#define ET_JSKIP_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "et_bytes.h"

/*
 * Skipping JSON text that is not decoded: the end of a string, and whether a line holds a
 * substring, sixteen bytes a step (SSE2, which every x86-64 has; eight with the word tricks of
 * et_bytes.h elsewhere, or with ET_NO_SIMD, so the tests run that path too). These are the inner
 * loops of the transcript reader, so they are inline: most strings there are keys of a dozen
 * bytes, and a call per string (memchr) cost more than the scan.
 */

#if defined(__SSE2__) && !defined(ET_NO_SIMD)
#define ET_JSKIP_SSE2 1
#include <emmintrin.h>
#endif

/**
 * Returns the offset of the first quote or backslash in @s[@i, @n), or @n when there is none.
 * Reads no byte outside [@i, @n).
 */
static inline size_t et_jskip_special(const char *s, size_t n, size_t i)
{
#ifdef ET_JSKIP_SSE2
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');

	while (i < n && n - i >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		int m = _mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)));

		if (m) {
			return i + (size_t)__builtin_ctz((unsigned)m);
		}
		i += 16;
	}
#endif
	while (i < n && n - i >= 8) {
		uint64_t x = et_load8(s + i), m = et_has_byte(x, '"') | et_has_byte(x, '\\');

		if (m) {
			return i + et_first_flagged(m);
		}
		i += 8;
	}
	while (i < n && s[i] != '"' && s[i] != '\\') {
		i++;
	}
	return i < n ? i : n;
}

/**
 * Returns the offset just past the string whose opening quote is at @i of @s (@n bytes), or @n
 * when it does not end there: a quote ends it unless an odd number of backslashes precede it.
 * Sets *@escaped when the string (up to where it ends) holds a backslash; leaves it otherwise.
 * Escapes are not checked.
 */
static inline size_t et_jskip_string(const char *s, size_t n, size_t i, bool *escaped)
{
	for (i++;;) {
		i = et_jskip_special(s, n, i);
		if (i >= n) {
			return n;
		}
		if (s[i] == '"') {
			return i + 1;
		}
		*escaped = true;
		if (n - i <= 2) {
			return n; /* a backslash, then at most its escaped byte: no end */
		}
		i += 2;
	}
}

/**
 * True when @s (@n bytes) holds the @nn bytes of @needle (2 <= @nn <= 64). Candidates are the
 * places where the needle's second byte and its next to last one both match (in JSON, needles
 * open and close with quotes, which are everywhere, so these two test more); each candidate is
 * compared whole.
 */
static inline bool et_jskip_contains(const char *s, size_t n, const char *needle, size_t nn)
{
	size_t i = 0, a = nn > 2 ? 1 : 0, b = nn > 2 ? nn - 2 : nn - 1;

	if (n < nn) {
		return false;
	}
#ifdef ET_JSKIP_SSE2
	{
		const __m128i fa = _mm_set1_epi8(needle[a]), fb = _mm_set1_epi8(needle[b]);

		/* Candidate starts i .. i + 15, whose probes lie within s[0, n). */
		while (i <= n - nn && n - nn - i >= 15) {
			__m128i xa = _mm_loadu_si128((const __m128i *)(const void *)(s + i + a));
			__m128i xb = _mm_loadu_si128((const __m128i *)(const void *)(s + i + b));
			unsigned m = (unsigned)_mm_movemask_epi8(
				_mm_and_si128(_mm_cmpeq_epi8(xa, fa), _mm_cmpeq_epi8(xb, fb)));

			while (m) {
				size_t k = i + (size_t)__builtin_ctz(m);

				if (memcmp(s + k, needle, nn) == 0) {
					return true;
				}
				m &= m - 1;
			}
			i += 16;
		}
	}
#endif
	for (; i <= n - nn; i++) {
		if (s[i + a] == needle[a] && s[i + b] == needle[b] &&
		    memcmp(s + i, needle, nn) == 0) {
			return true;
		}
	}
	return false;
}

#endif
