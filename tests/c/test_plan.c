/* The C API of the client diagnosis and the differential plan (issue 12): the cause a
 * wsguard server names is the headline code; an answer that cannot name the cause gets
 * the causes that remain from wsguard_client_plan, whose follow-ups establish one.
 * Byte-exact answers of the real stacks (Node `ws`, Starlette, daphne behind nginx). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "wsguard.h"

static const uint8_t NONCE[16] = "the sample nonce"; /* key dGhlIHNhbXBsZSBub25jZQ== */
static const char OWN[] = "http://a.test:8000";

static wsguard_client_request request(const char *path, const char *origin) {
    wsguard_client_request r;
    memset(&r, 0, sizeof r);
    r.host = "a.test:8000";
    r.host_len = strlen(r.host);
    r.path = path;
    r.path_len = strlen(path);
    r.nonce = NONCE;
    r.nonce_len = sizeof NONCE;
    if (origin) {
        r.origin = origin;
        r.origin_len = strlen(origin);
    }
    return r;
}

#define LIT(s) (const uint8_t *)(s), sizeof(s) - 1

/* `needle` occurs in the n bytes at `hay` (memmem is not C99). */
static int contains(const uint8_t *hay, size_t n, const char *needle) {
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0) return 1;
    return 0;
}

static const char NODE_401[] =
    "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: text/html\r\n"
    "Content-Length: 12\r\n\r\nUnauthorized";
static const char BARE_403[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
static const char UPGRADED[] =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

static void named_cause_is_the_headline(void) {
    static const char answer[] =
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 63\r\n\r\n"
        "origin_port: the Origin's scheme and host are allowed, but not\n";
    wsguard_client_request req = request("/ws", "http://localhost:3000");
    wsguard_established est;
    wsguard_diagnosis d;
    wsguard_verdict v;
    h_begin("a wsguard code is the headline, with the status kept");
    CHECK_RESULT(wsguard_client_validate_response(&req, LIT(answer), &est, &d),
                 WSGUARD_RESULT_RESPONSE_REJECTED);
    CHECK_WSTR(d.rejection.code, "origin_port");
    CHECK_WSTR(d.rejection.reason, "the Origin's scheme and host are allowed, but not on this port");
    CHECK_INT(d.rejection.http_status, 403);
    CHECK_INT(d.body_end, 0);
    CHECK_RESULT(wsguard_client_plan(&req, LIT(answer), false, NULL, 0, &v), WSGUARD_RESULT_OK);
    CHECK_INT(v.kind, WSGUARD_VERDICT_NAMED);
    CHECK_INT(v.next_step, WSGUARD_FOLLOW_UP_NONE);
    CHECK_INT(v.causes_count, 0);
    h_end();

    h_begin("an incomplete body says how much to read");
    CHECK_RESULT(wsguard_client_validate_response(&req, (const uint8_t *)answer, 60, &est, &d),
                 WSGUARD_RESULT_RESPONSE_REJECTED);
    CHECK_WSTR(d.rejection.code, "forbidden");
    CHECK_INT(d.body_end, sizeof answer - 1);
    CHECK_RESULT(wsguard_client_plan(&req, (const uint8_t *)answer, 60, false, NULL, 0, &v),
                 WSGUARD_RESULT_INCOMPLETE);
    h_end();
}

static void node_401_is_undecided_then_established(void) {
    wsguard_client_request req = request("/ws", "https://evil.test");
    wsguard_verdict v;
    wsguard_follow_up_reply replies[WSGUARD_PLAN_MAX_REPLIES];
    uint8_t out[512];
    size_t written = 0, needed = 0;
    h_begin("Node ws 401: token or Origin, then the own-origin follow-up decides");
    CHECK_RESULT(wsguard_client_plan(&req, LIT(NODE_401), false, NULL, 0, &v), WSGUARD_RESULT_OK);
    CHECK_INT(v.kind, WSGUARD_VERDICT_UNDECIDED);
    CHECK_INT(v.causes_count, 2);
    CHECK_WSTR(v.causes[0].code, "token_refused");
    CHECK_WSTR(v.causes[1].code, "origin_refused");
    CHECK(v.hint.len > 0);
    CHECK_INT(v.next_step, WSGUARD_FOLLOW_UP_OWN_ORIGIN);
    CHECK_RESULT(wsguard_client_write_follow_up(&req, v.next_step, OWN, strlen(OWN), out, 10,
                                                &written, &needed),
                 WSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK_RESULT(wsguard_client_write_follow_up(&req, v.next_step, OWN, strlen(OWN), out,
                                                sizeof out, &written, &needed),
                 WSGUARD_RESULT_OK);
    CHECK_INT(written, needed);
    CHECK(contains(out, written, "\r\nOrigin: http://a.test:8000\r\n"));
    CHECK(!contains(out, written, "evil"));
    CHECK_RESULT(wsguard_client_follow_up_reply(&req, LIT(NODE_401), v.next_step, OWN, strlen(OWN),
                                                (const uint8_t *)UPGRADED, 40, false, &replies[0]),
                 WSGUARD_RESULT_INCOMPLETE);
    CHECK_RESULT(wsguard_client_follow_up_reply(&req, LIT(NODE_401), v.next_step, OWN, strlen(OWN),
                                                LIT(UPGRADED), false, &replies[0]),
                 WSGUARD_RESULT_OK);
    CHECK_INT(replies[0].kind, WSGUARD_REPLY_UPGRADED);
    CHECK_RESULT(wsguard_client_plan(&req, LIT(NODE_401), false, replies, 1, &v), WSGUARD_RESULT_OK);
    CHECK_INT(v.kind, WSGUARD_VERDICT_ESTABLISHED);
    CHECK_INT(v.next_step, WSGUARD_FOLLOW_UP_NONE);
    CHECK_INT(v.causes_count, 1);
    CHECK_WSTR(v.causes[0].code, "origin_refused");
    CHECK_INT(v.evidence.step, WSGUARD_FOLLOW_UP_OWN_ORIGIN);
    CHECK_INT(v.evidence.kind, WSGUARD_REPLY_UPGRADED);
    h_end();
}

static void starlette_403_leaves_three_causes(void) {
    wsguard_client_request req = request("/nope", "https://app.test");
    wsguard_verdict v;
    wsguard_follow_up_reply replies[WSGUARD_PLAN_MAX_REPLIES];
    size_t n = 0;
    h_begin("Starlette's bare 403: every Origin refused the same, three causes remain");
    CHECK_RESULT(wsguard_client_plan(&req, LIT(BARE_403), false, NULL, 0, &v), WSGUARD_RESULT_OK);
    CHECK_INT(v.causes_count, 3);
    CHECK_WSTR(v.causes[0].code, "origin_refused");
    CHECK_WSTR(v.causes[2].code, "wrong_path");
    while (v.next_step != WSGUARD_FOLLOW_UP_NONE && n < WSGUARD_PLAN_MAX_REPLIES) {
        CHECK_RESULT(wsguard_client_follow_up_reply(&req, LIT(BARE_403), v.next_step, OWN,
                                                    strlen(OWN), LIT(BARE_403), false, &replies[n]),
                     WSGUARD_RESULT_OK);
        CHECK_INT(replies[n].kind, WSGUARD_REPLY_STATUS);
        CHECK_INT(replies[n].status, 403);
        CHECK(replies[n].same);
        n++;
        CHECK_RESULT(wsguard_client_plan(&req, LIT(BARE_403), false, replies, n, &v),
                     WSGUARD_RESULT_OK);
    }
    CHECK_INT(n, 2);
    CHECK_INT(replies[0].step, WSGUARD_FOLLOW_UP_OWN_ORIGIN);
    CHECK_INT(replies[1].step, WSGUARD_FOLLOW_UP_NO_ORIGIN);
    CHECK_INT(v.kind, WSGUARD_VERDICT_UNDECIDED);
    CHECK_INT(v.causes_count, 3);
    CHECK_WSTR(v.causes[0].code, "app_refused_before_accept");
    CHECK_WSTR(v.causes[1].code, "wrong_path");
    CHECK_WSTR(v.causes[2].code, "origin_refused");
    h_end();
}

static void daphne_500_through_nginx(void) {
    static const char answer[] =
        "HTTP/1.1 500 Internal Server Error\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n";
    wsguard_client_request req = request("/daphne/noup/ws", "https://app.test");
    wsguard_verdict v;
    wsguard_follow_up_reply reply;
    h_begin("daphne's 500 through nginx: dropped upgrade, app error or wrong path");
    CHECK_RESULT(wsguard_client_plan(&req, LIT(answer), false, NULL, 0, &v), WSGUARD_RESULT_OK);
    CHECK_INT(v.kind, WSGUARD_VERDICT_UNDECIDED);
    CHECK_INT(v.causes_count, 3);
    CHECK_WSTR(v.causes[0].code, "upgrade_not_forwarded");
    CHECK_WSTR(v.causes[1].code, "app_error");
    CHECK_WSTR(v.causes[2].code, "wrong_path");
    CHECK_INT(v.next_step, WSGUARD_FOLLOW_UP_PLAIN_GET);
    /* The connection failed: nothing learned, and the plan is done. */
    CHECK_RESULT(wsguard_client_follow_up_reply(&req, LIT(answer), v.next_step, NULL, 0, NULL, 0,
                                                true, &reply),
                 WSGUARD_RESULT_OK);
    CHECK_INT(reply.kind, WSGUARD_REPLY_NO_ANSWER);
    CHECK_RESULT(wsguard_client_plan(&req, LIT(answer), false, &reply, 1, &v), WSGUARD_RESULT_OK);
    CHECK_INT(v.next_step, WSGUARD_FOLLOW_UP_NONE);
    CHECK_INT(v.causes_count, 3);
    h_end();
}

static void bad_arguments(void) {
    wsguard_client_request req = request("/ws", NULL);
    wsguard_verdict v;
    wsguard_follow_up_reply reply;
    uint8_t out[64];
    size_t written = 0;
    h_begin("not a refusal, unknown steps, NULL outputs");
    CHECK_RESULT(wsguard_client_plan(&req, LIT(UPGRADED), false, NULL, 0, &v),
                 WSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(wsguard_client_plan(&req, LIT(BARE_403), false, NULL, 0, NULL),
                 WSGUARD_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(wsguard_client_write_follow_up(&req, 99, NULL, 0, out, sizeof out, &written, NULL),
                 WSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(wsguard_client_follow_up_reply(&req, LIT(BARE_403), WSGUARD_FOLLOW_UP_NONE, NULL, 0,
                                                NULL, 0, true, &reply),
                 WSGUARD_RESULT_INVALID_ARGUMENT);
    reply.step = WSGUARD_FOLLOW_UP_NO_ORIGIN;
    reply.kind = 77;
    CHECK_RESULT(wsguard_client_plan(&req, LIT(BARE_403), false, &reply, 1, &v),
                 WSGUARD_RESULT_INVALID_ARGUMENT);
    h_end();
}

int main(void) {
    named_cause_is_the_headline();
    node_401_is_undecided_then_established();
    starlette_403_leaves_three_causes();
    daphne_500_through_nginx();
    bad_arguments();
    return h_summary("c-plan");
}
