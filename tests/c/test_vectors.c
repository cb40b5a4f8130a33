/* Runs the shared tests/vectors/ JSON files through the wsguard C API: the same verdicts and
 * codes as the Rust core. Compiled as C99 (gcc) and as C++17 (g++ -x c++).
 * Usage: test_vectors [VECTOR_DIR]   (default tests/vectors)
 * Ends with a line `c-vectors: N passed, M failed` (one case = one test). */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <cJSON.h>
#include "harness.h"

static const char *vector_dir = "tests/vectors";

/* ---------- small helpers ---------- */

static cJSON *load_file(const char *file) {
    char path[1024];
    FILE *f;
    long n;
    char *text;
    cJSON *json;
    snprintf(path, sizeof path, "%s/%s", vector_dir, file);
    f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = (char *)malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(text); return NULL; }
    text[n] = 0;
    fclose(f);
    /* cJSON strings are NUL-terminated, so a \u0000 escape would cut them short: map it
     * to U+E000 (EE 80 80), which jbytes() turns back into a 0 byte. */
    {
        char *q = text;
        while ((q = strstr(q, "\\u0000")) != NULL) { memcpy(q, "\\uE000", 6); q += 6; }
    }
    json = cJSON_Parse(text);
    free(text);
    return json;
}

static const char *jstr(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jhas(const cJSON *obj, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

static int jnull(const cJSON *obj, const char *key) {
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static long long jint(const cJSON *obj, const char *key, long long dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

static int jbool(const cJSON *obj, const char *key, int dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    return dflt;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex into a malloc'd buffer (never NULL on success, even when empty). */
static uint8_t *unhex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2, i;
    uint8_t *out = (uint8_t *)malloc(n + 1);
    if (!out) return NULL;
    for (i = 0; i < n; i++) out[i] = (uint8_t)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
    *len = n;
    return out;
}

/* Field `key` (text) or `key_hex` (bytes) as a malloc'd buffer; NULL when absent or null. */
static uint8_t *jbytes(const cJSON *obj, const char *key, size_t *len) {
    char hexkey[128];
    const char *s = jstr(obj, key);
    if (s) {
        size_t n = strlen(s), i, j = 0;
        uint8_t *out = (uint8_t *)malloc(n + 1);
        if (!out) return NULL;
        for (i = 0; i < n; i++) {
            if ((uint8_t)s[i] == 0xEE && i + 2 < n && (uint8_t)s[i + 1] == 0x80 && (uint8_t)s[i + 2] == 0x80) {
                out[j++] = 0;
                i += 2;
            } else {
                out[j++] = (uint8_t)s[i];
            }
        }
        out[j] = 0;
        *len = j;
        return out;
    }
    snprintf(hexkey, sizeof hexkey, "%s_hex", key);
    s = jstr(obj, hexkey);
    return s ? unhex(s, len) : NULL;
}

static void tohex(const uint8_t *p, size_t n, char *out, size_t cap) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n && 2 * i + 2 < cap; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * i] = 0;
}

/* Appends printf-style text to a bounded trace buffer. */
#include <stdarg.h>
typedef struct { char *buf; size_t cap, len; } trace_t;
static void tr(trace_t *t, const char *fmt, ...) {
    va_list ap;
    int n;
    if (t->len >= t->cap) return;
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
    if (t->len > t->cap) t->len = t->cap;
}

static int streq_w(wsguard_str s, const char *c) { return wsguard_str_eq(s, c); }

/* ---------- close_codes.json ---------- */

static void close_case(const cJSON *c) {
    const char *kind = jstr(c, "kind");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    int ok = jbool(e, "ok", 1);
    if (strcmp(kind, "classify") == 0) {
        wsguard_close_info info;
        const char *reg = jstr(c, "registry");
        uint32_t r = (reg && strcmp(reg, "conventions") == 0) ? WSGUARD_CLOSE_REGISTRY_CONVENTIONS
                                                              : WSGUARD_CLOSE_REGISTRY_BUILTIN;
        CHECK_RESULT(wsguard_close_code_classify_in((uint16_t)jint(c, "close_code", 0), r, &info),
                     WSGUARD_RESULT_OK);
        if (jnull(e, "name")) CHECK_INT(info.name.len, 0);
        else if (jstr(e, "name")) CHECK_WSTR(info.name, jstr(e, "name"));
        if (jstr(e, "category")) CHECK_WSTR(info.category_code, jstr(e, "category"));
        if (jstr(e, "sender")) CHECK_WSTR(info.sender, jstr(e, "sender"));
        if (jstr(e, "retry")) CHECK_WSTR(info.retry_code, jstr(e, "retry"));
        if (jstr(e, "registration")) CHECK_WSTR(info.registration, jstr(e, "registration"));
        if (jhas(e, "app_defined")) CHECK_INT(info.app_defined, jbool(e, "app_defined", 0));
        if (jhas(e, "wire_valid")) CHECK_INT(info.wire_valid, jbool(e, "wire_valid", 0));
        CHECK(info.description.len > 0 && info.remedy.len > 0);
    } else if (strcmp(kind, "parse_payload") == 0) {
        size_t n = 0;
        uint8_t *p = jbytes(c, "payload", &n);
        wsguard_close_payload out;
        wsguard_rejection rej;
        wsguard_result r = wsguard_close_payload_parse(p, n, &out, &rej);
        if (ok) {
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            if (r == WSGUARD_RESULT_OK) {
                if (jnull(e, "close_code")) { CHECK(!out.has_code); CHECK_INT(out.code, 1005); }
                else { CHECK(out.has_code); CHECK_INT(out.code, jint(e, "close_code", -1)); }
                CHECK_INT(out.reason_len, strlen(jstr(e, "reason")));
                CHECK(memcmp(out.reason, jstr(e, "reason"), out.reason_len) == 0);
            }
        } else {
            CHECK_RESULT(r, WSGUARD_RESULT_INVALID_CLOSE_PAYLOAD);
            if (r == WSGUARD_RESULT_INVALID_CLOSE_PAYLOAD) {
                CHECK_WSTR(rej.code, jstr(e, "code"));
                CHECK_INT(rej.close_code, jint(e, "send_close", -1));
            }
        }
        free(p);
    } else if (strcmp(kind, "write_payload") == 0) {
        size_t cap = (size_t)jint(c, "buffer_size", 125), written = 0, needed = 0;
        uint8_t *buf = (uint8_t *)malloc(cap + 1);
        const char *reason = jstr(c, "reason");
        wsguard_rejection rej;
        wsguard_result r = wsguard_close_payload_write((uint16_t)jint(c, "close_code", 0), reason,
                                                       strlen(reason), buf, cap, &written, &needed, &rej);
        if (ok) {
            char hex[400];
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            tohex(buf, written, hex, sizeof hex);
            if (r == WSGUARD_RESULT_OK) CHECK(strcmp(hex, jstr(e, "payload_hex")) == 0);
        } else if (strcmp(jstr(e, "code"), "buffer_too_small") == 0) {
            CHECK_RESULT(r, WSGUARD_RESULT_BUFFER_TOO_SMALL);
            CHECK(needed > cap);
        } else {
            CHECK_RESULT(r, WSGUARD_RESULT_INVALID_CLOSE_PAYLOAD);
            if (r == WSGUARD_RESULT_INVALID_CLOSE_PAYLOAD) CHECK_WSTR(rej.code, jstr(e, "code"));
        }
        free(buf);
    } else {
        H_FAIL("unknown kind %s", kind);
    }
}

/* ---------- frames.json and utf8.json ---------- */

typedef struct {
    uint32_t role;
    const cJSON *config;
} frame_setup;

static void setup_decoder_config(const frame_setup *s, wsguard_decoder_config *cfg) {
    CHECK_RESULT(wsguard_decoder_config_default(s->role, cfg), WSGUARD_RESULT_OK);
    if (s->config) {
        const cJSON *k = s->config;
        if (jhas(k, "max_frame")) cfg->max_frame = (uint64_t)jint(k, "max_frame", 0);
        if (jhas(k, "max_message")) cfg->max_message = (uint64_t)jint(k, "max_message", 0);
        if (jhas(k, "strict_length")) cfg->strict_length = jbool(k, "strict_length", 1);
        if (jhas(k, "allowed_rsv")) cfg->allowed_rsv = (uint8_t)jint(k, "allowed_rsv", 0);
        if (jhas(k, "allowed_opcodes")) cfg->allowed_opcodes = (uint16_t)jint(k, "allowed_opcodes", 0);
        if (jhas(k, "accept_text")) cfg->accept_text = jbool(k, "accept_text", 1);
        if (jhas(k, "accept_binary")) cfg->accept_binary = jbool(k, "accept_binary", 1);
    }
}

/* Payloads over 64 bytes are traced as length + FNV-1a hash to keep traces short. */
static void payload_repr(const uint8_t *p, size_t n, char *out, size_t cap) {
    if (n <= 64) {
        tohex(p, n, out, cap);
    } else {
        uint64_t h = 1469598103934665603ULL;
        size_t i;
        for (i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ULL; }
        snprintf(out, cap, "len%lu-fnv%08lx%08lx", (unsigned long)n, (unsigned long)(h >> 32),
                 (unsigned long)(h & 0xffffffffUL));
    }
}

static void hex_repr(const char *hex, char *out, size_t cap) {
    size_t n = 0;
    uint8_t *b = unhex(hex ? hex : "", &n);
    payload_repr(b, n, out, cap);
    free(b);
}

static void trace_event(trace_t *t, const wsguard_frame_event *ev) {
    char hex[160];
    payload_repr(ev->payload, ev->payload_len, hex, sizeof hex);
    switch (ev->kind) {
    case WSGUARD_EVENT_KIND_DATA:
        if (ev->message_opcode == 1) tr(t, "data:text:%s:%d;", hex, ev->fin_of_message);
        else if (ev->message_opcode == 2) tr(t, "data:binary:%s:%d;", hex, ev->fin_of_message);
        else tr(t, "data:reserved%d:%s:%d;", ev->message_opcode, hex, ev->fin_of_message);
        break;
    case WSGUARD_EVENT_KIND_PING: tr(t, "ping:%s;", hex); break;
    case WSGUARD_EVENT_KIND_PONG: tr(t, "pong:%s;", hex); break;
    case WSGUARD_EVENT_KIND_CLOSE:
        if (ev->has_close_code) tr(t, "close:%d:%.*s;", ev->close_code, (int)ev->payload_len, (const char *)ev->payload);
        else tr(t, "close:null:%.*s;", (int)ev->payload_len, (const char *)ev->payload);
        break;
    case WSGUARD_EVENT_KIND_CONTROL: tr(t, "control:%d:%s;", ev->opcode, hex); break;
    default: tr(t, "unexpected-kind:%d;", (int)ev->kind); break;
    }
}

/* Feeds `input` to a fresh decoder in pieces cut at `cuts` (ascending, may be empty) and
 * writes the event trace; with_needed adds the final `needed:N`. */
static void decode_trace(const frame_setup *s, const uint8_t *input, size_t len, const size_t *cuts,
                         size_t ncuts, int with_needed, int use_heap, trace_t *t) {
    uint64_t storage[WSGUARD_DECODER_STORAGE_SIZE / 8];
    wsguard_decoder_config cfg;
    wsguard_decoder *dec = NULL;
    uint8_t *buf = (uint8_t *)malloc(len + 1);
    size_t have = 0, delivered = 0, piece, needed = 0;
    int failed = 0, last_incomplete = 0;
    setup_decoder_config(s, &cfg);
    if (use_heap) CHECK_RESULT(wsguard_decoder_new(&cfg, &dec), WSGUARD_RESULT_OK);
    else CHECK_RESULT(wsguard_decoder_init(storage, sizeof storage, &cfg, &dec), WSGUARD_RESULT_OK);
    if (!dec || !buf) { free(buf); return; }
    for (piece = 0; piece <= ncuts && !failed; piece++) {
        size_t end = piece < ncuts ? cuts[piece] : len;
        memcpy(buf + have, input + delivered, end - delivered);
        have += end - delivered;
        delivered = end;
        for (;;) {
            size_t consumed = 0;
            wsguard_frame_event ev;
            wsguard_rejection rej;
            wsguard_result r = wsguard_decoder_decode(dec, buf, have, &consumed, &needed, &ev, &rej);
            if (r == WSGUARD_RESULT_OK) {
                trace_event(t, &ev);
                memmove(buf, buf + consumed, have - consumed);
                have -= consumed;
                last_incomplete = 0;
            } else if (r == WSGUARD_RESULT_INCOMPLETE) {
                last_incomplete = 1;
                break;
            } else if (r == WSGUARD_RESULT_PROTOCOL_VIOLATION) {
                tr(t, "error:%.*s:%d;", (int)rej.code.len, rej.code.ptr, rej.close_code);
                failed = 1;
                break;
            } else {
                tr(t, "result:%u;", (unsigned)r);
                failed = 1;
                break;
            }
        }
    }
    if (with_needed && !failed && last_incomplete) tr(t, "needed:%zu;", needed);
    wsguard_decoder_free(dec);
    free(buf);
}

static void expected_frame_trace(const cJSON *e, int with_needed, trace_t *t) {
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(e, "events")) {
        const char *type = jstr(ev, "type");
        char hex[160];
        hex_repr(jstr(ev, "payload_hex"), hex, sizeof hex);
        if (strcmp(type, "data") == 0) tr(t, "data:%s:%s:%d;", jstr(ev, "kind"), hex, jbool(ev, "fin", 0));
        else if (strcmp(type, "ping") == 0 || strcmp(type, "pong") == 0) tr(t, "%s:%s;", type, hex);
        else if (strcmp(type, "close") == 0) {
            if (jnull(ev, "code")) tr(t, "close:null:%s;", jstr(ev, "reason"));
            else tr(t, "close:%lld:%s;", jint(ev, "code", -1), jstr(ev, "reason"));
        } else if (strcmp(type, "control") == 0) tr(t, "control:%lld:%s;", jint(ev, "opcode", -1), hex);
        else tr(t, "unknown-type:%s;", type);
    }
    if (!jbool(e, "ok", 1)) tr(t, "error:%s:%lld;", jstr(e, "code"), jint(e, "close_code", -1));
    if (with_needed && jhas(e, "needed")) tr(t, "needed:%lld;", jint(e, "needed", -1));
}

static void compare_traces(const char *how, const char *got, const char *want) {
    if (strcmp(got, want) != 0) H_FAIL("%s:\n    got  %.400s\n    want %.400s", how, got, want);
}

static void frame_case(const cJSON *c, int index) {
    static char got_buf[65536], want_buf[65536];
    trace_t got, want;
    frame_setup s;
    size_t len = 0, k;
    uint8_t *input = jbytes(c, "input", &len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    int with_needed = jhas(e, "needed");
    size_t *cuts;
    s.role = strcmp(jstr(c, "role"), "client") == 0 ? WSGUARD_ROLE_CLIENT : WSGUARD_ROLE_SERVER;
    s.config = cJSON_GetObjectItemCaseSensitive(c, "config");
    want.buf = want_buf; want.cap = sizeof want_buf; want.len = 0; want_buf[0] = 0;
    expected_frame_trace(e, with_needed, &want);
    /* whole */
    got.buf = got_buf; got.cap = sizeof got_buf; got.len = 0; got_buf[0] = 0;
    decode_trace(&s, input, len, NULL, 0, with_needed, index & 1, &got);
    compare_traces("whole", got_buf, want_buf);
    /* one byte at a time (inputs up to 4 KiB; longer ones in 7-byte pieces) */
    cuts = (size_t *)malloc((len + 1) * sizeof *cuts);
    {
        size_t step = len > 4096 ? 7 : 1, n = 0;
        for (k = step; k < len; k += step) cuts[n++] = k;
        got.len = 0; got_buf[0] = 0;
        decode_trace(&s, input, len, cuts, n, with_needed, 0, &got);
    }
    compare_traces("byte-at-a-time", got_buf, want_buf);
    /* split at every point (for long inputs: every 61st point plus the first 300) */
    for (k = 1; k < len; k += (len > 4096 && k >= 300) ? 61 : 1) {
        got.len = 0; got_buf[0] = 0;
        decode_trace(&s, input, len, &k, 1, with_needed, 0, &got);
        if (strcmp(got_buf, want_buf) != 0) {
            char how[64];
            snprintf(how, sizeof how, "split at %zu", k);
            compare_traces(how, got_buf, want_buf);
            break;
        }
    }
    free(cuts);
    free(input);
}

/* utf8.json through the decoder: the message as one unmasked text frame (client role). */
static void utf8_case(const cJSON *c) {
    size_t len = 0, flen = 0, consumed = 0, needed = 0;
    uint8_t *msg = jbytes(c, "input", &len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    uint8_t *frame = (uint8_t *)malloc(len + 16);
    wsguard_decoder *dec = NULL;
    wsguard_decoder_config cfg;
    wsguard_frame_event ev;
    wsguard_rejection rej;
    wsguard_result r;
    CHECK_RESULT(wsguard_frame_write(frame, len + 16, 1, 1, msg, len, NULL, 0, &flen, NULL), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_decoder_config_default(WSGUARD_ROLE_CLIENT, &cfg), WSGUARD_RESULT_OK);
    CHECK_RESULT(wsguard_decoder_new(&cfg, &dec), WSGUARD_RESULT_OK);
    r = wsguard_decoder_decode(dec, frame, flen, &consumed, &needed, &ev, &rej);
    if (jbool(e, "ok", 1)) {
        CHECK_RESULT(r, WSGUARD_RESULT_OK);
        if (r == WSGUARD_RESULT_OK) {
            CHECK_INT(ev.payload_len, len);
            CHECK_INT(consumed, flen);
        }
    } else {
        CHECK_RESULT(r, WSGUARD_RESULT_PROTOCOL_VIOLATION);
        if (r == WSGUARD_RESULT_PROTOCOL_VIOLATION) {
            CHECK_WSTR(rej.code, jstr(e, "code"));
            CHECK_INT(rej.close_code, 1007);
        }
    }
    wsguard_decoder_free(dec);
    free(frame);
    free(msg);
}

/* ---------- policies (origins.json, cors.json, handshake_server.json) ---------- */

static uint64_t policy_storage[WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8];

/* Builds the README's policy object; heap or caller storage. NULL on failure (reported). */
static wsguard_origin_policy *build_policy(const cJSON *p, int use_heap) {
    wsguard_origin_policy *pol = NULL;
    uint32_t flags = 0;
    const cJSON *item;
    const char *preset = jstr(p, "preset");
    wsguard_rejection rej;
    if (jbool(p, "allow_null", 0)) flags |= WSGUARD_POLICY_ALLOW_NULL;
    if (jbool(p, "allow_missing", 0)) flags |= WSGUARD_POLICY_ALLOW_MISSING;
    if (preset && strcmp(preset, "development") == 0) flags |= WSGUARD_POLICY_DEVELOPMENT;
    if (use_heap) CHECK_RESULT(wsguard_origin_policy_new(flags, &pol), WSGUARD_RESULT_OK);
    else CHECK_RESULT(wsguard_origin_policy_init(policy_storage, sizeof policy_storage, flags, &pol), WSGUARD_RESULT_OK);
    if (!pol) return NULL;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(p, "allow")) {
        wsguard_result r = wsguard_origin_policy_allow(pol, item->valuestring, strlen(item->valuestring), &rej);
        if (r != WSGUARD_RESULT_OK) H_FAIL("pattern %s refused: %.*s", item->valuestring, (int)rej.code.len, rej.code.ptr);
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(p, "hosts"))
        CHECK_RESULT(wsguard_origin_policy_allow_host(pol, item->valuestring, strlen(item->valuestring)), WSGUARD_RESULT_OK);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(p, "dev_hosts"))
        CHECK_RESULT(wsguard_origin_policy_add_dev_host(pol, item->valuestring, strlen(item->valuestring)), WSGUARD_RESULT_OK);
    return pol;
}

static void check_rejection(wsguard_result r, wsguard_result want_r, const wsguard_rejection *rej, const cJSON *e,
                            const char *detail_key) {
    CHECK_RESULT(r, want_r);
    if (r != want_r) return;
    CHECK_WSTR(rej->code, jstr(e, "code"));
    if (jhas(e, "status")) CHECK_INT(rej->http_status, jint(e, "status", -1));
    if (detail_key && jstr(e, detail_key)) CHECK_WSTR(rej->detail, jstr(e, detail_key));
    CHECK(rej->reason.len > 0 && rej->remedy.len > 0);
}

static void origin_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    wsguard_origin_policy *pol = build_policy(cJSON_GetObjectItemCaseSensitive(c, "policy"), index & 1);
    wsguard_rejection rej;
    wsguard_result r;
    int ok = jbool(e, "ok", 1);
    if (!pol) return;
    if (jhas(c, "host")) {
        const char *host = jstr(c, "host");
        r = wsguard_origin_policy_check_host(pol, host, strlen(host), &rej);
        if (ok) CHECK_RESULT(r, WSGUARD_RESULT_OK);
        else check_rejection(r, WSGUARD_RESULT_HOST_REJECTED, &rej, e, "malformed");
    } else {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(c, "origin");
        size_t len = 0;
        uint8_t *value = NULL;
        if (cJSON_IsArray(o)) {
            const char *vals[8];
            size_t lens[8], n = 0;
            const cJSON *it;
            cJSON_ArrayForEach(it, o) if (n < 8) { vals[n] = it->valuestring; lens[n] = strlen(it->valuestring); n++; }
            r = wsguard_origin_policy_check_values(pol, vals, lens, n, &rej);
            if (n == 1) { value = (uint8_t *)malloc(lens[0] + 1); memcpy(value, vals[0], lens[0]); len = lens[0]; }
        } else {
            value = jbytes(c, "origin", &len); /* NULL: header absent */
            r = wsguard_origin_policy_check(pol, (const char *)value, len, &rej);
        }
        if (ok) {
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            if (r == WSGUARD_RESULT_OK && jstr(e, "normalized")) {
                char norm[600];
                size_t n = 0;
                if (value) {
                    CHECK_RESULT(wsguard_origin_normalize((const char *)value, len, norm, sizeof norm, &n, NULL, NULL),
                                 WSGUARD_RESULT_OK);
                }
                CHECK_INT(n, strlen(jstr(e, "normalized")));
                CHECK(memcmp(norm, jstr(e, "normalized"), n) == 0);
            }
        } else {
            check_rejection(r, WSGUARD_RESULT_ORIGIN_REJECTED, &rej, e, "malformed");
        }
        free(value);
    }
    wsguard_origin_policy_free(pol);
}

/* ---------- cors.json ---------- */

static const char *opt_str(const cJSON *o, const char *k, size_t *len) {
    const char *v = jstr(o, k);
    *len = v ? strlen(v) : 0;
    return v;
}

static void cors_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "cors");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(c, "request");
    const cJSON *h;
    wsguard_origin_policy *pol = build_policy(cJSON_GetObjectItemCaseSensitive(c, "policy"), index & 1);
    wsguard_cors_config cfg;
    wsguard_cors_request req;
    wsguard_cors_result res;
    char out[2048], want[2048];
    size_t written = 0, wl = 0;
    if (!pol) return;
    memset(&cfg, 0, sizeof cfg);
    cfg.credentials = jbool(k, "credentials", 0);
    cfg.methods = opt_str(k, "methods", &cfg.methods_len);
    cfg.headers = opt_str(k, "headers", &cfg.headers_len);
    cfg.expose_headers = opt_str(k, "expose_headers", &cfg.expose_headers_len);
    cfg.has_max_age = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(k, "max_age"));
    cfg.max_age = (uint32_t)jint(k, "max_age", 0);
    CHECK_RESULT(wsguard_origin_policy_set_cors(pol, &cfg), WSGUARD_RESULT_OK);
    memset(&req, 0, sizeof req);
    req.method = opt_str(q, "method", &req.method_len);
    req.origin = opt_str(q, "origin", &req.origin_len);
    req.request_method = opt_str(q, "request_method", &req.request_method_len);
    req.request_headers = opt_str(q, "request_headers", &req.request_headers_len);
    CHECK_RESULT(wsguard_origin_policy_cors(pol, &req, out, sizeof out, &written, NULL, &res), WSGUARD_RESULT_OK);
    want[0] = 0;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(e, "headers")) {
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s: %s\r\n", cJSON_GetArrayItem(h, 0)->valuestring,
                               cJSON_GetArrayItem(h, 1)->valuestring);
    }
    if (written != wl || memcmp(out, want, wl) != 0) H_FAIL("headers:\n%.*s\nwant:\n%s", (int)written, out, want);
    CHECK_INT(res.allowed, jbool(e, "ok", 1));
    CHECK_INT(res.preflight, jbool(e, "preflight", 0));
    CHECK_INT(res.status, jint(e, "status", 0));
    if (!jbool(e, "ok", 1)) {
        CHECK_WSTR(res.denial.code, jstr(e, "code"));
        if (jstr(e, "malformed")) CHECK_WSTR(res.denial.detail, jstr(e, "malformed"));
    }
    {   /* too small: only needed_out is written */
        size_t needed = 0, w2 = 12345;
        if (written > 0) {
            CHECK_RESULT(wsguard_origin_policy_cors(pol, &req, out, written - 1, &w2, &needed, &res),
                         WSGUARD_RESULT_BUFFER_TOO_SMALL);
            CHECK_INT(needed, written);
            CHECK_INT(w2, 12345);
        }
    }
    wsguard_origin_policy_free(pol);
}

/* ---------- handshake_server.json ---------- */

static cJSON *server_defaults;

static const cJSON *cfg_item(const cJSON *c, const char *key) {
    const cJSON *over = cJSON_GetObjectItemCaseSensitive(c, "config");
    if (over && jhas(over, key)) return cJSON_GetObjectItemCaseSensitive(over, key);
    return cJSON_GetObjectItemCaseSensitive(server_defaults, key);
}

static int ptr_eq(const char *p, size_t n, const cJSON *e, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    if (!v) return 1; /* not compared */
    if (cJSON_IsNull(v)) return p == NULL && n == 0;
    return p != NULL && cJSON_IsString(v) && strlen(v->valuestring) == n && memcmp(p, v->valuestring, n) == 0;
}

#define CHECK_FIELD(p, n, e, key) do { if (!ptr_eq((p), (n), (e), (key))) \
    H_FAIL("%s == \"%.*s\", expected %s", key, (int)(n), (p) ? (p) : "(null)", \
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, key)) ? jstr(e, key) : "null"); } while (0)

static void server_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *tok = cfg_item(c, "token"), *lim = cfg_item(c, "limits"), *item;
    const char *protos[WSGUARD_SERVER_MAX_SUBPROTOCOLS];
    size_t plens[WSGUARD_SERVER_MAX_SUBPROTOCOLS], np = 0, len = 0, written = 0, needed = 0;
    wsguard_origin_policy *pol = build_policy(cfg_item(c, "policy"), index & 1);
    wsguard_server_options opt;
    wsguard_accepted acc;
    wsguard_rejection rej;
    wsguard_result r, r2;
    uint8_t *request = jbytes(c, "request", &len);
    static char out[65536];
    if (!pol || !request) { free(request); wsguard_origin_policy_free(pol); return; }
    CHECK_RESULT(wsguard_server_options_default(&opt), WSGUARD_RESULT_OK);
    cJSON_ArrayForEach(item, cfg_item(c, "subprotocols")) {
        if (np < WSGUARD_SERVER_MAX_SUBPROTOCOLS) { protos[np] = item->valuestring; plens[np] = strlen(item->valuestring); np++; }
    }
    opt.subprotocols = protos;
    opt.subprotocol_lens = plens;
    opt.subprotocols_count = np;
    opt.require_subprotocol = cJSON_IsTrue(cfg_item(c, "require_subprotocol"));
    if (tok) {
        opt.token_authorization = jbool(tok, "authorization", 0);
        opt.token_subprotocol_prefix = opt_str(tok, "subprotocol_prefix", &opt.token_subprotocol_prefix_len);
        opt.token_subprotocol_pair = opt_str(tok, "subprotocol_pair", &opt.token_subprotocol_pair_len);
        opt.token_query = opt_str(tok, "query", &opt.token_query_len);
        opt.token_required = jbool(tok, "required", 0);
    }
    if (lim) {
        opt.max_headers = (size_t)jint(lim, "max_headers", 32);
        opt.max_line = (size_t)jint(lim, "max_line", 8192);
        opt.max_total = (size_t)jint(lim, "max_total", 16384);
    }
    r = wsguard_server_validate(pol, &opt, request, len, &acc, &rej);
    r2 = wsguard_server_respond(pol, &opt, request, len, (uint8_t *)out, sizeof out, &written, &needed, &acc, &rej);
    CHECK_RESULT(r2, r);
    if (jbool(e, "partial", 0)) {
        CHECK_RESULT(r, WSGUARD_RESULT_INCOMPLETE);
    } else if (jbool(e, "ok", 1)) {
        CHECK_RESULT(r, WSGUARD_RESULT_OK);
        if (r == WSGUARD_RESULT_OK) {
            CHECK_FIELD(acc.path, acc.path_len, e, "path");
            CHECK_FIELD(acc.query, acc.query_len, e, "query");
            CHECK_FIELD(acc.host, acc.host_len, e, "host");
            CHECK_FIELD(acc.origin, acc.origin_len, e, "origin");
            CHECK_FIELD(acc.subprotocol, acc.subprotocol_len, e, "subprotocol");
            CHECK_FIELD(acc.token, acc.token_len, e, "token");
            if (jnull(e, "token_source")) CHECK_INT(acc.token_source.len, 0);
            else if (jstr(e, "token_source")) CHECK_WSTR(acc.token_source, jstr(e, "token_source"));
            if (jstr(e, "accept")) CHECK(strcmp(acc.accept, jstr(e, "accept")) == 0);
            if (jhas(e, "consumed")) CHECK_INT(acc.consumed, jint(e, "consumed", -1));
            if (jstr(e, "response")) {
                CHECK_INT(written, strlen(jstr(e, "response")));
                CHECK(memcmp(out, jstr(e, "response"), written) == 0);
            }
            if (jhas(e, "extensions")) {
                size_t i = 0;
                CHECK_INT(acc.extensions_count, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "extensions")));
                cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(e, "extensions")) {
                    if (i < acc.extensions_count && i < WSGUARD_ACCEPTED_MAX_EXTENSIONS) {
                        CHECK_INT(acc.extensions[i].name_len, strlen(item->valuestring));
                        CHECK(memcmp(acc.extensions[i].name, item->valuestring, acc.extensions[i].name_len) == 0);
                    }
                    i++;
                }
            }
        }
    } else {
        CHECK_RESULT(r, WSGUARD_RESULT_HANDSHAKE_REJECTED);
        if (r == WSGUARD_RESULT_HANDSHAKE_REJECTED) {
            const char *rs = jstr(e, "response_starts_with"), *bs = jstr(e, "body_starts_with");
            CHECK_WSTR(rej.code, jstr(e, "code"));
            if (jhas(e, "status")) CHECK_INT(rej.http_status, jint(e, "status", -1));
            if (rs) CHECK(written >= strlen(rs) && memcmp(out, rs, strlen(rs)) == 0);
            if (bs) {
                const char *body = NULL;
                size_t i;
                for (i = 0; i + 3 < written; i++) if (memcmp(out + i, "\r\n\r\n", 4) == 0) { body = out + i + 4; break; }
                CHECK(body != NULL && (size_t)(out + written - body) >= strlen(bs) && memcmp(body, bs, strlen(bs)) == 0);
            }
            cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(e, "extra_headers")) {
                char line[256];
                snprintf(line, sizeof line, "\r\n%s: %s\r\n", cJSON_GetArrayItem(item, 0)->valuestring,
                         cJSON_GetArrayItem(item, 1)->valuestring);
                out[written < sizeof out ? written : sizeof out - 1] = 0;
                if (!strstr(out, line)) H_FAIL("response lacks header %s", line + 2);
            }
        }
    }
    free(request);
    wsguard_origin_policy_free(pol);
}

/* ---------- handshake_client.json ---------- */

#define CHECK_OPT(p, n, e, key) CHECK_FIELD(p, n, e, key)

static void client_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(c, "request");
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(q, "token"), *item;
    const char *protos[WSGUARD_CLIENT_MAX_SUBPROTOCOLS];
    size_t plens[WSGUARD_CLIENT_MAX_SUBPROTOCOLS], np = 0, nonce_len = 0, written = 0, rlen = 0;
    uint8_t *nonce = jbytes(q, "nonce", &nonce_len);
    uint8_t *response = jbytes(c, "response", &rlen);
    wsguard_client_request req;
    wsguard_rejection rej;
    wsguard_result r;
    static uint8_t out[16384];
    (void)index;
    memset(&req, 0, sizeof req);
    req.host = opt_str(q, "host", &req.host_len);
    req.path = opt_str(q, "path", &req.path_len);
    req.nonce = nonce;
    req.nonce_len = nonce_len;
    req.origin = opt_str(q, "origin", &req.origin_len);
    req.extensions = opt_str(q, "extensions", &req.extensions_len);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(q, "subprotocols")) {
        if (np < WSGUARD_CLIENT_MAX_SUBPROTOCOLS) { protos[np] = item->valuestring; plens[np] = strlen(item->valuestring); np++; }
    }
    req.subprotocols = protos;
    req.subprotocol_lens = plens;
    req.subprotocols_count = np;
    if (cJSON_IsObject(tok)) {
        const char *pl = jstr(tok, "placement");
        req.token = opt_str(tok, "value", &req.token_len);
        req.token_name = opt_str(tok, "name", &req.token_name_len);
        req.token_placement = strcmp(pl, "authorization") == 0 ? WSGUARD_TOKEN_AUTHORIZATION
                            : strcmp(pl, "query") == 0 ? WSGUARD_TOKEN_QUERY
                            : strcmp(pl, "subprotocol_prefix") == 0 ? WSGUARD_TOKEN_SUBPROTOCOL_PREFIX
                            : WSGUARD_TOKEN_SUBPROTOCOL_PAIR;
    }
    r = wsguard_client_write_request(&req, out, sizeof out, &written, NULL, &rej);
    if (r != WSGUARD_RESULT_OK) {
        CHECK_RESULT(r, WSGUARD_RESULT_INVALID_REQUEST);
        CHECK(!jbool(e, "ok", 1));
        if (r == WSGUARD_RESULT_INVALID_REQUEST) CHECK_WSTR(rej.code, jstr(e, "code"));
        CHECK(jnull(e, "status") || !jhas(e, "status"));
    } else {
        wsguard_established est;
        wsguard_diagnosis diag;
        if (jstr(c, "expect_request")) {
            CHECK_INT(written, strlen(jstr(c, "expect_request")));
            if (written != strlen(jstr(c, "expect_request")) || memcmp(out, jstr(c, "expect_request"), written) != 0)
                H_FAIL("request:\n%.*s\nwant:\n%s", (int)written, (const char *)out, jstr(c, "expect_request"));
        }
        r = wsguard_client_validate_response(&req, response, rlen, &est, &diag);
        if (jbool(e, "partial", 0)) {
            CHECK_RESULT(r, WSGUARD_RESULT_INCOMPLETE);
        } else if (jbool(e, "ok", 1)) {
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            if (r == WSGUARD_RESULT_OK) {
                CHECK_OPT(est.subprotocol, est.subprotocol_len, e, "subprotocol");
                CHECK_OPT(est.server, est.server_len, e, "server");
                if (jhas(e, "consumed")) CHECK_INT(est.consumed, jint(e, "consumed", -1));
                if (jhas(e, "extensions")) {
                    size_t i = 0;
                    CHECK_INT(est.extensions_count, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "extensions")));
                    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(e, "extensions")) {
                        if (i < est.extensions_count && i < WSGUARD_ACCEPTED_MAX_EXTENSIONS)
                            CHECK(est.extensions[i].name_len == strlen(item->valuestring) &&
                                  memcmp(est.extensions[i].name, item->valuestring, est.extensions[i].name_len) == 0);
                        i++;
                    }
                }
            }
        } else {
            CHECK_RESULT(r, WSGUARD_RESULT_RESPONSE_REJECTED);
            if (r == WSGUARD_RESULT_RESPONSE_REJECTED) {
                CHECK_WSTR(diag.rejection.code, jstr(e, "code"));
                if (jhas(e, "status")) CHECK_INT(diag.rejection.http_status, jint(e, "status", 0));
                CHECK_OPT(diag.location, diag.location_len, e, "location");
                CHECK_OPT(diag.server, diag.server_len, e, "server");
                CHECK_OPT(diag.server_reason, diag.server_reason_len, e, "server_reason");
                CHECK_OPT(diag.server_code, diag.server_code_len, e, "server_code");
                CHECK_OPT(diag.wanted_version, diag.wanted_version_len, e, "wanted_version");
                if (jhas(e, "retry_after")) {
                    if (jnull(e, "retry_after")) CHECK(!diag.has_retry_after);
                    else { CHECK(diag.has_retry_after); CHECK_INT(diag.retry_after, jint(e, "retry_after", -1)); }
                }
            }
        }
    }
    free(nonce);
    free(response);
}

/* ---------- near_miss.json ---------- */

/* The policy refuses ws:// entries at construction (policy_error); otherwise its near miss
   must be the vector's, sentence for sentence. */
static void near_miss_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect"), *item;
    const char *want_err = jstr(e, "policy_error"), *host = jstr(c, "host");
    const char *value = host ? host : jstr(c, "origin");
    wsguard_origin_policy *pol = NULL;
    wsguard_rejection rej;
    char buf[512];
    size_t n = 0;
    wsguard_str code;
    int refused = 0;
    (void)index;
    CHECK_RESULT(wsguard_origin_policy_new(0, &pol), WSGUARD_RESULT_OK);
    if (!pol) return;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "allow")) {
        wsguard_result r = wsguard_origin_policy_allow(pol, item->valuestring, strlen(item->valuestring), &rej);
        if (r == WSGUARD_RESULT_INVALID_PATTERN) { refused = 1; if (want_err) CHECK_WSTR(rej.code, want_err); }
        else CHECK_RESULT(r, WSGUARD_RESULT_OK);
    }
    CHECK_INT(refused, want_err != NULL);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "hosts"))
        CHECK_RESULT(wsguard_origin_policy_allow_host(pol, item->valuestring, strlen(item->valuestring)), WSGUARD_RESULT_OK);
    if (!refused) {
        CHECK_RESULT(wsguard_origin_policy_near_miss(pol, value, strlen(value), host != NULL, buf, sizeof buf, &n, NULL, &code),
                     WSGUARD_RESULT_OK);
        if (jnull(e, "near_miss")) { CHECK_INT(n, 0); CHECK_INT(code.len, 0); }
        else {
            CHECK_WSTR(code, jstr(e, "near_miss"));
            if (n != strlen(jstr(e, "text")) || memcmp(buf, jstr(e, "text"), n) != 0)
                H_FAIL("near miss %.*s, expected %s", (int)n, buf, jstr(e, "text"));
        }
    }
    wsguard_origin_policy_free(pol);
}

/* ---------- lint.json ---------- */

static void lint_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(c, "context"), *item;
    const char *entries[WSGUARD_LINT_MAX_ENTRIES];
    size_t lens[WSGUARD_LINT_MAX_ENTRIES], n = 0, total = 0, i = 0;
    wsguard_lint_finding f[64];
    const char *preset = jstr(ctx, "preset");
    (void)index;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "allow")) {
        if (n < WSGUARD_LINT_MAX_ENTRIES) { entries[n] = item->valuestring; lens[n] = strlen(item->valuestring); n++; }
    }
    uint32_t flags = (preset && strcmp(preset, "development") == 0) ? WSGUARD_POLICY_DEVELOPMENT : 0;
    if (jbool(ctx, "allow_null", 0)) flags |= WSGUARD_POLICY_ALLOW_NULL;
    if (jbool(ctx, "allow_missing", 0)) flags |= WSGUARD_POLICY_ALLOW_MISSING;
    if (jbool(ctx, "dev_auth_bypass", 0)) flags |= WSGUARD_LINT_DEV_AUTH_BYPASS;
    CHECK_RESULT(wsguard_origin_lint(entries, lens, n, flags, jbool(ctx, "credentials", 0), f, 64, &total),
                 WSGUARD_RESULT_OK);
    CHECK_INT(total, jint(e, "count", -1));
    CHECK_INT(total == 0, jbool(e, "ok", 1));
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(e, "findings")) {
        if (i < total && i < 64) {
            const wsguard_lint_finding *x = &f[i];
            CHECK_INT(x->index, jint(item, "index", -1));
            CHECK_WSTR(x->code, jstr(item, "code"));
            CHECK_WSTR(x->severity, jstr(item, "severity"));
            CHECK(x->reason.len > 0 && x->remedy.len > 0);
            if (jnull(item, "other")) CHECK(!x->has_other);
            else { CHECK(x->has_other); CHECK_INT(x->other, jint(item, "other", -1)); }
            if (jnull(item, "suggestion")) CHECK(!x->has_suggestion);
            else {
                char sug[512];
                snprintf(sug, sizeof sug, "%.*s%.*s%.*s", (int)x->suggestion_prefix.len, x->suggestion_prefix.ptr,
                         (int)x->suggestion_middle_len, x->suggestion_middle, (int)x->suggestion_suffix.len,
                         x->suggestion_suffix.ptr);
                CHECK(x->has_suggestion);
                if (strcmp(sug, jstr(item, "suggestion")) != 0) H_FAIL("suggestion %s, expected %s", sug, jstr(item, "suggestion"));
            }
            if (jstr(item, "pattern")) CHECK_WSTR(x->pattern_code, jstr(item, "pattern"));
            if (jstr(item, "malformed")) CHECK_WSTR(x->malformed, jstr(item, "malformed"));
        }
        i++;
    }
}

/* ---------- urls.json ---------- */

static void url_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const char *kind = jstr(c, "kind");
    int ok = jbool(e, "ok", 1);
    wsguard_rejection rej;
    wsguard_result r;
    (void)index;
    if (strcmp(kind, "parse") == 0) {
        const char *u = jstr(c, "url");
        wsguard_url url;
        r = wsguard_url_parse(u, strlen(u), &url, &rej);
        if (!ok) {
            CHECK_RESULT(r, WSGUARD_RESULT_INVALID_URL);
            if (r == WSGUARD_RESULT_INVALID_URL) CHECK_WSTR(rej.code, jstr(e, "code"));
        } else {
            static const char *kinds[] = {"?", "name", "ipv4", "ipv6"};
            char buf[1024];
            size_t n = 0;
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            if (r != WSGUARD_RESULT_OK) return;
            CHECK_INT(url.secure, jbool(e, "secure", 0));
            CHECK_FIELD(url.host, url.host_len, e, "host");
            CHECK(url.host_kind <= 3 && strcmp(kinds[url.host_kind], jstr(e, "host_kind")) == 0);
            if (jnull(e, "port")) CHECK(!url.has_port);
            else { CHECK(url.has_port); CHECK_INT(url.port, jint(e, "port", -1)); }
            CHECK_INT(url.port_or_default, jint(e, "port_or_default", -1));
            CHECK_FIELD(url.path, url.path_len, e, "path");
            CHECK_FIELD(url.query, url.query_len, e, "query");
            CHECK_RESULT(wsguard_url_write(u, strlen(u), WSGUARD_URL_PART_RESOURCE_NAME, buf, sizeof buf, &n, NULL, &rej), WSGUARD_RESULT_OK);
            { const char *b = buf; CHECK_FIELD(b, n, e, "resource_name"); }
            CHECK_RESULT(wsguard_url_write(u, strlen(u), WSGUARD_URL_PART_HOST_HEADER, buf, sizeof buf, &n, NULL, &rej), WSGUARD_RESULT_OK);
            { const char *b = buf; CHECK_FIELD(b, n, e, "host_header"); }
        }
    } else if (strcmp(kind, "derive") == 0) {
        const char *page = jstr(c, "page"), *target = jstr(c, "target");
        size_t cap = (size_t)jint(c, "buffer_size", 256), n = 0, needed = 0;
        char *buf = (char *)malloc(cap + 1);
        int has_port = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(c, "port"));
        r = wsguard_url_derive(page, strlen(page), target, strlen(target), has_port, (uint16_t)jint(c, "port", 0), buf, cap,
                               &n, &needed, &rej);
        if (ok) {
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            if (r == WSGUARD_RESULT_OK) { const char *b = buf; CHECK_FIELD(b, n, e, "url"); }
        } else if (strcmp(jstr(e, "code"), "buffer_too_small") == 0) {
            CHECK_RESULT(r, WSGUARD_RESULT_BUFFER_TOO_SMALL);
        } else {
            CHECK_RESULT(r, WSGUARD_RESULT_INVALID_URL);
            if (r == WSGUARD_RESULT_INVALID_URL) CHECK_WSTR(rej.code, jstr(e, "code"));
        }
        free(buf);
    } else {
        const char *page = jstr(c, "page"), *u = jstr(c, "url");
        r = wsguard_url_check_mixed_content(page, strlen(page), u, strlen(u), &rej);
        if (ok) CHECK_RESULT(r, WSGUARD_RESULT_OK);
        else {
            CHECK_RESULT(r, WSGUARD_RESULT_INVALID_URL);
            if (r == WSGUARD_RESULT_INVALID_URL) CHECK_WSTR(rej.code, jstr(e, "code"));
        }
    }
}

/* ---------- heartbeat.json ---------- */

/* A JSON number as uint64_t (18446744073709551615 arrives as a double just above
 * INT64_MAX: clamp instead of an undefined conversion). */
static uint64_t ju64(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0.0;
    if (d >= 18446744073709551615.0) return UINT64_MAX;
    return d <= 0.0 ? 0 : (uint64_t)d;
}

static uint64_t hb_storage[WSGUARD_HEARTBEAT_STORAGE_SIZE / 8];

static void heartbeat_case(const cJSON *c, int index) {
    const cJSON *cfgj = cJSON_GetObjectItemCaseSensitive(c, "config");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *ev;
    const char *role = jstr(cfgj, "role");
    wsguard_heartbeat_config cfg;
    wsguard_heartbeat *hb = NULL;
    wsguard_heartbeat_status st;
    wsguard_rejection rej;
    wsguard_result r = WSGUARD_RESULT_OK;
    int use_heap = index % 2;   /* alternate heap and caller storage */
    cfg.interval_ms = ju64(cfgj, "interval_ms");
    cfg.dead_timeout_ms = ju64(cfgj, "dead_timeout_ms");
    cfg.max_missed = (uint32_t)jint(cfgj, "max_missed", 0);
    memset(&rej, 0, sizeof rej);
    if (role) {
        r = wsguard_heartbeat_config_for_role(&cfg, strcmp(role, "client") == 0 ? WSGUARD_ROLE_CLIENT
                                                                                : WSGUARD_ROLE_SERVER,
                                              &cfg, &rej);
    }
    if (r == WSGUARD_RESULT_OK) {
        r = use_heap ? wsguard_heartbeat_new(&cfg, ju64(c, "start"), &hb, &rej)
                     : wsguard_heartbeat_init(hb_storage, sizeof hb_storage, &cfg, ju64(c, "start"), &hb, &rej);
    }
    if (!jbool(e, "ok", 1)) {
        CHECK_RESULT(r, WSGUARD_RESULT_INVALID_CONFIG);
        CHECK_WSTR(rej.code, jstr(e, "code"));
        CHECK(rej.reason.len > 0 && rej.remedy.len > 0);
        CHECK(hb == NULL);
        return;
    }
    CHECK_RESULT(r, WSGUARD_RESULT_OK);
    if (r != WSGUARD_RESULT_OK) return;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(c, "events")) {
        const char *kind = jstr(ev, "event");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(ev, "expect");
        uint64_t t = ju64(ev, "t");
        if (strcmp(kind, "poll") == 0) {
            wsguard_heartbeat_action a;
            const char *want = jstr(x, "action");
            CHECK_RESULT(wsguard_heartbeat_poll(hb, t, &a), WSGUARD_RESULT_OK);
            if (strcmp(want, "wait") == 0) {
                CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
                if (a.until_ms != ju64(x, "until"))
                    H_FAIL("t=%llu: until %llu, expected %llu", (unsigned long long)t,
                           (unsigned long long)a.until_ms, (unsigned long long)ju64(x, "until"));
            } else if (strcmp(want, "send_ping") == 0) {
                char hex[17];
                CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
                CHECK_INT(a.seq, jint(x, "seq", -1));
                tohex(a.payload, 8, hex, sizeof hex);
                if (strcmp(hex, jstr(x, "payload_hex")) != 0)
                    H_FAIL("t=%llu: payload %s, expected %s", (unsigned long long)t, hex, jstr(x, "payload_hex"));
            } else if (strcmp(want, "peer_dead") == 0) {
                CHECK_INT(a.kind, WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD);
            } else {
                H_FAIL("unknown action %s", want);
            }
        } else if (strcmp(kind, "pong") == 0) {
            size_t n = 0;
            uint8_t *p = jbytes(ev, "payload", &n);
            bool answered = true;
            uint64_t rtt = 12345;
            CHECK_RESULT(wsguard_heartbeat_on_pong(hb, t, p, n, &answered, &rtt), WSGUARD_RESULT_OK);
            if (jnull(x, "rtt")) { CHECK(!answered); CHECK_INT(rtt, 0); }
            else { CHECK(answered); CHECK_INT(rtt, jint(x, "rtt", -1)); }
            free(p);
        } else if (strcmp(kind, "ping_received") == 0) {
            bool pong = false;
            CHECK_RESULT(wsguard_heartbeat_on_ping_received(hb, t, &pong), WSGUARD_RESULT_OK);
            CHECK_INT(pong, jbool(x, "pong", -1));
        } else if (strcmp(kind, "activity") == 0) {
            CHECK_RESULT(wsguard_heartbeat_on_activity(hb, t), WSGUARD_RESULT_OK);
        } else if (strcmp(kind, "close") == 0) {
            CHECK_RESULT(wsguard_heartbeat_on_close(hb, t), WSGUARD_RESULT_OK);
        } else {
            H_FAIL("unknown event %s", kind);
        }
    }
    CHECK_RESULT(wsguard_heartbeat_status_get(hb, &st), WSGUARD_RESULT_OK);
    if (jnull(e, "last_rtt")) { CHECK(!st.has_rtt); }
    else { CHECK(st.has_rtt); CHECK_INT(st.last_rtt_ms, jint(e, "last_rtt", -1)); }
    if (jnull(e, "smoothed_rtt")) CHECK_INT(st.smoothed_rtt_ms, 0);
    else CHECK_INT(st.smoothed_rtt_ms, jint(e, "smoothed_rtt", -1));
    CHECK_INT(st.stale_pongs, jint(e, "stale_pongs", -1));
    CHECK_INT(st.unsolicited_pongs, jint(e, "unsolicited_pongs", -1));
    if (jnull(e, "dead_reason")) { CHECK(!st.dead); CHECK_INT(st.dead_code.len, 0); }
    else { CHECK(st.dead); CHECK_WSTR(st.dead_code, jstr(e, "dead_reason")); CHECK(st.dead_remedy.len > 0); }
    wsguard_heartbeat_free(hb);
}

/* ---------- reconnect.json ---------- */

static uint64_t rc_storage[WSGUARD_RECONNECT_STORAGE_SIZE / 8];

static void reconnect_case(const cJSON *c, int index) {
    const cJSON *cfgj = cJSON_GetObjectItemCaseSensitive(c, "config");
    const cJSON *s;
    wsguard_reconnect_config cfg;
    wsguard_reconnect *rc = NULL;
    wsguard_result r;
    int use_heap = index % 2;
    CHECK_RESULT(wsguard_reconnect_config_default(&cfg), WSGUARD_RESULT_OK);
    if (jhas(cfgj, "base_ms")) cfg.base_ms = ju64(cfgj, "base_ms");
    if (jhas(cfgj, "cap_ms")) cfg.cap_ms = ju64(cfgj, "cap_ms");
    if (jhas(cfgj, "max_attempts")) cfg.max_attempts = (uint32_t)jint(cfgj, "max_attempts", 0);
    if (jhas(cfgj, "stable_after_ms")) cfg.stable_after_ms = ju64(cfgj, "stable_after_ms");
    if (jhas(cfgj, "going_away_delay_ms")) cfg.going_away_delay_ms = ju64(cfgj, "going_away_delay_ms");
    if (jhas(cfgj, "overload_delay_ms")) cfg.overload_delay_ms = ju64(cfgj, "overload_delay_ms");
    if (jhas(cfgj, "max_retry_after_ms")) cfg.max_retry_after_ms = ju64(cfgj, "max_retry_after_ms");
    if (jstr(cfgj, "jitter"))
        cfg.jitter = strcmp(jstr(cfgj, "jitter"), "full") == 0 ? WSGUARD_JITTER_FULL : WSGUARD_JITTER_EQUAL;
    if (jstr(cfgj, "registry"))
        cfg.registry = strcmp(jstr(cfgj, "registry"), "empty") == 0 ? WSGUARD_CLOSE_REGISTRY_BUILTIN
                                                                      : WSGUARD_CLOSE_REGISTRY_CONVENTIONS;
    r = use_heap ? wsguard_reconnect_new(&cfg, &rc) : wsguard_reconnect_init(rc_storage, sizeof rc_storage, &cfg, &rc);
    CHECK_RESULT(r, WSGUARD_RESULT_OK);
    if (r != WSGUARD_RESULT_OK) return;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "steps")) {
        const char *kind = jstr(s, "event");
        uint64_t t = ju64(s, "t");
        if (strcmp(kind, "connected") == 0) {
            CHECK_RESULT(wsguard_reconnect_on_connected(rc, t), WSGUARD_RESULT_OK);
        } else if (strcmp(kind, "disconnect") == 0) {
            const cJSON *dj = cJSON_GetObjectItemCaseSensitive(s, "disconnect");
            const cJSON *x = cJSON_GetObjectItemCaseSensitive(s, "expect");
            const char *want = jstr(x, "decision");
            wsguard_disconnect d;
            wsguard_reconnect_decision out;
            memset(&d, 0, sizeof d);
            if (jhas(dj, "close")) {
                d.kind = WSGUARD_DISCONNECT_KIND_CLOSE;
                d.close_code = (uint16_t)jint(dj, "close", 0);
            } else if (jhas(dj, "http_status")) {
                d.kind = WSGUARD_DISCONNECT_KIND_HTTP_STATUS;
                d.http_status = (uint16_t)jint(dj, "http_status", 0);
                d.has_retry_after = !jnull(dj, "retry_after_s") && jhas(dj, "retry_after_s");
                d.retry_after_s = (uint32_t)ju64(dj, "retry_after_s");
            } else {
                static const char *names[] = {"refused", "dns", "tls", "timeout", "reset"};
                static const uint32_t values[] = {WSGUARD_TRANSPORT_FAILURE_REFUSED, WSGUARD_TRANSPORT_FAILURE_DNS,
                                                  WSGUARD_TRANSPORT_FAILURE_TLS, WSGUARD_TRANSPORT_FAILURE_TIMEOUT,
                                                  WSGUARD_TRANSPORT_FAILURE_RESET};
                size_t i;
                d.kind = WSGUARD_DISCONNECT_KIND_TRANSPORT;
                d.transport = 0;
                for (i = 0; i < 5; i++)
                    if (jstr(dj, "transport") && strcmp(jstr(dj, "transport"), names[i]) == 0) d.transport = values[i];
            }
            r = wsguard_reconnect_on_disconnect(rc, &d, t, (uint32_t)ju64(s, "random"), &out);
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            if (r != WSGUARD_RESULT_OK) continue;
            CHECK_WSTR(out.code, jstr(x, "code"));
            CHECK(out.reason.len > 0 && out.remedy.len > 0);
            if (strcmp(want, "retry_at") == 0) {
                CHECK_INT(out.kind, WSGUARD_RECONNECT_DECISION_KIND_RETRY_AT);
                CHECK_INT(out.stop_reason, WSGUARD_RECONNECT_STOP_REASON_NONE);
                CHECK_INT(out.at_ms, jint(x, "at_ms", -1));
                CHECK_INT(out.delay_ms, jint(x, "delay_ms", -1));
                CHECK_INT(out.attempt, jint(x, "attempt", -1));
            } else if (strcmp(want, "wait_for_reauth") == 0) {
                CHECK_INT(out.kind, WSGUARD_RECONNECT_DECISION_KIND_WAIT_FOR_REAUTH);
                CHECK_INT(out.stop_reason, WSGUARD_RECONNECT_STOP_REASON_NONE);
            } else if (strcmp(want, "stop") == 0) {
                const char *why = jstr(x, "reason");
                int want_reason = -1;
                if (strcmp(why, "normal") == 0) want_reason = (int)WSGUARD_RECONNECT_STOP_REASON_NORMAL;
                else if (strcmp(why, "not_retryable") == 0) want_reason = (int)WSGUARD_RECONNECT_STOP_REASON_NOT_RETRYABLE;
                else if (strcmp(why, "attempts_exhausted") == 0)
                    want_reason = (int)WSGUARD_RECONNECT_STOP_REASON_ATTEMPTS_EXHAUSTED;
                CHECK_INT(out.kind, WSGUARD_RECONNECT_DECISION_KIND_STOP);
                CHECK_INT(out.stop_reason, want_reason);
            } else {
                H_FAIL("unknown decision %s", want);
            }
        } else {
            H_FAIL("unknown event %s", kind);
        }
    }
    wsguard_reconnect_free(rc);
}

/* ---------- external suites (tests/vectors/README.md) ---------- */

/* external-wpt-urls.json: a WHATWG failure (no expect.code) is refused with any code. */
static void ext_url_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    if (!jbool(e, "ok", 1) && !jhas(e, "code")) {
        const char *u = jstr(c, "url");
        wsguard_url url;
        wsguard_rejection rej;
        CHECK_RESULT(wsguard_url_parse(u, strlen(u), &url, &rej), WSGUARD_RESULT_INVALID_URL);
        return;
    }
    url_case(c, index);
}

/* external-httparse.json: the verdict class must be httparse's (malformed / partial / parsed). */
static void http_head_case(const cJSON *c, int index) {
    const char *kind = jstr(c, "kind");
    const char *want = jstr(cJSON_GetObjectItemCaseSensitive(c, "expect"), "head");
    const char *got = "parsed";
    size_t len = 0;
    uint8_t *raw = jbytes(c, kind, &len);
    wsguard_rejection rej;
    wsguard_result r;
    (void)index;
    if (!raw) { H_FAIL("no %s bytes", kind); return; }
    if (strcmp(kind, "request") == 0) {
        cJSON *spec = cJSON_Parse("{\"allow\": [\"https://app.example.com\"]}");
        wsguard_origin_policy *pol = build_policy(spec, 0);
        wsguard_server_options opt;
        wsguard_accepted acc;
        CHECK_RESULT(wsguard_server_options_default(&opt), WSGUARD_RESULT_OK);
        r = wsguard_server_validate(pol, &opt, raw, len, &acc, &rej);
        if (r == WSGUARD_RESULT_INCOMPLETE) got = "partial";
        else if (r != WSGUARD_RESULT_OK && rej.code.len == strlen("malformed_request") &&
                 memcmp(rej.code.ptr, "malformed_request", rej.code.len) == 0) got = "malformed";
        wsguard_origin_policy_free(pol);
        cJSON_Delete(spec);
    } else {
        static const uint8_t nonce[] = "the sample nonce";
        wsguard_client_request req;
        wsguard_established est;
        wsguard_diagnosis diag;
        memset(&req, 0, sizeof req);
        req.host = "a.example";
        req.host_len = 9;
        req.path = "/";
        req.path_len = 1;
        req.nonce = nonce;
        req.nonce_len = 16;
        r = wsguard_client_validate_response(&req, raw, len, &est, &diag);
        if (r == WSGUARD_RESULT_INCOMPLETE) got = "partial";
        else if (r != WSGUARD_RESULT_OK && diag.rejection.code.len == strlen("malformed_response") &&
                 memcmp(diag.rejection.code.ptr, "malformed_response", diag.rejection.code.len) == 0) got = "malformed";
    }
    if (strcmp(got, want) != 0) H_FAIL("head verdict %s, expected %s", got, want);
    free(raw);
}

/* ---------- dev_auth.json ---------- */

static void dev_auth_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect"), *tok;
    const char *kind = jstr(c, "kind"), *listen = jstr(c, "listen");
    wsguard_origin_policy *pol;
    wsguard_server_options opt;
    wsguard_rejection rej;
    wsguard_accepted acc;
    wsguard_result r;
    size_t len = 0, written = 0, needed = 0;
    char notice[1024];
    (void)index;
    /* The case holds `preset`, `allow` and `allow_missing` like a policy object. */
    pol = build_policy(c, 1);
    if (!pol) return;
    CHECK_RESULT(wsguard_server_options_default(&opt), WSGUARD_RESULT_OK);
    opt.dev_auth_bypass = jbool(c, "dev_auth_bypass", 0);
    opt.dev_auth_bypass_allow_non_loopback = jbool(c, "dev_auth_bypass_allow_non_loopback", 0);
    opt.dev_auth_listen = listen;
    opt.dev_auth_listen_len = listen ? strlen(listen) : 0;
    if (strcmp(kind, "start") == 0) {
        r = wsguard_dev_auth_check(pol, &opt, &rej);
        if (jbool(e, "ok", 1)) CHECK_RESULT(r, WSGUARD_RESULT_OK);
        else {
            CHECK_RESULT(r, WSGUARD_RESULT_INVALID_CONFIG);
            CHECK_WSTR(rej.code, jstr(e, "code"));
            CHECK(rej.reason.len > 0 && rej.remedy.len > 0);
        }
        wsguard_origin_policy_free(pol);
        return;
    }
    tok = cJSON_GetObjectItemCaseSensitive(c, "token");
    opt.token_authorization = jbool(tok, "authorization", 0);
    opt.token_query = opt_str(tok, "query", &opt.token_query_len);
    opt.token_required = jbool(tok, "required", 0);
    {
        uint8_t *request = jbytes(c, "request", &len);
        r = wsguard_server_validate(pol, &opt, request, len, &acc, &rej);
        if (jbool(e, "ok", 1)) {
            CHECK_RESULT(r, WSGUARD_RESULT_OK);
            if (r == WSGUARD_RESULT_OK) {
                CHECK_INT(acc.dev_auth_bypassed, jbool(e, "dev_auth_bypassed", 0));
                CHECK_FIELD(acc.token, acc.token_len, e, "token");
                r = wsguard_server_dev_auth_notice(pol, &opt, request, len, notice, sizeof notice, &written, &needed);
                if (jstr(e, "notice")) {
                    CHECK_RESULT(r, WSGUARD_RESULT_OK);
                    CHECK_INT(written, strlen(jstr(e, "notice")));
                    CHECK(memcmp(notice, jstr(e, "notice"), written) == 0);
                    /* Too small by one: nothing written, the exact size reported. */
                    CHECK_RESULT(wsguard_server_dev_auth_notice(pol, &opt, request, len, notice, written - 1, &len, &needed),
                                 WSGUARD_RESULT_BUFFER_TOO_SMALL);
                    CHECK_INT(needed, written);
                } else {
                    CHECK_RESULT(r, WSGUARD_RESULT_INVALID_ARGUMENT);
                }
            }
        } else {
            CHECK_RESULT(r, WSGUARD_RESULT_HANDSHAKE_REJECTED);
            CHECK_WSTR(rej.code, jstr(e, "code"));
            CHECK_INT(rej.http_status, jint(e, "status", -1));
        }
        free(request);
    }
    wsguard_origin_policy_free(pol);
}

/* ---------- token_options.json ---------- */

/* The two token-in-subprotocol options: refused at startup (wsguard_server_options_check)
   and by every validating call with the core's code, else the token the request yields.
   JSON null is a NULL option; "" is a non-NULL option of length 0. */
static void token_options_case(const cJSON *c, int index) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    wsguard_origin_policy *pol = NULL;
    wsguard_server_options opt;
    wsguard_rejection rej;
    wsguard_accepted acc;
    wsguard_result r;
    size_t len = 0;
    uint8_t *request;
    (void)index;
    CHECK_RESULT(wsguard_origin_policy_new(WSGUARD_POLICY_ALLOW_MISSING, &pol), WSGUARD_RESULT_OK);
    if (!pol) return;
    CHECK_RESULT(wsguard_server_options_default(&opt), WSGUARD_RESULT_OK);
    opt.token_subprotocol_prefix = opt_str(c, "prefix", &opt.token_subprotocol_prefix_len);
    opt.token_subprotocol_pair = opt_str(c, "pair", &opt.token_subprotocol_pair_len);
    request = jbytes(c, "request", &len);
    memset(&rej, 0, sizeof rej);
    r = wsguard_server_options_check(&opt, &rej);
    if (jbool(e, "ok", 1)) {
        CHECK_RESULT(r, WSGUARD_RESULT_OK);
        r = wsguard_server_validate(pol, &opt, request, len, &acc, &rej);
        CHECK_RESULT(r, WSGUARD_RESULT_OK);
        if (r == WSGUARD_RESULT_OK) CHECK_FIELD(acc.token, acc.token_len, e, "token");
    } else {
        CHECK_RESULT(r, WSGUARD_RESULT_INVALID_CONFIG);
        CHECK_WSTR(rej.code, jstr(e, "code"));
        CHECK(rej.reason.len > 0 && rej.remedy.len > 0);
        memset(&rej, 0, sizeof rej);
        CHECK_RESULT(wsguard_server_validate(pol, &opt, request, len, &acc, &rej), WSGUARD_RESULT_INVALID_CONFIG);
        CHECK_WSTR(rej.code, jstr(e, "code"));
    }
    free(request);
    wsguard_origin_policy_free(pol);
}

/* ---------- driver ---------- */

typedef void (*case_fn)(const cJSON *c, int index);

static void run_file(const char *file, case_fn fn) {
    cJSON *root = load_file(file);
    const cJSON *c;
    int i = 0;
    if (root) server_defaults = cJSON_GetObjectItemCaseSensitive(root, "config");
    if (!root) {
        h_begin(file);
        H_FAIL("cannot read or parse %s/%s", vector_dir, file);
        h_end();
        return;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "cases")) {
        char name[256];
        snprintf(name, sizeof name, "%s/%s", file, jstr(c, "name") ? jstr(c, "name") : "?");
        h_begin(name);
        fn(c, i++);
        h_end();
    }
    cJSON_Delete(root);
}

/* ---------- overload.json ---------- */

/* The value of header `name` in the head of `resp` (NUL-terminated copy in `out`). */
static int header_value(const char *resp, size_t len, const char *name, char *out, size_t cap) {
    size_t i, n = strlen(name);
    for (i = 0; i + n + 4 <= len; i++) {
        if (resp[i] == '\r' && resp[i + 1] == '\n' && resp[i + 2] == '\r') return 0; /* end of head */
        if (resp[i] == '\n' && memcmp(resp + i + 1, name, n) == 0 && resp[i + 1 + n] == ':') {
            size_t j = i + n + 3, k = 0;
            while (j < len && resp[j] != '\r' && k + 1 < cap) out[k++] = resp[j++];
            out[k] = '\0';
            return 1;
        }
    }
    return 0;
}

static void overload_case(const cJSON *c, int index) {
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(c, "limits");
    const cJSON *ld = cJSON_GetObjectItemCaseSensitive(c, "load");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "expect");
    wsguard_peer_limits l;
    wsguard_load load;
    wsguard_rejection rej;
    uint8_t out[WSGUARD_OVERLOAD_MAX_RESPONSE];
    char value[64], prefix[96];
    size_t written = 0, needed = 0;
    wsguard_result r;
    (void)index;
    CHECK_RESULT(wsguard_peer_limits_default(&l), WSGUARD_RESULT_OK);
    l.max_connections = (uint32_t)jint(lim, "max_connections", l.max_connections);
    l.max_per_address = (uint32_t)jint(lim, "max_per_address", l.max_per_address);
    l.max_upgrading = (uint32_t)jint(lim, "max_upgrading", l.max_upgrading);
    l.retry_after_s = (uint32_t)jint(lim, "retry_after_s", l.retry_after_s);
    load.connections = (uint32_t)jint(ld, "connections", 0);
    load.from_address = (uint32_t)jint(ld, "from_address", 0);
    load.upgrading = (uint32_t)jint(ld, "upgrading", 0);
    r = wsguard_peer_limits_admit(&l, &load, out, sizeof out, &written, &needed, &rej);
    if (jbool(e, "ok", 0)) {
        CHECK_RESULT(r, WSGUARD_RESULT_OK);
        CHECK_INT(written, 0);
        return;
    }
    CHECK_RESULT(r, WSGUARD_RESULT_OVERLOADED);
    if (r != WSGUARD_RESULT_OVERLOADED) return;
    CHECK_WSTR(rej.code, jstr(e, "code"));
    CHECK_INT(rej.http_status, jint(e, "status", -1));
    CHECK_INT(rej.close_code, jint(e, "close_code", -1));
    CHECK(written > 12 && memcmp(out, "HTTP/1.1 ", 9) == 0);
    CHECK_INT(atoi((const char *)out + 9), jint(e, "status", -1));
    if (!header_value((const char *)out, written, "Retry-After", value, sizeof value))
        H_FAIL("no Retry-After in the answer");
    else if (strcmp(value, jstr(e, "retry_after")) != 0)
        H_FAIL("Retry-After: %s, expected %s", value, jstr(e, "retry_after"));
    snprintf(prefix, sizeof prefix, "\r\n\r\n%s: ", jstr(e, "code"));
    {
        const char *body = NULL;
        size_t i, plen = strlen(prefix);
        for (i = 0; i + plen <= written && !body; i++)
            if (memcmp(out + i, prefix, plen) == 0) body = (const char *)out + i + 4;
        if (!body) H_FAIL("the body does not start with the code");
        else if (!header_value((const char *)out, written, "Content-Length", value, sizeof value))
            H_FAIL("no Content-Length");
        else CHECK_INT(atoi(value), (long long)(written - (size_t)(body - (const char *)out)));
    }
}

static void close_case_i(const cJSON *c, int i) { (void)i; close_case(c); }
static void utf8_case_i(const cJSON *c, int i) { (void)i; utf8_case(c); }

/* Every file this runner runs; any other .json file in the vector directory fails the run, so a new
   vector file is never silently skipped (regressions.json: fuzz reproducers, replayed by
   the Rust core and the fuzz targets, see its description). */
static const char *const RUN_BY_C[] = {
    "close_codes.json", "frames.json", "utf8.json", "origins.json", "cors.json",
    "handshake_server.json", "handshake_client.json", "lint.json", "near_miss.json", "urls.json",
    "heartbeat.json", "reconnect.json", "external-wpt-urls.json",
    "external-websockets-extensions.json", "external-httparse.json", "external-wsproto-frames.json",
    "external-websockets-frames.json", "external-websockets-handshake-server.json",
    "external-websockets-handshake-client.json", "external-websockets-utf8.json",
    "external-wsproto-handshake-server.json", "external-wsproto-handshake-client.json",
    "external-wsproto-utf8.json",
    "external-websockets-frames.json", "dev_auth.json", "overload.json", "token_options.json",
};
static const char *const NOT_RUN_BY_C[] = {"regressions.json"};

static void every_file_has_a_runner(void) {
    DIR *d = opendir(vector_dir);
    struct dirent *ent;
    h_begin("every vector file has a C runner");
    if (!d) { H_FAIL("cannot open %s", vector_dir); h_end(); return; }
    while ((ent = readdir(d)) != NULL) {
        size_t n = strlen(ent->d_name), i;
        int known = 0;
        if (n < 5 || strcmp(ent->d_name + n - 5, ".json") != 0) continue;
        for (i = 0; i < sizeof RUN_BY_C / sizeof RUN_BY_C[0]; i++) known |= strcmp(ent->d_name, RUN_BY_C[i]) == 0;
        for (i = 0; i < sizeof NOT_RUN_BY_C / sizeof NOT_RUN_BY_C[0]; i++) known |= strcmp(ent->d_name, NOT_RUN_BY_C[i]) == 0;
        if (!known) H_FAIL("%s has no C runner (add it to main() and RUN_BY_C)", ent->d_name);
    }
    closedir(d);
    h_end();
}

int main(int argc, char **argv) {
    if (argc > 1) vector_dir = argv[1];
    every_file_has_a_runner();
    run_file("close_codes.json", close_case_i);
    run_file("frames.json", frame_case);
    run_file("utf8.json", utf8_case_i);
    run_file("origins.json", origin_case);
    run_file("cors.json", cors_case);
    run_file("handshake_server.json", server_case);
    run_file("handshake_client.json", client_case);
    run_file("lint.json", lint_case);
    run_file("near_miss.json", near_miss_case);
    run_file("urls.json", url_case);
    run_file("heartbeat.json", heartbeat_case);
    run_file("reconnect.json", reconnect_case);
    run_file("external-wpt-urls.json", ext_url_case);
    run_file("external-websockets-extensions.json", server_case);
    run_file("external-httparse.json", http_head_case);
    run_file("external-wsproto-frames.json", frame_case);
    run_file("external-websockets-frames.json", frame_case);
    run_file("external-websockets-handshake-server.json", server_case);
    run_file("external-websockets-handshake-client.json", client_case);
    run_file("external-websockets-utf8.json", utf8_case_i);
    run_file("external-wsproto-handshake-server.json", server_case);
    run_file("external-wsproto-handshake-client.json", client_case);
    run_file("external-wsproto-utf8.json", utf8_case_i);
    run_file("dev_auth.json", dev_auth_case);
    run_file("overload.json", overload_case);
    run_file("token_options.json", token_options_case);
    (void)streq_w;
    return h_summary("c-vectors");
}
