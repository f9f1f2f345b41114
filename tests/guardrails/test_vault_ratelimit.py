"""The token vault (stable tokens, role-checked reveal, shared across processes) and
the rate limiter (sliding window, injectable clock, shared across processes)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from wardflow.errors import ConfigError, GuardViolation, RateLimited
from wardflow.guardrails import REVEAL_ROLES, RateLimiter, TokenVault

TEXT = ("Pay DE29 1002 0400 0471 1820 35 (billing@nordlicht-software.example).\n"
        "Again: IBAN DE29100204000471182035, or GB45 TMBK 4027 1631 8572 64.")


def test_round_trip_with_stable_tokens(vault: TokenVault) -> None:
    tokenized, mapping = vault.tokenize(TEXT, scope="thread-1")
    assert tokenized == ("Pay <IBAN_1> (<EMAIL_1>).\nAgain: IBAN <IBAN_1>, or <IBAN_2>.")
    assert mapping == {"<IBAN_1>": "DE29100204000471182035", "<IBAN_2>": "GB45TMBK40271631857264",
                       "<EMAIL_1>": "billing@nordlicht-software.example"}
    again, _ = vault.tokenize("Only GB45TMBK40271631857264 here", scope="thread-1")
    assert again == "Only <IBAN_2> here"
    revealed = vault.reveal(tokenized, scope="thread-1", role="erp")
    assert "DE29100204000471182035" in revealed and "<IBAN" not in revealed


def test_scopes_are_independent(vault: TokenVault) -> None:
    vault.tokenize("DE29 1002 0400 0471 1820 35", scope="a")
    other, _ = vault.tokenize("GB45 TMBK 4027 1631 8572 64", scope="b")
    assert other == "<IBAN_1>"
    assert vault.reveal("<IBAN_1>", scope="b", role="auditor") == "GB45TMBK40271631857264"
    assert vault.reveal("<IBAN_1>", scope="a", role="auditor") == "DE29100204000471182035"
    assert vault.reveal("<IBAN_9>", scope="a", role="auditor") == "<IBAN_9>"


@pytest.mark.parametrize("role", sorted(REVEAL_ROLES))
def test_authorized_roles_see_real_values(vault: TokenVault, role: str) -> None:
    tokenized, _ = vault.tokenize(TEXT, scope="t")
    assert "DE29100204000471182035" in vault.reveal(tokenized, scope="t", role=role)


@pytest.mark.parametrize("role", ["viewer", "model", "extractor", ""])
def test_other_roles_are_refused(vault: TokenVault, role: str) -> None:
    tokenized, _ = vault.tokenize(TEXT, scope="t")
    with pytest.raises(GuardViolation) as caught:
        vault.reveal(tokenized, scope="t", role=role)
    assert caught.value.validator == "token_vault"
    with pytest.raises(GuardViolation):
        vault.reveal_data({"iban": "<IBAN_1>"}, scope="t", role=role)


def test_reveal_data_walks_structures(vault: TokenVault) -> None:
    vault.tokenize(TEXT, scope="t")
    args = {"iban": "<IBAN_1>", "notes": ["mail <EMAIL_1>"], "total": 12}
    assert vault.reveal_data(args, scope="t", role="erp") == {
        "iban": "DE29100204000471182035",
        "notes": ["mail billing@nordlicht-software.example"], "total": 12}


def test_two_vaults_on_one_file_agree(tmp_path: Path) -> None:
    first, second = TokenVault(tmp_path / "v.sqlite"), TokenVault(tmp_path / "v.sqlite")
    try:
        a, _ = first.tokenize("DE29 1002 0400 0471 1820 35", scope="t")
        b, _ = second.tokenize("GB45 TMBK 4027 1631 8572 64 and DE29100204000471182035", scope="t")
        assert a == "<IBAN_1>" and b == "<IBAN_2> and <IBAN_1>"
        assert first.reveal("<IBAN_2>", scope="t", role="erp") == "GB45TMBK40271631857264"
    finally:
        first.close()
        second.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_per_key_with_a_sliding_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    for _ in range(3):
        limiter.hit("principal:carla", limit=3, per_s=60)
    with pytest.raises(RateLimited) as caught:
        limiter.hit("principal:carla", limit=3, per_s=60)
    assert caught.value.key == "principal:carla" and caught.value.limit == 3
    assert caught.value.retry_after_s == pytest.approx(60.0)
    assert "retry in 60.0 s" in str(caught.value)
    limiter.hit("principal:ben", limit=3, per_s=60)  # another key has its own budget
    clock.now += 30
    with pytest.raises(RateLimited) as caught:
        limiter.hit("principal:carla", limit=3, per_s=60)
    assert caught.value.retry_after_s == pytest.approx(30.0)
    clock.now += 30.001
    limiter.hit("principal:carla", limit=3, per_s=60)
    # The three hits of t=1000 expired together; one new hit counts now.
    assert limiter.remaining("principal:carla", limit=3, per_s=60) == 2


def test_refused_hits_are_not_counted() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.hit("workflow:invoice", limit=1, per_s=10)
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.hit("workflow:invoice", limit=1, per_s=10)
    clock.now += 10.5
    limiter.hit("workflow:invoice", limit=1, per_s=10)


def test_invalid_limits_are_a_config_error() -> None:
    with pytest.raises(ConfigError):
        RateLimiter().hit("k", limit=0, per_s=10)


def _hammer(path: str, hits: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    limiter = RateLimiter(path)
    allowed = 0
    for _ in range(hits):
        try:
            limiter.hit("workflow:invoice", limit=15, per_s=3600)
            allowed += 1
        except RateLimited:
            pass
    queue.put(allowed)


def test_processes_share_one_limit(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    path = str(tmp_path / "rate.sqlite")
    workers = [context.Process(target=_hammer, args=(path, 10, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(queue.get(timeout=5) for _ in workers) == 15
