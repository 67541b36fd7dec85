"""Fixtures for tests that talk to the fake enclave (tests/support/fake_enclave.py): the test
PKI (made once per module: key generation is slow) and an enclave answering on the test's
loopback server. A test module takes them with ``pytest_plugins``."""

from __future__ import annotations

import pytest

from tests.support.fake_enclave import FakeEnclave
from tests.support.fake_tdx import TestPki
from tests.support.server import LocalServer


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki.create()


@pytest.fixture
def enclave(server: LocalServer, pki: TestPki) -> FakeEnclave:
    fake = FakeEnclave(pki)
    fake.install(server)
    return fake
