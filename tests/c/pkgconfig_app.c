/* Built by tests/c/install-test.sh against an installed wsguard, once with
 * `cc app.c $(pkg-config --cflags --libs wsguard)` (shared) and once statically with the
 * README's flags. Prints `wsguard <version>: ok` and exits 0 on success. */
#include <stdio.h>
#include <string.h>
#include <wsguard.h>

int main(void) {
    static const char allowed[] = "https://app.example.com";
    static const char evil[] = "https://evil.example.com";
    wsguard_origin_policy *policy = NULL;
    wsguard_rejection rej;
    int ok = 1;
    if (wsguard_origin_policy_new(0, &policy) != WSGUARD_RESULT_OK) return 1;
    ok &= wsguard_origin_policy_allow(policy, allowed, strlen(allowed), NULL) == WSGUARD_RESULT_OK;
    ok &= wsguard_origin_policy_check(policy, allowed, strlen(allowed), &rej) == WSGUARD_RESULT_OK;
    ok &= wsguard_origin_policy_check(policy, evil, strlen(evil), &rej) == WSGUARD_RESULT_ORIGIN_REJECTED;
    ok &= wsguard_str_eq(rej.code, "origin_host") && rej.http_status == 403;
    ok &= wsguard_version_number() == WSGUARD_VERSION_NUMBER;
    wsguard_origin_policy_free(policy);
    printf("wsguard %s: %s\n", wsguard_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
