/* A measurement, not a test (BENCHMARKS.md §7): N checks of an Origin that matches the
 * last of 32 patterns (or, with a second argument P, the first of P patterns: the cost a
 * policy's size adds to a check that matches early). Run it under callgrind for two N
 * and divide the difference:
 *   cc -std=c99 -O2 -I include tests/c/bench_policy.c target/release/libwsguard.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o /tmp/bench_policy
 *   valgrind --tool=callgrind /tmp/bench_policy 100; valgrind --tool=callgrind /tmp/bench_policy 1100
 *   valgrind --tool=callgrind /tmp/bench_policy 100 128; ... 1100 128 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "wsguard.h"
int main(int argc, char **argv) {
    wsguard_origin_policy *p;
    char pat[64], origin[64];
    int i, n = argc > 1 ? atoi(argv[1]) : 0, ok = 0, count = argc > 2 ? atoi(argv[2]) : 32;
    int match = argc > 2 ? 0 : count - 1, olen;
    wsguard_origin_policy_new(0, &p);
    for (i = 0; i < count; i++) {
        int len = snprintf(pat, sizeof pat, "https://app%d.example.com", i);
        wsguard_origin_policy_allow(p, pat, (size_t)len, NULL);
    }
    olen = snprintf(origin, sizeof origin, "https://app%d.example.com", match);
    for (i = 0; i < n; i++) ok += wsguard_origin_policy_check(p, origin, (size_t)olen, NULL) == WSGUARD_RESULT_OK;
    printf("%d\n", ok);
    wsguard_origin_policy_free(p);
    return 0;
}
