#ifndef ET_LAT_H
#define ET_LAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * An exact latency distribution: each distinct value with its count. Latencies are whole
 * milliseconds nearly always, so a year of calls has a few thousand distinct values per tool:
 * percentiles stay exact while memory grows with distinct values, not with calls.
 */

struct et_lat {
	uint64_t *keys;	  /* owned; the double's bits, 0 marks an empty slot (0.0 is kept apart) */
	uint64_t *counts; /* owned */
	size_t nslots, n;
	uint64_t zeros; /* calls whose latency was exactly 0 */
	uint64_t total; /* values added */
	double sum;
	double max;
};

/** The summary et_lat_summarise produces. */
struct et_lat_summary {
	uint64_t count;
	double avg, p50, p95, p99, max; /* meaningless when count is 0 */
};

/** Initialises an empty distribution. Allocates nothing. */
void et_lat_init(struct et_lat *l);

/** Frees it. Accepts a zeroed value. */
void et_lat_finish(struct et_lat *l);

/** Adds one value (>= 0). Returns 0 or -ENOMEM. */
int et_lat_add(struct et_lat *l, double v);

/** Adds every value of @from into @into. Returns 0 or -ENOMEM. */
int et_lat_merge(struct et_lat *into, const struct et_lat *from);

/**
 * Computes count, mean, nearest-rank p50/p95/p99 (the value at rank ceil(p/100 * n) of the sorted
 * values) and max. Returns 0 or -ENOMEM.
 */
int et_lat_summarise(const struct et_lat *l, struct et_lat_summary *s);

#endif
