#ifndef ET_EXPORT_H
#define ET_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_logrec.h"
#include "et_otlp.h"

/*
 * Exporting tool calls for other tools: OpenTelemetry logs in the OTLP JSON encoding (one
 * ExportLogsServiceRequest per line, what the Collector's otlpjsonfile receiver reads), RFC 4180
 * CSV, or ClickHouse's JSONEachRow (one flat row per call, the columns of docs/fleet.md). Records arrive one at a time from et_logrec_run and leave in bounded batches, so memory does
 * not grow with the log. Only tool calls are exported (records with an outcome): the same set that
 * `telemetry-stats stats` counts.
 */

enum et_export_format {
	ET_EXPORT_OTLP_JSON,
	ET_EXPORT_CSV,
	ET_EXPORT_CLICKHOUSE, /* JSONEachRow for the table docs/fleet-sql/create-local.sql makes */
};

/** The severityNumber of each outcome (OTel SeverityNumber: INFO 9, WARN 13, ERROR 17). */
#define ET_EXPORT_SEV_SUCCESS 9
#define ET_EXPORT_SEV_INTERRUPTED 13
#define ET_EXPORT_SEV_FAILURE 17

struct et_export_opts {
	enum et_export_format format;
	/*
	 * The lines' batching (otlp-json), the resource (host_name and user_name are also the
	 * clickhouse columns host and user, "" when NULL) and the writer of every format.
	 */
	struct et_otlp_opts otlp;
	int64_t observed_ms; /* otlp-json: observedTimeUnixNano of every record (the export's time) */
};

struct et_export;

/**
 * Creates an exporter. The strings in @o are borrowed and must outlive it. For CSV the header row
 * is written at the first record or at et_export_end, whichever comes first. Returns NULL when
 * out of memory.
 */
struct et_export *et_export_create(const struct et_export_opts *o);

/**
 * Adds one record (an et_logrec_fn: pass the exporter as the context). Records that are not tool
 * calls (no outcome) are skipped. Returns 0, or a negative errno (the writer's, -ENOMEM, -E2BIG).
 */
int et_export_add(void *export, const struct et_record_in *rec);

/** Writes what is still buffered (and the CSV header of an empty export). Returns 0 or -errno. */
int et_export_end(struct et_export *x);

/** Returns the number of records exported so far. */
size_t et_export_records(const struct et_export *x);

/**
 * Returns the number of lines written so far (OTLP requests, CSV rows with the header, or
 * ClickHouse rows).
 */
size_t et_export_lines(const struct et_export *x);

/** Returns the number of records in the line not yet written (OTLP; 0 for CSV). */
size_t et_export_pending(const struct et_export *x);

/** Frees @x without writing anything. Accepts NULL. */
void et_export_destroy(struct et_export *x);

#endif
