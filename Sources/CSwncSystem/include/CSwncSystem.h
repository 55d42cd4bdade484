#ifndef CSWNC_SYSTEM_H
#define CSWNC_SYSTEM_H

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

/// One message of a batch: the layout of Linux's struct mmsghdr.
struct swnc_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC.
int swnc_accept_nonblocking(int fd, struct sockaddr *address, socklen_t *length);

/// recvmmsg(2) with MSG_DONTWAIT.
int swnc_recvmmsg(int fd, struct swnc_mmsghdr *messages, unsigned int count);

/// sendmmsg(2) with MSG_DONTWAIT | MSG_NOSIGNAL.
int swnc_sendmmsg(int fd, struct swnc_mmsghdr *messages, unsigned int count);

/// sendmsg(2) of one NUL byte carrying `descriptor` (SCM_RIGHTS) over the UNIX socket `channel`,
/// with MSG_DONTWAIT | MSG_NOSIGNAL: what ssh's ProxyUseFdpass receives. -1 and errno on failure.
ssize_t swnc_send_descriptor(int channel, int descriptor);

/// A non-blocking, close-on-exec pipe asked to hold `capacity` bytes (F_SETPIPE_SZ; kept at
/// the default where the limit refuses). Returns the capacity it has, or -1.
int swnc_pipe(int ends[2], int capacity);

/// splice(2) between two descriptors, one of them a pipe, without blocking on the pipe.
ssize_t swnc_splice(int from, int to, size_t length);

/// Removes swnc's UNIX socket files and restores stdin/stdout flags at exit and on SIGINT,
/// SIGTERM or SIGHUP (re-raised after the clean-up), and unblocks those signals.
void swnc_cleanup_install(void);

/// Removes `path` at exit if it is then still the file it is now; -1 if it cannot be kept.
int swnc_cleanup_remove_at_exit(const char *path);

/// Puts back `flags` (F_SETFL) on stdin or stdout at exit.
void swnc_cleanup_restore_flags(int descriptor, int flags);

/// pidfd_open(2): a close-on-exec descriptor that turns readable when child `pid` exits.
int swnc_pidfd_open(pid_t pid);

/// Forks a child that runs `path` with `argv` and `envp` (NULL-terminated): `connection` as its
/// stdin and stdout, swnc's stderr, no other descriptor, every signal at its default and none
/// blocked. Returns at once, without waiting for the child's execve (posix_spawn waits, in
/// vfork, and the event loop stalls while the child waits for a CPU). `failure` gets the read
/// end of a non-blocking pipe, on which a child whose execve failed writes its errno (an int)
/// before it exits 127; at the child's exit it holds that or nothing. Returns the child's pid,
/// or -errno when the pipe or fork fails.
pid_t swnc_spawn(const char *path, char *const argv[], char *const envp[], int connection, int *failure);

/// sigabbrev_np(3): a signal's name without "SIG" ("TERM"), or NULL for an unnamed number.
const char *swnc_signal_name(int number);

#endif
