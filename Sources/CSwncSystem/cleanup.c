#include "CSwncSystem.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* What the exit and signal handlers undo. It lives in C because a signal handler may make
   only async-signal-safe calls: Swift code in a handler can wait for a runtime lock (generic
   metadata) that the interrupted code holds, and hang instead of exiting. */

enum { owned_capacity = 8 };

static struct {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    dev_t device;
    ino_t inode;
} owned_files[owned_capacity];

static volatile sig_atomic_t owned_count = 0;
static volatile sig_atomic_t saved_flags[2] = {-1, -1};

int swnc_cleanup_remove_at_exit(const char *path) {
    struct stat status;
    int index = owned_count;
    if (index >= owned_capacity || strlen(path) >= sizeof owned_files[index].path || lstat(path, &status) != 0) {
        return -1;
    }
    strcpy(owned_files[index].path, path);
    owned_files[index].device = status.st_dev;
    owned_files[index].inode = status.st_ino;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);  /* a handler sees only complete entries */
    owned_count = index + 1;
    return 0;
}

void swnc_cleanup_restore_flags(int descriptor, int flags) {
    if (descriptor == STDIN_FILENO || descriptor == STDOUT_FILENO) saved_flags[descriptor] = flags;
}

/* Removes each file that is still the socket swnc created (not one put in its place), and
   puts back the flags of stdin and stdout. */
static void run_cleanup(void) {
    for (int index = 0; index < owned_count; index++) {
        struct stat status;
        if (lstat(owned_files[index].path, &status) == 0 && status.st_dev == owned_files[index].device
            && status.st_ino == owned_files[index].inode) {
            unlink(owned_files[index].path);
        }
    }
    for (int descriptor = STDIN_FILENO; descriptor <= STDOUT_FILENO; descriptor++) {
        if (saved_flags[descriptor] >= 0) fcntl(descriptor, F_SETFL, (int)saved_flags[descriptor]);
    }
}

static void handle_signal(int number) {
    run_cleanup();
    signal(number, SIG_DFL);
    raise(number);
}

void swnc_cleanup_install(void) {
    atexit(run_cleanup);
    signal(SIGINT, handle_signal);
    signal(SIGTERM, handle_signal);
    signal(SIGHUP, handle_signal);  /* the terminal went away: the same end as SIGTERM */
    /* A parent may hand down a mask that blocks them (Foundation's Process does): unblock,
       or they would never arrive. */
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &handled, NULL);
}
