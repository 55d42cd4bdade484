// The benchmark's load generator: one thread, epoll, so that it costs less than the servers
// it measures. Built by Tests/Benchmarks/run with cc.
//
//   loadgen echo  TARGET CLIENTS SECONDS SIZE   ping-pong SIZE bytes on CLIENTS connections
//   loadgen udp   TARGET INFLIGHT SECONDS SIZE  keep INFLIGHT datagrams in flight
//   loadgen idle  TARGET CLIENTS                open CLIENTS connections and hold them
//   loadgen serve TARGET                        a minimal epoll echo server: the yardstick
//   loadgen connect TARGET CONCURRENCY SECONDS SIZE [tls]
//                                               new connections, each one round trip then close
//   loadgen fanout TARGET RECEIVERS BYTES SECONDS
//                                               one sender, RECEIVERS readers of a broker
//   loadgen sendfile TARGET FILE                sendfile(2) FILE to TARGET: the file yardstick
//   loadgen sink TARGET                         accept one connection, splice it to /dev/null
//
// TARGET is IPv4 HOST:PORT. Each mode prints "ready" once every
// connection is up and has made one round trip, waits for a line on stdin, then measures,
// prints one line of key=value results and holds its connections until stdin closes.
// serve runs until killed; sendfile and sink do their one transfer and exit.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(2); }

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static struct sockaddr_storage target;
static socklen_t target_length;

static void parse_target(const char *text) {
    const char *colon = strrchr(text, ':');
    struct sockaddr_in *in = (struct sockaddr_in *)&target;
    char host[64];
    if (!colon) die("HOST:PORT");
    snprintf(host, sizeof host, "%.*s", (int)(colon - text), text);
    memset(&target, 0, sizeof target);
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &in->sin_addr) != 1) die("address");
    target_length = sizeof *in;
}

/// A connected socket, or -1 when connect fails (a server that refuses is counted, not fatal).
static int try_open_socket(int type) {
    int fd = socket(target.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&target, target_length) < 0) { close(fd); return -1; }
    struct timeval patience = {.tv_sec = 5};  // a server that never answers fails the run, not hangs it
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    if (type == SOCK_STREAM) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

static int open_socket(int type) {
    int fd = try_open_socket(type);
    if (fd < 0) die("connect");
    return fd;
}

static void wait_for_go(void) {
    char line[16];
    printf("ready\n");
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) exit(0);
}

/// Prints the results and keeps every connection open until stdin closes, so that a forking
/// server's children are still there when its CPU time is read.
static int report_and_hold(void) {
    char line[16];
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {}
    return 0;
}

static int compare(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/// Blocking round trip of `size` bytes, used once per connection before measuring.
static void round_trip(int fd, char *buffer, int size) {
    if (write(fd, buffer, size) != size) die("write");
    for (int got = 0; got < size;) {
        ssize_t n = read(fd, buffer + got, size - got);
        if (n <= 0) die("read");
        got += n;
    }
}

static int echo(int clients, double seconds, int size) {
    int *fds = calloc(clients, sizeof *fds);
    int *received = calloc(clients, sizeof *received);
    uint64_t *sent_at = calloc(clients, sizeof *sent_at);
    size_t capacity = 16u << 20, samples = 0;
    uint32_t *latency = malloc(capacity * sizeof *latency);
    char message[65536], buffer[65536];
    memset(message, 'x', sizeof message);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < clients; i++) {
        fds[i] = open_socket(SOCK_STREAM);
        round_trip(fds[i], buffer, size);
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fds[i], &event);
    }
    wait_for_go();
    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < clients; i++) {
        sent_at[i] = now_ns();
        if (write(fds[i], message, size) != size) die("write");
    }
    struct epoll_event events[256];
    uint64_t now = start;
    while (now < end) {
        int count = epoll_wait(epoll, events, 256, 100);
        now = now_ns();
        for (int e = 0; e < count; e++) {
            int i = (int)events[e].data.u32;
            ssize_t n = read(fds[i], buffer, sizeof buffer);
            if (n <= 0) { if (n < 0 && errno == EAGAIN) continue; fprintf(stderr, "connection %d ended\n", i); return 1; }
            received[i] += (int)n;
            if (received[i] < size) continue;
            received[i] = 0;
            if (samples < capacity) latency[samples++] = (uint32_t)((now - sent_at[i]) / 1000);
            sent_at[i] = now;
            if (write(fds[i], message, size) != size) die("write");
        }
    }
    double elapsed = (now - start) / 1e9;
    qsort(latency, samples, sizeof *latency, compare);
    printf("roundtrips=%zu rate=%.0f p50_us=%u p99_us=%u\n", samples, samples / elapsed,
           samples ? latency[samples / 2] : 0, samples ? latency[samples * 99 / 100] : 0);
    return report_and_hold();
}

/// Datagrams carry a sequence number; a reply of another size is a merged (or split) datagram.
static int udp(int inflight, double seconds, int size) {
    int fd = open_socket(SOCK_DGRAM);
    char message[65536], buffer[65536];
    memset(message, 'x', sizeof message);
    round_trip(fd, buffer, size);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
    wait_for_go();
    uint64_t sent = 0, received = 0, merged = 0, outstanding = 0;
    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), last_reply = start, now = start;
    while (now < end) {
        // Refill the window; after 50 ms without a reply, the missing ones count as lost.
        if (now - last_reply > 50000000u) { outstanding = 0; last_reply = now; }
        while (outstanding < (uint64_t)inflight) {
            memcpy(message, &sent, sizeof sent);
            if (send(fd, message, size, 0) != size) break;
            sent++;
            outstanding++;
        }
        struct epoll_event ready;
        epoll_wait(epoll, &ready, 1, 10);
        now = now_ns();
        for (;;) {
            ssize_t n = recv(fd, buffer, sizeof buffer, 0);
            if (n < 0) break;
            last_reply = now;
            if (outstanding) outstanding--;
            if (n == size) received++; else merged++;
        }
    }
    double elapsed = (now - start) / 1e9;
    usleep(200000);
    while (recv(fd, buffer, sizeof buffer, 0) >= 0) received++;
    printf("sent=%llu received=%llu rate=%.0f merged=%llu lost=%llu\n", (unsigned long long)sent,
           (unsigned long long)received, received / elapsed, (unsigned long long)merged,
           (unsigned long long)(sent - received - merged));
    return report_and_hold();
}

static int idle(int clients) {
    char buffer[1] = {'x'};
    for (int i = 0; i < clients; i++) round_trip(open_socket(SOCK_STREAM), buffer, 1);
    wait_for_go();
    printf("held=%d\n", clients);
    return report_and_hold();
}

/// The least an echo server can do per round trip: epoll_wait, read, write.
static _Noreturn void serve(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&target, target_length) < 0 || listen(listener, 4096) < 0) die("listen");
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    static char buffer[65536];
    struct epoll_event events[256];
    for (;;) {
        int count = epoll_wait(epoll, events, 256, -1);
        for (int e = 0; e < count; e++) {
            int fd = events[e].data.fd;
            if (fd == listener) {
                int connection;
                while ((connection = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct epoll_event added = {.events = EPOLLIN, .data.fd = connection};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, connection, &added);
                }
                continue;
            }
            ssize_t n = read(fd, buffer, sizeof buffer);
            if (n == 0 || (n < 0 && errno != EAGAIN)) close(fd);
            else if (n > 0 && write(fd, buffer, n) != n) close(fd);  // fine for 64-byte messages
        }
    }
}

/// connect: CONCURRENCY threads, each opening connections one after another until the time is up.
static struct {
    double seconds;
    int size;
    SSL_CTX *tls;  // NULL for plain TCP
    uint64_t end;
    pthread_mutex_t lock;
    uint64_t done, failed;
} rate;

/// One connection: (TLS handshake), SIZE bytes out and back, close. False when any step fails.
static int one_connection(char *buffer) {
    int fd = try_open_socket(SOCK_STREAM), ok = 0;
    if (fd < 0) return 0;
    if (!rate.tls) {
        ok = write(fd, buffer, rate.size) == rate.size;
        for (int got = 0; ok && got < rate.size;) {
            ssize_t n = read(fd, buffer + got, rate.size - got);
            if (n <= 0) ok = 0; else got += n;
        }
    } else {
        SSL *tls = SSL_new(rate.tls);
        SSL_set_fd(tls, fd);
        ok = SSL_connect(tls) == 1 && SSL_write(tls, buffer, rate.size) == rate.size;
        for (int got = 0; ok && got < rate.size;) {
            int n = SSL_read(tls, buffer + got, rate.size - got);
            if (n <= 0) ok = 0; else got += n;
        }
        if (ok) SSL_shutdown(tls);
        SSL_free(tls);
    }
    close(fd);
    return ok;
}

static void *connect_loop(void *unused) {
    (void)unused;
    char buffer[65536];
    memset(buffer, 'x', sizeof buffer);
    uint64_t done = 0, failed = 0;
    while (now_ns() < rate.end && failed < 1000) {
        if (one_connection(buffer)) done++; else failed++;
    }
    pthread_mutex_lock(&rate.lock);
    rate.done += done;
    rate.failed += failed;
    pthread_mutex_unlock(&rate.lock);
    return NULL;
}

static int connect_rate(int concurrency, double seconds, int size, int tls) {
    char buffer[65536];
    memset(buffer, 'x', sizeof buffer);
    rate.seconds = seconds;
    rate.size = size;
    pthread_mutex_init(&rate.lock, NULL);
    if (tls) {
        rate.tls = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(rate.tls, SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_session_cache_mode(rate.tls, SSL_SESS_CACHE_OFF);  // a full handshake each time
    }
    if (!one_connection(buffer)) die("first connection");
    wait_for_go();
    pthread_t *threads = calloc(concurrency, sizeof *threads);
    uint64_t start = now_ns();
    rate.end = start + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < concurrency; i++) pthread_create(&threads[i], NULL, connect_loop, NULL);
    for (int i = 0; i < concurrency; i++) pthread_join(threads[i], NULL);
    double elapsed = (now_ns() - start) / 1e9;
    printf("connections=%llu rate=%.0f failed=%llu\n", (unsigned long long)rate.done, rate.done / elapsed,
           (unsigned long long)rate.failed);
    return report_and_hold();
}

/// fanout: RECEIVERS connections that only read, then one sender that writes BYTES; measures until
/// every receiver has all of them (or SECONDS pass). A first byte through the broker to every
/// receiver proves each one has joined before the clock starts.
static int fanout(int receivers, long long bytes, double seconds) {
    int *fds = calloc(receivers, sizeof *fds);
    long long *received = calloc(receivers, sizeof *received);
    static char buffer[1 << 18], message[1 << 18];
    memset(message, 'x', sizeof message);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < receivers; i++) {
        fds[i] = open_socket(SOCK_STREAM);
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fds[i], &event);
    }
    int sender = open_socket(SOCK_STREAM);
    usleep(100000);  // the broker accepts the sender too before the first byte goes out
    if (write(sender, "x", 1) != 1) die("write");
    for (int i = 0; i < receivers; i++)
        if (read(fds[i], buffer, 1) != 1) die("first byte");
    for (int i = 0; i < receivers; i++) fcntl(fds[i], F_SETFL, O_NONBLOCK);
    fcntl(sender, F_SETFL, O_NONBLOCK);
    struct epoll_event out = {.events = EPOLLOUT, .data.u32 = (uint32_t)receivers};
    epoll_ctl(epoll, EPOLL_CTL_ADD, sender, &out);
    wait_for_go();
    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), now = start;
    long long sent = 0, delivered = 0, wanted = bytes * receivers;
    struct epoll_event events[256];
    while (delivered < wanted && now < end) {
        int count = epoll_wait(epoll, events, 256, 100);
        now = now_ns();
        for (int e = 0; e < count; e++) {
            int i = (int)events[e].data.u32;
            if (i == receivers) {
                long long left = bytes - sent;
                ssize_t n = write(sender, message, left < (long long)sizeof message ? (size_t)left : sizeof message);
                if (n > 0) sent += n;
                if (sent == bytes) epoll_ctl(epoll, EPOLL_CTL_DEL, sender, NULL);
                continue;
            }
            ssize_t n = read(fds[i], buffer, sizeof buffer);
            if (n > 0) { received[i] += n; delivered += n; }
            else if (n == 0 || errno != EAGAIN) epoll_ctl(epoll, EPOLL_CTL_DEL, fds[i], NULL);
        }
    }
    double elapsed = (now - start) / 1e9;
    int complete = 0;
    for (int i = 0; i < receivers; i++) complete += received[i] == bytes;
    printf("delivered=%lld rate=%.0f complete=%d\n", delivered, delivered / elapsed, complete);
    return report_and_hold();
}

/// The least a file transfer takes: the kernel copies the file to the socket.
static int send_file(const char *path) {
    int file = open(path, O_RDONLY | O_CLOEXEC), fd = open_socket(SOCK_STREAM);
    struct stat status;
    if (file < 0 || fstat(file, &status) < 0) die(path);
    for (off_t offset = 0; offset < status.st_size;)
        if (sendfile(fd, file, &offset, status.st_size - offset) <= 0) die("sendfile");
    return close(fd);
}

static int sink(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&target, target_length) < 0 || listen(listener, 1) < 0) die("listen");
    // The least a receiver does: the bytes go to /dev/null by splice, never into user memory.
    int fd = accept(listener, NULL, NULL), null = open("/dev/null", O_WRONLY | O_CLOEXEC), pipe_ends[2];
    if (fd < 0 || null < 0 || pipe2(pipe_ends, O_CLOEXEC) < 0) die("sink");
    fcntl(pipe_ends[1], F_SETPIPE_SZ, 1 << 20);
    ssize_t n;
    while ((n = splice(fd, NULL, pipe_ends[1], NULL, 1 << 20, SPLICE_F_MOVE)) > 0)
        for (ssize_t left = n; left > 0;) {
            ssize_t moved = splice(pipe_ends[0], NULL, null, NULL, left, SPLICE_F_MOVE);
            if (moved <= 0) die("splice");
            left -= moved;
        }
    return n < 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "serve")) {
        parse_target(argv[2]);
        serve();
    }
    if (argc == 3 && !strcmp(argv[1], "sink")) {
        parse_target(argv[2]);
        return sink();
    }
    if (argc < 4) { fprintf(stderr, "usage: see the head of loadgen.c\n"); return 2; }
    parse_target(argv[2]);
    if (!strcmp(argv[1], "echo") && argc == 6) return echo(atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    if (!strcmp(argv[1], "udp") && argc == 6) return udp(atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    if (!strcmp(argv[1], "idle")) return idle(atoi(argv[3]));
    if (!strcmp(argv[1], "connect") && argc >= 6)
        return connect_rate(atoi(argv[3]), atof(argv[4]), atoi(argv[5]), argc == 7 && !strcmp(argv[6], "tls"));
    if (!strcmp(argv[1], "fanout") && argc == 6) return fanout(atoi(argv[3]), atoll(argv[4]), atof(argv[5]));
    if (!strcmp(argv[1], "sendfile")) return send_file(argv[3]);
    fprintf(stderr, "unknown mode\n");
    return 2;
}
