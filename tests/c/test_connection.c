/* The connection handle and the owned policy, from C: a whole server session in caller
 * storage (handshake, the frames that came in the same read, a ping, a fragmented message
 * streamed through a small message buffer, the closing handshake, the classified ending),
 * the heartbeat's deadlines, and the policy's capacity: the default-capacity storage, caller
 * storage sized at run time (1,000 patterns, 40 KiB of text) and the heap policy that grows
 * (5,000 patterns). Exact bytes and codes throughout; runs with the other C tests (plain,
 * valgrind, ASan/UBSan). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "harness.h"

static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};

static size_t client_frame(uint8_t *out, bool fin, uint8_t opcode, const char *payload, size_t len) {
    size_t n = 0;
    if (wsguard_frame_write(out, 64, fin, opcode, (const uint8_t *)payload, len, key, 4, &n, NULL) !=
        WSGUARD_RESULT_OK)
        return 0;
    return n;
}

static uint64_t policy_storage[WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8];
static uint64_t conn_storage[WSGUARD_CONNECTION_STORAGE_SIZE / 8];

static void test_session(void) {
    static const char head[] =
        "GET /chat HTTP/1.1\r\nHost: app.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Origin: https://app.example.com\r\n\r\n";
    static const char allow[] = "https://app.example.com";
    uint8_t in[512], msg[4], out[256];
    size_t have, n = 0, used = 0, hl = sizeof head - 1;
    wsguard_origin_policy *policy = NULL;
    wsguard_connection *c = NULL;
    wsguard_connection_config cfg;
    wsguard_connection_event ev;
    wsguard_connection_ending e;
    wsguard_accepted acc;
    wsguard_rejection rej;
    bool ended = true;
    h_begin("connection-session");
    CHECK_RESULT(wsguard_origin_policy_init(policy_storage, sizeof policy_storage, 0, &policy), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_allow(policy, allow, sizeof allow - 1, &rej), WSGUARD_RESULT_OK);
    /* The head and two frames in one read. */
    memcpy(in, head, hl);
    have = hl;
    have += client_frame(in + have, true, 9, "p", 1);
    have += client_frame(in + have, true, 1, "hi", 2);
    CHECK_RESULT(wsguard_server_respond(policy, NULL, in, have, out, sizeof out, &n, NULL, &acc, &rej),
                 WSGUARD_RESULT_OK);
    CHECK_INT(acc.consumed, hl);
    CHECK(n > 12 && memcmp(out, "HTTP/1.1 101", 12) == 0);
    memmove(in, in + acc.consumed, have - acc.consumed);
    have -= acc.consumed;
    CHECK_RESULT(wsguard_connection_config_default(WSGUARD_ROLE_SERVER, &cfg), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_connection_init(conn_storage, sizeof conn_storage, &cfg, 0, &c, NULL), WSGUARD_RESULT_OK);
    /* ping: answered by the core */
    CHECK_RESULT(wsguard_connection_handle_input(c, 1, in, have, msg, sizeof msg, &used, &ev, &rej),
                 WSGUARD_RESULT_OK);
    CHECK_INT(ev.kind, WSGUARD_CONNECTION_EVENT_KIND_PING);
    CHECK_INT(used, 7);
    CHECK(ev.data_len == 1 && ev.data[0] == 'p');
    CHECK_RESULT(wsguard_connection_poll_transmit(c, out, sizeof out, &n, NULL), WSGUARD_RESULT_OK);
    CHECK(n == 3 && memcmp(out, "\x8a\x01p", 3) == 0);
    memmove(in, in + used, have - used);
    have -= used;
    /* the text message, whole */
    CHECK_RESULT(wsguard_connection_handle_input(c, 2, in, have, msg, sizeof msg, &used, &ev, &rej),
                 WSGUARD_RESULT_OK);
    CHECK_INT(ev.kind, WSGUARD_CONNECTION_EVENT_KIND_MESSAGE);
    CHECK_INT(ev.opcode, 1);
    CHECK(ev.first && ev.last && ev.data_len == 2 && memcmp(ev.data, "hi", 2) == 0);
    CHECK_RESULT(wsguard_connection_send(c, ev.opcode, ev.data, ev.data_len, out, sizeof out, &n, NULL, &rej),
                 WSGUARD_RESULT_OK);
    CHECK(n == 4 && memcmp(out, "\x81\x02hi", 4) == 0);
    have -= used;
    CHECK_INT(have, 0);
    /* a fragmented binary message longer than msg[4]: pieces, in order */
    have = client_frame(in, false, 2, "abc", 3);
    have += client_frame(in + have, true, 0, "defg", 4);
    {
        char got[16];
        size_t at = 0, glen = 0, pieces = 0;
        bool first_seen = false, last_seen = false;
        while (at < have && !h_case_bad) {
            CHECK_RESULT(wsguard_connection_handle_input(c, 3, in + at, have - at, msg, sizeof msg, &used, &ev, &rej),
                         WSGUARD_RESULT_OK);
            if (ev.kind == WSGUARD_CONNECTION_EVENT_KIND_PIECE) {
                CHECK_INT(ev.opcode, 2);
                if (pieces == 0) first_seen = ev.first;
                last_seen = ev.last;
                memcpy(got + glen, ev.data, ev.data_len);
                glen += ev.data_len;
                pieces++;
            }
            CHECK(used > 0 || ev.kind != WSGUARD_CONNECTION_EVENT_KIND_NONE);
            at += used;
        }
        CHECK(first_seen && last_seen && pieces >= 2);
        CHECK(glen == 7 && memcmp(got, "abcdefg", 7) == 0);
    }
    /* the peer closes with 4001 "done": the reply carries the code, the ending is classified */
    have = client_frame(in, true, 8, "\x0f\xa1" "done", 6);
    CHECK_RESULT(wsguard_connection_handle_input(c, 4, in, have, msg, sizeof msg, &used, &ev, &rej),
                 WSGUARD_RESULT_OK);
    CHECK_INT(ev.kind, WSGUARD_CONNECTION_EVENT_KIND_CLOSE);
    CHECK(ev.has_close_code);
    CHECK_INT(ev.close_code, 4001);
    CHECK(ev.data_len == 4 && memcmp(ev.data, "done", 4) == 0);
    CHECK(!wsguard_connection_is_finished(c));
    CHECK_RESULT(wsguard_connection_poll_transmit(c, out, sizeof out, &n, NULL), WSGUARD_RESULT_OK);
    CHECK(n == 4 && memcmp(out, "\x88\x02\x0f\xa1", 4) == 0);
    CHECK(wsguard_connection_is_finished(c));
    CHECK_RESULT(wsguard_connection_get_ending(c, &ended, &e), WSGUARD_RESULT_OK);
    CHECK(ended);
    CHECK_INT(e.kind, WSGUARD_ENDING_KIND_CLOSED);
    CHECK_INT(e.code, 4001);
    CHECK(e.by_peer);
    CHECK(e.reason_len == 4 && memcmp(e.reason, "done", 4) == 0);
    CHECK_WSTR(e.info.category_code, "private");
    CHECK_INT(e.failure.code.len, 0);
    CHECK_RESULT(wsguard_connection_send(c, 1, (const uint8_t *)"x", 1, out, sizeof out, &n, NULL, &rej),
                 WSGUARD_RESULT_CONNECTION_CLOSED);
    CHECK_WSTR(rej.code, "connection_closed");
    wsguard_connection_free(c);
    CHECK_RESULT(wsguard_connection_poll_transmit(c, out, sizeof out, &n, NULL), WSGUARD_RESULT_INVALID_HANDLE);
    wsguard_origin_policy_free(policy);
    h_end();
}

static void test_heartbeat_deadlines(void) {
    wsguard_connection_config cfg;
    wsguard_connection *c = NULL;
    wsguard_connection_ending e;
    uint8_t out[WSGUARD_CONNECTION_MAX_CONTROL_FRAME];
    size_t n = 0;
    bool has = false, ended = false;
    uint64_t at = 0;
    h_begin("connection-heartbeat-deadlines");
    wsguard_connection_config_default(WSGUARD_ROLE_SERVER, &cfg);
    cfg.has_heartbeat = true;
    cfg.heartbeat.interval_ms = 1000;
    cfg.heartbeat.dead_timeout_ms = 2500;
    CHECK_RESULT(wsguard_connection_new(&cfg, 10000, &c, NULL), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_connection_poll_timeout(c, &has, &at), WSGUARD_RESULT_OK);
    CHECK(has);
    CHECK_INT(at, 11000);
    CHECK_RESULT(wsguard_connection_handle_timeout(c, at), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_connection_poll_transmit(c, out, sizeof out, &n, NULL), WSGUARD_RESULT_OK);
    CHECK(n == 10 && out[0] == 0x89 && out[1] == 8);
    CHECK_RESULT(wsguard_connection_handle_timeout(c, 12500), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_connection_get_ending(c, &ended, &e), WSGUARD_RESULT_OK);
    CHECK(ended);
    CHECK_INT(e.kind, WSGUARD_ENDING_KIND_PEER_DEAD);
    CHECK_INT(e.code, 1006);
    CHECK_WSTR(e.info.name, "abnormal_closure");
    CHECK_WSTR(e.failure.code, "heartbeat_peer_silent");
    has = true;
    at = 77;
    CHECK_RESULT(wsguard_connection_poll_timeout(c, &has, &at), WSGUARD_RESULT_OK);
    CHECK(!has);
    CHECK_INT(at, 77);
    wsguard_connection_free(c);
    h_end();
}

static void test_policy_capacity(void) {
    static uint64_t storage[WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8];
    wsguard_origin_policy *p = NULL;
    wsguard_rejection rej;
    char pat[64];
    size_t i, count = 0;
    h_begin("policy-documented-capacity");
    CHECK_RESULT(wsguard_origin_policy_init(storage, sizeof storage, 0, &p), WSGUARD_RESULT_OK);
    for (i = 0; i < WSGUARD_POLICY_MAX_PATTERNS; i++) {
        int len = snprintf(pat, sizeof pat, "https://h%zu.example.com", i);
        CHECK_RESULT(wsguard_origin_policy_allow(p, pat, (size_t)len, &rej), WSGUARD_RESULT_OK);
    }
    CHECK_RESULT(wsguard_origin_policy_allow(p, "https://x.example", 17, &rej), WSGUARD_RESULT_CAPACITY_EXCEEDED);
    CHECK_WSTR(rej.code, "policy_too_many_entries");
    CHECK_RESULT(wsguard_origin_policy_pattern_count(p, &count), WSGUARD_RESULT_OK);
    CHECK_INT(count, WSGUARD_POLICY_MAX_PATTERNS);
    CHECK_RESULT(wsguard_origin_policy_check(p, "https://h127.example.com", 24, &rej), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_check(p, "https://h128.example.com", 24, &rej), WSGUARD_RESULT_ORIGIN_REJECTED);
    CHECK_WSTR(rej.code, "origin_host");
    CHECK_RESULT(wsguard_origin_policy_allow(p, "https://a.example/", 18, &rej), WSGUARD_RESULT_INVALID_PATTERN);
    CHECK_WSTR(rej.detail, "trailing_slash");
    CHECK_RESULT(wsguard_origin_policy_allow_host(p, "a\r\nb", 4), WSGUARD_RESULT_INVALID_CONFIG);
    wsguard_origin_policy_free(p);
    h_end();
}

/* Caller storage sized at run time for 1,000 patterns and 40 KiB of text: the 1,000th
 * pattern matches, the 1,001st is refused with `policy_too_many_entries`; one byte less of
 * storage is refused with nothing written. */
static void test_policy_sized_storage(void) {
    enum { ENTRIES = 1000, TEXT = 40 * 1024 };
    size_t need = wsguard_origin_policy_storage_size(ENTRIES, TEXT), i, count = 0;
    void *storage = malloc(need);
    wsguard_origin_policy *p = NULL, *const untouched = (wsguard_origin_policy *)&need;
    wsguard_rejection rej;
    char pat[64];
    int len;
    h_begin("policy-sized-storage");
    CHECK_INT(need, WSGUARD_ORIGIN_POLICY_HEADER_SIZE + ENTRIES * WSGUARD_ORIGIN_POLICY_ENTRY_SIZE + TEXT);
    CHECK_INT(need, 1536 + 20000 + 40960);
    CHECK_INT(wsguard_origin_policy_storage_size(SIZE_MAX, 1), 0);
    CHECK(storage != NULL);
    if (storage == NULL) { h_end(); return; }
    p = untouched;
    CHECK_RESULT(wsguard_origin_policy_init_sized(storage, need - 1, ENTRIES, TEXT, 0, &p), WSGUARD_RESULT_INVALID_STORAGE);
    CHECK(p == untouched);
    CHECK_RESULT(wsguard_origin_policy_init_sized(storage, need, SIZE_MAX, 1, 0, &p), WSGUARD_RESULT_INVALID_STORAGE);
    CHECK_RESULT(wsguard_origin_policy_init_sized((char *)storage + 4, need, ENTRIES, TEXT, 0, &p), WSGUARD_RESULT_INVALID_STORAGE);
    CHECK(p == untouched);
    CHECK_RESULT(wsguard_origin_policy_init_sized(storage, need, ENTRIES, TEXT, 0, &p), WSGUARD_RESULT_OK);
    CHECK(p == (wsguard_origin_policy *)storage);
    for (i = 0; i < ENTRIES; i++) {
        len = snprintf(pat, sizeof pat, "https://app%zu.example.com", i);
        CHECK_RESULT(wsguard_origin_policy_allow(p, pat, (size_t)len, &rej), WSGUARD_RESULT_OK);
    }
    CHECK_RESULT(wsguard_origin_policy_check(p, "https://app999.example.com", 26, &rej), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_check(p, "https://app0.example.com", 24, &rej), WSGUARD_RESULT_OK);
    len = snprintf(pat, sizeof pat, "https://app%d.example.com", ENTRIES);
    CHECK_RESULT(wsguard_origin_policy_allow(p, pat, (size_t)len, &rej), WSGUARD_RESULT_CAPACITY_EXCEEDED);
    CHECK_WSTR(rej.code, "policy_too_many_entries");
    CHECK_RESULT(wsguard_origin_policy_allow_host(p, "a.example", 9), WSGUARD_RESULT_CAPACITY_EXCEEDED);
    CHECK_RESULT(wsguard_origin_policy_pattern_count(p, &count), WSGUARD_RESULT_OK);
    CHECK_INT(count, ENTRIES);
    CHECK_RESULT(wsguard_origin_policy_check(p, pat, (size_t)len, &rej), WSGUARD_RESULT_ORIGIN_REJECTED);
    CHECK_WSTR(rej.code, "origin_host");
    wsguard_origin_policy_free(p);
    CHECK_RESULT(wsguard_origin_policy_pattern_count(p, &count), WSGUARD_RESULT_INVALID_HANDLE);
    /* Text sized below the entries: 64 bytes hold two 24-byte patterns, not three. */
    CHECK_RESULT(wsguard_origin_policy_init_sized(storage, need, 10, 64, 0, &p), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_allow(p, "https://app0.example.com", 24, &rej), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_allow(p, "https://app1.example.com", 24, &rej), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_allow(p, "https://app2.example.com", 24, &rej), WSGUARD_RESULT_CAPACITY_EXCEEDED);
    CHECK_WSTR(rej.code, "policy_text_full");
    CHECK_RESULT(wsguard_origin_policy_allow_host(p, "a.example", 9), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_check_host(p, "a.example", 9, &rej), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_check_host(p, "b.example", 9, &rej), WSGUARD_RESULT_HOST_REJECTED);
    wsguard_origin_policy_free(p);
    free(storage);
    h_end();
}

/* The heap policy grows: 5,000 patterns, the last one matches. */
static void test_policy_heap_grows(void) {
    wsguard_origin_policy *p = NULL;
    wsguard_rejection rej;
    char pat[64];
    size_t i, count = 0;
    int len = 0;
    h_begin("policy-heap-grows");
    CHECK_RESULT(wsguard_origin_policy_new(0, &p), WSGUARD_RESULT_OK);
    for (i = 0; i < 5000; i++) {
        len = snprintf(pat, sizeof pat, "https://h%zu.example.com", i);
        CHECK_RESULT(wsguard_origin_policy_allow(p, pat, (size_t)len, &rej), WSGUARD_RESULT_OK);
    }
    CHECK_RESULT(wsguard_origin_policy_pattern_count(p, &count), WSGUARD_RESULT_OK);
    CHECK_INT(count, 5000);
    CHECK_RESULT(wsguard_origin_policy_check(p, pat, (size_t)len, &rej), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_origin_policy_check(p, "https://h5000.example.com", 25, &rej), WSGUARD_RESULT_ORIGIN_REJECTED);
    CHECK_WSTR(rej.code, "origin_host");
    wsguard_origin_policy_free(p);
    h_end();
}

int main(void) {
    test_session();
    test_heartbeat_deadlines();
    test_policy_capacity();
    test_policy_sized_storage();
    test_policy_heap_grows();
    return h_summary("c-connection");
}
