/* The C API's output contract, checked exhaustively (issue 18 item 3):
 *  - every function with an output buffer, called at every length shorter than its output,
 *    returns WSGUARD_RESULT_BUFFER_TOO_SMALL, leaves every byte of the buffer (a canary)
 *    and *written_out untouched, and reports in *needed_out a size that then succeeds;
 *  - the decoder's *needed_out is the exact count once the header is whole, and the buffer
 *    is in the documented state after INCOMPLETE and PROTOCOL_VIOLATION;
 *  - frame headers refuse lengths >= 2^63, storage below *_STORAGE_SIZE is refused, lint
 *    refuses a findings_cap no array can have;
 *  - the connection handle's writers (poll_transmit, send, send_fragment, send_ping) obey the
 *    same sweep, and a refused call changes no state (the pong stays owed, the mask key
 *    stream does not advance);
 *  - the peer limits' 503 answer (wsguard_peer_limits_admit) and the handshake deadline's
 *    408 (wsguard_server_deadline_refusal) obey the same sweep.
 * Runs under valgrind and ASan with the other C tests (tests/c/run.sh). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "harness.h"

#define CANARY 0xA5
#define BIG 20000
#define SENTINEL ((size_t)0x5A5A5A5A)

static uint8_t buf[BIG + 64];
static const uint8_t nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static wsguard_origin_policy *policy;
static char long_target[6000];

/* One function with an output buffer, bound to fixed inputs. */
typedef wsguard_result (*writer_fn)(uint8_t *out, size_t len, size_t *written, size_t *needed);

static bool canary_intact(size_t from, size_t to) {
    size_t i;
    for (i = from; i < to; i++)
        if (buf[i] != CANARY) return false;
    return true;
}

/* Sweeps lengths 0..needed: the contract of every writer with a *needed_out.
 * exact: the size reported is the output's length (else: a size that suffices, and the
 * bytes up to it may serve as work space on success, as wsguard_url_derive documents). */
static void sweep(const char *name, writer_fn f, wsguard_result ok, bool exact) {
    size_t written = SENTINEL, needed = SENTINEL, need, len, full_len;
    static uint8_t full[BIG];
    h_begin(name);
    memset(buf, CANARY, sizeof buf);
    CHECK_RESULT(f(buf, BIG, &written, &needed), ok);
    full_len = written;
    CHECK(full_len > 0 && full_len < BIG);
    memcpy(full, buf, full_len);
    if (exact) CHECK(canary_intact(full_len, sizeof buf));
    memset(buf, CANARY, sizeof buf);
    written = SENTINEL;
    CHECK_RESULT(f(buf, 0, &written, &needed), WSGUARD_RESULT_BUFFER_TOO_SMALL);
    need = needed;
    if (exact) CHECK_INT(need, full_len); else CHECK(need >= full_len);
    for (len = 0; len < need && !h_case_bad; len++) {
        memset(buf, CANARY, sizeof buf);
        written = SENTINEL; needed = SENTINEL;
        CHECK_RESULT(f(buf, len, &written, &needed), WSGUARD_RESULT_BUFFER_TOO_SMALL);
        if (!canary_intact(0, sizeof buf)) H_FAIL("%s wrote into a %zu-byte buffer", name, len);
        CHECK_INT(written, SENTINEL);
        CHECK_INT(needed, need);
        /* NULL needed_out is allowed and changes nothing */
        CHECK_RESULT(f(buf, len, &written, NULL), WSGUARD_RESULT_BUFFER_TOO_SMALL);
        CHECK(canary_intact(0, sizeof buf));
    }
    memset(buf, CANARY, sizeof buf);
    CHECK_RESULT(f(buf, need, &written, &needed), ok);
    CHECK_INT(written, full_len);
    CHECK(memcmp(buf, full, full_len) == 0);
    CHECK(canary_intact(need, sizeof buf));
    h_end();
}

/* ---- the writers, each bound to inputs ---- */
static wsguard_result w_deadline_408(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return wsguard_server_deadline_refusal(37, o, n, w, need, NULL);
}
static wsguard_result w_overload(uint8_t *o, size_t n, size_t *w, size_t *need) {
    wsguard_peer_limits l;
    wsguard_load load = {3, 1, 0};
    wsguard_rejection rej;
    if (wsguard_peer_limits_default(&l) != WSGUARD_RESULT_OK) return WSGUARD_RESULT_PANIC;
    l.max_connections = 3;
    l.retry_after_s = 120;
    return wsguard_peer_limits_admit(&l, &load, o, n, w, need, &rej);
}
static wsguard_result w_normalize(uint8_t *o, size_t n, size_t *w, size_t *need) {
    static const char in[] = "HTTPS://App.Example.COM:8443";
    return wsguard_origin_normalize(in, sizeof in - 1, (char *)o, n, w, need, NULL);
}
static wsguard_result w_cors(uint8_t *o, size_t n, size_t *w, size_t *need) {
    static const char m[] = "OPTIONS", origin[] = "https://app.example.com", rm[] = "GET";
    wsguard_cors_request r;
    wsguard_cors_result res;
    memset(&r, 0, sizeof r);
    r.method = m; r.method_len = sizeof m - 1;
    r.origin = origin; r.origin_len = sizeof origin - 1;
    r.request_method = rm; r.request_method_len = sizeof rm - 1;
    return wsguard_origin_policy_cors(policy, &r, (char *)o, n, w, need, &res);
}
static wsguard_result respond(const char *req, uint8_t *o, size_t n, size_t *w, size_t *need) {
    wsguard_server_options opt;
    wsguard_accepted acc;
    wsguard_rejection rej;
    wsguard_server_options_default(&opt);
    return wsguard_server_respond(policy, &opt, (const uint8_t *)req, strlen(req), o, n, w, need,
                                  &acc, &rej);
}
static const char good_request[] =
    "GET /chat HTTP/1.1\r\nHost: app.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Origin: https://app.example.com\r\n\r\n";
static const char bad_origin_request[] =
    "GET /chat HTTP/1.1\r\nHost: app.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Origin: https://evil.example.net\r\n\r\n";
static wsguard_result w_respond_101(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return respond(good_request, o, n, w, need);
}
static wsguard_result w_respond_403(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return respond(bad_origin_request, o, n, w, need);
}
/* The development auth bypass's warning line for a request without a token. */
static wsguard_result w_dev_auth_notice(uint8_t *o, size_t n, size_t *w, size_t *need) {
    static const char req[] = "GET /ws?room=1&access_token=x HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://localhost:5173\r\n\r\n";
    static const char listen[] = "127.0.0.1:8000";
    static wsguard_origin_policy *dev = NULL;
    wsguard_server_options opt;
    if (!dev && wsguard_origin_policy_new(WSGUARD_POLICY_DEVELOPMENT, &dev) != WSGUARD_RESULT_OK) return WSGUARD_RESULT_PANIC;
    wsguard_server_options_default(&opt);
    opt.token_authorization = true;
    opt.token_required = true;
    opt.dev_auth_bypass = true;
    opt.dev_auth_listen = listen;
    opt.dev_auth_listen_len = sizeof listen - 1;
    return wsguard_server_dev_auth_notice(dev, &opt, (const uint8_t *)req, sizeof req - 1, (char *)o, n, w, need);
}
static wsguard_result w_client_request(uint8_t *o, size_t n, size_t *w, size_t *need) {
    static const char host[] = "app.example.com:8443", path[] = "/chat?room=1",
                      origin[] = "https://app.example.com", tok[] = "s3cret", name[] = "token";
    static const char *const protos[] = {"chat.v2", "chat.v1"};
    static const size_t proto_lens[] = {7, 7};
    wsguard_client_request r;
    memset(&r, 0, sizeof r);
    r.host = host; r.host_len = sizeof host - 1;
    r.path = path; r.path_len = sizeof path - 1;
    r.nonce = nonce; r.nonce_len = sizeof nonce;
    r.origin = origin; r.origin_len = sizeof origin - 1;
    r.subprotocols = protos; r.subprotocol_lens = proto_lens; r.subprotocols_count = 2;
    r.token = tok; r.token_len = sizeof tok - 1;
    r.token_placement = WSGUARD_TOKEN_QUERY;
    r.token_name = name; r.token_name_len = sizeof name - 1;
    return wsguard_client_write_request(&r, o, n, w, need, NULL);
}
static const char ws_url[] = "wss://Chat.Example.COM:443/socket/v1?room=42&x=1";
static wsguard_result w_url_resource(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return wsguard_url_write(ws_url, sizeof ws_url - 1, WSGUARD_URL_PART_RESOURCE_NAME, (char *)o,
                             n, w, need, NULL);
}
static wsguard_result w_url_host(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return wsguard_url_write(ws_url, sizeof ws_url - 1, WSGUARD_URL_PART_HOST_HEADER, (char *)o, n,
                             w, need, NULL);
}
static wsguard_result derive(const char *target, uint8_t *o, size_t n, size_t *w, size_t *need) {
    static const char page[] = "https://app.example.com:8443/app/index.html";
    return wsguard_url_derive(page, sizeof page - 1, target, strlen(target), false, 0, (char *)o, n,
                              w, need, NULL);
}
static wsguard_result w_derive(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return derive("socket?v=2", o, n, w, need);
}
static wsguard_result w_derive_dots(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return derive("../a/./b/../../socket?v=2", o, n, w, need);
}
static wsguard_result w_derive_long(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return derive(long_target, o, n, w, need);   /* beyond the old 4 KiB scratch buffer */
}
static wsguard_result w_close_payload(uint8_t *o, size_t n, size_t *w, size_t *need) {
    static const char reason[] = "server restarting";
    return wsguard_close_payload_write(1012, reason, sizeof reason - 1, o, n, w, need, NULL);
}
static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
static const uint8_t payload[300] = {'h', 'e', 'l', 'l', 'o'};
static wsguard_result w_frame(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return wsguard_frame_write(o, n, true, 2, payload, sizeof payload, key, 4, w, need);
}
static wsguard_result w_frame_header(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return wsguard_frame_write_header(o, n, true, 2, 70000, key, 4, w, need);
}
static wsguard_result w_ping(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return wsguard_frame_write_ping(o, n, false, payload, 125, NULL, 0, w, need, NULL);
}
static wsguard_result w_pong(uint8_t *o, size_t n, size_t *w, size_t *need) {
    return wsguard_frame_write_ping(o, n, true, payload, 5, key, 4, w, need, NULL);
}
static wsguard_result w_close_frame(uint8_t *o, size_t n, size_t *w, size_t *need) {
    static const char reason[] = "bye";
    return wsguard_frame_write_close(o, n, 1000, reason, 3, key, 4, w, need, NULL);
}

/* The connection's writers: each call builds a fresh connection, so every length sees the
 * same state; a refused call must not dequeue or change anything either (checked after the
 * sweep by contract-connection-state-kept). */
static wsguard_connection *fresh_connection(uint32_t role) {
    wsguard_connection_config cfg;
    wsguard_connection *c = NULL;
    wsguard_connection_config_default(role, &cfg);
    cfg.mask_seed = 7;
    if (wsguard_connection_new(&cfg, 0, &c, NULL) != WSGUARD_RESULT_OK) return NULL;
    return c;
}
/* A server connection that received a masked 125-byte ping: a pong is owed. */
static wsguard_connection *pinged_connection(void) {
    static uint8_t ping[140];
    size_t n = 0, used = 0;
    wsguard_connection_event ev;
    wsguard_connection *c = fresh_connection(WSGUARD_ROLE_SERVER);
    wsguard_frame_write_ping(ping, sizeof ping, false, payload, 125, key, 4, &n, NULL, NULL);
    wsguard_connection_handle_input(c, 1, ping, n, NULL, 0, &used, &ev, NULL);
    return c;
}
static wsguard_result w_conn_poll_transmit(uint8_t *o, size_t n, size_t *w, size_t *need) {
    wsguard_connection *c = pinged_connection();
    wsguard_result r = wsguard_connection_poll_transmit(c, o, n, w, need);
    wsguard_connection_free(c);
    return r;
}
static wsguard_result w_conn_send(uint8_t *o, size_t n, size_t *w, size_t *need) {
    wsguard_connection *c = fresh_connection(WSGUARD_ROLE_SERVER);
    wsguard_result r = wsguard_connection_send(c, 2, payload, sizeof payload, o, n, w, need, NULL);
    wsguard_connection_free(c);
    return r;
}
static wsguard_result w_conn_send_masked(uint8_t *o, size_t n, size_t *w, size_t *need) {
    wsguard_connection *c = fresh_connection(WSGUARD_ROLE_CLIENT);
    wsguard_result r = wsguard_connection_send(c, 1, payload, 5, o, n, w, need, NULL);
    wsguard_connection_free(c);
    return r;
}
static wsguard_result w_conn_send_fragment(uint8_t *o, size_t n, size_t *w, size_t *need) {
    wsguard_connection *c = fresh_connection(WSGUARD_ROLE_CLIENT);
    wsguard_result r = wsguard_connection_send_fragment(c, 2, payload, 70, false, o, n, w, need, NULL);
    wsguard_connection_free(c);
    return r;
}
static wsguard_result w_conn_send_ping(uint8_t *o, size_t n, size_t *w, size_t *need) {
    wsguard_connection *c = fresh_connection(WSGUARD_ROLE_CLIENT);
    wsguard_result r = wsguard_connection_send_ping(c, payload, 125, o, n, w, need, NULL);
    wsguard_connection_free(c);
    return r;
}

/* A refused poll_transmit keeps the pong owed; a refused send keeps the masking key (the
 * frame sent afterwards is the one a fresh connection sends first). */
static void test_connection_state_kept(void) {
    uint8_t first[64], again[64];
    size_t n1 = SENTINEL, n2 = SENTINEL, need = SENTINEL;
    wsguard_connection *c = pinged_connection();
    h_begin("contract-connection-state-kept");
    CHECK(wsguard_connection_wants_transmit(c));
    CHECK_RESULT(wsguard_connection_poll_transmit(c, buf, 10, &n1, &need), WSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK_INT(need, 127);
    CHECK(wsguard_connection_wants_transmit(c));
    CHECK_RESULT(wsguard_connection_poll_transmit(c, buf, need, &n1, NULL), WSGUARD_RESULT_OK);
    CHECK_INT(n1, 127);
    CHECK(buf[0] == 0x8a && buf[1] == 125 && memcmp(buf + 2, payload, 125) == 0);
    CHECK_RESULT(wsguard_connection_poll_transmit(c, buf, 200, &n1, NULL), WSGUARD_RESULT_OK);
    CHECK_INT(n1, 0);
    wsguard_connection_free(c);
    c = fresh_connection(WSGUARD_ROLE_CLIENT);
    CHECK_RESULT(wsguard_connection_send(c, 1, payload, 5, first, 3, &n1, &need, NULL),
                 WSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK_RESULT(wsguard_connection_send(c, 1, payload, 5, first, sizeof first, &n1, NULL, NULL), WSGUARD_RESULT_OK);
    wsguard_connection_free(c);
    c = fresh_connection(WSGUARD_ROLE_CLIENT);
    CHECK_RESULT(wsguard_connection_send(c, 1, payload, 5, again, sizeof again, &n2, NULL, NULL), WSGUARD_RESULT_OK);
    CHECK_INT(n1, 11);
    CHECK_INT(n2, 11);
    CHECK(memcmp(first, again, n1) == 0);
    wsguard_connection_free(c);
    h_end();
}

/* Writers without *needed_out: a short buffer is refused, untouched. */
static void test_fixed_size_writers(void) {
    size_t len, w = SENTINEL;
    wsguard_str s;
    h_begin("contract-fixed-size-writers");
    for (len = 0; len < WSGUARD_ACCEPT_LEN + 1; len++) {
        memset(buf, CANARY, sizeof buf);
        CHECK_RESULT(wsguard_handshake_accept_value("dGhlIHNhbXBsZSBub25jZQ==", 24, (char *)buf, len),
                     WSGUARD_RESULT_BUFFER_TOO_SMALL);
        CHECK(canary_intact(0, sizeof buf));
    }
    CHECK_RESULT(wsguard_handshake_accept_value("dGhlIHNhbXBsZSBub25jZQ==", 24, (char *)buf, len),
                 WSGUARD_RESULT_OK);
    CHECK(strcmp((char *)buf, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    s.ptr = "abcdef"; s.len = 6;
    for (len = 0; len < 7; len++) {
        memset(buf, CANARY, sizeof buf);
        CHECK_RESULT(wsguard_str_copy(s, (char *)buf, len, &w), WSGUARD_RESULT_BUFFER_TOO_SMALL);
        CHECK(canary_intact(0, sizeof buf));
        CHECK_INT(w, SENTINEL);
    }
    h_end();
}

/* Exact *needed_out: for every prefix of a frame, INCOMPLETE leaves the buffer as it was,
 * and once the header is whole, prefix + needed is the frame size. */
static void test_decoder_needed_exact(void) {
    static uint8_t frame[400], copy[400];
    size_t flen = 0, k, hlen = 8;   /* masked, 16-bit length: 2 + 2 + 4 */
    wsguard_decoder_config cfg;
    h_begin("contract-decoder-needed-exact");
    CHECK_RESULT(wsguard_frame_write(frame, sizeof frame, true, 2, payload, sizeof payload, key, 4,
                                     &flen, NULL), WSGUARD_RESULT_OK);
    CHECK_INT(flen, sizeof payload + hlen);
    wsguard_decoder_config_default(WSGUARD_ROLE_SERVER, &cfg);
    for (k = 0; k <= flen; k++) {
        wsguard_decoder *d = NULL;
        size_t consumed = SENTINEL, needed = SENTINEL;
        wsguard_frame_event ev;
        wsguard_result r;
        CHECK_RESULT(wsguard_decoder_new(&cfg, &d), WSGUARD_RESULT_OK);
        memcpy(copy, frame, flen);
        r = wsguard_decoder_decode(d, copy, k, &consumed, &needed, &ev, NULL);
        if (k < flen) {
            CHECK_RESULT(r, WSGUARD_RESULT_INCOMPLETE);
            CHECK_INT(consumed, SENTINEL);
            CHECK(memcmp(copy, frame, flen) == 0);   /* INCOMPLETE changes nothing */
            if (k >= hlen) CHECK_INT(k + needed, flen);
            else CHECK(needed >= 1 && k + needed <= hlen);
        } else {
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            CHECK_INT(consumed, flen);
            CHECK_INT(ev.payload_len, sizeof payload);
            CHECK(memcmp(ev.payload, payload, sizeof payload) == 0);
        }
        wsguard_decoder_free(d);
    }
    h_end();
}

/* PROTOCOL_VIOLATION: a header refusal changes nothing; a payload refusal (invalid UTF-8)
 * has unmasked exactly that frame's payload, nothing else. */
static void test_decoder_error_state(void) {
    static const uint8_t bad_text[4] = {0xff, 0xfe, 'a', 'b'};
    uint8_t frame[64], copy[64];
    size_t flen = 0, consumed = SENTINEL, i;
    wsguard_decoder_config cfg;
    wsguard_decoder *d = NULL;
    wsguard_frame_event ev;
    wsguard_rejection rej;
    h_begin("contract-decoder-error-state");
    wsguard_decoder_config_default(WSGUARD_ROLE_SERVER, &cfg);
    CHECK_RESULT(wsguard_frame_write(frame, sizeof frame, true, 1, bad_text, 4, key, 4, &flen, NULL),
                 WSGUARD_RESULT_OK);
    memcpy(copy, frame, flen);
    memset(copy + flen, CANARY, sizeof copy - flen);
    CHECK_RESULT(wsguard_decoder_new(&cfg, &d), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_decoder_decode(d, copy, sizeof copy, &consumed, NULL, &ev, &rej),
                 WSGUARD_RESULT_PROTOCOL_VIOLATION);
    CHECK_INT(rej.close_code, 1007);
    CHECK_INT(consumed, SENTINEL);
    CHECK(memcmp(copy, frame, 6) == 0);              /* header and key as received */
    CHECK(memcmp(copy + 6, bad_text, 4) == 0);       /* the payload, unmasked in place */
    for (i = flen; i < sizeof copy; i++) CHECK(copy[i] == CANARY);
    wsguard_decoder_free(d);
    /* RSV bits: refused from the header, the buffer is untouched */
    memcpy(copy, frame, flen);
    copy[0] |= 0x40;
    memcpy(frame, copy, flen);
    CHECK_RESULT(wsguard_decoder_new(&cfg, &d), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_decoder_decode(d, copy, flen, &consumed, NULL, &ev, &rej),
                 WSGUARD_RESULT_PROTOCOL_VIOLATION);
    CHECK(memcmp(copy, frame, flen) == 0);
    wsguard_decoder_free(d);
    h_end();
}

/* wsguard_peer_limits_admit: admitted writes only *written_out = 0; a short buffer leaves
 * *rejection_out untouched too; the full answer is the exact 503. */
static void test_peer_limits_outputs(void) {
    static const char head[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\n";
    wsguard_peer_limits l;
    wsguard_load load = {2, 1, 0};
    wsguard_rejection rej, canary_rej;
    size_t w = SENTINEL, need = SENTINEL;
    h_begin("contract-peer-limits-admit-outputs");
    CHECK_RESULT(wsguard_peer_limits_default(&l), WSGUARD_RESULT_OK);
    CHECK_INT(l.max_connections, 10000);
    CHECK_INT(l.retry_after_s, 5);
    l.max_connections = 3;
    l.retry_after_s = 120;
    memset(buf, CANARY, sizeof buf);
    memset(&rej, CANARY, sizeof rej);
    memcpy(&canary_rej, &rej, sizeof rej);
    CHECK_RESULT(wsguard_peer_limits_admit(&l, &load, buf, BIG, &w, &need, &rej), WSGUARD_RESULT_OK);
    CHECK_INT(w, 0);
    CHECK_INT(need, SENTINEL);
    CHECK(canary_intact(0, sizeof buf));
    CHECK(memcmp(&rej, &canary_rej, sizeof rej) == 0);
    load.connections = 3;
    w = SENTINEL;
    CHECK_RESULT(wsguard_peer_limits_admit(&l, &load, buf, 40, &w, &need, &rej), WSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK_INT(w, SENTINEL);
    CHECK(memcmp(&rej, &canary_rej, sizeof rej) == 0);
    CHECK(canary_intact(0, sizeof buf));
    CHECK_RESULT(wsguard_peer_limits_admit(&l, &load, buf, WSGUARD_OVERLOAD_MAX_RESPONSE, &w, NULL, &rej),
                 WSGUARD_RESULT_OVERLOADED);
    CHECK_INT(w, need);
    CHECK(memcmp(buf, head, sizeof head - 1) == 0);
    CHECK_WSTR(rej.code, "too_many_connections");
    CHECK_INT(rej.http_status, 503);
    CHECK_RESULT(wsguard_peer_limits_admit(NULL, &load, buf, BIG, &w, &need, &rej), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_peer_limits_admit(&l, NULL, buf, BIG, &w, &need, &rej), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_peer_limits_admit(&l, &load, buf, BIG, NULL, &need, &rej), WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_peer_limits_default(NULL), WSGUARD_RESULT_NULL_ARGUMENT);
    h_end();
}

/* wsguard_server_deadline_refusal: nothing received, nothing to answer; else the 408. */
static void test_deadline_refusal(void) {
    static const char head[] = "HTTP/1.1 408 Request Timeout\r\n";
    wsguard_rejection rej;
    size_t w = SENTINEL, need = SENTINEL;
    h_begin("contract-server-deadline-refusal");
    memset(buf, CANARY, sizeof buf);
    CHECK_RESULT(wsguard_server_deadline_refusal(0, buf, BIG, &w, &need, &rej), WSGUARD_RESULT_OK);
    CHECK_INT(w, 0);
    CHECK_INT(need, SENTINEL);
    CHECK(canary_intact(0, sizeof buf));
    CHECK_RESULT(wsguard_server_deadline_refusal(1, buf, BIG, &w, &need, &rej), WSGUARD_RESULT_HANDSHAKE_REJECTED);
    CHECK(memcmp(buf, head, sizeof head - 1) == 0);
    CHECK_WSTR(rej.code, "handshake_timeout");
    CHECK_INT(rej.http_status, 408);
    CHECK_RESULT(wsguard_server_deadline_refusal(1, buf, BIG, NULL, &need, &rej), WSGUARD_RESULT_NULL_ARGUMENT);
    h_end();
}

static void test_frame_header_length_limit(void) {
    size_t w = SENTINEL, need = SENTINEL;
    h_begin("contract-frame-header-refuses-2^63");
    memset(buf, CANARY, sizeof buf);
    CHECK_RESULT(wsguard_frame_write_header(buf, 14, true, 2, (uint64_t)1 << 63, NULL, 0, &w, &need),
                 WSGUARD_RESULT_INVALID_LENGTH);
    CHECK_RESULT(wsguard_frame_write_header(buf, 14, true, 2, UINT64_MAX, key, 4, &w, &need),
                 WSGUARD_RESULT_INVALID_LENGTH);
    CHECK(canary_intact(0, sizeof buf));
    CHECK_INT(w, SENTINEL);
    CHECK_INT(need, SENTINEL);
    CHECK_RESULT(wsguard_frame_write_header(buf, 14, true, 2, WSGUARD_FRAME_MAX_PAYLOAD_LEN, NULL, 0,
                                            &w, &need), WSGUARD_RESULT_OK);
    CHECK_INT(w, 10);
    CHECK(buf[1] == 127 && buf[2] == 0x7f && buf[9] == 0xff);
    h_end();
}

static void test_storage_sizes(void) {
    static uint64_t st[WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8];
    void *h = NULL, *const untouched = (void *)&h;
    wsguard_decoder_config dc;
    wsguard_heartbeat_config hc;
    h_begin("contract-storage-below-size-refused");
    wsguard_decoder_config_default(WSGUARD_ROLE_SERVER, &dc);
    wsguard_heartbeat_config_default(&hc);
    h = untouched;
#define BELOW(call_small, call_ok) do { \
        h = untouched; \
        CHECK_RESULT(call_small, WSGUARD_RESULT_INVALID_STORAGE); \
        CHECK(h == untouched); \
        CHECK_RESULT(call_ok, WSGUARD_RESULT_OK); \
    } while (0)
    BELOW(wsguard_origin_policy_init(st, WSGUARD_ORIGIN_POLICY_STORAGE_SIZE - 1, 0, (wsguard_origin_policy **)&h),
          wsguard_origin_policy_init(st, WSGUARD_ORIGIN_POLICY_STORAGE_SIZE, 0, (wsguard_origin_policy **)&h));
    BELOW(wsguard_origin_policy_init_sized(st, wsguard_origin_policy_storage_size(4, 64) - 1, 4, 64, 0,
                                           (wsguard_origin_policy **)&h),
          wsguard_origin_policy_init_sized(st, wsguard_origin_policy_storage_size(4, 64), 4, 64, 0,
                                           (wsguard_origin_policy **)&h));
    BELOW(wsguard_decoder_init(st, WSGUARD_DECODER_STORAGE_SIZE - 1, &dc, (wsguard_decoder **)&h),
          wsguard_decoder_init(st, WSGUARD_DECODER_STORAGE_SIZE, &dc, (wsguard_decoder **)&h));
    BELOW(wsguard_heartbeat_init(st, WSGUARD_HEARTBEAT_STORAGE_SIZE - 1, &hc, 0, (wsguard_heartbeat **)&h, NULL),
          wsguard_heartbeat_init(st, WSGUARD_HEARTBEAT_STORAGE_SIZE, &hc, 0, (wsguard_heartbeat **)&h, NULL));
    BELOW(wsguard_reconnect_init(st, WSGUARD_RECONNECT_STORAGE_SIZE - 1, NULL, (wsguard_reconnect **)&h),
          wsguard_reconnect_init(st, WSGUARD_RECONNECT_STORAGE_SIZE, NULL, (wsguard_reconnect **)&h));
    BELOW(wsguard_close_registry_init(st, WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE - 1, (wsguard_close_registry **)&h),
          wsguard_close_registry_init(st, WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE, (wsguard_close_registry **)&h));
    {
        wsguard_connection_config cc;
        wsguard_connection_config_default(WSGUARD_ROLE_SERVER, &cc);
        BELOW(wsguard_connection_init(st, WSGUARD_CONNECTION_STORAGE_SIZE - 1, &cc, 0, (wsguard_connection **)&h, NULL),
              wsguard_connection_init(st, WSGUARD_CONNECTION_STORAGE_SIZE, &cc, 0, (wsguard_connection **)&h, NULL));
    }
#undef BELOW
    h_end();
}

static void test_lint_cap(void) {
    static const char *const entries[] = {"https://app.example.com/"};
    static const size_t lens[] = {24};
    wsguard_lint_finding f[4];
    size_t count = SENTINEL;
    h_begin("contract-lint-refuses-impossible-cap");
    memset(f, CANARY, sizeof f);
    CHECK_RESULT(wsguard_origin_lint(entries, lens, 1, 0, false, f, SIZE_MAX, &count),
                 WSGUARD_RESULT_INVALID_LENGTH);
    CHECK_RESULT(wsguard_origin_lint(entries, lens, 1, 0, false, f,
                                     PTRDIFF_MAX / sizeof f[0] + 1, &count),
                 WSGUARD_RESULT_INVALID_LENGTH);
    CHECK_INT(count, SENTINEL);
    CHECK(((uint8_t *)f)[0] == CANARY);
    CHECK_RESULT(wsguard_origin_lint(entries, lens, 1, 0, false, f, 4, &count), WSGUARD_RESULT_OK);
    CHECK(count >= 1);
    h_end();
}

int main(void) {
    static const char allow[] = "https://app.example.com";
    size_t i;
    if (wsguard_origin_policy_new(0, &policy) != WSGUARD_RESULT_OK ||
        wsguard_origin_policy_allow(policy, allow, sizeof allow - 1, NULL) != WSGUARD_RESULT_OK) {
        fprintf(stderr, "policy setup failed\n");
        return 1;
    }
    long_target[0] = '/';
    for (i = 1; i < sizeof long_target - 1; i++) long_target[i] = (char)('a' + i % 26);
    long_target[sizeof long_target - 1] = '\0';

    sweep("contract-origin-normalize", w_normalize, WSGUARD_RESULT_OK, true);
    sweep("contract-origin-policy-cors", w_cors, WSGUARD_RESULT_OK, true);
    sweep("contract-server-respond-101", w_respond_101, WSGUARD_RESULT_OK, true);
    sweep("contract-server-respond-403", w_respond_403, WSGUARD_RESULT_HANDSHAKE_REJECTED, true);
    sweep("contract-client-write-request", w_client_request, WSGUARD_RESULT_OK, true);
    sweep("contract-server-dev-auth-notice", w_dev_auth_notice, WSGUARD_RESULT_OK, true);
    sweep("contract-url-write-resource", w_url_resource, WSGUARD_RESULT_OK, true);
    sweep("contract-url-write-host", w_url_host, WSGUARD_RESULT_OK, true);
    sweep("contract-url-derive", w_derive, WSGUARD_RESULT_OK, true);
    sweep("contract-url-derive-dot-segments", w_derive_dots, WSGUARD_RESULT_OK, false);
    sweep("contract-url-derive-6000-byte-target", w_derive_long, WSGUARD_RESULT_OK, true);
    sweep("contract-close-payload-write", w_close_payload, WSGUARD_RESULT_OK, true);
    sweep("contract-frame-write", w_frame, WSGUARD_RESULT_OK, true);
    sweep("contract-frame-write-header", w_frame_header, WSGUARD_RESULT_OK, true);
    sweep("contract-frame-write-ping", w_ping, WSGUARD_RESULT_OK, true);
    sweep("contract-frame-write-pong", w_pong, WSGUARD_RESULT_OK, true);
    sweep("contract-frame-write-close", w_close_frame, WSGUARD_RESULT_OK, true);
    sweep("contract-connection-poll-transmit", w_conn_poll_transmit, WSGUARD_RESULT_OK, true);
    sweep("contract-connection-send", w_conn_send, WSGUARD_RESULT_OK, true);
    sweep("contract-connection-send-masked", w_conn_send_masked, WSGUARD_RESULT_OK, true);
    sweep("contract-connection-send-fragment", w_conn_send_fragment, WSGUARD_RESULT_OK, true);
    sweep("contract-connection-send-ping", w_conn_send_ping, WSGUARD_RESULT_OK, true);
    sweep("contract-peer-limits-admit-503", w_overload, WSGUARD_RESULT_OVERLOADED, true);
    sweep("contract-server-deadline-refusal-408", w_deadline_408, WSGUARD_RESULT_HANDSHAKE_REJECTED, true);
    test_connection_state_kept();
    test_fixed_size_writers();
    test_decoder_needed_exact();
    test_decoder_error_state();
    test_frame_header_length_limit();
    test_peer_limits_outputs();
    test_deadline_refusal();
    test_storage_sizes();
    test_lint_cap();
    wsguard_origin_policy_free(policy);
    return h_summary("c-contract");
}
