#ifndef CSWNC_SYSTEM_H
#define CSWNC_SYSTEM_H

#include <spawn.h>
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

/// posix_spawn_file_actions_addclosefrom_np(3): the child closes every descriptor from `first` up.
int swnc_spawn_close_from(posix_spawn_file_actions_t *actions, int first);

/// sigabbrev_np(3): a signal's name without "SIG" ("TERM"), or NULL for an unnamed number.
const char *swnc_signal_name(int number);

#endif
