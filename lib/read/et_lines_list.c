/*
 * et_lines_list: the files a path stands for, for the line engine. The idea is that a log is read
 * with its rotated files, oldest first, so a run sees the records in the order they were written;
 * a directory is read as its *.jsonl files in name order.
 */
#include "et_lines.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "et_config.h"
#include "et_log.h"

#include "banned.h"

static int push(char ***files, size_t *n, const char *path)
{
	char **v = realloc(*files, (*n + 2) * sizeof(*v));

	if (!v) {
		return -ENOMEM;
	}
	*files = v;
	v[*n] = strdup(path);
	if (!v[*n]) {
		return -ENOMEM;
	}
	(*n)++;
	v[*n] = NULL;
	return 0;
}

/* Adds the rotated files of @path that exist, oldest first, then @path itself. */
static int push_with_rotated(char ***files, size_t *n, const char *path, bool with_rotated)
{
	char rot[4096];
	struct stat st;
	unsigned i;
	int r;

	for (i = with_rotated ? ET_MAX_ROTATE_KEEP : 0; i >= 1; i--) {
		if (et_log_rotated_path(path, i, rot, sizeof(rot)) == 0 && stat(rot, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			r = push(files, n, rot);
			if (r < 0) {
				return r;
			}
		}
	}
	return push(files, n, path);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int et_lines_expand(const char *path, bool with_rotated, char ***files, size_t *n)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, full[4096];
	size_t nn = 0, i, len;
	DIR *d;
	int r = 0;

	if (stat(path, &st) < 0) {
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		return push_with_rotated(files, n, path, with_rotated);
	}
	d = opendir(path);
	if (!d) {
		return -errno;
	}
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len > 6 && strcmp(de->d_name + len - 6, ".jsonl") == 0) {
			char **v = realloc(names, (nn + 1) * sizeof(*v));

			if (!v || !(v[nn] = strdup(de->d_name))) {
				free(v ? v : names);
				names = NULL;
				nn = 0;
				r = -ENOMEM;
				break;
			}
			names = v;
			nn++;
		}
	}
	closedir(d);
	if (nn) {
		qsort(names, nn, sizeof(*names), name_cmp);
	}
	for (i = 0; i < nn; i++) {
		if (r == 0) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]);
			r = push_with_rotated(files, n, full, true);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

void et_lines_files_free(char **files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(files[i]);
	}
	free(files);
}
