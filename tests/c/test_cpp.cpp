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

}  // namespace

int main() {
    test_policy_and_handshake();
    test_frames();
    test_close_and_misc();
    return h_summary("cpp-api");
}
