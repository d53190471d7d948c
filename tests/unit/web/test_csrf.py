from services.web.domain.csrf import origin_refusal, token_refusal

PAGES = {"http://127.0.0.1:8100"}


def test_the_pages_own_origin_passes_and_another_does_not() -> None:
    assert origin_refusal("http://127.0.0.1:8100", None, PAGES) is None
    zh, en = origin_refusal("http://evil.example", None, PAGES) or ("", "")
    assert "evil.example" in zh and "not from these pages" in en


def test_without_origin_the_referer_decides_and_without_both_it_is_refused() -> None:
    assert origin_refusal(None, "http://127.0.0.1:8100/stats?period=2026-11", PAGES) is None
    assert origin_refusal("null", "http://evil.example/x", PAGES) is not None
    assert origin_refusal(None, None, PAGES) == ("请求缺少来源（Origin）", "the request names no Origin")


def test_the_token_must_be_sent_and_match() -> None:
    assert token_refusal("s3cret", "s3cret") is None
    assert token_refusal("s3cret", None) == ("缺少 CSRF 令牌（X-CSRF-Token）", "the X-CSRF-Token header is missing")
    assert token_refusal("s3cret", "s3creT") == ("CSRF 令牌不符", "the X-CSRF-Token does not match this session's")
