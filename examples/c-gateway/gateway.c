/* A WebSocket echo gateway in C on wsguard: one epoll loop on 127.0.0.1 (Linux).
 *
 * The handshake is wsguard_server_respond (Origin policy, Host, token presence; 101 or the
 * exact rejection: 403 origin refused, 401 token missing, 426 wrong version ...). After the
 * 101 every connection is a wsguard_connection, the core's sans-IO engine: this file only
 * moves bytes. The core answers pings, runs the closing handshake, reassembles fragmented
 * messages, streams messages larger than the message buffer in pieces, pings a silent peer
 * and declares it dead (heartbeat deadlines from wsguard_connection_poll_timeout), and
 * classifies how each connection ended.
 *
 * What it does about the network, because people copy examples:
 *  - every outgoing frame is built whole (header and payload in one buffer) and queued;
 *    the queue is flushed with one write() per wakeup, and TCP_NODELAY is set on every
 *    accepted socket, so a small echo costs one send and no Nagle delay;
 *  - one 64 KiB buffer per connection: the core reassembles fragmented messages at its front
 *    (in-place mode) and streams longer messages through it in pieces;
 *  - bounded: at most --max-conns connections and --max-per-address from one client
 *    address; the core decides (wsguard_peer_limits_admit) and writes the answer to an
 *    extra one, 503 with Retry-After (too_many_connections, too_many_from_address), sent
 *    like any refusal and logged at most once a second; beyond REFUSING_MAX refusals in
 *    flight even that answer is not afforded: one non-blocking write and a close. Out of
 *    file descriptors, accepting pauses for 100 ms instead of spinning; at most --max-queued
 *    bytes of unsent output per connection
 *    (a peer that stops reading is dropped, logged with the count), a request head of at
 *    most 16 KiB (the core's limit) that must arrive within --handshake-ms (default 10 s;
 *    then the core's 408 handshake_timeout, or a plain close when nothing arrived).
 *
 *   gateway [--port N] [--allow PATTERN]... [--no-token] [--max-seconds N]
 *           [--max-conns N] [--max-per-address N] [--max-queued BYTES] [--heartbeat-ms N]
 *           [--handshake-ms N] [--dev] [--dev-auth-bypass]
 *
 * --dev: the core's development preset (loopback origins on any port are allowed).
 * --dev-auth-bypass: development only — a connection without a token is let in, each one
 * logged with the core's warning line; the core refuses it at startup without --dev (exit 2
 * with the reason), and only ever applies it on this loopback listener.
 *
 * Prints `listening on 127.0.0.1:PORT` once ready (port 0 = any free port). The token may
 * travel as `?token=...` or `Authorization: Bearer ...`; it is only required to be present
 * (verify it yourself in a real service). Logs go to stderr, one line per event. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wsguard.h"

#define BUF_SIZE (64 * 1024)
/* Over-limit connections answered politely at once (the 503 queued, read until the peer
 * closes); beyond this many, one non-blocking write of the 503 and a close. */
#define REFUSING_MAX 64

typedef struct conn {
    int fd;
    size_t slot;           /* index in conns[] */
    unsigned long id;
    uint64_t accepted_ms;  /* when accept() returned: the handshake must end by then + timeout */
    int open;              /* 0: reading the upgrade request; 1: WebSocket frames */
    int refused;           /* over a peer limit: only the 503 goes out, then the close */
    int upgrading;         /* counted in `upgrading`: the head is not answered yet */
    int shut;              /* refused: write side shut down, waiting for the peer's EOF */
    struct in_addr addr;   /* the client's address (IPv4: its own address group, /32) */
    int closing;           /* close the socket once the output queue is empty */
    uint64_t closing_ms;   /* when closing began: a peer that does not take the rest is dropped */
    int want_out;          /* EPOLLOUT is armed */
    size_t start, have;    /* in[0..start): assembled part of a message; in[start..have): input */
    uint8_t *out;          /* queued output: out[0..out_len) */
    size_t out_len, out_cap;
    uint8_t in[BUF_SIZE];
    uint64_t conn_storage[WSGUARD_CONNECTION_STORAGE_SIZE / 8];
    wsguard_connection *ws;
} conn_t;

static conn_t **conns; /* the live connections, densely: conns[0..live_conns) */
static size_t max_conns = 1024, live_conns; /* live_conns counts the refusing ones too */
static size_t refusing, upgrading;            /* of live_conns: refused; not answered yet */
static wsguard_peer_limits limits;           /* the core's; max_connections = --max-conns */
static size_t max_queued = 1u << 20;
static uint64_t heartbeat_ms;   /* 0: the core's default heartbeat */
static uint64_t handshake_ms = 10000;
static int epfd;
static uint64_t accept_paused_until; /* out of file descriptors: accept again at this time */
static unsigned long next_id = 1;
static uint64_t policy_storage[WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8];
static wsguard_origin_policy *policy;
static wsguard_server_options options;
static char dev_auth_listen[32]; /* "127.0.0.1:PORT", for the bypass's listen check */
static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void log_rejection(unsigned long id, const char *what, const wsguard_rejection *r) {
    fprintf(stderr, "gateway: conn %lu: %s: %.*s (%d): %.*s | fix: %.*s\n", id, what, (int)r->code.len,
            r->code.ptr, r->http_status ? r->http_status : r->close_code, (int)r->reason.len, r->reason.ptr,
            (int)r->remedy.len, r->remedy.ptr);
}

/* Logs how a WebSocket connection ended, as the core classified it. */
static void log_ending(conn_t *c) {
    bool ended = false;
    wsguard_connection_ending e;
    if (!c->ws || wsguard_connection_get_ending(c->ws, &ended, &e) != WSGUARD_RESULT_OK || !ended) return;
    wsguard_str name = e.info.name.len ? e.info.name : e.info.registration; /* e.g. "unregistered" */
    fprintf(stderr, "gateway: conn %lu: ended %u (%.*s, %.*s)%s reason \"%.*s\"%s%.*s\n", c->id, e.code,
            (int)name.len, name.ptr, (int)e.info.category_code.len, e.info.category_code.ptr,
            e.by_peer ? " by peer," : ",", (int)e.reason_len, e.reason, e.failure.code.len ? ": " : "",
            (int)e.failure.code.len, e.failure.code.ptr);
}

static void drop_conn(conn_t *c) {
    log_ending(c);
    if (c->refused) refusing--;
    if (c->upgrading) upgrading--;
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->ws) wsguard_connection_free(c->ws);
    live_conns--;
    conns[c->slot] = conns[live_conns]; /* the last one takes the freed slot */
    conns[c->slot]->slot = c->slot;
    conns[live_conns] = NULL;
    free(c->out);
    free(c);
}

static void start_closing(conn_t *c) {
    if (!c->closing) c->closing_ms = now_ms();
    c->closing = 1;
}

/* The head is answered (101 or a refusal): no longer an upgrade in progress. */
static void answered(conn_t *c) {
    if (c->upgrading) upgrading--;
    c->upgrading = 0;
}

/* Closing and everything sent: time to close, except that a refused peer first gets its
 * write side shut down, and is closed on its EOF (or at the closing deadline), so that
 * the 503 is not lost to a reset caused by request bytes not read yet. */
static int sent_all(conn_t *c) {
    if (!c->closing || c->out_len > 0) return 0;
    if (!c->refused) return 1;
    if (!c->shut) {
        shutdown(c->fd, SHUT_WR);
        c->shut = 1;
    }
    return 0;
}

/* Reserves n bytes at the end of the output queue; NULL when the cap would be passed. */
static uint8_t *reserve(conn_t *c, size_t n) {
    if (n > max_queued || c->out_len > max_queued - n) return NULL;
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        uint8_t *p;
        while (cap < c->out_len + n) cap *= 2;
        if (cap > max_queued) cap = max_queued;
        p = realloc(c->out, cap);
        if (!p) return NULL;
        c->out = p;
        c->out_cap = cap;
    }
    return c->out + c->out_len;
}

static int queue_bytes(conn_t *c, const void *data, size_t n) {
    uint8_t *dst = reserve(c, n);
    if (!dst) return -1;
    memcpy(dst, data, n);
    c->out_len += n;
    return 0;
}

static void arm(conn_t *c, int want_out) {
    struct epoll_event ev;
    if (c->want_out == want_out) return;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0);
    ev.data.ptr = c;
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want_out;
}

/* Writes the queue (one write() for everything queued); -1 when the socket failed. */
static int flush(conn_t *c) {
    while (c->out_len > 0) {
        ssize_t n = write(c->fd, c->out, c->out_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) return -1;
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
    }
    arm(c, c->out_len > 0);
    return 0;
}

/* Queues every control frame the core owes (pongs, close replies, heartbeat pings). */
static int queue_owed(conn_t *c) {
    for (;;) {
        size_t n = 0;
        uint8_t *dst = reserve(c, WSGUARD_CONNECTION_MAX_CONTROL_FRAME);
        if (!dst) return -1;
        if (wsguard_connection_poll_transmit(c->ws, dst, WSGUARD_CONNECTION_MAX_CONTROL_FRAME, &n, NULL) !=
            WSGUARD_RESULT_OK)
            return -1;
        if (n == 0) return 0;
        c->out_len += n;
    }
}

/* Echoes one message or piece as one frame (header + payload built together). */
static int echo(conn_t *c, const wsguard_connection_event *ev, int piece) {
    size_t need = wsguard_frame_header_len(ev->data_len, false) + ev->data_len, n = 0;
    uint8_t *dst = reserve(c, need);
    wsguard_rejection rej;
    wsguard_result r;
    if (!dst) {
        fprintf(stderr, "gateway: conn %lu: dropped: peer is not reading (%zu bytes queued, cap %zu)\n", c->id,
                c->out_len, max_queued);
        return -1;
    }
    r = piece ? wsguard_connection_send_fragment(c->ws, ev->opcode, ev->data, ev->data_len, ev->last, dst, need, &n,
                                                 NULL, &rej)
              : wsguard_connection_send(c->ws, ev->opcode, ev->data, ev->data_len, dst, need, &n, NULL, &rej);
    if (r == WSGUARD_RESULT_CONNECTION_CLOSED) return 0; /* we are closing: drop the echo */
    if (r != WSGUARD_RESULT_OK) {
        log_rejection(c->id, "send refused", &rej);
        return -1;
    }
    c->out_len += n;
    return 0;
}

/* Feeds the received bytes to the connection and handles its events. */
/* Feeds the received bytes to the connection and handles its events. One buffer per
 * connection (the core's in-place mode): in[0..start) holds the part of a fragmented
 * message assembled so far, in[start..have) the bytes not decoded yet. */
static int on_frames(conn_t *c) {
    wsguard_connection_event ev;
    for (;;) {
        size_t keep;
        for (;;) {
            size_t used = 0;
            wsguard_rejection rej;
            wsguard_result r = wsguard_connection_handle_input_in_place(c->ws, now_ms(), c->in, sizeof c->in,
                                                                        c->start, c->have, &used, &ev, &rej);
            if (r == WSGUARD_RESULT_PROTOCOL_VIOLATION || r == WSGUARD_RESULT_CONNECTION_CLOSED) {
                if (r == WSGUARD_RESULT_PROTOCOL_VIOLATION)
                    log_rejection(c->id, "protocol violation", &rej); /* its Close is queued */
                c->start = c->have = 0;
                goto done;
            }
            if (r != WSGUARD_RESULT_OK) return -1;
            if (ev.kind == WSGUARD_CONNECTION_EVENT_KIND_MESSAGE || ev.kind == WSGUARD_CONNECTION_EVENT_KIND_PIECE) {
                if (echo(c, &ev, ev.kind == WSGUARD_CONNECTION_EVENT_KIND_PIECE) != 0) return -1;
            } else if (ev.kind == WSGUARD_CONNECTION_EVENT_KIND_PING || ev.kind == WSGUARD_CONNECTION_EVENT_KIND_CLOSE) {
                /* The core keeps one pong: queue it now, in arrival order, before the next ping. */
                if (queue_owed(c) != 0) return -1;
            }
            c->start += used; /* the event is handled: its bytes may go */
            if (ev.kind == WSGUARD_CONNECTION_EVENT_KIND_NONE) break;
        }
        /* Room for the next read: drop decoded bytes, keep the assembled part in front. */
        keep = wsguard_connection_assembled(c->ws);
        if (c->start > keep) {
            memmove(c->in + keep, c->in + c->start, c->have - c->start);
            c->have -= c->start - keep;
            c->start = keep;
        }
        if (c->have < sizeof c->in) break;
        /* Full: the assembled part leaves as the first piece of its message (echoed as a
         * fragment), and the rest of the message streams through. */
        if (wsguard_connection_release_assembled(c->ws, c->in, sizeof c->in, &ev) != WSGUARD_RESULT_OK ||
            ev.kind != WSGUARD_CONNECTION_EVENT_KIND_PIECE || echo(c, &ev, 1) != 0)
            return -1;
    }
done:
    if (queue_owed(c) != 0) return -1;
    if (wsguard_connection_is_finished(c->ws)) start_closing(c);
    return 0;
}

static int start_connection(conn_t *c) {
    wsguard_connection_config cfg;
    wsguard_rejection rej;
    if (wsguard_connection_config_default(WSGUARD_ROLE_SERVER, &cfg) != WSGUARD_RESULT_OK) return -1;
    cfg.decoder.max_message = 16u << 20;
    cfg.has_heartbeat = true;
    if (heartbeat_ms) {
        cfg.heartbeat.interval_ms = heartbeat_ms;
        cfg.heartbeat.dead_timeout_ms = heartbeat_ms * 3;
    }
    if (wsguard_connection_init(c->conn_storage, sizeof c->conn_storage, &cfg, now_ms(), &c->ws, &rej) !=
        WSGUARD_RESULT_OK) {
        log_rejection(c->id, "connection config refused", &rej);
        return -1;
    }
    return 0;
}

/* Reads the upgrade request; queues the 101 (and switches to frames) or the rejection. */
static int on_handshake(conn_t *c) {
    uint8_t resp[2048];
    size_t written = 0;
    wsguard_accepted acc;
    wsguard_rejection rej;
    wsguard_result r = wsguard_server_respond(policy, &options, c->in, c->have, resp, sizeof resp, &written, NULL,
                                              &acc, &rej);
    if (r == WSGUARD_RESULT_INCOMPLETE) return c->have == sizeof c->in ? -1 : 0;
    if (r == WSGUARD_RESULT_HANDSHAKE_REJECTED) {
        log_rejection(c->id, "handshake refused", &rej);
        answered(c);
        start_closing(c);
        c->have = 0;
        return queue_bytes(c, resp, written);
    }
    if (r != WSGUARD_RESULT_OK) {
        fprintf(stderr, "gateway: conn %lu: %s\n", c->id, wsguard_result_message((uint32_t)r));
        return -1;
    }
    answered(c);
    if (acc.dev_auth_bypassed) {
        /* The core's warning line for a connection the development bypass let in. */
        char notice[1024];
        size_t n = 0;
        if (wsguard_server_dev_auth_notice(policy, &options, c->in, c->have, notice, sizeof notice, &n, NULL) ==
            WSGUARD_RESULT_OK)
            fprintf(stderr, "gateway: conn %lu: %.*s\n", c->id, (int)n, notice);
    }
    if (queue_bytes(c, resp, written) != 0 || start_connection(c) != 0) return -1;
    /* Bytes after the head already belong to the WebSocket stream. */
    memmove(c->in, c->in + acc.consumed, c->have - acc.consumed);
    c->have -= acc.consumed;
    c->open = 1;
    return c->have ? on_frames(c) : 0;
}

/* The head is still incomplete at --handshake-ms: the core's 408 handshake_timeout is
 * queued (sent, then closed), or -1 when nothing was received (nothing to answer). */
static int on_deadline(conn_t *c) {
    uint8_t resp[1024];
    size_t written = 0;
    wsguard_rejection rej;
    if (wsguard_server_deadline_refusal(c->have, resp, sizeof resp, &written, NULL, &rej) !=
        WSGUARD_RESULT_HANDSHAKE_REJECTED) {
        fprintf(stderr, "gateway: conn %lu: dropped: nothing received within %llu ms\n", c->id,
                (unsigned long long)handshake_ms);
        return -1;
    }
    log_rejection(c->id, "handshake refused", &rej);
    answered(c);
    start_closing(c);
    c->have = 0;
    if (queue_bytes(c, resp, written) != 0 || flush(c) != 0 || sent_all(c)) return -1;
    return 0;
}

static void on_readable(conn_t *c) {
    for (;;) {
        ssize_t n;
        size_t room = sizeof c->in - c->have;
        if (c->closing) { /* answered already: read and discard until the output is out */
            c->start = c->have = 0;
            room = sizeof c->in;
        }
        if (room == 0) break; /* handled below; cannot stay full */
        n = read(c->fd, c->in + c->have, room);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) { /* EOF or reset: the peer is gone */
            if (c->ws) wsguard_connection_handle_eof(c->ws, now_ms());
            drop_conn(c);
            return;
        }
        c->have += (size_t)n;
        if (c->closing && !c->open) {
            c->have = 0; /* the head was answered (a refusal): later bytes are discarded */
        } else if ((c->open ? on_frames(c) : on_handshake(c)) != 0) {
            drop_conn(c);
            return;
        }
        /* A short read drained the socket: skip the read that would only say EAGAIN
         * (epoll is level-triggered, so bytes that arrive later wake us again). */
        if (c->closing || (size_t)n < room) break;
    }
    if (flush(c) != 0 || sent_all(c)) drop_conn(c);
}

static void on_writable(conn_t *c) {
    if (flush(c) != 0 || sent_all(c)) drop_conn(c);
}

/* Open connections from `addr`, the refused ones not counted. Below the limit in total,
 * no address can be at it: the scan is skipped. */
static uint32_t from_address(struct in_addr addr) {
    size_t i;
    uint32_t n = 0;
    if (live_conns - refusing < limits.max_per_address) return 0;
    for (i = 0; i < live_conns; i++)
        if (!conns[i]->refused && conns[i]->addr.s_addr == addr.s_addr) n++;
    return n;
}

/* Asks the core whether the connection from `addr` fits; when it does not, the core's
 * 503 is in resp (*len bytes) and the refusal is logged at most once a second. */
static int over_limit(struct in_addr addr, uint8_t *resp, size_t cap, size_t *len) {
    static time_t last_refusal_log;
    wsguard_load load;
    wsguard_rejection rej;
    wsguard_result r;
    load.connections = (uint32_t)(live_conns - refusing);
    load.from_address = from_address(addr);
    load.upgrading = (uint32_t)upgrading;
    r = wsguard_peer_limits_admit(&limits, &load, resp, cap, len, NULL, &rej);
    if (r == WSGUARD_RESULT_OK) return 0;
    if (r == WSGUARD_RESULT_OVERLOADED) {
        time_t t = time(NULL);
        if (t != last_refusal_log) {
            fprintf(stderr, "gateway: refused a connection: %.*s (%d): %zu connections open, %u from %s\n",
                    (int)rej.code.len, rej.code.ptr, rej.http_status, live_conns - refusing, load.from_address,
                    inet_ntoa(addr));
            last_refusal_log = t;
        }
    } else {
        *len = 0;
    }
    return 1;
}

static void accept_all(int lfd) {
    for (;;) {
        int one = 1, refuse;
        conn_t *c;
        struct epoll_event ev;
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        uint8_t resp[WSGUARD_OVERLOAD_MAX_RESPONSE];
        size_t resp_len = 0;
        int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR) continue;
            if (errno == EMFILE || errno == ENFILE) {
                /* Out of descriptors: the pending connection stays in the backlog and the
                 * listening socket stays readable. Stop watching it for 100 ms instead of
                 * spinning on accept(), and log once a second, not on every attempt. */
                static time_t last_log;
                time_t t = time(NULL);
                if (t != last_log) {
                    fprintf(stderr, "gateway: accept paused: %s (%zu connections open)\n", strerror(errno),
                            live_conns);
                    last_log = t;
                }
                epoll_ctl(epfd, EPOLL_CTL_DEL, lfd, NULL);
                accept_paused_until = now_ms() + 100;
            }
            return;
        }
        refuse = over_limit(peer.sin_addr, resp, sizeof resp, &resp_len);
        if (refuse && refusing >= REFUSING_MAX) { /* cannot afford more: one try, then close */
            if (resp_len && write(fd, resp, resp_len) < 0) { /* nothing more to do */ }
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = calloc(1, sizeof *c);
        if (!c) { close(fd); continue; }
        c->fd = fd;
        c->id = next_id++;
        c->accepted_ms = now_ms();
        c->addr = peer.sin_addr;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) { close(fd); free(c); continue; }
        c->slot = live_conns;
        conns[live_conns++] = c;
        if (!refuse) {
            c->upgrading = 1;
            upgrading++;
            continue;
        }
        /* Over a limit: the core's 503 goes out like any refusal, then the close. */
        c->refused = 1;
        refusing++;
        start_closing(c);
        if (queue_bytes(c, resp, resp_len) != 0 || flush(c) != 0 || sent_all(c)) drop_conn(c);
    }
}

/* Runs the core's timers; returns the epoll timeout (ms) until the earliest deadline.
 * A scan of the live connections per wakeup keeps the example short; a server with many
 * connections keeps the deadlines in a heap or timer wheel instead. */
static int run_timers(int cap_ms) {
    uint64_t now = now_ms(), next = UINT64_MAX;
    size_t i;
    for (i = live_conns; i-- > 0;) { /* backwards: a drop moves the last one into slot i */
        conn_t *c = conns[i];
        bool has = false;
        uint64_t at = 0;
        if (!c) continue;
        if (c->closing) { /* the last bytes are queued: the peer gets as long as for a handshake */
            uint64_t until = c->closing_ms + handshake_ms;
            if (until <= now) {
                fprintf(stderr, "gateway: conn %lu: dropped: peer did not take the last %zu bytes\n", c->id,
                        c->out_len);
                drop_conn(c);
            } else if (until < next) {
                next = until;
            }
            continue;
        }
        if (!c->ws) { /* still reading the upgrade request */
            uint64_t until = c->accepted_ms + handshake_ms;
            if (until <= now) {
                if (on_deadline(c) != 0) drop_conn(c);
            } else if (until < next) {
                next = until;
            }
            continue;
        }
        if (wsguard_connection_poll_timeout(c->ws, &has, &at) != WSGUARD_RESULT_OK || !has) continue;
        if (at <= now) {
            wsguard_connection_handle_timeout(c->ws, now);
            if (queue_owed(c) != 0) { drop_conn(c); continue; }
            if (wsguard_connection_is_finished(c->ws)) start_closing(c);
            if (flush(c) != 0 || sent_all(c)) { drop_conn(c); continue; }
            if (wsguard_connection_poll_timeout(c->ws, &has, &at) != WSGUARD_RESULT_OK || !has) continue;
        }
        if (at < next) next = at;
    }
    if (next == UINT64_MAX) return cap_ms;
    return next <= now ? 0 : (next - now < (uint64_t)cap_ms ? (int)(next - now) : cap_ms);
}

static int parse_args(int argc, char **argv, int *port, int *max_seconds) {
    int i, token = 1, dev = 0, dev_auth_bypass = 0;
    if (wsguard_peer_limits_default(&limits) != WSGUARD_RESULT_OK) return -1;
    /* --dev decides the policy's preset, which is fixed when the policy is made. */
    for (i = 1; i < argc; i++) dev |= strcmp(argv[i], "--dev") == 0;
    if (wsguard_origin_policy_init(policy_storage, sizeof policy_storage, dev ? WSGUARD_POLICY_DEVELOPMENT : 0,
                                   &policy) != WSGUARD_RESULT_OK)
        return -1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-token") == 0) {
            token = 0;
            continue;
        }
        if (strcmp(a, "--dev") == 0) continue;
        if (strcmp(a, "--dev-auth-bypass") == 0) {
            dev_auth_bypass = 1;
            continue;
        }
        if (!v) break;
        i++;
        if (strcmp(a, "--port") == 0) {
            *port = atoi(v);
        } else if (strcmp(a, "--max-seconds") == 0) {
            *max_seconds = atoi(v);
        } else if (strcmp(a, "--max-conns") == 0) {
            max_conns = strtoul(v, NULL, 10);
        } else if (strcmp(a, "--max-per-address") == 0) {
            limits.max_per_address = (uint32_t)strtoul(v, NULL, 10);
        } else if (strcmp(a, "--max-queued") == 0) {
            max_queued = strtoul(v, NULL, 10);
        } else if (strcmp(a, "--handshake-ms") == 0) {
            handshake_ms = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--heartbeat-ms") == 0) {
            heartbeat_ms = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--allow") == 0) {
            wsguard_rejection rej;
            wsguard_result r = wsguard_origin_policy_allow(policy, v, strlen(v), &rej);
            if (r != WSGUARD_RESULT_OK) {
                log_rejection(0, "bad --allow pattern", &rej);
                return -1;
            }
        } else {
            break;
        }
    }
    if (i < argc || max_conns == 0 || max_conns > UINT32_MAX || limits.max_per_address == 0 || max_queued < 4096) {
        fprintf(stderr, "usage: gateway [--port N] [--allow PATTERN]... [--no-token] [--max-seconds N]\n"
                        "               [--max-conns N>0] [--max-per-address N>0] [--max-queued BYTES>=4096]\n"
                        "               [--heartbeat-ms N] [--handshake-ms N] [--dev] [--dev-auth-bypass]\n");
        return -1;
    }
    /* --max-conns bounds connections and, as one, upgrades in progress (the table holds
     * max_conns connections plus REFUSING_MAX being refused). */
    limits.max_connections = (uint32_t)max_conns;
    limits.max_upgrading = (uint32_t)max_conns;
    if (wsguard_server_options_default(&options) != WSGUARD_RESULT_OK) return -1;
    options.token_authorization = token;
    options.token_query = token ? "token" : NULL;
    options.token_query_len = token ? 5 : 0;
    options.token_required = token;
    options.dev_auth_bypass = dev_auth_bypass;
    return 0;
}

/* The development auth bypass's startup check, once the listen address is known: the
 * core refuses it in production (and off loopback); the gateway then does not start. */
static int check_dev_auth(uint16_t port) {
    wsguard_rejection rej;
    if (!options.dev_auth_bypass) return 0;
    snprintf(dev_auth_listen, sizeof dev_auth_listen, "127.0.0.1:%u", (unsigned)port);
    options.dev_auth_listen = dev_auth_listen;
    options.dev_auth_listen_len = strlen(dev_auth_listen);
    if (wsguard_dev_auth_check(policy, &options, &rej) != WSGUARD_RESULT_OK) {
        log_rejection(0, "--dev-auth-bypass refused", &rej);
        return -1;
    }
    fprintf(stderr, "gateway: development auth bypass on: connections without a token are let in\n");
    return 0;
}

int main(int argc, char **argv) {
    int port = 0, max_seconds = 0, lfd, one = 1;
    struct sockaddr_in addr;
    struct epoll_event lev;
    socklen_t alen = sizeof addr;
    time_t started = time(NULL);
    if (parse_args(argc, argv, &port, &max_seconds) != 0) return 2;
    conns = calloc(max_conns + REFUSING_MAX, sizeof *conns);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || lfd < 0 || epfd < 0) {
        perror("gateway: setup");
        return 1;
    }
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)port);
    memset(&lev, 0, sizeof lev);
    lev.events = EPOLLIN;
    lev.data.ptr = NULL;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 1024) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) != 0) {
        perror("gateway: listen");
        return 1;
    }
    if (check_dev_auth(ntohs(addr.sin_port)) != 0) return 2;
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    while (!stop && (max_seconds <= 0 || time(NULL) - started < max_seconds)) {
        struct epoll_event evs[64];
        int k, n, wait_ms = run_timers(500);
        if (accept_paused_until) {
            uint64_t now = now_ms();
            if (now >= accept_paused_until) {
                accept_paused_until = 0;
                epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev);
            } else if (accept_paused_until - now < (uint64_t)wait_ms) {
                wait_ms = (int)(accept_paused_until - now);
            }
        }
        n = epoll_wait(epfd, evs, 64, wait_ms);
        if (n < 0 && errno != EINTR) break;
        for (k = 0; k < n; k++) {
            conn_t *c = evs[k].data.ptr;
            if (!c) {
                accept_all(lfd);
                continue;
            }
            /* each connection appears at most once per batch, and only its own
             * handler (or run_timers, before epoll_wait) frees it */
            if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                on_readable(c);
            } else if (evs[k].events & EPOLLOUT) {
                on_writable(c);
            }
        }
    }
    while (live_conns > 0) drop_conn(conns[live_conns - 1]);
    free(conns);
    close(lfd);
    close(epfd);
    wsguard_origin_policy_free(policy);
    return 0;
}
