/* Unit tests of the wsguard C API itself: argument checking, outputs written only on
 * success, static strings, version. The shared vectors run in test_vectors.c. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "harness.h"

static void test_version(void) {
    h_begin("version");
    {
        char want[32];
        snprintf(want, sizeof want, "%d.%d.%d", WSGUARD_VERSION_MAJOR, WSGUARD_VERSION_MINOR,
                 WSGUARD_VERSION_PATCH);
        CHECK(strcmp(wsguard_version(), want) == 0);
        CHECK_INT(wsguard_version_number(), WSGUARD_VERSION_NUMBER);
    }
    h_end();
}

static void test_result_messages(void) {
    static const uint32_t codes[] = {0, 1001, 1002, 1003, 1004, 1005, 1006, 2001, 2002, 2003,
                                     3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 3011, 9001};
    size_t i, j;
    h_begin("result-messages-distinct");
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *m = wsguard_result_message(codes[i]);
        CHECK(m != NULL && strlen(m) > 5);
        for (j = 0; j < i; j++) CHECK(strcmp(m, wsguard_result_message(codes[j])) != 0);
    }
    CHECK(strcmp(wsguard_result_message(4242), "unknown wsguard_result value") == 0);
    CHECK(strcmp(wsguard_result_message(WSGUARD_RESULT_OK), "success") == 0);
    h_end();
}

static void test_close_classify(void) {
    wsguard_close_info info;
    wsguard_str what, fix;
    size_t i;
    h_begin("close-classify-1006");
    CHECK_RESULT(wsguard_close_code_classify(1006, &info), WSGUARD_RESULT_OK);
    CHECK_INT(info.code, 1006);
    CHECK(!info.wire_valid);
    CHECK_WSTR(info.name, "abnormal_closure");
    CHECK_INT(info.category, WSGUARD_CLOSE_CATEGORY_TRANSPORT_FAILURE);
    CHECK_WSTR(info.category_code, "transport_failure");
    CHECK_INT(info.retry, WSGUARD_RETRY_WITH_BACKOFF);
    CHECK_WSTR(info.retry_code, "with_backoff");
    CHECK(info.description.len > 10 && info.remedy.len > 10);
    CHECK(info.causes_len > 0);
    for (i = 0; i < info.causes_len; i++) {
        CHECK_RESULT(wsguard_close_code_cause(1006, i, &what, &fix), WSGUARD_RESULT_OK);
        CHECK(what.len > 0 && fix.len > 0);
    }
    CHECK_RESULT(wsguard_close_code_cause(1006, info.causes_len, &what, &fix),
                 WSGUARD_RESULT_INVALID_ARGUMENT);
    h_end();

    h_begin("close-classify-every-code");
    {
        uint32_t c;
        int bad = 0;
        for (c = 0; c <= 65535u; c++) {
            wsguard_close_info k;
            if (wsguard_close_code_classify((uint16_t)c, &k) != WSGUARD_RESULT_OK) bad++;
            else if (k.code != c || k.description.ptr == NULL || k.name.ptr == NULL) bad++;
            else if (k.wire_valid != wsguard_close_code_is_wire_valid((uint16_t)c)) bad++;
        }
        CHECK_INT(bad, 0);
    }
    h_end();

    h_begin("close-classify-null-out");
    CHECK_RESULT(wsguard_close_code_classify(1000, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_close_code_cause(1006, 0, NULL, &fix), WSGUARD_RESULT_NULL_ARGUMENT);
    h_end();
}

static void test_unmask(void) {
    /* RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d. */
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t payload[5] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
    uint8_t big[1000], orig[1000];
    size_t i;
    h_begin("unmask-rfc-example-in-two-pieces");
    CHECK_RESULT(wsguard_unmask(payload, 2, key, 4, 0), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_unmask(payload + 2, 3, key, 4, 2), WSGUARD_RESULT_OK);
    CHECK(memcmp(payload, "Hello", 5) == 0);
    h_end();

    h_begin("unmask-roundtrip-and-naive");
    for (i = 0; i < sizeof big; i++) orig[i] = big[i] = (uint8_t)(i * 7 + 3);
    CHECK_RESULT(wsguard_unmask(big + 3, 997, key, 4, 5), WSGUARD_RESULT_OK);
    for (i = 0; i < 997; i++) CHECK(big[3 + i] == (uint8_t)(orig[3 + i] ^ key[(5 + i) % 4]));
    CHECK_RESULT(wsguard_unmask(big + 3, 997, key, 4, 5), WSGUARD_RESULT_OK);
    CHECK(memcmp(big, orig, sizeof big) == 0);
    h_end();

    h_begin("unmask-bad-arguments-change-nothing");
    memcpy(payload, "Hello", 5);
    CHECK_RESULT(wsguard_unmask(payload, 5, key, 3, 0), WSGUARD_RESULT_INVALID_LENGTH);
    CHECK_RESULT(wsguard_unmask(payload, 5, NULL, 4, 0), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_unmask(NULL, 5, key, 4, 0), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_unmask(NULL, 0, key, 4, 0), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_unmask(payload, (size_t)-1, key, 4, 0), WSGUARD_RESULT_INVALID_LENGTH);
    CHECK(memcmp(payload, "Hello", 5) == 0);
    h_end();
}

static void test_str_copy(void) {
    wsguard_close_info info;
    char buf[64];
    size_t n = 999;
    h_begin("str-copy-nul-terminates-and-writes-only-on-success");
    CHECK_RESULT(wsguard_close_code_classify(1001, &info), WSGUARD_RESULT_OK);
    memset(buf, 'x', sizeof buf);
    CHECK_RESULT(wsguard_str_copy(info.name, buf, 5, &n), WSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK_INT(n, 999);
    CHECK(buf[0] == 'x');
    CHECK_RESULT(wsguard_str_copy(info.name, buf, sizeof buf, &n), WSGUARD_RESULT_OK);
    CHECK(strcmp(buf, "going_away") == 0);
    CHECK_INT(n, 10);
    CHECK_RESULT(wsguard_str_copy(info.name, buf, sizeof buf, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    h_end();
}

/* ---------- heartbeat ---------- */

static const uint8_t ping1[8] = {0, 0, 0, 0, 0, 0, 0, 1};

static void test_heartbeat_timeline(void) {
    static uint64_t storage[WSGUARD_HEARTBEAT_STORAGE_SIZE / 8];
    wsguard_heartbeat_config cfg = {1000, 2500, 2};
    wsguard_heartbeat *hb = NULL;
    wsguard_heartbeat_action a;
    wsguard_heartbeat_status st;
    bool answered = false, pong = false;
    uint64_t rtt = 0;

    h_begin("heartbeat-ping-on-time-pong-rtt-reset-on-traffic-dead-when-silent");
    CHECK_RESULT(wsguard_heartbeat_init(storage, sizeof storage, &cfg, 0, &hb, NULL), WSGUARD_RESULT_OK);
    CHECK(hb == (wsguard_heartbeat *)(void *)storage);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 0, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
    CHECK_INT(a.until_ms, 1000);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 999, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
    /* the ping is due at exactly 1000 */
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 1000, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
    CHECK_INT(a.seq, 1);
    CHECK(memcmp(a.payload, ping1, 8) == 0);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 1001, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
    CHECK_INT(a.until_ms, 2000);
    CHECK_RESULT(wsguard_heartbeat_status_get(hb, &st), WSGUARD_RESULT_OK);
    CHECK(st.has_outstanding);
    CHECK_INT(st.outstanding_seq, 1);
    CHECK_INT(st.unanswered_pings, 1);
    /* the pong 40 ms later */
    CHECK_RESULT(wsguard_heartbeat_on_pong(hb, 1040, ping1, 8, &answered, &rtt), WSGUARD_RESULT_OK);
    CHECK(answered);
    CHECK_INT(rtt, 40);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 1040, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.until_ms, 2040);
    /* data traffic at 1500 pushes the next ping to 2500 */
    CHECK_RESULT(wsguard_heartbeat_on_activity(hb, 1500), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 2040, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
    CHECK_INT(a.until_ms, 2500);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 2500, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
    CHECK_INT(a.seq, 2);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 3500, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
    CHECK_INT(a.seq, 3);
    /* next deadline: the dead-peer timeout (1500 + 2500) comes before the next ping */
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 3600, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
    CHECK_INT(a.until_ms, 4000);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 4000, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 9000, &a), WSGUARD_RESULT_OK);
    CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD);
    CHECK_RESULT(wsguard_heartbeat_on_ping_received(hb, 9001, &pong), WSGUARD_RESULT_OK);
    CHECK(!pong);
    CHECK_RESULT(wsguard_heartbeat_status_get(hb, &st), WSGUARD_RESULT_OK);
    CHECK(st.dead);
    CHECK_WSTR(st.dead_code, "heartbeat_peer_silent");
    CHECK(st.dead_reason.len > 0 && st.dead_remedy.len > 0);
    CHECK(st.has_rtt);
    CHECK_INT(st.last_rtt_ms, 40);
    CHECK_INT(st.smoothed_rtt_ms, 40);
    CHECK_INT(st.last_activity_ms, 1500);
    CHECK_INT(st.config.interval_ms, 1000);
    CHECK_INT(st.config.dead_timeout_ms, 2500);
    CHECK_INT(st.config.max_missed, 2);
    wsguard_heartbeat_free(hb);
    /* freed (caller storage): the handle is dead, outputs untouched */
    a.kind = 77;
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 9002, &a), WSGUARD_RESULT_INVALID_HANDLE);
    CHECK_INT(a.kind, 77);
    h_end();

    h_begin("heartbeat-close-after-missed-pongs");
    {
        wsguard_heartbeat_config c2 = {1000, 10000, 2};
        wsguard_heartbeat *h2 = NULL;
        CHECK_RESULT(wsguard_heartbeat_new(&c2, 0, &h2, NULL), WSGUARD_RESULT_OK);
        CHECK_RESULT(wsguard_heartbeat_poll(h2, 1000, &a), WSGUARD_RESULT_OK);
        CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
        CHECK_RESULT(wsguard_heartbeat_poll(h2, 2000, &a), WSGUARD_RESULT_OK);
        CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
        CHECK_INT(a.seq, 2);
        /* a pong for ping 1 is stale and does not answer ping 2, but it is traffic */
        answered = true; rtt = 9;
        CHECK_RESULT(wsguard_heartbeat_on_pong(h2, 2100, ping1, 8, &answered, &rtt), WSGUARD_RESULT_OK);
        CHECK(!answered);
        CHECK_INT(rtt, 0);
        CHECK_RESULT(wsguard_heartbeat_poll(h2, 3100, &a), WSGUARD_RESULT_OK);
        CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
        CHECK_INT(a.seq, 3);
        CHECK_RESULT(wsguard_heartbeat_poll(h2, 4100, &a), WSGUARD_RESULT_OK);
        CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
        CHECK_INT(a.seq, 4);
        CHECK_RESULT(wsguard_heartbeat_poll(h2, 5100, &a), WSGUARD_RESULT_OK);
        CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD);
        CHECK_RESULT(wsguard_heartbeat_status_get(h2, &st), WSGUARD_RESULT_OK);
        CHECK_WSTR(st.dead_code, "heartbeat_missed_pings");
        CHECK_INT(st.stale_pongs, 1);
        CHECK_INT(st.unanswered_pings, 2);
        CHECK(!st.has_rtt);
        wsguard_heartbeat_free(h2);
    }
    h_end();

    h_begin("heartbeat-close-stops-pings-and-pongs");
    {
        wsguard_heartbeat *h3 = NULL;
        CHECK_RESULT(wsguard_heartbeat_new(NULL, 0, &h3, NULL), WSGUARD_RESULT_OK);
        CHECK_RESULT(wsguard_heartbeat_on_ping_received(h3, 10, &pong), WSGUARD_RESULT_OK);
        CHECK(pong);
        CHECK_RESULT(wsguard_heartbeat_on_close(h3, 20), WSGUARD_RESULT_OK);
        CHECK_RESULT(wsguard_heartbeat_on_ping_received(h3, 30, &pong), WSGUARD_RESULT_OK);
        CHECK(!pong);
        CHECK_RESULT(wsguard_heartbeat_poll(h3, 1000000, &a), WSGUARD_RESULT_OK);
        CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
        CHECK(a.until_ms == UINT64_MAX);
        CHECK_RESULT(wsguard_heartbeat_status_get(h3, &st), WSGUARD_RESULT_OK);
        CHECK_INT(st.config.interval_ms, 20000);   /* NULL config = the core default */
        CHECK_INT(st.config.dead_timeout_ms, 30000);
        CHECK_INT(st.config.max_missed, 2);
        wsguard_heartbeat_free(h3);
    }
    h_end();

    h_begin("heartbeat-config-default-and-for-role");
    {
        wsguard_heartbeat_config d, shared = {20000, 30000, 2}, mine;
        CHECK_RESULT(wsguard_heartbeat_config_default(&d), WSGUARD_RESULT_OK);
        CHECK_INT(d.interval_ms, 20000);
        CHECK_INT(d.dead_timeout_ms, 30000);
        CHECK_INT(d.max_missed, 2);
        CHECK_RESULT(wsguard_heartbeat_config_for_role(&shared, WSGUARD_ROLE_CLIENT, &mine, NULL), WSGUARD_RESULT_OK);
        CHECK_INT(mine.interval_ms, 30000);
        CHECK_INT(mine.dead_timeout_ms, 40000);
        CHECK_INT(mine.max_missed, 2);
        CHECK_RESULT(wsguard_heartbeat_config_for_role(&shared, WSGUARD_ROLE_SERVER, &mine, NULL), WSGUARD_RESULT_OK);
        CHECK_INT(mine.interval_ms, 20000);
        CHECK_INT(mine.dead_timeout_ms, 30000);
    }
    h_end();
}

static void test_heartbeat_bad_arguments(void) {
    static uint64_t storage[WSGUARD_HEARTBEAT_STORAGE_SIZE / 8 + 1];
    wsguard_heartbeat_config cfg = {1000, 2000, 1}, bad = {2000, 2000, 1}, out = {7, 7, 7};
    wsguard_heartbeat *hb = (wsguard_heartbeat *)(void *)&cfg;   /* sentinel */
    wsguard_heartbeat *const sentinel = hb;
    wsguard_heartbeat_action a;
    wsguard_heartbeat_status st;
    wsguard_rejection rej;
    bool b = true;
    uint64_t rtt = 5;
    h_begin("heartbeat-bad-arguments-write-nothing");
    CHECK_RESULT(wsguard_heartbeat_init(NULL, sizeof storage, &cfg, 0, &hb, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_init(storage, WSGUARD_HEARTBEAT_STORAGE_SIZE - 200, &cfg, 0, &hb, NULL),
                 WSGUARD_RESULT_INVALID_STORAGE);
    CHECK_RESULT(wsguard_heartbeat_init((uint8_t *)storage + 1, WSGUARD_HEARTBEAT_STORAGE_SIZE, &cfg, 0, &hb, NULL),
                 WSGUARD_RESULT_INVALID_STORAGE);
    CHECK_RESULT(wsguard_heartbeat_init(storage, sizeof storage, &cfg, 0, NULL, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_new(&cfg, 0, NULL, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK(hb == sentinel);
    memset(&rej, 0, sizeof rej);
    CHECK_RESULT(wsguard_heartbeat_init(storage, sizeof storage, &bad, 0, &hb, &rej), WSGUARD_RESULT_INVALID_CONFIG);
    CHECK_WSTR(rej.code, "heartbeat_timeout_not_above_interval");
    CHECK(rej.reason.len > 0 && rej.remedy.len > 0);
    CHECK_RESULT(wsguard_heartbeat_new(&bad, 0, &hb, NULL), WSGUARD_RESULT_INVALID_CONFIG);
    CHECK(hb == sentinel);
    bad.interval_ms = 0;
    CHECK_RESULT(wsguard_heartbeat_config_for_role(&bad, WSGUARD_ROLE_CLIENT, &out, &rej), WSGUARD_RESULT_INVALID_CONFIG);
    CHECK_WSTR(rej.code, "heartbeat_zero_interval");
    CHECK_RESULT(wsguard_heartbeat_config_for_role(&cfg, 7, &out, NULL), WSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_config_for_role(NULL, WSGUARD_ROLE_CLIENT, &out, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_config_for_role(&cfg, WSGUARD_ROLE_CLIENT, NULL, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_INT(out.interval_ms, 7);
    CHECK_RESULT(wsguard_heartbeat_config_default(NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    /* NULL or never-initialised handles */
    a.kind = 77;
    CHECK_RESULT(wsguard_heartbeat_poll(NULL, 0, &a), WSGUARD_RESULT_NULL_ARGUMENT);
    memset(storage, 0, sizeof storage);
    CHECK_RESULT(wsguard_heartbeat_poll((wsguard_heartbeat *)(void *)storage, 0, &a), WSGUARD_RESULT_INVALID_HANDLE);
    CHECK_INT(a.kind, 77);
    CHECK_RESULT(wsguard_heartbeat_on_activity(NULL, 0), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_on_close(NULL, 0), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_on_ping_received(NULL, 0, &b), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_status_get(NULL, &st), WSGUARD_RESULT_NULL_ARGUMENT);
    wsguard_heartbeat_free(NULL);
    CHECK_RESULT(wsguard_heartbeat_init(storage, sizeof storage, &cfg, 0, &hb, NULL), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_heartbeat_poll(hb, 0, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_status_get(hb, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_on_ping_received(hb, 0, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_on_pong(hb, 0, NULL, 8, &b, &rtt), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_heartbeat_on_pong(hb, 0, ping1, (size_t)-1, &b, &rtt), WSGUARD_RESULT_INVALID_LENGTH);
    CHECK(b);
    CHECK_INT(rtt, 5);
    /* optional outputs may be NULL; an empty pong is unsolicited */
    CHECK_RESULT(wsguard_heartbeat_on_pong(hb, 0, NULL, 0, NULL, NULL), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_heartbeat_status_get(hb, &st), WSGUARD_RESULT_OK);
    CHECK_INT(st.unsolicited_pongs, 1);
    wsguard_heartbeat_free(hb);
    h_end();
}

/* ---------- reconnect ---------- */

static wsguard_disconnect dclose(uint16_t code) {
    wsguard_disconnect d;
    memset(&d, 0, sizeof d);
    d.kind = WSGUARD_DISCONNECT_KIND_CLOSE;
    d.close_code = code;
    return d;
}

static wsguard_disconnect dtransport(uint32_t t) {
    wsguard_disconnect d;
    memset(&d, 0, sizeof d);
    d.kind = WSGUARD_DISCONNECT_KIND_TRANSPORT;
    d.transport = t;
    return d;
}

#define CHECK_RETRY(dec, at, delay, n) do { \
    CHECK_INT((dec).kind, WSGUARD_RECONNECT_DECISION_KIND_RETRY_AT); \
    CHECK_INT((dec).at_ms, (at)); CHECK_INT((dec).delay_ms, (delay)); CHECK_INT((dec).attempt, (n)); \
    CHECK_WSTR((dec).code, "reconnect_retry"); \
} while (0)

static void test_reconnect_sequence(void) {
    static uint64_t storage[WSGUARD_RECONNECT_STORAGE_SIZE / 8];
    wsguard_reconnect_config cfg;
    wsguard_reconnect *rc = NULL;
    wsguard_reconnect_decision d;
    wsguard_disconnect why;
    uint32_t n = 99;
    bool stable = true;

    h_begin("reconnect-backoff-reauth-stop");
    CHECK_RESULT(wsguard_reconnect_config_default(&cfg), WSGUARD_RESULT_OK);
    CHECK_INT(cfg.base_ms, 1000);
    CHECK_INT(cfg.cap_ms, 30000);
    CHECK_INT(cfg.max_attempts, 0);
    CHECK_INT(cfg.jitter, WSGUARD_JITTER_EQUAL);
    CHECK_INT(cfg.registry, WSGUARD_CLOSE_REGISTRY_CONVENTIONS);
    CHECK(cfg.app_registry == NULL);
    CHECK_RESULT(wsguard_reconnect_init(storage, sizeof storage, &cfg, &rc), WSGUARD_RESULT_OK);
    /* equal jitter with random 0: half of min(cap, base * 2^(n-1)) */
    why = dclose(1006);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_OK);
    CHECK_RETRY(d, 500, 500, 1);
    CHECK(d.reason.len > 0 && d.remedy.len > 0);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 600, 0, &d), WSGUARD_RESULT_OK);
    CHECK_RETRY(d, 1600, 1000, 2);
    why = dclose(1012);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 2000, 0, &d), WSGUARD_RESULT_OK);
    CHECK_RETRY(d, 4000, 2000, 3);
    /* random UINT32_MAX: just under the ceiling (8000) */
    why = dtransport(WSGUARD_TRANSPORT_FAILURE_RESET);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 5000, UINT32_MAX, &d), WSGUARD_RESULT_OK);
    CHECK_RETRY(d, 12999, 7999, 4);
    CHECK_RESULT(wsguard_reconnect_attempts(rc, &n), WSGUARD_RESULT_OK);
    CHECK_INT(n, 4);
    /* 4401 (conventions): wait for new credentials; not an attempt */
    why = dclose(4401);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 6000, 0, &d), WSGUARD_RESULT_OK);
    CHECK_INT(d.kind, WSGUARD_RECONNECT_DECISION_KIND_WAIT_FOR_REAUTH);
    CHECK_WSTR(d.code, "reconnect_wait_for_reauth");
    CHECK_INT(d.at_ms, 0);
    CHECK_RESULT(wsguard_reconnect_attempts(rc, &n), WSGUARD_RESULT_OK);
    CHECK_INT(n, 4);
    /* a connection that stays up 10 s resets the counter */
    CHECK_RESULT(wsguard_reconnect_on_connected(rc, 20000), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_reconnect_is_stable(rc, 29999, &stable), WSGUARD_RESULT_OK);
    CHECK(!stable);
    CHECK_RESULT(wsguard_reconnect_is_stable(rc, 30000, &stable), WSGUARD_RESULT_OK);
    CHECK(stable);
    CHECK_RESULT(wsguard_reconnect_attempts(rc, &n), WSGUARD_RESULT_OK);
    CHECK_INT(n, 0);
    /* HTTP 429 with Retry-After: 45 */
    memset(&why, 0, sizeof why);
    why.kind = WSGUARD_DISCONNECT_KIND_HTTP_STATUS;
    why.http_status = 429;
    why.has_retry_after = true;
    why.retry_after_s = 45;
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 31000, 0, &d), WSGUARD_RESULT_OK);
    CHECK_RETRY(d, 76000, 45000, 1);
    /* 1000: the peer ended the session on purpose */
    why = dclose(1000);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 80000, 0, &d), WSGUARD_RESULT_OK);
    CHECK_INT(d.kind, WSGUARD_RECONNECT_DECISION_KIND_STOP);
    CHECK_INT(d.stop_reason, WSGUARD_RECONNECT_STOP_REASON_NORMAL);
    CHECK_WSTR(d.code, "reconnect_stop_normal");
    /* 1002: a bug, not transient */
    why = dclose(1002);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 80000, 0, &d), WSGUARD_RESULT_OK);
    CHECK_INT(d.stop_reason, WSGUARD_RECONNECT_STOP_REASON_NOT_RETRYABLE);
    CHECK_WSTR(d.code, "reconnect_stop_not_retryable");
    CHECK_RESULT(wsguard_reconnect_reset(rc), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_reconnect_attempts(rc, &n), WSGUARD_RESULT_OK);
    CHECK_INT(n, 0);
    wsguard_reconnect_free(rc);
    h_end();

    h_begin("reconnect-gives-up-after-max-attempts");
    CHECK_RESULT(wsguard_reconnect_config_default(&cfg), WSGUARD_RESULT_OK);
    cfg.max_attempts = 2;
    cfg.jitter = WSGUARD_JITTER_FULL;
    cfg.base_ms = 400;
    CHECK_RESULT(wsguard_reconnect_new(&cfg, &rc), WSGUARD_RESULT_OK);
    why = dtransport(WSGUARD_TRANSPORT_FAILURE_REFUSED);
    /* full jitter: c * r / 2^32 */
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0x80000000u, &d), WSGUARD_RESULT_OK);
    CHECK_RETRY(d, 200, 200, 1);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 1000, 0x40000000u, &d), WSGUARD_RESULT_OK);
    CHECK_RETRY(d, 1200, 200, 2);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 2000, 0, &d), WSGUARD_RESULT_OK);
    CHECK_INT(d.kind, WSGUARD_RECONNECT_DECISION_KIND_STOP);
    CHECK_INT(d.stop_reason, WSGUARD_RECONNECT_STOP_REASON_ATTEMPTS_EXHAUSTED);
    CHECK_WSTR(d.code, "reconnect_stop_attempts_exhausted");
    CHECK(d.remedy.len > 0);
    {
        wsguard_reconnect_config got;
        CHECK_RESULT(wsguard_reconnect_config_get(rc, &got), WSGUARD_RESULT_OK);
        CHECK_INT(got.max_attempts, 2);
        CHECK_INT(got.base_ms, 400);
        CHECK_INT(got.jitter, WSGUARD_JITTER_FULL);
    }
    wsguard_reconnect_free(rc);
    h_end();
}

static void test_reconnect_bad_arguments(void) {
    static uint64_t storage[WSGUARD_RECONNECT_STORAGE_SIZE / 8 + 1];
    wsguard_reconnect_config cfg;
    wsguard_reconnect *rc = (wsguard_reconnect *)(void *)&cfg;
    wsguard_reconnect *const sentinel = rc;
    wsguard_reconnect_decision d;
    wsguard_disconnect why = dclose(1006);
    uint32_t n = 99;
    bool b = true;
    h_begin("reconnect-bad-arguments-write-nothing");
    wsguard_reconnect_config_default(&cfg);
    CHECK_RESULT(wsguard_reconnect_init(NULL, sizeof storage, &cfg, &rc), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_reconnect_init(storage, 16, &cfg, &rc), WSGUARD_RESULT_INVALID_STORAGE);
    CHECK_RESULT(wsguard_reconnect_init((uint8_t *)storage + 4, WSGUARD_RECONNECT_STORAGE_SIZE, &cfg, &rc),
                 WSGUARD_RESULT_INVALID_STORAGE);
    CHECK_RESULT(wsguard_reconnect_new(&cfg, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    cfg.jitter = 9;
    CHECK_RESULT(wsguard_reconnect_init(storage, sizeof storage, &cfg, &rc), WSGUARD_RESULT_INVALID_ARGUMENT);
    cfg.jitter = WSGUARD_JITTER_EQUAL;
    cfg.registry = 9;
    CHECK_RESULT(wsguard_reconnect_new(&cfg, &rc), WSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK(rc == sentinel);
    CHECK_RESULT(wsguard_reconnect_config_default(NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    /* NULL config = defaults */
    CHECK_RESULT(wsguard_reconnect_init(storage, sizeof storage, NULL, &rc), WSGUARD_RESULT_OK);
    memset(&d, 0x5a, sizeof d);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, NULL, 0, 0, &d), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(NULL, &why, 0, 0, &d), WSGUARD_RESULT_NULL_ARGUMENT);
    why.kind = 9;
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_INVALID_ARGUMENT);
    why = dtransport(42);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_INT(d.attempt, 0x5a5a5a5a);   /* untouched */
    CHECK_RESULT(wsguard_reconnect_attempts(rc, &n), WSGUARD_RESULT_OK);
    CHECK_INT(n, 0);                     /* nothing counted */
    CHECK_RESULT(wsguard_reconnect_attempts(rc, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_reconnect_is_stable(rc, 0, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_reconnect_is_stable(NULL, 0, &b), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK(b);
    CHECK_RESULT(wsguard_reconnect_on_connected(NULL, 0), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_reconnect_reset(NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_reconnect_config_get(rc, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    wsguard_reconnect_free(rc);
    why = dclose(1006);
    CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_INVALID_HANDLE);
    wsguard_reconnect_free(NULL);
    h_end();
}

/* ---------- application close-code registry ---------- */

static const char k_name[] = "session_expired";
static const char k_what[] = "your session expired";
static const char k_fix[] = "log in again, then reconnect";

static wsguard_app_close_code app_code(uint16_t code, const char *name, uint32_t retry) {
    wsguard_app_close_code c;
    memset(&c, 0, sizeof c);
    c.code = code;
    c.name = name;
    c.name_len = strlen(name);
    c.description = k_what;
    c.description_len = sizeof k_what - 1;
    c.remedy = k_fix;
    c.remedy_len = sizeof k_fix - 1;
    c.retry = retry;
    return c;
}

static void test_close_registry(void) {
    static uint64_t storage[WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE / 8];
    static uint64_t rc_storage[WSGUARD_RECONNECT_STORAGE_SIZE / 8];
    wsguard_close_registry *reg = NULL;
    wsguard_app_close_code c = app_code(4001, k_name, WSGUARD_RETRY_AFTER_REAUTH);
    wsguard_close_info info;
    wsguard_rejection rej;
    size_t n = 99;

    h_begin("close-registry-register-and-classify");
    CHECK_RESULT(wsguard_close_registry_init(storage, sizeof storage, &reg), WSGUARD_RESULT_OK);
    c.category = WSGUARD_CLOSE_CATEGORY_POLICY_AUTH;
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_close_registry_count(reg, &n), WSGUARD_RESULT_OK);
    CHECK_INT(n, 1);
    CHECK_RESULT(wsguard_close_registry_classify(reg, 4001, &info), WSGUARD_RESULT_OK);
    CHECK_INT(info.code, 4001);
    CHECK(info.wire_valid);
    CHECK_WSTR(info.name, "session_expired");
    CHECK(info.name.ptr == k_name);   /* the caller's string, not a copy */
    CHECK_WSTR(info.description, "your session expired");
    CHECK_WSTR(info.remedy, "log in again, then reconnect");
    CHECK_INT(info.category, WSGUARD_CLOSE_CATEGORY_POLICY_AUTH);
    CHECK_WSTR(info.category_code, "policy_auth");
    CHECK_WSTR(info.sender, "server");
    CHECK_INT(info.retry, WSGUARD_RETRY_AFTER_REAUTH);
    CHECK_WSTR(info.retry_code, "after_reauth");
    CHECK_INT(info.causes_len, 0);
    /* codes the app did not register fall back to the one built-in classification:
       4499 is unregistered, 4401 the convention (marked as such, not app-defined) */
    CHECK_RESULT(wsguard_close_registry_classify(reg, 4499, &info), WSGUARD_RESULT_OK);
    CHECK_INT(info.name.len, 0);
    CHECK_INT(info.category, WSGUARD_CLOSE_CATEGORY_PRIVATE);
    CHECK_WSTR(info.registration, "unregistered");
    CHECK_RESULT(wsguard_close_registry_classify(reg, 4401, &info), WSGUARD_RESULT_OK);
    CHECK_WSTR(info.name, "unauthorized");
    CHECK_WSTR(info.registration, "convention");
    CHECK_INT(info.app_defined, 0);
    CHECK_RESULT(wsguard_close_registry_classify(reg, 1001, &info), WSGUARD_RESULT_OK);
    CHECK_WSTR(info.name, "going_away");
    /* defaults: category private, sender server; explicit sender */
    c = app_code(4100, "room_full", WSGUARD_RETRY_NEVER);
    c.sender = WSGUARD_CLOSE_SENDER_EITHER;
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, NULL), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_close_registry_classify(reg, 4100, &info), WSGUARD_RESULT_OK);
    CHECK_INT(info.category, WSGUARD_CLOSE_CATEGORY_PRIVATE);
    CHECK_WSTR(info.sender, "either");
    CHECK_INT(info.retry, WSGUARD_RETRY_NEVER);
    h_end();

    h_begin("close-registry-refusals-change-nothing");
    memset(&rej, 0, sizeof rej);
    c = app_code(4001, "again", WSGUARD_RETRY_NEVER);
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_INVALID_REGISTRATION);
    CHECK_WSTR(rej.code, "close_register_duplicate");
    c = app_code(1008, "mine", WSGUARD_RETRY_NEVER);
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_INVALID_REGISTRATION);
    CHECK_WSTR(rej.code, "close_register_out_of_range");
    CHECK(rej.reason.len > 0 && rej.remedy.len > 0);
    c = app_code(5000, "mine", WSGUARD_RETRY_NEVER);
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_INVALID_REGISTRATION);
    CHECK_WSTR(rej.code, "close_register_out_of_range");
    c = app_code(4002, "", WSGUARD_RETRY_NEVER);
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_INVALID_REGISTRATION);
    CHECK_WSTR(rej.code, "close_register_empty_name");
    memset(&rej, 0x33, sizeof rej);
    c = app_code(4002, "x", 99);
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_INVALID_ARGUMENT);
    c = app_code(4002, "x", WSGUARD_RETRY_NEVER);
    c.category = 99;
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_INVALID_ARGUMENT);
    c.category = 0;
    c.sender = 99;
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_INVALID_ARGUMENT);
    c = app_code(4002, "\xff", WSGUARD_RETRY_NEVER);
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_NOT_UTF8);
    c = app_code(4002, "x", WSGUARD_RETRY_NEVER);
    c.name = NULL;
    CHECK_RESULT(wsguard_close_registry_add(reg, &c, &rej), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_close_registry_add(reg, NULL, &rej), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_close_registry_add(NULL, &c, &rej), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_INT(rej.http_status, 0x3333);   /* no rejection written for non-verdicts */
    CHECK_RESULT(wsguard_close_registry_count(reg, &n), WSGUARD_RESULT_OK);
    CHECK_INT(n, 2);
    CHECK_RESULT(wsguard_close_registry_classify(reg, 4002, &info), WSGUARD_RESULT_OK);
    CHECK_INT(info.name.len, 0);
    CHECK_RESULT(wsguard_close_registry_classify(reg, 4002, NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_close_registry_classify(NULL, 4002, &info), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_close_registry_init(storage, 64, &reg), WSGUARD_RESULT_INVALID_STORAGE);
    CHECK_RESULT(wsguard_close_registry_init(NULL, sizeof storage, &reg), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_close_registry_new(NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    h_end();

    h_begin("close-registry-reconnect-uses-app-codes");
    {
        wsguard_reconnect_config cfg;
        wsguard_reconnect *rc = NULL;
        wsguard_reconnect_decision d;
        wsguard_disconnect why = dclose(4001);
        wsguard_reconnect_config_default(&cfg);
        cfg.app_registry = reg;
        /* a policy that was not created does not seal the registry */
        cfg.jitter = 9;
        CHECK_RESULT(wsguard_reconnect_init(rc_storage, sizeof rc_storage, &cfg, &rc), WSGUARD_RESULT_INVALID_ARGUMENT);
        CHECK_RESULT(wsguard_reconnect_init(rc_storage, 8, &cfg, &rc), WSGUARD_RESULT_INVALID_ARGUMENT);
        cfg.jitter = WSGUARD_JITTER_EQUAL;
        CHECK_RESULT(wsguard_reconnect_init(rc_storage, 8, &cfg, &rc), WSGUARD_RESULT_INVALID_STORAGE);
        c = app_code(4003, "in_time", WSGUARD_RETRY_NEVER);
        CHECK_RESULT(wsguard_close_registry_add(reg, &c, NULL), WSGUARD_RESULT_OK);
        CHECK_RESULT(wsguard_reconnect_init(rc_storage, sizeof rc_storage, &cfg, &rc), WSGUARD_RESULT_OK);
        /* the policy borrows the codes: the registry is sealed */
        c = app_code(4004, "late", WSGUARD_RETRY_NEVER);
        CHECK_RESULT(wsguard_close_registry_add(reg, &c, NULL), WSGUARD_RESULT_INVALID_ARGUMENT);
        CHECK_RESULT(wsguard_close_registry_count(reg, &n), WSGUARD_RESULT_OK);
        CHECK_INT(n, 3);
        CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_OK);
        CHECK_INT(d.kind, WSGUARD_RECONNECT_DECISION_KIND_WAIT_FOR_REAUTH);
        CHECK_WSTR(d.reason, "your session expired");
        CHECK_WSTR(d.remedy, "log in again, then reconnect");
        why = dclose(4100);   /* room_full: never */
        CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_OK);
        CHECK_INT(d.stop_reason, WSGUARD_RECONNECT_STOP_REASON_NOT_RETRYABLE);
        why = dclose(4499);   /* in no registry: private, backoff */
        CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_OK);
        CHECK_RETRY(d, 500, 500, 1);
        /* a dead registry is caught (best effort) instead of read */
        wsguard_close_registry_free(reg);
        CHECK_RESULT(wsguard_reconnect_on_disconnect(rc, &why, 0, 0, &d), WSGUARD_RESULT_INVALID_HANDLE);
        CHECK_RESULT(wsguard_reconnect_init(rc_storage, sizeof rc_storage, &cfg, &rc), WSGUARD_RESULT_INVALID_HANDLE);
        wsguard_reconnect_free(rc);
    }
    h_end();

    h_begin("close-registry-capacity");
    {
        wsguard_close_registry *heap = NULL;
        int i;
        CHECK_RESULT(wsguard_close_registry_new(&heap), WSGUARD_RESULT_OK);
        for (i = 0; i < WSGUARD_CLOSE_REGISTRY_CAPACITY; i++) {
            c = app_code((uint16_t)(4200 + i), "c", WSGUARD_RETRY_SOON);
            CHECK_RESULT(wsguard_close_registry_add(heap, &c, NULL), WSGUARD_RESULT_OK);
        }
        c = app_code(4300, "c", WSGUARD_RETRY_SOON);
        CHECK_RESULT(wsguard_close_registry_add(heap, &c, NULL), WSGUARD_RESULT_CAPACITY_EXCEEDED);
        CHECK_RESULT(wsguard_close_registry_count(heap, &n), WSGUARD_RESULT_OK);
        CHECK_INT(n, WSGUARD_CLOSE_REGISTRY_CAPACITY);
        CHECK_RESULT(wsguard_close_registry_classify(heap, 4215, &info), WSGUARD_RESULT_OK);
        CHECK_INT(info.retry, WSGUARD_RETRY_SOON);
        wsguard_close_registry_free(heap);
    }
    h_end();
}

int main(void) {
    test_version();
    test_result_messages();
    test_close_classify();
    test_unmask();
    test_str_copy();
    test_heartbeat_timeline();
    test_heartbeat_bad_arguments();
    test_reconnect_sequence();
    test_reconnect_bad_arguments();
    test_close_registry();
    return h_summary("c-api");
}
