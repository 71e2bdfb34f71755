"""Fixtures the answer tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from storage.db import reading


@pytest.fixture
def history(full_history: Engine) -> Iterator[Session]:
    """A session on the full real history, read only."""
    with reading(full_history) as session:
        yield session
