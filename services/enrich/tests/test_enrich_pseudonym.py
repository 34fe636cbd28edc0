"""Caller pseudonyms: stable for one secret, different for another, None for withheld."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from hotline_enrich.pseudonym import caller_key

NUMBER = "+4586123456"


def test_stable_and_a_full_hmac_sha256() -> None:
    key = caller_key(b"secret-one", NUMBER)
    assert key == caller_key(b"secret-one", NUMBER)
    assert key == hmac.new(b"secret-one", NUMBER.encode(), hashlib.sha256).hexdigest()
    assert key is not None
    assert len(key) == 64
    assert NUMBER not in key
    assert "86123456" not in key


def test_depends_on_the_secret_and_the_number() -> None:
    assert caller_key(b"secret-one", NUMBER) != caller_key(b"secret-two", NUMBER)
    assert caller_key(b"secret-one", NUMBER) != caller_key(b"secret-one", "+4586123457")


def test_withheld_number_has_no_key() -> None:
    assert caller_key(b"secret-one", None) is None


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        caller_key(b"", NUMBER)
