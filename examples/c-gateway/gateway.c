/* A small WebSocket echo gateway in C on top of wsguard: a poll() loop on 127.0.0.1
 * that reads the upgrade request, lets wsguard validate it (Origin policy, Host, token
 * presence), answers 101 or the exact rejection (403, 401, 426 ...), then echoes every
 * message with the frame API. No malloc on the data path: each connection has a fixed
 * 64 KiB buffer and its policy/decoder live in caller storage; large messages are
 * streamed through (HEADER + DATA chunks) and echoed frame by frame.
 *
 *   gateway [--port N] [--allow PATTERN]... [--no-token] [--max-seconds N]
 *
 * Prints `listening on 127.0.0.1:PORT` once ready (port 0 = any free port). The token may
 * travel as `?token=...` or `Authorization: Bearer ...`; it is only required to be
 * present (verify it yourself in a real service). */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wsguard.h"

#define MAX_CONNS 64
#define BUF_SIZE (64 * 1024)

typedef struct {
    int fd;               /* -1: free slot */
    int upgraded;         /* 0: reading the handshake; 1: frames */
    int streaming;        /* inside a frame announced by a HEADER event */
    int continuing;       /* a fragmented message has started: next frames are continuations */
    size_t have;          /* bytes in buf */
    uint8_t buf[BUF_SIZE];
    uint64_t decoder_storage[WSGUARD_DECODER_STORAGE_SIZE / 8];
    wsguard_decoder *decoder;
} conn_t;

static conn_t conns[MAX_CONNS];
static uint64_t policy_storage[WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8];
static wsguard_origin_policy *policy;
static wsguard_server_options options;
static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static int send_all(int fd, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void close_conn(conn_t *c) {
    if (c->fd >= 0) close(c->fd);
    if (c->decoder) wsguard_decoder_free(c->decoder);
    c->fd = -1;
    c->decoder = NULL;
}

static void log_rejection(const char *what, const wsguard_rejection *r) {
    fprintf(stderr, "gateway: %s: %.*s (%d): %.*s | fix: %.*s\n", what, (int)r->code.len, r->code.ptr,
            r->http_status ? r->http_status : r->close_code, (int)r->reason.len, r->reason.ptr,
            (int)r->remedy.len, r->remedy.ptr);
}

/* Reads the upgrade request; answers 101 (and switches to frames) or the rejection. */
static void on_handshake_bytes(conn_t *c) {
    uint8_t out[2048];
    size_t written = 0;
    wsguard_accepted acc;
    wsguard_rejection rej;
    wsguard_result r = wsguard_server_respond(policy, &options, c->buf, c->have, out, sizeof out, &written, NULL,
                                              &acc, &rej);
    if (r == WSGUARD_RESULT_INCOMPLETE) {
        if (c->have == sizeof c->buf) close_conn(c); /* cannot happen: limits are below 64 KiB */
        return;
    }
    if (r == WSGUARD_RESULT_OK) {
        wsguard_decoder_config cfg;
        if (send_all(c->fd, out, written) != 0 ||
            wsguard_decoder_config_default(WSGUARD_ROLE_SERVER, &cfg) != WSGUARD_RESULT_OK) {
            close_conn(c);
            return;
        }
        cfg.max_message = 16u << 20;
        if (wsguard_decoder_init(c->decoder_storage, sizeof c->decoder_storage, &cfg, &c->decoder) !=
            WSGUARD_RESULT_OK) {
            close_conn(c);
            return;
        }
        /* Bytes after the head already belong to the WebSocket stream. */
        memmove(c->buf, c->buf + acc.consumed, c->have - acc.consumed);
        c->have -= acc.consumed;
        c->upgraded = 1;
        return;
    }
    if (r == WSGUARD_RESULT_HANDSHAKE_REJECTED) {
        log_rejection("handshake refused", &rej);
        (void)send_all(c->fd, out, written);
    } else {
        fprintf(stderr, "gateway: %s\n", wsguard_result_message((uint32_t)r));
    }
    close_conn(c);
}

/* Echoes one decoded event; returns -1 to close the connection. A frame whose payload is
 * not all in the buffer arrives as HEADER + DATA chunks: its header is mirrored and the
 * chunks forwarded as they come. Frames of a fragmented message keep their order, so the
 * echo is fragmented the same way (continuations get opcode 0). */
static int echo_event(conn_t *c, const wsguard_frame_event *ev) {
    uint8_t hdr[14], frame[256];
    size_t n = 0;
    wsguard_rejection rej;
    switch (ev->kind) {
    case WSGUARD_EVENT_KIND_HEADER: /* opcode is the raw one: 0 for a continuation */
        if (wsguard_frame_write_header(hdr, sizeof hdr, ev->fin_of_frame, ev->opcode, ev->frame_len, NULL, 0, &n,
                                       NULL) != WSGUARD_RESULT_OK)
            return -1;
        c->streaming = 1;
        return send_all(c->fd, hdr, n);
    case WSGUARD_EVENT_KIND_DATA:
        if (!c->streaming) { /* a whole frame */
            uint8_t op = c->continuing ? 0 : ev->message_opcode;
            if (wsguard_frame_write_header(hdr, sizeof hdr, ev->fin_of_message, op, ev->payload_len, NULL, 0, &n,
                                           NULL) != WSGUARD_RESULT_OK ||
                send_all(c->fd, hdr, n) != 0)
                return -1;
        }
        if (send_all(c->fd, ev->payload, ev->payload_len) != 0) return -1;
        if (ev->fin_of_frame) {
            c->streaming = 0;
            c->continuing = !ev->fin_of_message;
        }
        return 0;
    case WSGUARD_EVENT_KIND_PING:
        if (wsguard_frame_write_ping(frame, sizeof frame, 1, ev->payload, ev->payload_len, NULL, 0, &n, NULL, &rej) !=
            WSGUARD_RESULT_OK)
            return -1;
        return send_all(c->fd, frame, n);
    case WSGUARD_EVENT_KIND_CLOSE: /* answer with the same code, then close */
        if (wsguard_frame_write_close(frame, sizeof frame, ev->has_close_code ? ev->close_code : 0, NULL, 0, NULL, 0,
                                      &n, NULL, &rej) == WSGUARD_RESULT_OK)
            (void)send_all(c->fd, frame, n);
        return -1;
    default:
        return 0;
    }
}

static void on_frame_bytes(conn_t *c) {
    for (;;) {
        size_t consumed = 0;
        wsguard_frame_event ev;
        wsguard_rejection rej;
        wsguard_result r = wsguard_decoder_decode_streaming(c->decoder, c->buf, c->have, &consumed, NULL, &ev, &rej);
        if (r == WSGUARD_RESULT_INCOMPLETE) return;
        if (r == WSGUARD_RESULT_PROTOCOL_VIOLATION) {
            uint8_t frame[160];
            size_t n = 0;
            log_rejection("protocol violation", &rej);
            if (wsguard_frame_write_close(frame, sizeof frame, rej.close_code, NULL, 0, NULL, 0, &n, NULL, NULL) ==
                WSGUARD_RESULT_OK)
                (void)send_all(c->fd, frame, n);
            close_conn(c);
            return;
        }
        if (r != WSGUARD_RESULT_OK || echo_event(c, &ev) != 0) {
            close_conn(c);
            return;
        }
        memmove(c->buf, c->buf + consumed, c->have - consumed);
        c->have -= consumed;
    }
}

static int setup_policy(int argc, char **argv, int *port, int *max_seconds) {
    int i, token = 1;
    if (wsguard_origin_policy_init(policy_storage, sizeof policy_storage, 0, &policy) != WSGUARD_RESULT_OK) return -1;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            *port = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc) {
            *max_seconds = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--no-token") == 0) {
            token = 0;
        } else if (strcmp(argv[i], "--allow") == 0 && i + 1 < argc) {
            wsguard_rejection rej;
            const char *pat = argv[++i];
            if (wsguard_origin_policy_allow(policy, pat, strlen(pat), &rej) != WSGUARD_RESULT_OK) {
                log_rejection("bad --allow pattern", &rej);
                return -1;
            }
        } else {
            fprintf(stderr, "usage: gateway [--port N] [--allow PATTERN]... [--no-token] [--max-seconds N]\n");
            return -1;
        }
    }
    if (wsguard_server_options_default(&options) != WSGUARD_RESULT_OK) return -1;
    options.token_authorization = token;
    options.token_query = token ? "token" : NULL;
    options.token_query_len = token ? 5 : 0;
    options.token_required = token;
    return 0;
}

int main(int argc, char **argv) {
    int port = 0, max_seconds = 0, lfd, i, one = 1;
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    time_t started = time(NULL);
    if (setup_policy(argc, argv, &port, &max_seconds) != 0) return 2;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)port);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 16) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
        perror("gateway: listen");
        return 1;
    }
    for (i = 0; i < MAX_CONNS; i++) conns[i].fd = -1;
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    while (!stop && (max_seconds <= 0 || time(NULL) - started < max_seconds)) {
        struct pollfd fds[MAX_CONNS + 1];
        int idx[MAX_CONNS + 1], nfds = 0, k;
        fds[nfds].fd = lfd;
        fds[nfds].events = POLLIN;
        idx[nfds++] = -1;
        for (i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0) continue;
            fds[nfds].fd = conns[i].fd;
            fds[nfds].events = POLLIN;
            idx[nfds++] = i;
        }
        if (poll(fds, (nfds_t)nfds, 500) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (k = 0; k < nfds; k++) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (idx[k] < 0) {
                int cfd = accept(lfd, NULL, NULL);
                if (cfd < 0) continue;
                for (i = 0; i < MAX_CONNS && conns[i].fd >= 0; i++) {}
                if (i == MAX_CONNS) { close(cfd); continue; }
                conns[i].fd = cfd;
                conns[i].upgraded = 0;
                conns[i].streaming = 0;
                conns[i].continuing = 0;
                conns[i].have = 0;
                conns[i].decoder = NULL;
            } else {
                conn_t *c = &conns[idx[k]];
                ssize_t n = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, 0);
                if (n <= 0) { close_conn(c); continue; }
                c->have += (size_t)n;
                if (!c->upgraded) on_handshake_bytes(c);
                if (c->fd >= 0 && c->upgraded) on_frame_bytes(c);
            }
        }
    }
    for (i = 0; i < MAX_CONNS; i++) close_conn(&conns[i]);
    close(lfd);
    wsguard_origin_policy_free(policy);
    return 0;
}
