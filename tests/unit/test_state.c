/* Unit tests for et_state: the key and the start stamps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "et_state.h"
#include "tap.h"

int main(void)
{
	char dir[64] = "/tmp/et-test-state-XXXXXX", path[160], cmd[160];
	unsigned char k1[32], k2[32], zero[32] = {0}, s1[32], s2[32];
	struct stat st;
	int64_t start = 0;
	int i, pipes[2], same = 1;

	if (sodium_init() < 0 || !mkdtemp(dir)) {
		return 99;
	}
	snprintf(path, sizeof(path), "%s/state", dir);
	tap_ok(et_state_key(path, k1) == 0, "a key is created");
	tap_ok(memcmp(k1, zero, 32) != 0, "it is not all zero");
	snprintf(cmd, sizeof(cmd), "%s/state/key", dir);
	tap_ok(stat(cmd, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 32,
	       "key file is 32 bytes, 0600");
	tap_ok(et_state_key(path, k2) == 0 && memcmp(k1, k2, 32) == 0, "the same key is read back");
	et_state_subkey(k1, "etparams", s1);
	et_state_subkey(k1, "etsecret", s2);
	tap_ok(memcmp(s1, s2, 32) != 0, "subkeys for two purposes differ");

	/* Many first runs at once agree on one key. */
	snprintf(path, sizeof(path), "%s/race", dir);
	if (pipe(pipes) < 0) {
		return 99;
	}
	for (i = 0; i < 16; i++) {
		if (fork() == 0) {
			unsigned char k[32];

			if (et_state_key(path, k) == 0 && write(pipes[1], k, 32) == 32) {
				_exit(0);
			}
			_exit(1);
		}
	}
	close(pipes[1]);
	for (i = 0; i < 16; i++) {
		unsigned char k[32];

		if (read(pipes[0], k, 32) != 32) {
			same = 0;
		} else if (i == 0) {
			memcpy(k1, k, 32);
		} else if (memcmp(k, k1, 32) != 0) {
			same = 0;
		}
	}
	while (wait(NULL) > 0) {
	}
	tap_ok(same, "16 concurrent first runs all got the same key");

	snprintf(path, sizeof(path), "%s/state", dir);
	tap_ok(et_state_stamp_put(path, "toolu_A", 1000) == 0, "a stamp is written");
	tap_ok(et_state_stamp_take(path, "toolu_B", &start) == -ENOENT, "another id has none");
	tap_ok(et_state_stamp_take(path, "toolu_A", &start) == 0 && start == 1000,
	       "the stamp is read back");
	tap_ok(et_state_stamp_take(path, "toolu_A", &start) == -ENOENT, "and was removed");
	et_state_stamp_put(path, "../../etc/passwd", 5);
	snprintf(cmd, sizeof(cmd), "%s/state/pending", dir);
	tap_ok(stat(cmd, &st) == 0, "stamps live in pending/, whatever the id says");
	tap_ok(et_state_stamp_sweep(path, 999999999999999LL, 1000) >= 1, "old stamps are swept");
	tap_ok(et_state_stamp_take(path, "../../etc/passwd", &start) == -ENOENT,
	       "swept stamp gone");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? tap_done() : 99;
}
