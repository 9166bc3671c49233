#ifndef ET_EXPORT_H
#define ET_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_logrec.h"

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

/** Log records per OTLP line at most, by default. */
#define ET_EXPORT_BATCH 1000

/**
 * An OTLP line stops growing before it passes this many bytes (newline included), unless a single
 * record is larger: 1 MiB is the otlpjsonfile receiver's default max_log_size.
 */
#define ET_EXPORT_LINE_BYTES ((size_t)1 << 20)

/** The severityNumber of each outcome (OTel SeverityNumber: INFO 9, WARN 13, ERROR 17). */
#define ET_EXPORT_SEV_SUCCESS 9
#define ET_EXPORT_SEV_INTERRUPTED 13
#define ET_EXPORT_SEV_FAILURE 17

/**
 * Receives output; returns 0 or a negative errno, which stops the export. @data is borrowed for the
 * call.
 */
typedef int (*et_export_write_fn)(void *ctx, const char *data, size_t n);

struct et_export_opts {
	enum et_export_format format;
	size_t batch;	     /* otlp-json: records per line at most; 0: ET_EXPORT_BATCH */
	size_t line_bytes;   /* otlp-json: see ET_EXPORT_LINE_BYTES; 0: that */
	int64_t observed_ms; /* otlp-json: observedTimeUnixNano of every record (the export's time) */
	const char *host_name; /* host.name, the clickhouse column host; NULL leaves it out ("") */
	const char *user_name; /* user.name, the clickhouse column user; NULL leaves it out ("") */
	const char *version;   /* service.version and the scope's version; NULL leaves them out */
	et_export_write_fn write;
	void *write_ctx;
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
