"""Dashboard fixtures: ledger rows inserted by the factories keep the read model, as collection does."""

from __future__ import annotations

import pytest

from tests.read_model_sync import read_model_kept


@pytest.fixture(autouse=True)
def _read_model(app):
    with read_model_kept():
        yield
