/* A tiny test harness shared by the C and C++ tests of the wsguard C API.
 * Each named case passes when every CHECK in it holds; main() ends with h_summary(),
 * which prints the final `N passed, M failed` line (read by scripts/suites.sh). */
#ifndef WSGUARD_TEST_HARNESS_H
#define WSGUARD_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>
#include "wsguard.h"

static int h_passed, h_failed, h_case_bad, h_in_case;
static const char *h_case_name = "";

static void h_begin(const char *name) {
    h_case_name = name;
    h_case_bad = 0;
    h_in_case = 1;
}

static void h_end(void) {
    if (h_case_bad) h_failed++; else h_passed++;
    h_in_case = 0;
}

static int h_summary(const char *label) {
    printf("%s: %d passed, %d failed\n", label, h_passed, h_failed);
    return h_failed == 0 ? 0 : 1;
}

#define H_FAIL(...) do { \
    h_case_bad++; \
    fprintf(stderr, "FAIL [%s] %s:%d: ", h_case_name, __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
} while (0)

#define CHECK(cond) do { if (!(cond)) H_FAIL("%s", #cond); } while (0)

#define CHECK_INT(got, want) do { \
    long long g_ = (long long)(got), w_ = (long long)(want); \
    if (g_ != w_) H_FAIL("%s == %lld, expected %lld", #got, g_, w_); \
} while (0)

/* got is a wsguard_str, want a NUL-terminated string. */
#define CHECK_WSTR(got, want) do { \
    wsguard_str g_ = (got); const char *w_ = (want); \
    if (!wsguard_str_eq(g_, w_)) H_FAIL("%s == \"%.*s\", expected \"%s\"", #got, (int)g_.len, g_.ptr, w_); \
} while (0)

/* The result is the one expected; prints the messages of both on failure. */
#define CHECK_RESULT(got, want) do { \
    wsguard_result g_ = (got), w_ = (want); \
    if (g_ != w_) H_FAIL("%s returned %u (%s), expected %u (%s)", #got, (unsigned)g_, \
        wsguard_result_message((uint32_t)g_), (unsigned)w_, wsguard_result_message((uint32_t)w_)); \
} while (0)

#endif
