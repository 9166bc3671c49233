#ifndef ET_MAPPER_SETUP_H
#define ET_MAPPER_SETUP_H

/*
 * What the tests of et_mapper and et_agents share: options with the built-in redaction rules and
 * fixed keys, and a mapper opened over a payload the way et_payload_map opens one.
 */

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_mapper.h"
#include "et_redact.h"
#include "et_scan.h"

#define SETUP_MAX_MEMBERS 64

static struct et_map_opts setup_opts;
static struct et_scan_member setup_members[SETUP_MAX_MEMBERS];
static unsigned char setup_params_key[32];

/* Options as the hook gives them: built-in rules, 500 characters a string. Exits 99 on failure. */
static void setup_options(void)
{
	unsigned char k[32];

	if (sodium_init() < 0) {
		exit(99);
	}
	memset(k, 3, sizeof(k));
	memset(setup_params_key, 4, sizeof(setup_params_key));
	memset(&setup_opts, 0, sizeof(setup_opts));
	setup_opts.redactor = et_redactor_create(k);
	if (!setup_opts.redactor || et_redactor_add_builtin(setup_opts.redactor) < 0) {
		exit(99);
	}
	setup_opts.params_key = setup_params_key;
	setup_opts.max_chars = 500;
}

static void setup_finish(void)
{
	et_redactor_destroy(setup_opts.redactor);
}

/*
 * Opens @mp over the payload @json (a complete object, kept by the caller while @mp is used) for
 * @agent, with a zeroed record in @rec whose event is the payload's hook_event_name, raw. Exits 99
 * when the payload is not an object.
 */
static void setup_open(struct et_mapper *mp, enum et_agent agent, const char *json,
		       struct et_record_out *rec)
{
	memset(mp, 0, sizeof(*mp));
	memset(rec, 0, sizeof(*rec));
	mp->o = &setup_opts;
	mp->agent = agent;
	mp->m = setup_members;
	et_buf_init(&mp->tmp, ET_BUF_DEFAULT_CAP);
	et_buf_init(&mp->decoded, ET_BUF_DEFAULT_CAP);
	if (et_scan_object(json, strlen(json), setup_members, SETUP_MAX_MEMBERS, &mp->count) !=
	    ET_SCAN_OK) {
		exit(99);
	}
	rec->event = et_mapper_string(mp, "hook_event_name", rec, true);
}

/* Frees what setup_open made, the record included. */
static void setup_close(struct et_mapper *mp, struct et_record_out *rec)
{
	et_record_finish(rec);
	et_buf_finish(&mp->tmp);
	et_buf_finish(&mp->decoded);
}

#endif
