"""Imports on an interpreter that cannot install packages are checked against its own modules."""

from __future__ import annotations

import pytest

from pypage.interpreters import INTERPRETERS
from pypage.markdown.imports import FIXED_MODULES

pytestmark = pytest.mark.unit


def test_every_interpreter_without_packages_lists_its_modules() -> None:
    assert set(FIXED_MODULES) == {i.name for i in INTERPRETERS.values() if not i.installs_packages}
