/*
 * Unit tests for et_html: escaping (markup characters, controls, invalid UTF-8), and whole pages
 * built from hostile strings: every tag in the page is one the page itself writes, there is no
 * script, and the same input gives the same bytes. The timeline is tested in test_html_timeline.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "et_buf.h"
#include "et_errclass.h"
#include "et_html.h"
#include "fixture.h"
#include "tap.h"

#define FFFD "\xEF\xBF\xBD"
#define HOUR ((int64_t)3600 * 1000)
#define DAY (24 * HOUR)
#define T0 1763733600000LL /* 2025-11-21T14:00:00Z, a Friday */

struct esc_case {
	const char *in;
	size_t n;
	const char *want;
	const char *what;
};

static const struct esc_case esc_cases[] = {
	{"plain text", 10, "plain text", "plain text unchanged"},
	{"<script>alert('x')</script>", 27, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
	 "a script tag"},
	{"a & b \"c\"", 9, "a &amp; b &quot;c&quot;", "ampersand and double quotes"},
	{"&amp;", 5, "&amp;amp;", "an entity is escaped again, not trusted"},
	{"tab\there\nnewline", 16, "tab\there\nnewline", "tab and newline kept"},
	{"\x01\x1f\x7f", 3, FFFD FFFD FFFD, "C0 controls and DEL"},
	{"a\rb", 3, "a" FFFD "b", "carriage return"},
	{"a\0b", 3, "a" FFFD "b", "a NUL byte inside the length"},
	{"h\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80", 12, "h\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80",
	 "valid multibyte text kept"},
	{"\xC2\xA0", 2, "\xC2\xA0", "U+00A0 is not a control"},
	{"\xFF", 1, FFFD, "an invalid byte"},
	{"x\xE2\x82", 3, "x" FFFD FFFD, "a cut sequence: one U+FFFD per byte"},
	{"\xED\xA0\x80", 3, FFFD FFFD FFFD, "a surrogate"},
	{"\xC0\xBC", 2, FFFD FFFD, "an overlong '<' does not become '<'"},
	{"<<", 1, "&lt;", "only the bytes inside the length"},
};

static void test_escape(void)
{
	struct et_buf out;
	size_t i;
	int r;

	et_buf_init(&out, 1 << 16);
	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		et_buf_reset(&out);
		r = et_html_escape(&out, esc_cases[i].in, esc_cases[i].n);
		tap_ok(r == 0, "escape: %s: returns 0", esc_cases[i].what);
		tap_is_str(out.data, esc_cases[i].want, esc_cases[i].what);
	}
	/* U+0085, a C1 control: its bytes do not pass through, a replacement does. */
	et_buf_reset(&out);
	et_html_escape(&out, "a\xC2\x85z", 4);
	tap_ok(!strstr(out.data, "\xC2\x85") && strstr(out.data, FFFD) && out.data[0] == 'a' &&
		       out.data[out.len - 1] == 'z',
	       "escape: a C1 control is replaced");
	et_buf_finish(&out);

	et_buf_init(&out, 10);
	et_buf_adds(&out, "ok");
	r = et_html_escape(&out, "<<<", 3);
	tap_ok(r == -E2BIG && out.len <= 10, "escape past the cap: -E2BIG (%d)", r);
	et_buf_finish(&out);
}

static struct et_record_in call(int64_t ts, enum et_outcome o)
{
	struct et_record_in r;

	memset(&r, 0, sizeof(r));
	r.outcome = o;
	r.has_ts = true;
	r.ts_ms = ts;
	return r;
}

static void add(struct et_html_timeline *t, int64_t ts, enum et_outcome o)
{
	struct et_record_in r = call(ts, o);

	et_html_timeline_add(t, &r);
}

static void r_undated(struct et_html_timeline *t)
{
	struct et_record_in r = call(0, ET_OUT_SUCCESS);

	r.has_ts = false;
	et_html_timeline_add(t, &r);
}

/* ---- whole pages ---- */

/* The tags the page writes itself; anything else after a '<' came from the data. */
static const char *const page_tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title",   "style", "body",	 "main", "header",
	"h1",	    "h2",   "h3",   "p",    "section", "nav",	"a",	 "div",	 "b",
	"span",	    "svg",  "line", "text", "g",       "rect",	"table", "tr",	 "th",
	"td",	    "code", "ul",   "li",   "footer",  NULL,
};

/* Returns NULL when every '<' in @page opens or closes a known tag, else where one does not. */
static const char *foreign_tag(const char *page)
{
	const char *p, *name;
	size_t i, n;

	for (p = strchr(page, '<'); p; p = strchr(p + 1, '<')) {
		name = p[1] == '/' ? p + 2 : p + 1;
		for (n = 0; isalnum((unsigned char)name[n]) || name[n] == '!'; n++) {
		}
		for (i = 0; page_tags[i]; i++) {
			if (strlen(page_tags[i]) == n && !strncmp(name, page_tags[i], n) &&
			    (name[n] == '>' || name[n] == ' ' || name[n] == '/')) {
				break;
			}
		}
		if (!page_tags[i]) {
			return p;
		}
	}
	return NULL;
}

static bool has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		if (!strncasecmp(hay, needle, n)) {
			return true;
		}
	}
	return false;
}

#define LONG_TOOL "mcp__very_long_server_name__very_long_tool_name"

static struct et_stats_error errors[] = {
	{"</code><img src=x onerror=alert(1)>", ET_ERRCLASS_OTHER, 2,
	 "\" onmouseover=\"alert(1)\" x=\""},
};
static struct et_stats_tool tools[] = {
	{"<script>alert(1)</script>", 3, 1, 2, 0, {3, 50, 40, 90, 90, 90}, errors, 1},
	{LONG_TOOL, 1, 1, 0, 0, {1, 5, 5, 5, 5, 5}, NULL, 0},
};
static struct et_stats_class classes[] = {{ET_ERRCLASS_OTHER, 2}};
static struct et_stats_slow slow[] = {
	{"<script>alert(1)</script>", "<svg/onload=alert(1)>", 90, T0, "'><script>x</script>"},
};
static char *chain_tools[] = {"<b>bold</b>", "Read"};
static struct et_chain chains[] = {{chain_tools, 2, 4, 4, 0, 0}};
static struct et_par_group par_groups[] = {{"<i>x</i>,Read", 2, 120}};
static struct et_bottleneck bottlenecks[] = {
	{"<script>alert(1)</script>", 270, 0.98, 90, 3, "Look at <them> & \"fix\"."},
};
static char *files[] = {"/tmp/<script>.jsonl"};

#define MAX_PIECES 8

/* What the page built by test_page shows: each row, pieces that are all on it. */
static const struct {
	const char *what;
	const char *pieces[MAX_PIECES]; /* up to the first NULL */
} page_shows[] = {
	{"the hostile tool name is shown, escaped",
	 {"<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"}},
	{"an example error in an attribute, quotes escaped",
	 {" title=\"&quot; onmouseover=&quot;alert(1)&quot; x=&quot;\""}},
	{"a parallel group split at its comma, each name escaped",
	 {"&lt;i&gt;x&lt;/i&gt;</code>, <code>Read</code>"}},
	{"filters and file names escaped",
	 {"filters: project <code>/home/&lt;script&gt;</code>",
	  "<code>/tmp/&lt;script&gt;.jsonl</code>"}},
	{"the recommendation escaped too", {"Look at &lt;them&gt; &amp; &quot;fix&quot;."}},
	{"a long tool name cut to 24 characters in a label, whole in its tooltip",
	 {">mcp__very_long_server_n\xE2\x80\xA6</text>", "<title>" LONG_TOOL ": "}},
	{"the range of the data in the header",
	 {"Calls from 2025-11-21 14:00:00 to 2025-11-21 15:00:00 UTC"}},
	{"the skipped line in the footer", {"1 malformed or torn line skipped"}},
	{"every section",
	 {"id=\"calls-over-time\"", "id=\"latency\"", "id=\"success\"", "id=\"failures\"",
	  "id=\"chains\"", "id=\"parallelization\"", "id=\"slowest\""}},
};

/* Returns NULL when every one of @pieces is in @page, else the first that is not. */
static const char *missing_piece(const char *page, const char *const *pieces)
{
	size_t i;

	for (i = 0; i < MAX_PIECES && pieces[i]; i++) {
		if (!strstr(page, pieces[i])) {
			return pieces[i];
		}
	}
	return NULL;
}

static void page(struct et_buf *out, const struct et_stats_result *s,
		 const struct et_patterns_result *p, const struct et_html_timeline *t,
		 const struct et_report_meta *m)
{
	et_buf_reset(out);
	if (et_html_render(s, p, t, m, out) != 0) {
		tap_diag("et_html_render failed");
	}
}

static bool ends_with(const struct et_buf *b, const char *s)
{
	size_t n = strlen(s);

	return b->len >= n && !memcmp(b->data + b->len - n, s, n);
}

static void test_page(void)
{
	struct et_stats_result s =
		fixture_stats(FIXTURE_ROWS(tools), FIXTURE_ROWS(classes), FIXTURE_ROWS(slow),
			      (struct et_lat_summary){4, 38.75, 40, 90, 90, 90});
	struct et_patterns_result p = {.min_count = 2,
				       FIXTURE_TABLE(chains),
				       .par_opportunities = 2,
				       .par_calls = 5,
				       .par_saved_ms = 120,
				       FIXTURE_TABLE(par_groups),
				       FIXTURE_TABLE(bottlenecks)};
	struct et_logrec_stats in = {5, 4, 1, 0, 0};
	struct et_report_meta m = {FIXTURE_TABLE(files), .in = &in, .project = "/home/<script>"};
	struct et_html_timeline t;
	struct et_buf out, again;
	const char *bad;
	size_t i;
	int rc;

	et_html_timeline_init(&t);
	add(&t, T0, ET_OUT_SUCCESS);
	add(&t, T0 + HOUR, ET_OUT_FAILURE);

	et_buf_init(&out, (size_t)4 << 20);
	et_buf_init(&again, (size_t)4 << 20);
	rc = et_html_render(&s, &p, &t, &m, &out);
	tap_ok(rc == 0, "page: rendered (%zu bytes)", out.len);
	tap_ok(!strncmp(out.data, "<!DOCTYPE html>\n", 16) && ends_with(&out, "</html>\n"),
	       "page: a whole document");
	tap_ok(strstr(out.data,
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
		      "'none'; style-src 'unsafe-inline'\">") != NULL,
	       "page: a policy that forbids scripts and fetches");
	tap_ok(!has_ci(out.data, "<script"), "page: no <script anywhere");
	bad = foreign_tag(out.data);
	tap_ok(bad == NULL, "page: every tag is one the page writes itself");
	if (bad) {
		tap_diag("foreign tag at: %.40s", bad);
	}
	tap_ok(!strstr(out.data, "onmouseover=\"") && !strstr(out.data, "onerror=alert(1)>"),
	       "page: no attribute or tag injected through the data");
	for (i = 0; i < sizeof(page_shows) / sizeof(page_shows[0]); i++) {
		bad = missing_piece(out.data, page_shows[i].pieces);
		tap_ok(bad == NULL, "page: %s", page_shows[i].what);
		if (bad) {
			tap_diag("not on the page: %s", bad);
		}
	}
	et_html_render(&s, &p, &t, &m, &again);
	tap_ok(out.len == again.len && !memcmp(out.data, again.data, out.len),
	       "page: the same input gives the same bytes");

	/* Rows beyond --top are counted, not shown. */
	m.top = 1;
	page(&out, &s, &p, &t, &m);
	tap_ok(strstr(out.data, "1 more tool with fewer calls not shown") != NULL &&
		       !strstr(out.data, "<code>" LONG_TOOL "</code>"),
	       "page: --top 1 hides the second tool and says so");
	m.top = 0;

	/* Calls without times. */
	et_html_timeline_init(&t);
	r_undated(&t);
	page(&out, &s, &p, &t, &m);
	tap_ok(strstr(out.data, "<p>No call has a timestamp.</p>") && strstr(out.data, "No calls"),
	       "page: no dated call: said so, no chart");

	/* No calls at all. */
	s.calls = 0;
	page(&out, &s, &p, &t, &m);
	tap_ok(strstr(out.data, "<p>No tool calls recorded for these filters.</p>") &&
		       !strstr(out.data, "id=\"summary\"") && !foreign_tag(out.data),
	       "page: no calls for the filters: a short page");
	m.project = NULL;
	page(&out, &s, &p, &t, &m);
	tap_ok(strstr(out.data, "<p>No tool calls recorded yet.</p>") != NULL,
	       "page: no calls at all");

	/*
	 * Latencies no tool takes (the reader drops them; the page must not rely on it): the
	 * latency axis stays a handful of lines, every coordinate a number.
	 */
	{
		struct et_stats_tool absurd[2];
		size_t lines = 0;
		const char *q;

		memcpy(absurd, tools, sizeof(absurd));
		absurd[0].lat = (struct et_lat_summary){3, 1e308, 1e308, 1.5e308, 1.7e308, 1.7e308};
		absurd[1].lat = (struct et_lat_summary){1, 0, 0, 0, 0, 1.0 / 0.0};
		s.tools = absurd;
		s.calls = 4;
		add(&t, T0, ET_OUT_SUCCESS);
		page(&out, &s, &p, &t, &m);
		for (q = strstr(out.data, "<line class=\"grid\""); q;
		     q = strstr(q + 1, "<line class=\"grid\"")) {
			lines++;
		}
		tap_ok(out.len && ends_with(&out, "</html>\n") && lines > 1 && lines <= 40 &&
			       !has_ci(out.data, "inf\"") && !has_ci(out.data, "nan\""),
		       "page: latencies of 1e308 ms and infinity: it ends, %zu grid lines, no "
		       "inf or nan coordinate",
		       lines);
		s.tools = tools;
	}

	/* A full buffer. */
	s.calls = 4;
	et_buf_finish(&out);
	et_buf_init(&out, 4096);
	rc = et_html_render(&s, &p, &t, &m, &out);
	tap_ok(rc == -E2BIG, "page: past the cap, -E2BIG (%d)", rc);
	et_buf_finish(&out);
	et_buf_finish(&again);
}

int main(void)
{
	test_escape();
	test_page();
	return tap_done();
}
