"""The client diagnosis of a refused upgrade (issue 12): the cause a wsguard server names is
the headline, an answer that cannot name one lists the causes that remain, and
``ClientHandshake.plan`` drives the core's follow-ups that decide between them."""

import pytest

import wsguard

NODE_401 = b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\nUnauthorized"
BARE_403 = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"


def failure(hs: wsguard.ClientHandshake, answer: bytes) -> wsguard.UpgradeFailed:
    with pytest.raises(wsguard.UpgradeFailed) as info:
        hs.validate_response(answer)
    return info.value


def upgraded(hs: wsguard.ClientHandshake) -> bytes:
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + wsguard.accept_key(hs.key).encode() + b"\r\n\r\n"
    )


def test_server_named_cause_is_the_headline() -> None:
    hs = wsguard.ClientHandshake("a.test:8000", "/ws")
    body = b"origin_missing: the request has no Origin header\nfix: send one\n"
    e = failure(hs, b"HTTP/1.1 403 Forbidden\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    assert (e.code, e.status) == ("origin_missing", 403)
    assert e.details["server_code"] == "origin_missing"
    assert "causes" not in e.details
    assert hs.plan(b"HTTP/1.1 403 Forbidden\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body), own_origin="http://a.test:8000") is None
    # The ASGI guard's header names it before the body arrives.
    head = b"HTTP/1.1 403 Forbidden\r\nX-Wsguard-Code: origin_host\r\nContent-Length: 80\r\n\r\n"
    e = failure(hs, head)
    assert (e.code, e.details["body_end"]) == ("origin_host", len(head) + 80)


def test_body_end_says_how_much_to_read() -> None:
    hs = wsguard.ClientHandshake("a.test", "/ws")
    head = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 17\r\n\r\n"
    e = failure(hs, head + b"origin_h")
    assert (e.code, e.details["body_end"]) == ("forbidden", len(head) + 17)
    e = failure(hs, head + b"origin_host: x\nfi")
    assert e.code == "origin_host" and "body_end" not in e.details


def test_one_answer_lists_the_causes_that_remain() -> None:
    hs = wsguard.ClientHandshake("a.test:8000", "/ws", origin="https://evil.test")
    e = failure(hs, NODE_401)
    assert (e.code, e.status) == ("unauthorized", 401)
    assert e.details["causes"] == ["token_refused", "origin_refused"]
    assert "verifyClient" in e.details["hint"]
    assert e.details["verdict"].startswith("two causes remain: ")
    e = failure(hs, BARE_403)
    assert e.details["causes"] == ["origin_refused", "app_refused_before_accept", "wrong_path"]
    # Without an Origin sent, the Origin cause is that none was sent.
    e = failure(wsguard.ClientHandshake("a.test:8000", "/ws"), BARE_403)
    assert e.details["causes"] == ["origin_required", "app_refused_before_accept", "wrong_path"]


def test_plan_establishes_the_refused_origin() -> None:
    hs = wsguard.ClientHandshake("a.test:8000", "/ws", origin="https://evil.test")
    plan = hs.plan(NODE_401, own_origin="http://a.test:8000")
    assert plan is not None
    assert plan.next_step == "own_origin"
    assert plan.causes == ["token_refused", "origin_refused"] and plan.established is None
    req = plan.request("own_origin")
    assert req.startswith(b"GET /ws HTTP/1.1\r\nHost: a.test:8000\r\n")
    assert b"\r\nOrigin: http://a.test:8000\r\n" in req and b"evil" not in req
    answer = upgraded(hs)
    assert plan.record("own_origin", answer[:20]) is False
    assert plan.next_step == "own_origin"
    assert plan.record("own_origin", answer) is True
    assert (plan.next_step, plan.established, plan.evidence) == (None, "origin_refused", "own_origin")
    assert plan.causes == ["origin_refused"] and plan.hint is None
    assert plan.explanation == (
        "the server refuses the Origin that was sent (evidence: the same upgrade with the "
        "URL's own origin as Origin was accepted with 101)"
    )


def test_plan_leaves_three_causes_when_every_origin_gets_the_same_403() -> None:
    hs = wsguard.ClientHandshake("a.test:8000", "/nope", origin="https://app.test")
    plan = hs.plan(BARE_403, own_origin="http://a.test:8000")
    assert plan is not None
    steps = []
    while plan.next_step is not None:
        step = plan.next_step
        steps.append(step)
        assert plan.record(step, BARE_403)
    assert steps == ["own_origin", "no_origin"]
    assert plan.established is None
    assert plan.causes == ["app_refused_before_accept", "wrong_path", "origin_refused"]
    assert plan.hint is not None and "Starlette" in plan.hint
    assert plan.explanation.startswith("three causes remain: ")
    assert plan.remedy.count(" — or: ") == 2


def test_plan_refuses_what_is_not_a_refusal_and_unknown_steps() -> None:
    hs = wsguard.ClientHandshake("a.test", "/ws", origin="https://evil.test")
    with pytest.raises(wsguard.InvalidInput):
        hs.plan(upgraded(hs), own_origin="http://a.test")
    with pytest.raises(wsguard.InvalidInput):
        hs.plan(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nUnauth", own_origin="http://a.test")
    plan = hs.plan(NODE_401, own_origin="http://a.test")
    assert plan is not None
    with pytest.raises(wsguard.InvalidInput):
        plan.request("retry_harder")
    # A connection that failed tells nothing: recorded as no answer, the plan goes on.
    assert plan.record("own_origin", b"", at_end=True)
    assert plan.next_step == "no_origin"
