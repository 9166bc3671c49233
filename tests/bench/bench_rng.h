/*
 * The random numbers of the standalone bench tools (benchrun.c, genpayload.c): xorshift64* from a
 * fixed seed, small, fast and the same on every machine and run. Header-only, C11, so each tool
 * still builds alone with `cc -O2 -std=c11` (scripts/bench).
 */
#ifndef BENCH_RNG_H
#define BENCH_RNG_H

#include <stdint.h>

#define RNG_SEED 0x9e3779b97f4a7c15ULL

/* The generator's state; a tool sets it back to RNG_SEED to repeat a sequence. */
static uint64_t rng_state = RNG_SEED;

/* A number from 0 to @n - 1 (@n > 0). */
static inline uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

#endif
