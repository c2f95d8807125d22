"""Shared fixtures."""

from __future__ import annotations

import pytest

from tests.helpers import make_mixture


@pytest.fixture
def blobs():
    return make_mixture()
