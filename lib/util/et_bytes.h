#ifndef ET_BYTES_H
#define ET_BYTES_H

#include <stdint.h>
#include <string.h>

/*
 * Word-at-a-time byte tests (the "has less than" and "has byte" bit tricks), so the loops that
 * look at every byte of a megabyte-sized string do eight bytes per step.
 */

#define ET_ONES ((uint64_t)0x0101010101010101ULL)
#define ET_HIGHS ((uint64_t)0x8080808080808080ULL)

/** Loads 8 bytes from @p, which need not be aligned. */
static inline uint64_t et_load8(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/** Non-zero if some byte of @x is below @n (n <= 128). */
static inline uint64_t et_has_less(uint64_t x, unsigned n)
{
	return (x - ET_ONES * n) & ~x & ET_HIGHS;
}

/** Non-zero if some byte of @x equals @b. */
static inline uint64_t et_has_byte(uint64_t x, unsigned char b)
{
	return et_has_less(x ^ (ET_ONES * b), 1);
}

/*
 * Given a non-zero mask from the tests above, the index (0-7) of the first flagged byte in memory
 * order. The tests can also flag bytes after a true hit (a borrow carries upward), never before
 * one, so the first flagged byte is always exact.
 */
static inline unsigned et_first_flagged(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(mask) >> 3;
#else
	return (unsigned)__builtin_clzll(mask) >> 3;
#endif
}

/** How many bytes of @x are UTF-8 continuation bytes (10xxxxxx). */
static inline unsigned et_count_cont(uint64_t x)
{
	/* One bit per continuation byte at bit 0 of its byte; a multiply sums the bytes. */
	return (unsigned)((((x & ~(x << 1) & ET_HIGHS) >> 7) * ET_ONES) >> 56);
}

#endif
