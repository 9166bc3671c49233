/*
 * Stand-ins for libcurl that tests/cli/curl_load.sh installs as libcurl.so.4 in a directory on
 * LD_LIBRARY_PATH, so that telemetry-stats' dlopen succeeds and what follows fails. Built twice
 * (tests/meson.build): as it is, it defines curl_global_init and curl_easy_init alone, so the dlsym
 * of curl_easy_setopt fails; with FAKECURL_ALL it defines every function telemetry-stats looks up
 * (stats/push.c), and curl_global_init fails. Nothing else is ever called.
 */
#include <stddef.h>

int curl_global_init(long flags);
void *curl_easy_init(void);

int curl_global_init(long flags)
{
	(void)flags;
	return 2; /* CURLE_FAILED_INIT */
}

void *curl_easy_init(void)
{
	return NULL;
}

#ifdef FAKECURL_ALL
/* Only their names matter: push_load resolves them all before calling curl_global_init. */
void curl_easy_setopt(void);
void curl_easy_perform(void);
void curl_easy_getinfo(void);
void curl_easy_strerror(void);
void curl_easy_cleanup(void);
void curl_slist_append(void);
void curl_slist_free_all(void);
void curl_getdate(void);

void curl_easy_setopt(void)
{
}

void curl_easy_perform(void)
{
}

void curl_easy_getinfo(void)
{
}

void curl_easy_strerror(void)
{
}

void curl_easy_cleanup(void)
{
}

void curl_slist_append(void)
{
}

void curl_slist_free_all(void)
{
}

void curl_getdate(void)
{
}
#endif
