/*
 * libFuzzer target: any bytes as a hook payload, through mapping, redaction, truncation and record
 * writing. Every record written must be one line of valid JSON. Build with -Dfuzzers=true (clang).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "et_buf.h"
#include "et_payload.h"
#include "et_record.h"
#include "et_redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct et_redactor *red;
	static unsigned char key[32];
	struct et_map_opts o;
	struct et_mapped m;
	struct et_buf line;
	size_t i;

	if (!red) {
		if (sodium_init() < 0) {
			abort();
		}
		red = et_redactor_create(key);
		et_redactor_add_builtin(red);
	}
	memset(&o, 0, sizeof(o));
	o.redactor = red;
	o.params_key = key;
	o.max_chars = 64;
	o.input_bytes = size;
	memset(&m, 0, sizeof(m));
	if (et_payload_map((const char *)data, size, &o, &m) < 0) {
		return 0;
	}
	for (i = 0; i < m.n; i++) {
		cJSON *j;

		et_buf_init(&line, ET_BUF_DEFAULT_CAP);
		if (et_record_write(&m.records[i], &line) == 0) {
			if (memchr(line.data, '\n', line.len - 1)) {
				abort(); /* a record is one line */
			}
			j = cJSON_ParseWithLength(line.data, line.len);
			if (!j) {
				abort(); /* and valid JSON */
			}
			cJSON_Delete(j);
		}
		et_buf_finish(&line);
	}
	et_mapped_finish(&m);
	return 0;
}
