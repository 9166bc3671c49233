/*
 * et_costrender: the cost reports. The idea is the one of et_render: text and Markdown share one
 * layout (a headline, a table, the warnings), JSON is written field by field in the documented
 * order (docs/cost.md), and dollars are rounded only when shown, never when summed.
 */
#include "et_costrender.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_json.h"

#include "banned.h"

const char *et_costrender_usd(double v, char *buf, size_t n)
{
	if (v != 0 && fabs(v) < 0.01) {
		snprintf(buf, n, "$%.4f", v);
	} else {
		snprintf(buf, n, "$%.2f", v);
	}
	return buf;
}

const char *et_costrender_count(uint64_t v, char *buf, size_t n)
{
	char tmp[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0) {
			buf[o++] = ',';
		}
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Dollars in JSON: rounded to 1e-9 so the bytes do not depend on the summation order. */
static void json_usd(struct et_buf *out, double v)
{
	v = round(v * 1e9) / 1e9;
	if (isnan(v) || isinf(v)) {
		et_buf_adds(out, "null");
	} else {
		et_buf_addf(out, "%.10g", v == 0 ? 0 : v);
	}
}

static void heading(struct et_buf *out, const struct et_cost_meta *m, const char *title)
{
	et_table_heading(out, m->fmt, m->color, title);
}

/* The filters, then a blank line in Markdown: a table follows. */
static void filters_line(struct et_buf *out, const struct et_cost_meta *m)
{
	et_table_filters(out, m->fmt, m->since, m->until, m->session, m->project, NULL);
	if (m->fmt == ET_FORMAT_MARKDOWN && (m->since || m->until || m->session || m->project)) {
		et_buf_adds(out, "\n");
	}
}

/* The filters of a JSON report, as members of "filters" (with @tool: that one too). */
static void json_opt(struct et_buf *out, const char *key, const char *v);

static void json_filters(struct et_buf *out, const struct et_cost_meta *m, bool tool)
{
	json_opt(out, "since", m->since);
	et_buf_adds(out, ",");
	json_opt(out, "until", m->until);
	et_buf_adds(out, ",");
	json_opt(out, "session", m->session);
	et_buf_adds(out, ",");
	json_opt(out, "project", m->project);
	if (tool) {
		et_buf_adds(out, ",");
		json_opt(out, "tool", m->tool);
	}
}

/* The warning for models without a price, in text or Markdown. */
static void unpriced_text(struct et_buf *out, const struct et_usage_model *v, size_t n,
			  const struct et_cost_meta *m)
{
	char a[32], b[32], c[32], d[32];
	size_t i;

	for (i = 0; i < n; i++) {
		et_buf_addf(out,
			    "%sWARNING: no price for model '%s': %llu responses, %s input, %s "
			    "output, %s cache write, %s cache read tokens counted as $0 (add a "
			    "price with --pricing FILE, see docs/cost.md)%s\n",
			    m->fmt == ET_FORMAT_MARKDOWN ? "> **" : "", v[i].model,
			    (unsigned long long)v[i].t.messages,
			    et_costrender_count(v[i].t.input, a, sizeof(a)),
			    et_costrender_count(v[i].t.output, b, sizeof(b)),
			    et_costrender_count(v[i].t.cache_create, c, sizeof(c)),
			    et_costrender_count(v[i].t.cache_read, d, sizeof(d)),
			    m->fmt == ET_FORMAT_MARKDOWN ? "**\n" : "");
	}
}

static int totals_row(struct et_table *t, const char *key, const char *model,
		      const struct et_usage_totals *x, bool with_model)
{
	char in[32], o[32], cw[32], cr[32], tot[32], usd[32], msgs[32];
	const char *cells[8];
	size_t k = 0;

	cells[k++] = key;
	if (with_model) {
		cells[k++] = model;
	}
	cells[k++] = et_costrender_count(x->messages, msgs, sizeof(msgs));
	cells[k++] = et_costrender_count(x->input, in, sizeof(in));
	cells[k++] = et_costrender_count(x->output, o, sizeof(o));
	cells[k++] = et_costrender_count(x->cache_create, cw, sizeof(cw));
	cells[k++] = et_costrender_count(x->cache_read, cr, sizeof(cr));
	cells[k++] = et_costrender_usd(x->cost, usd, sizeof(usd));
	(void)tot;
	return et_table_row(t, cells);
}

static void json_totals(struct et_buf *out, const struct et_usage_totals *x)
{
	et_buf_addf(out,
		    "\"responses\":%llu,\"input_tokens\":%llu,\"output_tokens\":%llu,"
		    "\"cache_creation_tokens\":%llu,\"cache_creation_1h_tokens\":%llu,"
		    "\"cache_read_tokens\":%llu,\"total_tokens\":%llu,\"web_search_requests\":%llu,"
		    "\"web_fetch_requests\":%llu,\"cost_usd\":",
		    (unsigned long long)x->messages, (unsigned long long)x->input,
		    (unsigned long long)x->output, (unsigned long long)x->cache_create,
		    (unsigned long long)x->cache_1h, (unsigned long long)x->cache_read,
		    (unsigned long long)(x->input + x->output + x->cache_create + x->cache_read),
		    (unsigned long long)x->web_search, (unsigned long long)x->web_fetch);
	json_usd(out, x->cost);
}

static void json_models(struct et_buf *out, const struct et_usage_model *v, size_t n)
{
	size_t i;

	et_buf_adds(out, "[");
	for (i = 0; i < n; i++) {
		et_buf_adds(out, i ? ",{\"model\":" : "{\"model\":");
		et_json_strz(out, v[i].model);
		et_buf_addf(out, ",\"priced\":%s,", v[i].priced ? "true" : "false");
		json_totals(out, &v[i].t);
		et_buf_adds(out, "}");
	}
	et_buf_adds(out, "]");
}

static void json_opt(struct et_buf *out, const char *key, const char *v)
{
	et_json_key(out, key);
	if (v) {
		et_json_strz(out, v);
	} else {
		et_buf_adds(out, "null");
	}
}

static int usage_json(const struct et_usage_result *r, const struct et_cost_meta *m,
		      struct et_buf *out)
{
	size_t i;

	et_buf_adds(out, "{\"command\":\"cost\",\"by\":");
	et_json_strz(out, m->by);
	et_buf_adds(out, ",\"filters\":{");
	json_filters(out, m, false);
	et_buf_addf(out,
		    "},\"input\":{\"files\":%zu,\"files_skipped_by_mtime\":%zu,\"lines\":%zu,"
		    "\"malformed_lines\":%zu,\"usage_lines\":%zu,\"duplicate_lines\":%zu,"
		    "\"sidechain_replays\":%zu,\"synthetic_lines\":%zu,\"lines_without_id\":%zu,",
		    m->files, m->skipped_old, m->lines, m->malformed, r->usage_lines, r->duplicates,
		    r->sidechain_replays, r->synthetic, r->no_id);
	json_opt(out, "pricing_file", m->pricing_file);
	et_buf_adds(out, "},\"totals\":{");
	json_totals(out, &r->totals);
	et_buf_adds(out, "},\"rows\":[");
	for (i = 0; i < r->nrows; i++) {
		et_buf_adds(out, i ? ",{\"key\":" : "{\"key\":");
		et_json_strz(out, r->rows[i].key);
		et_buf_adds(out, ",");
		json_totals(out, &r->rows[i].t);
		if (m->breakdown) {
			et_buf_adds(out, ",\"models\":");
			json_models(out, r->rows[i].models, r->rows[i].nmodels);
		}
		et_buf_adds(out, "}");
	}
	et_buf_adds(out, "],\"unpriced_models\":");
	json_models(out, r->unpriced, r->nunpriced);
	et_buf_adds(out, "}\n");
	return out->failed ? -ENOMEM : 0;
}

int et_costrender_usage(const struct et_usage_result *r, const struct et_cost_meta *m,
			struct et_buf *out)
{
	static const char *const h[] = {NULL,	       "responses",  "input", "output",
					"cache write", "cache read", "cost"};
	static const char *const hb[] = {NULL,	   "model",	  "responses",	"input",
					 "output", "cache write", "cache read", "cost"};
	const char *headers[8];
	struct et_table t;
	char title[160], a[32], b[32];
	size_t i, j, nh = m->breakdown ? 8 : 7;
	int rc = 0;

	if (m->fmt == ET_FORMAT_JSON) {
		return usage_json(r, m, out);
	}
	snprintf(title, sizeof(title), "Cost by %s", m->by);
	heading(out, m, title);
	et_buf_addf(out, "%s%s transcript files, %s lines (%zu malformed), %zu responses%s\n",
		    m->fmt == ET_FORMAT_MARKDOWN ? "" : "",
		    et_costrender_count(m->files, a, sizeof(a)),
		    et_costrender_count(m->lines, b, sizeof(b)), m->malformed,
		    (size_t)r->totals.messages,
		    m->pricing_file ? " (prices: embedded table and the pricing file)" : "");
	if (m->fmt == ET_FORMAT_MARKDOWN) {
		et_buf_adds(out, "\n");
	}
	filters_line(out, m);
	for (i = 0; i < nh; i++) {
		headers[i] = m->breakdown ? hb[i] : h[i];
	}
	headers[0] = m->by;
	et_table_init(&t, m->breakdown ? "llrrrrrr" : "lrrrrrr", headers);
	for (i = 0; i < r->nrows && rc == 0; i++) {
		const struct et_usage_row *row = &r->rows[i];

		if (!m->breakdown) {
			rc = totals_row(&t, row->key, NULL, &row->t, false);
			continue;
		}
		for (j = 0; j < row->nmodels && rc == 0; j++) {
			rc = totals_row(&t, j == 0 ? row->key : "", row->models[j].model,
					&row->models[j].t, true);
		}
	}
	if (rc == 0 && r->nrows) {
		rc = totals_row(&t, "total", "", &r->totals, m->breakdown);
	}
	if (rc == 0) {
		if (r->nrows) {
			rc = et_table_render(&t, m->fmt, m->color, out);
		} else {
			et_buf_adds(out, "no usage found\n");
		}
	}
	et_table_finish(&t);
	if (r->nunpriced) {
		et_buf_adds(out, "\n");
		unpriced_text(out, r->unpriced, r->nunpriced, m);
	}
	if (rc == 0 && out->failed) {
		rc = -ENOMEM;
	}
	return rc;
}

/* ---- the price table ---- */

static void rate_cell(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%.4g", v);
}

int et_costrender_pricing(const struct et_pricing *p, enum et_format fmt, bool color,
			  struct et_buf *out)
{
	static const char *const h[] = {"model",    "input",	  "output",	  "cache 5m",
					"cache 1h", "cache read", "long context", "fast",
					"US only",  "source"};
	struct et_table t;
	size_t i;
	int rc = 0;

	if (fmt == ET_FORMAT_JSON) {
		et_buf_adds(out, "{\"unit\":\"USD per million tokens\",\"models\":[");
		for (i = 0; i < p->n; i++) {
			const struct et_price *e = &p->v[i];

			et_buf_adds(out, i ? ",{\"match\":" : "{\"match\":");
			et_json_strz(out, e->match);
			et_buf_addf(out,
				    ",\"input\":%.10g,\"output\":%.10g,\"cache_write_5m\":%.10g,"
				    "\"cache_write_1h\":%.10g,\"cache_read\":%.10g,",
				    e->base.input, e->base.output, e->base.cache_5m,
				    e->base.cache_1h, e->base.cache_read);
			if (e->tier_above) {
				et_buf_addf(
					out,
					"\"long_context\":{\"above_tokens\":%llu,\"input\":%.10g,"
					"\"output\":%.10g,\"cache_write_5m\":%.10g,"
					"\"cache_write_1h\":%.10g,\"cache_read\":%.10g},",
					(unsigned long long)e->tier_above, e->tier.input,
					e->tier.output, e->tier.cache_5m, e->tier.cache_1h,
					e->tier.cache_read);
			} else {
				et_buf_adds(out, "\"long_context\":null,");
			}
			et_buf_addf(out,
				    "\"fast_multiplier\":%.10g,\"us_multiplier\":%.10g,"
				    "\"web_search\":%.10g,\"from\":\"%s\",\"source\":",
				    e->fast, e->us, e->web_search, e->user ? "file" : "embedded");
			et_json_strz(out, e->source ? e->source : "");
			et_buf_adds(out, ",\"checked\":");
			et_json_strz(out, e->checked ? e->checked : "");
			et_buf_adds(out, "}");
		}
		et_buf_adds(out, "]}\n");
		return out->failed ? -ENOMEM : 0;
	}
	if (fmt == ET_FORMAT_MARKDOWN) {
		et_buf_adds(out, "### Prices in force (USD per million tokens)\n\n");
	} else {
		et_buf_adds(out, "Prices in force (USD per million tokens)\n");
	}
	et_table_init(&t, "lrrrrrlrrl", h);
	for (i = 0; i < p->n && rc == 0; i++) {
		const struct et_price *e = &p->v[i];
		char c[6][32], lc[96], fast[16], us[16], src[300];
		const char *cells[10];

		rate_cell(e->base.input, c[0], sizeof(c[0]));
		rate_cell(e->base.output, c[1], sizeof(c[1]));
		rate_cell(e->base.cache_5m, c[2], sizeof(c[2]));
		rate_cell(e->base.cache_1h, c[3], sizeof(c[3]));
		rate_cell(e->base.cache_read, c[4], sizeof(c[4]));
		if (e->tier_above) {
			snprintf(lc, sizeof(lc), ">%lluk: %.4g/%.4g",
				 (unsigned long long)(e->tier_above / 1000), e->tier.input,
				 e->tier.output);
		} else {
			snprintf(lc, sizeof(lc), "-");
		}
		snprintf(fast, sizeof(fast), e->fast != 1 ? "%.3gx" : "-", e->fast);
		snprintf(us, sizeof(us), e->us != 1 ? "%.3gx" : "-", e->us);
		snprintf(src, sizeof(src), "%s%s%s%s", e->user ? "file: " : "",
			 e->source ? e->source : "", e->checked && *e->checked ? ", " : "",
			 e->checked ? e->checked : "");
		cells[0] = e->match;
		cells[1] = c[0];
		cells[2] = c[1];
		cells[3] = c[2];
		cells[4] = c[3];
		cells[5] = c[4];
		cells[6] = lc;
		cells[7] = fast;
		cells[8] = us;
		cells[9] = src;
		rc = et_table_row(&t, cells);
	}
	rc = et_table_done(&t, rc, fmt, color, out);
	if (rc == 0) {
		et_buf_adds(out, "Model ids are normalised before lookup (dates, [1m], provider "
				 "prefixes, dots); a model not listed costs $0 and is reported.\n");
	}
	return rc == 0 && out->failed ? -ENOMEM : rc;
}

/* ---- per tool ---- */

static int tools_json(const struct et_toolcost_result *r, const struct et_cost_meta *m,
		      struct et_buf *out)
{
	size_t i;

	et_buf_adds(out, "{\"command\":\"cost\",\"by\":\"tool\",\"filters\":{");
	json_filters(out, m, true);
	et_buf_addf(out,
		    "},\"input\":{\"files\":%zu,\"files_skipped_by_mtime\":%zu,\"lines\":%zu,"
		    "\"malformed_lines\":%zu,\"duplicate_lines\":%zu,\"calls_in_log\":%zu,"
		    "\"calls_joined_to_log\":%zu,",
		    m->files, m->skipped_old, m->lines, m->malformed, r->duplicates,
		    r->calls_in_log, r->calls_joined);
	json_opt(out, "pricing_file", m->pricing_file);
	et_buf_adds(out, "},\"totals\":{");
	json_totals(out, &r->totals);
	et_buf_adds(out, ",\"unattributed_usd\":");
	json_usd(out, r->unattributed);
	et_buf_adds(out, "},\"rows\":[");
	for (i = 0; i < r->ntools; i++) {
		const struct et_toolcost_tool *t = &r->tools[i];

		et_buf_adds(out, i ? ",{\"key\":" : "{\"key\":");
		et_json_strz(out, t->name);
		et_buf_addf(out,
			    ",\"calls\":%llu,\"output_tokens\":%llu,\"context_tokens\":%llu,"
			    "\"result_bytes\":%llu,\"cost_usd\":",
			    (unsigned long long)t->calls, (unsigned long long)t->out_tokens,
			    (unsigned long long)t->ctx_tokens, (unsigned long long)t->result_bytes);
		json_usd(out, t->cost);
		et_buf_adds(out, ",\"usd_per_call\":");
		json_usd(out, t->calls ? t->cost / (double)t->calls : 0);
		et_buf_adds(out, "}");
	}
	et_buf_adds(out, "],\"top_calls\":[");
	for (i = 0; i < r->ntop; i++) {
		const struct et_toolcost_call *c = &r->top[i];

		et_buf_adds(out, i ? ",{\"tool_use_id\":" : "{\"tool_use_id\":");
		et_json_strz(out, c->id);
		et_buf_adds(out, ",\"tool\":");
		et_json_strz(out, c->name);
		et_buf_addf(out,
			    ",\"output_tokens\":%llu,\"context_tokens\":%llu,\"result_bytes\":%llu,"
			    "\"requests\":%llu,\"cost_usd\":",
			    (unsigned long long)c->out_tokens, (unsigned long long)c->ctx_tokens,
			    (unsigned long long)c->result_bytes, (unsigned long long)c->requests);
		json_usd(out, c->cost);
		et_buf_adds(out, ",\"params\":");
		if (c->params) {
			et_buf_adds(out, c->params);
		} else {
			et_buf_adds(out, "null");
		}
		et_buf_adds(out, "}");
	}
	et_buf_adds(out, "],\"unpriced_models\":");
	json_models(out, r->unpriced, r->nunpriced);
	et_buf_adds(out, "}\n");
	return out->failed ? -ENOMEM : 0;
}

int et_costrender_tools(const struct et_toolcost_result *r, const struct et_cost_meta *m,
			struct et_buf *out)
{
	static const char *const h[] = {"tool",		"calls", "output tokens", "context tokens",
					"result bytes", "cost",	 "per call"};
	static const char *const ht[] = {"tool", "tool_use_id", "requests", "cost", "params"};
	struct et_table t;
	char a[32], b[32], c[32], d[32], e[32], f[32];
	size_t i;
	int rc = 0;

	if (m->fmt == ET_FORMAT_JSON) {
		return tools_json(r, m, out);
	}
	heading(out, m, "Cost by tool");
	et_buf_addf(out,
		    "%s transcript files, %s lines (%zu malformed), %zu responses, total %s; "
		    "%zu of the calls are in the log\n",
		    et_costrender_count(m->files, a, sizeof(a)),
		    et_costrender_count(m->lines, b, sizeof(b)), m->malformed,
		    (size_t)r->totals.messages, et_costrender_usd(r->total, c, sizeof(c)),
		    r->calls_joined);
	if (m->fmt == ET_FORMAT_MARKDOWN) {
		et_buf_adds(out, "\n");
	}
	filters_line(out, m);
	et_table_init(&t, "lrrrrrr", h);
	for (i = 0; i < r->ntools && rc == 0; i++) {
		const struct et_toolcost_tool *x = &r->tools[i];
		const char *cells[7];

		cells[0] = x->name;
		cells[1] = et_costrender_count(x->calls, a, sizeof(a));
		cells[2] = et_costrender_count(x->out_tokens, b, sizeof(b));
		cells[3] = et_costrender_count(x->ctx_tokens, c, sizeof(c));
		cells[4] = et_costrender_count(x->result_bytes, d, sizeof(d));
		cells[5] = et_costrender_usd(x->cost, e, sizeof(e));
		cells[6] =
			et_costrender_usd(x->calls ? x->cost / (double)x->calls : 0, f, sizeof(f));
		rc = et_table_row(&t, cells);
	}
	if (rc == 0 && !m->tool) {
		const char *cells[7] = {"(unattributed)", "", "", "", "", NULL, ""};

		cells[5] = et_costrender_usd(r->unattributed, e, sizeof(e));
		rc = et_table_row(&t, cells);
	}
	rc = et_table_done(&t, rc, m->fmt, m->color, out);
	if (rc == 0 && r->ntop) {
		et_buf_adds(out, "\n");
		heading(out, m, "Most expensive calls");
		if (m->fmt == ET_FORMAT_MARKDOWN) {
			et_buf_adds(out, "");
		}
		et_table_init(&t, "llrrl", ht);
		for (i = 0; i < r->ntop && rc == 0; i++) {
			const struct et_toolcost_call *x = &r->top[i];
			const char *cells[5];
			char params[160];

			snprintf(params, sizeof(params), "%s", x->params ? x->params : "-");
			cells[0] = x->name;
			cells[1] = x->id;
			cells[2] = et_costrender_count(x->requests, a, sizeof(a));
			cells[3] = et_costrender_usd(x->cost, b, sizeof(b));
			cells[4] = params;
			rc = et_table_row(&t, cells);
		}
		rc = et_table_done(&t, rc, m->fmt, m->color, out);
	}
	if (r->nunpriced) {
		et_buf_adds(out, "\n");
		unpriced_text(out, r->unpriced, r->nunpriced, m);
	}
	return rc == 0 && out->failed ? -ENOMEM : rc;
}
