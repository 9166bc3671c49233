#ifndef ET_FIXTURE_H
#define ET_FIXTURE_H

/*
 * Helpers for the hand-made results the report tests render (test_render.c, test_html.c): each
 * test keeps its rows in static arrays, and these make the counts that go with them, so that a
 * count can never disagree with its table.
 */

#include <stddef.h>

#include "et_stats.h"

/* In a designated initialiser: the member @name pointing at the array @name, n@name its length. */
#define FIXTURE_TABLE(name) .name = (name), .n##name = sizeof(name) / sizeof((name)[0])

/* An array and its length, as two arguments. */
#define FIXTURE_ROWS(a) (a), sizeof(a) / sizeof((a)[0])

/*
 * A stats result over the rows @tools, @classes and @slow (not copied), in one session: its call
 * counts are the sums over @tools, as et_stats makes them, and @lat is the latency of all calls.
 */
static inline struct et_stats_result fixture_stats(struct et_stats_tool *tools, size_t ntools,
						   struct et_stats_class *classes, size_t nclasses,
						   struct et_stats_slow *slow, size_t nslow,
						   struct et_lat_summary lat)
{
	struct et_stats_result r = {.sessions = 1,
				    .lat = lat,
				    .tools = tools,
				    .ntools = ntools,
				    .classes = classes,
				    .nclasses = nclasses,
				    .slow = slow,
				    .nslow = nslow};
	size_t i;

	for (i = 0; i < ntools; i++) {
		r.calls += tools[i].calls;
		r.successes += tools[i].successes;
		r.failures += tools[i].failures;
		r.interrupted += tools[i].interrupted;
	}
	return r;
}

#endif
