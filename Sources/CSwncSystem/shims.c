#define _GNU_SOURCE 1
#include "CSwncSystem.h"
#include <fcntl.h>
#include <unistd.h>
#include <stddef.h>

_Static_assert(sizeof(struct swnc_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");

int swnc_accept_nonblocking(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int swnc_recvmmsg(int fd, struct swnc_mmsghdr *messages, unsigned int count) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, MSG_DONTWAIT, NULL);
}

int swnc_sendmmsg(int fd, struct swnc_mmsghdr *messages, unsigned int count) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, MSG_DONTWAIT | MSG_NOSIGNAL);
}

ssize_t swnc_splice(int from, int to, size_t length) {
    return splice(from, NULL, to, NULL, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
}

int swnc_pipe(int ends[2], int capacity) {
    if (pipe2(ends, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    fcntl(ends[1], F_SETPIPE_SZ, capacity);
    return fcntl(ends[1], F_GETPIPE_SZ);
}
