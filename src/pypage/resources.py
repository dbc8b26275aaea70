"""Where pypage's own files are: ``themes/`` and ``runtime/`` at the top of a source checkout,
or the copies a wheel carries as package data."""

from __future__ import annotations

from pathlib import Path

from pypage.shipped import DATA_FOLDER

_HERE = Path(__file__).resolve().parent


def packaged_path(name: str) -> Path:
    """Where an installed wheel carries ``name`` (a checkout has nothing there)."""
    return _HERE / DATA_FOLDER / name


def data_path(name: str) -> Path:
    packaged = packaged_path(name)
    if packaged.is_dir():
        return packaged
    checkout = _HERE.parents[1] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"pypage is incomplete: no '{name}' folder in {packaged} or {checkout}")
