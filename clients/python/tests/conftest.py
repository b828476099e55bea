from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Cluster, start_cluster  # noqa: E402

TESTDATA = os.path.join(os.path.dirname(__file__), "..", "..", "testdata")
_names = itertools.count()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    c = start_cluster(1)
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def topic_name(request: pytest.FixtureRequest) -> str:
    return f"t-{request.node.name.replace('[', '-').replace(']', '')[:40]}-{next(_names)}"
