/* Unit tests of the wsguard C API itself: argument checking, outputs written only on
 * success, static strings, version. The shared vectors run in test_vectors.c. */
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
                                     3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 9001};
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

int main(void) {
    test_version();
    test_result_messages();
    test_close_classify();
    test_unmask();
    test_str_copy();
    return h_summary("c-api");
}
