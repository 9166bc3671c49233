/*
 * et_lines_guard: the line engine's mappings, guarded against a file that shrinks. A mapped file
 * can shrink under the mapping (a copy-and-truncate rotation does that to a live log), and
 * touching a page past its new end raises SIGBUS on whichever thread touches it: a worker, the
 * consumer, or the reader. Every mapping is therefore registered in a guard table, and a SIGBUS
 * handler replaces the vanished pages of a guarded mapping with zeros (the access is retried and
 * succeeds), marks the guard, and passes any other SIGBUS on. The reader checks the guards as
 * chunks come and go, and stops the run with a message when a file shrank. Nothing jumps out of
 * the client's code; nothing reads a stale copy of the file.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "et_lines_pipe.h"

#include "banned.h"

#define MAX_GUARDS 48

/* A mapping the SIGBUS handler may repair. Slots are claimed by a pipeline for its whole run. */
struct guard {
	atomic_bool claimed;
	atomic_uintptr_t base; /* 0: no mapping registered; set last, cleared first */
	atomic_size_t len;
	atomic_bool hit; /* a page of the mapping vanished since it was registered */
};

static struct guard guards[MAX_GUARDS];
static struct sigaction old_bus; /* the disposition before ours, for faults not ours */
static uintptr_t page_mask;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;
static bool bus_ready;

/*
 * The SIGBUS handler: a fault inside a guarded mapping gets zero pages from the faulting page to
 * the mapping's end (mmap is a plain system call on every system this runs on, safe here) and
 * its guard marked; the faulting access is then retried and reads zeros. Any other fault goes to
 * the previous handler, or (default or ignored) resets SIGBUS to its default so that the retried
 * access ends the process as it would have without us.
 */
static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr, b, page;
	size_t i, n;
	struct sigaction dfl;
	int saved = errno;

	for (i = 0; i < MAX_GUARDS; i++) {
		b = atomic_load(&guards[i].base);
		n = atomic_load(&guards[i].len);
		if (!b || a < b || a - b >= n) {
			continue;
		}
		page = a & page_mask;
		if (mmap((void *)page, b + n - page, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			atomic_store(&guards[i].hit, true);
			errno = saved;
			return;
		}
		break;
	}
	if ((old_bus.sa_flags & SA_SIGINFO) && old_bus.sa_sigaction) {
		old_bus.sa_sigaction(sig, si, uctx);
	} else if (old_bus.sa_handler != SIG_DFL && old_bus.sa_handler != SIG_IGN) {
		old_bus.sa_handler(sig);
	} else {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGBUS, &dfl, NULL);
	}
	errno = saved;
}

static void install_bus_handler(void)
{
	struct sigaction sa;
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0 || sigaction(SIGBUS, NULL, &old_bus) != 0) {
		return;
	}
	page_mask = ~((uintptr_t)page - 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	bus_ready = sigaction(SIGBUS, &sa, NULL) == 0;
}

/* Claims a guard slot; returns its index or -1 when none is free or there is no handler. */
int et_lines_guard_claim(void)
{
	size_t i;
	bool no = false;

	pthread_once(&bus_once, install_bus_handler);
	if (!bus_ready) {
		return -1;
	}
	for (i = 0; i < MAX_GUARDS; i++) {
		no = false;
		if (atomic_compare_exchange_strong(&guards[i].claimed, &no, true)) {
			return (int)i;
		}
	}
	return -1;
}

void et_lines_guard_release(int g)
{
	if (g >= 0) {
		atomic_store(&guards[g].base, 0);
		atomic_store(&guards[g].claimed, false);
	}
}

void et_lines_guard_set(int g, void *base, size_t len)
{
	atomic_store(&guards[g].base, 0);
	atomic_store(&guards[g].hit, false);
	atomic_store(&guards[g].len, len);
	atomic_store(&guards[g].base, (uintptr_t)base);
}

/* Unregisters the mapping of guard @g; returns true when a page of it had vanished. */
bool et_lines_guard_clear(int g)
{
	atomic_store(&guards[g].base, 0);
	return atomic_load(&guards[g].hit);
}

bool et_lines_guard_hit(int g)
{
	return atomic_load(&guards[g].hit);
}

#define ALT_STACK ((size_t)64 << 10)

/*
 * Gives the calling thread an alternate signal stack for the run when it has none, so that a
 * SIGBUS it takes (the handler asks for SA_ONSTACK) is delivered on memory that is all there:
 * valgrind cannot grow a main thread's stack to deliver a signal. Returns the stack to pass to
 * et_lines_guard_altstack_end, or NULL (one was there already, or none could be set: the signal
 * then goes on the thread's own stack, as it would without this).
 */
void *et_lines_guard_altstack(void)
{
	stack_t cur, alt;

	if (sigaltstack(NULL, &cur) != 0 || !(cur.ss_flags & SS_DISABLE)) {
		return NULL;
	}
	memset(&alt, 0, sizeof(alt));
	alt.ss_sp = malloc(ALT_STACK);
	alt.ss_size = ALT_STACK;
	if (alt.ss_sp && sigaltstack(&alt, NULL) != 0) {
		free(alt.ss_sp);
		return NULL;
	}
	return alt.ss_sp;
}

/* Removes the alternate stack @stack that et_lines_guard_altstack set, and frees it; NULL: none. */
void et_lines_guard_altstack_end(void *stack)
{
	stack_t off;

	if (!stack) {
		return;
	}
	memset(&off, 0, sizeof(off));
	off.ss_flags = SS_DISABLE;
	if (sigaltstack(&off, NULL) == 0) {
		free(stack);
	}
}
