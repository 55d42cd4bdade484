#define _GNU_SOURCE 1
#include "CSwncSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* GNU extensions the Glibc module does not show to Swift, and a system call glibc wraps only
   since 2.36. */

int swnc_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Closes every descriptor from 3 up but `kept`. */
static void close_all_but(int kept) {
    if (close_range(3, kept - 1, 0) == 0 && close_range(kept + 1, ~0U, 0) == 0) return;
    long limit = sysconf(_SC_OPEN_MAX);  /* kernels before 5.9 have no close_range */
    for (int descriptor = 3; descriptor < limit; descriptor++) {
        if (descriptor != kept) close(descriptor);
    }
}

/* The forked child until execve: only async-signal-safe calls. */
static _Noreturn void run_child(const char *path, char *const argv[], char *const envp[], int connection, int failure) {
    /* Default dispositions before unblocking: a handler of swnc's (the clean-up on SIGTERM)
       must not run in the child, and an ignored signal would stay ignored across exec. */
    struct sigaction standard;
    memset(&standard, 0, sizeof standard);
    standard.sa_handler = SIG_DFL;
    for (int number = 1; number < NSIG; number++) sigaction(number, &standard, NULL);
    dup2(connection, STDIN_FILENO);
    dup2(connection, STDOUT_FILENO);
    close_all_but(failure);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, envp);
    int error = errno;
    (void)!write(failure, &error, sizeof error);
    _exit(127);
}

pid_t swnc_spawn(const char *path, char *const argv[], char *const envp[], int connection, int *failure) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) return -errno;
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) run_child(path, argv, envp, connection, ends[1]);
    int error = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(ends[1]);
    if (pid < 0) {
        close(ends[0]);
        return -error;
    }
    *failure = ends[0];
    return pid;
}

const char *swnc_signal_name(int number) {
    return sigabbrev_np(number);
}
