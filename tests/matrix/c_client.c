/* The C client of the fault matrix (tests/matrix, issue 12): one upgrade over a plain TCP
 * socket with the C API (wsguard_client_write_request / wsguard_client_validate_response),
 * then one JSON line on stdout: {"code": "<diagnosis code>|open|no_response|tcp_error",
 * "status": <HTTP status or 0>[, "codes": [<causes that remain>]]} — the
 * causes from wsguard_client_plan when one answer cannot name the cause.
 *
 *   c_client HOST PORT PATH [ORIGIN]
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "wsguard.h"

static int dial(const char *host, int port) {
    struct sockaddr_in addr;
    struct timeval tv = {3, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { close(fd); return -1; }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { close(fd); return -1; }
    return fd;
}

int main(int argc, char **argv) {
    static uint8_t req_buf[2048], resp[16384];
    static const uint8_t nonce[16] = "wsguard-matrix-c";
    char host_header[300];
    wsguard_client_request req;
    wsguard_established est;
    wsguard_diagnosis diag;
    size_t written = 0, needed = 0, have = 0;
    int fd;
    if (argc < 4) {
        fprintf(stderr, "usage: c_client HOST PORT PATH [ORIGIN]\n");
        return 2;
    }
    snprintf(host_header, sizeof host_header, "%s:%s", argv[1], argv[2]);
    memset(&req, 0, sizeof req);
    req.host = host_header;
    req.host_len = strlen(host_header);
    req.path = argv[3];
    req.path_len = strlen(argv[3]);
    req.nonce = nonce;
    req.nonce_len = sizeof nonce;
    if (argc > 4) {
        req.origin = argv[4];
        req.origin_len = strlen(argv[4]);
    }
    if (wsguard_client_write_request(&req, req_buf, sizeof req_buf, &written, &needed, NULL) !=
        WSGUARD_RESULT_OK) {
        printf("{\"code\": \"request_not_written\", \"status\": 0}\n");
        return 1;
    }
    fd = dial(argv[1], atoi(argv[2]));
    if (fd < 0) {
        printf("{\"code\": \"tcp_error\", \"status\": 0}\n");
        return 1;
    }
    if (write(fd, req_buf, written) != (ssize_t)written) {
        printf("{\"code\": \"tcp_error\", \"status\": 0}\n");
        close(fd);
        return 1;
    }
    for (;;) {
        ssize_t got = have < sizeof resp ? read(fd, resp + have, sizeof resp - have) : 0;
        wsguard_result r;
        int eof = got <= 0;
        if (!eof) have += (size_t)got;
        r = wsguard_client_validate_response(&req, resp, have, &est, &diag);
        if (r == WSGUARD_RESULT_OK) {
            printf("{\"code\": \"open\", \"status\": 101}\n");
            break;
        }
        if (r == WSGUARD_RESULT_RESPONSE_REJECTED) {
            wsguard_verdict verdict;
            size_t i;
            /* The body a Content-Length announces carries the server's reason: wait for it. */
            if (diag.body_end > have && diag.body_end <= sizeof resp && !eof) continue;
            printf("{\"code\": \"%.*s\", \"status\": %u", (int)diag.rejection.code.len,
                   diag.rejection.code.ptr, (unsigned)diag.rejection.http_status);
            /* One answer only: the causes that remain when it cannot name one. */
            if (wsguard_client_plan(&req, resp, have, false, NULL, 0, &verdict) == WSGUARD_RESULT_OK &&
                verdict.kind == WSGUARD_VERDICT_UNDECIDED) {
                printf(", \"codes\": [");
                for (i = 0; i < verdict.causes_count; i++)
                    printf("%s\"%.*s\"", i ? ", " : "", (int)verdict.causes[i].code.len,
                           verdict.causes[i].code.ptr);
                printf("]");
            }
            printf("}\n");
            break;
        }
        if (eof) {
            printf("{\"code\": \"no_response\", \"status\": 0}\n");
            break;
        }
    }
    close(fd);
    return 0;
}
