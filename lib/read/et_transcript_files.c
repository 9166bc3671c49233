/*
 * et_transcript_files: where the transcripts are and how they are read. The idea is that listing
 * thousands of small files must cost little next to reading them: a directory is walked once,
 * a file is known by its device and inode so that none is read twice, and the reading itself is
 * the shared line engine's, with et_transcript_parse_line (et_transcript.c) on its workers.
 */
#include "et_transcript.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "et_compat.h"
#include "et_scan.h"

#include "banned.h"

#define MAX_DEPTH 8
#define WALKERS 4 /* threads that walk the subdirectories of a directory given, at most */

/* ---- files ---- */

#define PATH_CAP 4096

/*
 * The agent type from the sidecar agent-X.meta.json next to agent-X.jsonl (@name, in the
 * directory @dfd), or NULL.
 */
static char *agent_type(int dfd, const char *name)
{
	char meta[PATH_CAP], buf[8192];
	struct et_scan_member mem[32];
	size_t len = strlen(name), count, i;
	ssize_t got;
	int fd;
	struct stat st;

	if (len < 6 || len + 5 >= sizeof(meta)) {
		return NULL;
	}
	memcpy(meta, name, len - 6);
	memcpy(meta + len - 6, ".meta.json", 11);
	fd = openat(dfd, meta, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	got = read(fd, buf, sizeof(buf));
	close(fd);
	if (got <= 0 || et_scan_object(buf, (size_t)got, mem, 32, &count) != ET_SCAN_OK) {
		return NULL;
	}
	for (i = 0; i < count; i++) {
		const struct et_scan_member *t = &mem[i];

		if (t->type == '"' && !t->escaped && t->val_len > 2 && t->val_len < 200 &&
		    ((t->key_len == 9 && !memcmp(t->key, "agentType", 9)) ||
		     (t->key_len == 10 && !memcmp(t->key, "agent_type", 10)) ||
		     (t->key_len == 13 && !memcmp(t->key, "subagent_type", 13)))) {
			return strndup(t->val + 1, t->val_len - 2);
		}
	}
	return NULL;
}

/* The directory name right under ".../projects/" in @path, or NULL. */
static char *project_of(const char *path)
{
	const char *p = NULL, *q = path, *e;

	while ((q = strstr(q, "/projects/"))) {
		p = q + 10;
		q = p;
	}
	if (!p) {
		return NULL;
	}
	e = strchr(p, '/');
	return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static size_t id_slot(uint64_t dev, uint64_t ino, size_t nslots)
{
	uint64_t h = (ino ^ (dev * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;

	return (size_t)(h ^ (h >> 32)) & (nslots - 1);
}

/*
 * Adds device @dev and inode @ino to the set of files @fs holds. Returns 1 when it was new, 0
 * when it was there, -ENOMEM. (A set, not a walk over the list: 3,000 files would make that 4.5
 * million comparisons.)
 */
static int id_add(struct et_tx_files *fs, uint64_t dev, uint64_t ino)
{
	size_t j, i;

	if ((fs->nids + 1) * 2 > fs->nid_slots) {
		size_t ns = fs->nid_slots ? fs->nid_slots * 2 : 1024;
		struct et_tx_id *v = calloc(ns, sizeof(*v));

		if (!v) {
			return -ENOMEM;
		}
		for (i = 0; i < fs->nid_slots; i++) {
			if (fs->ids[i].used) {
				for (j = id_slot(fs->ids[i].dev, fs->ids[i].ino, ns); v[j].used;
				     j = (j + 1) & (ns - 1)) {
				}
				v[j] = fs->ids[i];
			}
		}
		free(fs->ids);
		fs->ids = v;
		fs->nid_slots = ns;
	}
	for (j = id_slot(dev, ino, fs->nid_slots); fs->ids[j].used;
	     j = (j + 1) & (fs->nid_slots - 1)) {
		if (fs->ids[j].dev == dev && fs->ids[j].ino == ino) {
			return 0;
		}
	}
	fs->ids[j].dev = dev;
	fs->ids[j].ino = ino;
	fs->ids[j].used = true;
	fs->nids++;
	return 1;
}

/*
 * Adds the file @path (@st its stat; @name its name in the directory @dfd, for the sidecar)
 * unless a file with its device and inode is there already.
 */
static int add_file(struct et_tx_files *fs, const char *path, const struct stat *st, int dfd,
		    const char *name)
{
	struct et_tx_file *f;
	const char *base = strrchr(path, '/');
	int r;

	if (fs->n == fs->alloc) {
		size_t na = fs->alloc ? fs->alloc * 2 : 64;
		struct et_tx_file *v = realloc(fs->v, na * sizeof(*v));

		if (!v) {
			return -ENOMEM;
		}
		fs->v = v;
		fs->alloc = na;
	}
	r = id_add(fs, (uint64_t)st->st_dev, (uint64_t)st->st_ino);
	if (r <= 0) {
		return r;
	}
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path) {
		return -ENOMEM; /* (its id stays in the set: the run stops anyway) */
	}
	base = base ? base + 1 : path;
	f->subagent = strncmp(base, "agent-", 6) == 0 && strstr(path, "/subagents/") != NULL;
	if (f->subagent) {
		f->agent_type = agent_type(dfd, name);
	}
	f->project = project_of(path);
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	f->mtime_ms = et_stat_mtime_ns(st) / 1000000;
	fs->bytes += f->size;
	fs->n++;
	return 0;
}

/*
 * Adds the entry @name of the directory @dfd, a *.jsonl that is not a directory (@lst: its
 * lstat), whose path is @path: a regular file, or a symbolic link to one.
 */
static int file_entry(struct et_tx_files *fs, const char *path, int dfd, const char *name,
		      const struct stat *lst)
{
	struct stat st;

	if (S_ISLNK(lst->st_mode)) {
		if (fstatat(dfd, name, &st, 0) < 0) {
			return 0;
		}
		if (S_ISDIR(st.st_mode)) {
			fs->skipped_loops++;
			return 0;
		}
	} else {
		st = *lst;
	}
	if (!S_ISREG(st.st_mode)) {
		fs->skipped_special++;
		return 0;
	}
	return add_file(fs, path, &st, dfd, name);
}

/*
 * The next entry of @d, whose path is @len bytes, worth a look: not hidden, its path fitting in
 * PATH_CAP, and a directory or a transcript by its own lstat, into @st (a link is not
 * followed). The type readdir gives, where it gives one, spares a stat for the entries that are
 * neither (the sidecars). Returns its name (@nl bytes), NULL at the end of the directory.
 */
static const char *next_entry(DIR *d, size_t len, struct stat *st, size_t *nl)
{
	struct dirent *de;

	while ((de = readdir(d))) {
		const char *name = de->d_name;
		bool jsonl;

		*nl = strlen(name);
		jsonl = *nl >= 6 && memcmp(name + *nl - 6, ".jsonl", 6) == 0;
		if (name[0] == '.' || len + 1 + *nl >= PATH_CAP) {
			continue;
		}
#if defined(DT_DIR) && defined(DT_UNKNOWN)
		if (!jsonl && de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) {
			continue; /* a sidecar, a symbolic link that is not a transcript... */
		}
#endif
		if (fstatat(dirfd(d), name, st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (!S_ISDIR(st->st_mode) && !jsonl)) {
			continue;
		}
		return name;
	}
	return NULL;
}

/*
 * Opens the subdirectory @name of the directory open as @dfd, not through a link, into @fd:
 * -1 there, and 0 returned, when it is skipped (unreadable, or replaced since its stat).
 */
static int open_subdir(int dfd, const char *name, int *fd)
{
	*fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0 || errno == EACCES || errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
		return 0;
	}
	return -errno;
}

/*
 * The directory open as @dfd (taken) to be read, or NULL, @dfd closed and *@r set: 0 when it
 * may not be read (skipped, as an unreadable directory is), else -errno.
 */
static DIR *read_dir(int dfd, int *r)
{
	DIR *d = fdopendir(dfd);

	*r = 0;
	if (!d) {
		*r = errno == EACCES ? 0 : -errno;
		close(dfd);
	}
	return d;
}

/*
 * Walks the directory open as @dfd (taken: closed here) whose path is the @len bytes in @path
 * (a buffer of PATH_CAP bytes, restored on return). Every lookup is relative to the directory,
 * not from the root: a transcript lies 4 to 8 levels down, and the kernel would walk all of them
 * again for each file.
 */
static int walk(struct et_tx_files *fs, int dfd, char *path, size_t len, int depth)
{
	DIR *d;
	const char *name;
	struct stat lst;
	size_t nl;
	int sub, r = 0;

	d = read_dir(dfd, &r);
	if (!d) {
		return r;
	}
	while (r == 0 && (name = next_entry(d, len, &lst, &nl))) {
		path[len] = '/';
		memcpy(path + len + 1, name, nl + 1);
		if (!S_ISDIR(lst.st_mode)) {
			r = file_entry(fs, path, dirfd(d), name, &lst);
		} else if (depth < MAX_DEPTH) {
			r = open_subdir(dirfd(d), name, &sub);
			if (sub >= 0) {
				r = walk(fs, sub, path, len + 1 + nl, depth + 1);
			}
		}
	}
	path[len] = '\0';
	closedir(d);
	return r;
}

/*
 * A directory given is walked on several threads: its subdirectories (the projects/ of a user:
 * one a project) each into a list of their own, then merged in the order of the directory, as
 * a walk on one thread would have listed them. Listing 3,000 transcripts is thousands of
 * system calls, a fifth of the run on the calling thread, while the readers wait for it.
 */
struct subwalk {
	char *path; /* owned: the subdirectory's path, PATH_CAP bytes */
	int fd;	    /* taken by the walk */
	struct et_tx_files fs;
	int r;
};

struct walkers {
	pthread_mutex_t lock;
	struct subwalk *v;
	size_t n, next;
};

static void *walker(void *arg)
{
	struct walkers *w = arg;
	struct subwalk *t;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		t = w->next < w->n ? &w->v[w->next++] : NULL;
		pthread_mutex_unlock(&w->lock);
		if (!t) {
			return NULL;
		}
		if (t->fd < 0) {
			continue; /* a file, or a directory that could not be opened */
		}
		t->r = walk(&t->fs, t->fd, t->path, strlen(t->path), 1);
		t->fd = -1;
	}
}

/* Moves the files of @from into @fs, but those already there; frees what @from owns. */
static int merge(struct et_tx_files *fs, struct et_tx_files *from)
{
	size_t i;
	int r = 0;

	for (i = 0; i < from->n; i++) {
		struct et_tx_file *f = &from->v[i];

		if (r == 0 && fs->n == fs->alloc) {
			size_t na = fs->alloc ? fs->alloc * 2 : 64;
			struct et_tx_file *v = realloc(fs->v, na * sizeof(*v));

			if (v) {
				fs->v = v;
				fs->alloc = na;
			} else {
				r = -ENOMEM;
			}
		}
		if (r == 0) {
			r = id_add(fs, f->dev, f->ino);
		}
		if (r == 1) {
			fs->v[fs->n++] = *f;
			fs->bytes += f->size;
			memset(f, 0, sizeof(*f));
			r = 0;
		}
	}
	fs->skipped_special += from->skipped_special;
	fs->skipped_loops += from->skipped_loops;
	et_transcript_files_finish(from);
	return r;
}

/*
 * Walks the directory open as @dfd (taken), whose path is @path (@len bytes, in a buffer of
 * PATH_CAP), as walk() does, with its subdirectories walked on several threads. The files
 * directly in it are listed on the calling thread, in their place.
 */
static int walk_top(struct et_tx_files *fs, int dfd, char *path, size_t len)
{
	struct walkers w;
	pthread_t th[WALKERS];
	struct subwalk *t;
	DIR *d;
	const char *name;
	struct stat lst;
	size_t alloc = 0, i, started = 0, nl;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int r = 0;

	memset(&w, 0, sizeof(w));
	d = read_dir(dfd, &r);
	if (!d) {
		return r;
	}
	/* The entries in order: a subdirectory becomes a walk of its own, a file a list of one. */
	while (r == 0 && (name = next_entry(d, len, &lst, &nl))) {
		if (w.n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct subwalk *v = realloc(w.v, na * sizeof(*v));

			if (!v) {
				r = -ENOMEM;
				break;
			}
			w.v = v;
			alloc = na;
		}
		t = &w.v[w.n];
		memset(t, 0, sizeof(*t));
		t->fd = -1;
		t->path = malloc(PATH_CAP);
		if (!t->path) {
			r = -ENOMEM;
			break;
		}
		w.n++;
		memcpy(t->path, path, len);
		t->path[len] = '/';
		memcpy(t->path + len + 1, name, nl + 1);
		if (!S_ISDIR(lst.st_mode)) {
			/* A transcript in the directory itself: listed here, as walk() would. */
			path[len] = '/';
			memcpy(path + len + 1, name, nl + 1);
			t->r = file_entry(&t->fs, path, dirfd(d), name, &lst);
			path[len] = '\0';
			continue;
		}
		t->r = open_subdir(dirfd(d), name, &t->fd);
	}
	closedir(d);
	pthread_mutex_init(&w.lock, NULL);
	for (i = 0; r == 0 && w.n > 1 && cpus > 1 && i < (size_t)cpus - 1 && i + 1 < WALKERS &&
		    i + 1 < w.n;
	     i++) {
		if (pthread_create(&th[started], NULL, walker, &w) != 0) {
			break;
		}
		started++;
	}
	/* The calling thread walks too. */
	if (r == 0) {
		walker(&w);
	}
	for (i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
	}
	pthread_mutex_destroy(&w.lock);
	for (i = 0; i < w.n; i++) {
		if (w.v[i].fd >= 0) {
			close(w.v[i].fd); /* not walked: the listing failed */
		}
		if (r == 0) {
			r = w.v[i].r;
		}
		if (r == 0) {
			r = merge(fs, &w.v[i].fs);
		} else {
			et_transcript_files_finish(&w.v[i].fs);
		}
		free(w.v[i].path);
	}
	free(w.v);
	return r;
}

int et_transcript_add(struct et_tx_files *fs, const char *path)
{
	struct stat st;
	char clean[PATH_CAP];
	size_t n = strlen(path);
	int fd;

	if (n == 0 || n >= sizeof(clean)) {
		return -ENAMETOOLONG;
	}
	memcpy(clean, path, n + 1);
	while (n > 1 && clean[n - 1] == '/') {
		clean[--n] = '\0';
	}
	if (stat(clean, &st) < 0) {
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		fd = open(clean, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			return errno == EACCES ? 0 : -errno;
		}
		return walk_top(fs, fd, clean, n);
	}
	if (!S_ISREG(st.st_mode)) {
		fs->skipped_special++;
		return 0;
	}
	return add_file(fs, clean, &st, AT_FDCWD, clean);
}

int et_transcript_add_defaults(struct et_tx_files *fs)
{
	const char *env = getenv("CLAUDE_CONFIG_DIR"), *home = getenv("HOME");
	char path[4096];
	int r;

	if (env && *env) {
		const char *p = env, *e;

		for (; *p; p = *e ? e + 1 : e) {
			size_t len;

			e = strchr(p, ',');
			if (!e) {
				e = p + strlen(p);
			}
			len = (size_t)(e - p);
			if (len == 0 || len + 10 >= sizeof(path)) {
				continue;
			}
			snprintf(path, sizeof(path), "%.*s/projects", (int)len, p);
			r = et_transcript_add(fs, path);
			if (r < 0 && r != -ENOENT && r != -ENOTDIR) {
				return r;
			}
		}
		return 0;
	}
	if (!home || !*home) {
		return 0;
	}
	snprintf(path, sizeof(path), "%s/.claude/projects", home);
	r = et_transcript_add(fs, path);
	if (r < 0 && r != -ENOENT && r != -ENOTDIR) {
		return r;
	}
	snprintf(path, sizeof(path), "%s/.config/claude/projects", home);
	r = et_transcript_add(fs, path);
	if (r < 0 && r != -ENOENT && r != -ENOTDIR) {
		return r;
	}
	return 0;
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct et_tx_file *)a)->path, ((const struct et_tx_file *)b)->path);
}

void et_transcript_sort(struct et_tx_files *fs)
{
	if (fs->n > 1) {
		qsort(fs->v, fs->n, sizeof(*fs->v), file_cmp);
	}
}

void et_transcript_files_finish(struct et_tx_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].project);
		free(fs->v[i].agent_type);
	}
	free(fs->v);
	free(fs->ids);
	memset(fs, 0, sizeof(*fs));
}

/* ---- reading, over the line engine ---- */

/* An item of the engine: the line's file and what it holds (its head only without tools). */
struct tx_item {
	size_t file;
	struct et_tx_line l;
};

static int tx_parse(const void *ctx, const struct et_line *line, void *item)
{
	const struct et_tx_read *rd = ctx;
	struct tx_item *it = item;
	int k = et_transcript_parse_line(line->p, line->n, rd->flags, &it->l);

	if (k < 0) {
		return ET_LINE_MALFORMED;
	}
	if (k == ET_TX_SKIP) {
		return ET_LINE_SKIP;
	}
	it->file = line->file;
	return ET_LINE_KEEP;
}

struct tx_consume {
	const struct et_tx_files *fs;
	const struct et_tx_read *rd;
};

static int tx_consume(void *ctx, void *item)
{
	struct tx_consume *k = ctx;
	const struct tx_item *it = item;

	return k->rd->fn(k->rd->ctx, &k->fs->v[it->file], &it->l);
}

int et_transcript_run(const struct et_tx_files *fs, const struct et_tx_read *rd,
		      struct et_lines_stats *st, struct et_buf *err)
{
	struct et_lines_client cl;
	struct tx_consume k = {fs, rd};
	struct et_lines_known *known;
	char **paths;
	size_t i;
	int r;

	if (fs->n == 0) {
		return 0;
	}
	paths = malloc(fs->n * sizeof(*paths));
	known = malloc(fs->n * sizeof(*known));
	if (!paths || !known) {
		free(paths);
		free(known);
		return -ENOMEM;
	}
	/* The listing's sizes and times: the engine makes no system call for a small file but on
	 * the worker that reads it. */
	for (i = 0; i < fs->n; i++) {
		paths[i] = fs->v[i].path;
		known[i].size = fs->v[i].size;
		known[i].mtime_ms = fs->v[i].mtime_ms;
	}
	memset(&cl, 0, sizeof(cl));
	cl.parse = tx_parse;
	cl.parse_ctx = rd;
	cl.consume = tx_consume;
	cl.consume_ctx = &k;
	/* Without tools an item is the line's head: a sixth of the whole, and nothing unused. */
	cl.item_size =
		offsetof(struct tx_item, l) +
		((rd->flags & ET_TX_WANT_TOOLS) ? sizeof(struct et_tx_line) : ET_TX_LINE_HEAD);
	cl.min_mtime_ms = rd->min_mtime_ms;
	cl.skip_unopenable = true;
	cl.known = known;
	r = et_lines_run(paths, fs->n, &cl, st, err);
	free(paths);
	free(known);
	return r;
}
