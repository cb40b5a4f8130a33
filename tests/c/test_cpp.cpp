// The wsguard C API from C++17: the header compiles as C++ (extern "C", enum class-free
// enums with a fixed underlying type), RAII over _new/_free, std::string_view over
// wsguard_str. Ends with `cpp-api: N passed, M failed`.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"

namespace {

std::string_view sv(wsguard_str s) { return std::string_view(s.ptr, s.len); }

struct PolicyDeleter {
    void operator()(wsguard_origin_policy *p) const { wsguard_origin_policy_free(p); }
};
using Policy = std::unique_ptr<wsguard_origin_policy, PolicyDeleter>;

struct DecoderDeleter {
    void operator()(wsguard_decoder *d) const { wsguard_decoder_free(d); }
};
using Decoder = std::unique_ptr<wsguard_decoder, DecoderDeleter>;

Policy make_policy(uint32_t flags, const std::vector<std::string> &patterns) {
    wsguard_origin_policy *raw = nullptr;
    if (wsguard_origin_policy_new(flags, &raw) != WSGUARD_RESULT_OK) return Policy();
    Policy p(raw);
    for (const auto &pat : patterns) {
        if (wsguard_origin_policy_allow(p.get(), pat.data(), pat.size(), nullptr) != WSGUARD_RESULT_OK) return Policy();
    }
    return p;
}

const std::string kRequest =
    "GET /chat HTTP/1.1\r\nHost: app.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Origin: https://app.example.com\r\n\r\n";

void test_policy_and_handshake() {
    h_begin("cpp-policy-check");
    {
        Policy p = make_policy(0, {"https://app.example.com", "https://*.example.com"});
        CHECK(p != nullptr);
        wsguard_rejection rej{};
        std::string_view ok = "https://api.example.com", bad = "https://evil-example.com";
        CHECK_RESULT(wsguard_origin_policy_check(p.get(), ok.data(), ok.size(), &rej), WSGUARD_RESULT_OK);
        CHECK_RESULT(wsguard_origin_policy_check(p.get(), bad.data(), bad.size(), &rej), WSGUARD_RESULT_ORIGIN_REJECTED);
        CHECK(sv(rej.code) == "origin_host");
        CHECK_INT(rej.http_status, 403);
        CHECK(!sv(rej.remedy).empty());
    }
    h_end();

    h_begin("cpp-server-respond-101");
    {
        Policy p = make_policy(0, {"https://app.example.com"});
        std::array<uint8_t, 512> out{};
        size_t written = 0;
        wsguard_accepted acc{};
        wsguard_rejection rej{};
        CHECK_RESULT(wsguard_server_respond(p.get(), nullptr, reinterpret_cast<const uint8_t *>(kRequest.data()),
                                            kRequest.size(), out.data(), out.size(), &written, nullptr, &acc, &rej),
                     WSGUARD_RESULT_OK);
        std::string_view resp(reinterpret_cast<const char *>(out.data()), written);
        CHECK(resp.find("HTTP/1.1 101 Switching Protocols\r\n") == 0);
        CHECK(resp.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string_view::npos);
        CHECK(std::string_view(acc.accept) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        CHECK(std::string_view(acc.path, acc.path_len) == "/chat");
        CHECK_INT(acc.consumed, kRequest.size());
    }
    h_end();

    h_begin("cpp-server-respond-403");
    {
        Policy p = make_policy(0, {"https://other.example.org"});
        std::array<uint8_t, 1024> out{};
        size_t written = 0;
        wsguard_accepted acc{};
        wsguard_rejection rej{};
        CHECK_RESULT(wsguard_server_respond(p.get(), nullptr, reinterpret_cast<const uint8_t *>(kRequest.data()),
                                            kRequest.size(), out.data(), out.size(), &written, nullptr, &acc, &rej),
                     WSGUARD_RESULT_HANDSHAKE_REJECTED);
        std::string_view resp(reinterpret_cast<const char *>(out.data()), written);
        CHECK(resp.find("HTTP/1.1 403 Forbidden\r\n") == 0);
        CHECK(sv(rej.code) == "origin_host");
        CHECK(resp.find("origin_host: ") != std::string_view::npos);
    }
    h_end();
}

void test_frames() {
    h_begin("cpp-frame-roundtrip-client-to-server");
    {
        const std::array<uint8_t, 4> key{{1, 2, 3, 4}};
        std::vector<uint8_t> payload(70000);
        for (size_t i = 0; i < payload.size(); i++) payload[i] = static_cast<uint8_t>(i * 31);
        std::vector<uint8_t> wire(payload.size() + 14);
        size_t n = 0, consumed = 0, needed = 0;
        CHECK_RESULT(wsguard_frame_write(wire.data(), wire.size(), true, 2, payload.data(), payload.size(), key.data(),
                                         key.size(), &n, nullptr),
                     WSGUARD_RESULT_OK);
        CHECK_INT(n, payload.size() + wsguard_frame_header_len(payload.size(), true));
        wsguard_decoder *raw = nullptr;
        CHECK_RESULT(wsguard_decoder_new(nullptr, &raw), WSGUARD_RESULT_OK);
        Decoder dec(raw);
        wsguard_frame_event ev{};
        wsguard_rejection rej{};
        CHECK_RESULT(wsguard_decoder_decode(dec.get(), wire.data(), 100, &consumed, &needed, &ev, &rej),
                     WSGUARD_RESULT_INCOMPLETE);
        CHECK_INT(needed, n - 100);
        CHECK_RESULT(wsguard_decoder_decode(dec.get(), wire.data(), n, &consumed, &needed, &ev, &rej), WSGUARD_RESULT_OK);
        CHECK_INT(ev.kind, WSGUARD_EVENT_KIND_DATA);
        CHECK_INT(ev.payload_len, payload.size());
        CHECK(std::equal(payload.begin(), payload.end(), ev.payload));
        CHECK_INT(consumed, n);
    }
    h_end();

    h_begin("cpp-decoder-in-caller-storage-refuses-unmasked");
    {
        alignas(WSGUARD_DECODER_STORAGE_ALIGN) unsigned char storage[WSGUARD_DECODER_STORAGE_SIZE];
        wsguard_decoder *dec = nullptr;
        CHECK_RESULT(wsguard_decoder_init(storage, sizeof storage, nullptr, &dec), WSGUARD_RESULT_OK);
        CHECK(static_cast<void *>(dec) == static_cast<void *>(storage));
        std::array<uint8_t, 4> unmasked{{0x81, 0x02, 'h', 'i'}};
        size_t consumed = 0;
        wsguard_frame_event ev{};
        wsguard_rejection rej{};
        CHECK_RESULT(wsguard_decoder_decode(dec, unmasked.data(), unmasked.size(), &consumed, nullptr, &ev, &rej),
                     WSGUARD_RESULT_PROTOCOL_VIOLATION);
        CHECK_INT(rej.close_code, 1002);
        CHECK(sv(rej.code).substr(0, 6) == "frame_");
        wsguard_decoder_free(dec);
        CHECK_RESULT(wsguard_decoder_decode(dec, unmasked.data(), unmasked.size(), &consumed, nullptr, &ev, &rej),
                     WSGUARD_RESULT_INVALID_HANDLE);
    }
    h_end();
}

void test_close_and_misc() {
    h_begin("cpp-close-classify");
    {
        wsguard_close_info info{};
        CHECK_RESULT(wsguard_close_code_classify(1008, &info), WSGUARD_RESULT_OK);
        CHECK(sv(info.name) == "policy_violation");
        CHECK(info.category == WSGUARD_CLOSE_CATEGORY_POLICY_AUTH);
        CHECK(sv(info.retry_code) == "after_reauth");
    }
    h_end();

    h_begin("cpp-version-and-messages");
    CHECK(std::string(wsguard_version()) == std::to_string(WSGUARD_VERSION_MAJOR) + "." +
                                              std::to_string(WSGUARD_VERSION_MINOR) + "." +
                                              std::to_string(WSGUARD_VERSION_PATCH));
    CHECK(std::string_view(wsguard_result_message(WSGUARD_RESULT_PANIC)).find("panic") != std::string_view::npos);
    h_end();
}

struct HeartbeatDeleter {
    void operator()(wsguard_heartbeat *h) const { wsguard_heartbeat_free(h); }
};
struct ReconnectDeleter {
    void operator()(wsguard_reconnect *r) const { wsguard_reconnect_free(r); }
};
struct RegistryDeleter {
    void operator()(wsguard_close_registry *r) const { wsguard_close_registry_free(r); }
};

void test_heartbeat_reconnect_registry() {
    h_begin("cpp-heartbeat-timeline");
    {
        wsguard_heartbeat_config cfg{1000, 1500, 3};
        wsguard_heartbeat *raw = nullptr;
        CHECK_RESULT(wsguard_heartbeat_new(&cfg, 0, &raw, nullptr), WSGUARD_RESULT_OK);
        std::unique_ptr<wsguard_heartbeat, HeartbeatDeleter> hb(raw);
        wsguard_heartbeat_action a{};
        CHECK_RESULT(wsguard_heartbeat_poll(hb.get(), 1000, &a), WSGUARD_RESULT_OK);
        CHECK(a.kind == WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING);
        CHECK_INT(a.seq, 1);
        CHECK_RESULT(wsguard_heartbeat_poll(hb.get(), 1001, &a), WSGUARD_RESULT_OK);
        CHECK(a.kind == WSGUARD_HEARTBEAT_ACTION_KIND_WAIT);
        CHECK_INT(a.until_ms, 1500);
        CHECK_RESULT(wsguard_heartbeat_poll(hb.get(), 1500, &a), WSGUARD_RESULT_OK);
        CHECK(a.kind == WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD);
        wsguard_heartbeat_status st{};
        CHECK_RESULT(wsguard_heartbeat_status_get(hb.get(), &st), WSGUARD_RESULT_OK);
        CHECK(sv(st.dead_code) == "heartbeat_peer_silent");
    }
    h_end();

    h_begin("cpp-reconnect-with-app-registry");
    {
        wsguard_close_registry *rraw = nullptr;
        CHECK_RESULT(wsguard_close_registry_new(&rraw), WSGUARD_RESULT_OK);
        std::unique_ptr<wsguard_close_registry, RegistryDeleter> reg(rraw);
        static constexpr std::string_view name = "maintenance", what = "the service is in maintenance",
                                          fix = "wait, then reconnect";
        wsguard_app_close_code c{};
        c.code = 4503;
        c.name = name.data(); c.name_len = name.size();
        c.description = what.data(); c.description_len = what.size();
        c.remedy = fix.data(); c.remedy_len = fix.size();
        c.retry = WSGUARD_RETRY_AFTER_DELAY;
        CHECK_RESULT(wsguard_close_registry_add(reg.get(), &c, nullptr), WSGUARD_RESULT_OK);
        wsguard_reconnect_config cfg{};
        CHECK_RESULT(wsguard_reconnect_config_default(&cfg), WSGUARD_RESULT_OK);
        cfg.app_registry = reg.get();
        wsguard_reconnect *raw = nullptr;
        CHECK_RESULT(wsguard_reconnect_new(&cfg, &raw), WSGUARD_RESULT_OK);
        std::unique_ptr<wsguard_reconnect, ReconnectDeleter> rc(raw);
        wsguard_disconnect why{};
        why.kind = WSGUARD_DISCONNECT_KIND_CLOSE;
        why.close_code = 4503;
        wsguard_reconnect_decision d{};
        CHECK_RESULT(wsguard_reconnect_on_disconnect(rc.get(), &why, 1000, 0, &d), WSGUARD_RESULT_OK);
        /* after_delay: at least overload_delay_ms (10 000) */
        CHECK(d.kind == WSGUARD_RECONNECT_DECISION_KIND_RETRY_AT);
        CHECK_INT(d.delay_ms, 10000);
        CHECK_INT(d.at_ms, 11000);
        CHECK(sv(d.reason) == what);
        rc.reset();   /* the policy goes before its registry */
    }
    h_end();
}

}  // namespace

int main() {
    test_policy_and_handshake();
    test_frames();
    test_close_and_misc();
    test_heartbeat_reconnect_registry();
    return h_summary("cpp-api");
}
