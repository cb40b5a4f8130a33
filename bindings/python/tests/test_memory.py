"""Policies and guards own their strings (issue 13 item 2): nothing is kept after they are
dropped, whatever the number of distinct patterns a process builds.

The former binding leaked every distinct pattern, host, subprotocol and token string into
a global interner; 100,000 distinct policies and guards with ~200-byte entries leaked
about 60 MB. The bound below is a factor of what one policy holds, not a time.
"""

from __future__ import annotations

import gc
import os
import sys

import pytest

import wsguard

N = 100_000
LONG = ".".join(["a" * 60] * 3)  # 182 bytes, labels within the DNS limit


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def build(i: int) -> None:
    policy = wsguard.OriginPolicy(
        allow=[f"https://{LONG}.x{i}.example.com"],
        hosts=[f"{LONG}.x{i}.example.com"],
        dev_hosts=[f"{LONG}.x{i}:3000"],
        preset="development",
    )
    guard = wsguard.ScopeGuard(
        policy,
        subprotocols=[f"chat.{LONG}.{i}"],
        token_query=f"t{LONG}{i}".replace(".", "_"),
        token_subprotocol_prefix=f"access_token.{LONG}{i}.",
    )
    # Used once, as an application would: the policy's text is really there.
    assert policy.allow == [f"https://{LONG}.x{i}.example.com"]
    assert guard.policy is policy


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_distinct_policies_and_guards_are_freed() -> None:
    for i in range(2_000):  # warm the allocator up to its steady state
        build(N + i)
    gc.collect()
    before = rss_bytes()
    for i in range(N):
        build(i)
    gc.collect()
    grown = rss_bytes() - before
    # ~600 bytes of distinct text per iteration: a leak would be >= 60 MB.
    assert grown < 8 * 1024 * 1024, f"RSS grew by {grown} bytes over {N} policies and guards"
