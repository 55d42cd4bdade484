#define _GNU_SOURCE 1
#include "CSwncSystem.h"
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* GNU extensions the Glibc module does not show to Swift, and a system call glibc wraps only
   since 2.36. */

int swnc_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int swnc_spawn_close_from(posix_spawn_file_actions_t *actions, int first) {
    return posix_spawn_file_actions_addclosefrom_np(actions, first);
}

const char *swnc_signal_name(int number) {
    return sigabbrev_np(number);
}
