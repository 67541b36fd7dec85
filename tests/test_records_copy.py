"""The records of the plugin contract are named tuples now (they were frozen dataclasses):
what a plugin or a host could do with them before still works. A dataclass record pickled and
deep-copied; a record left with its default ``extra`` must too (multiprocessing, a runtime
that deep-copies its provider state)."""

from __future__ import annotations

import copy
import pickle

from openclaw_venice.catalog import load_bundle
from openclaw_venice.runtime.catalog import NOTHING, Catalog, ModelInfo


def test_a_record_with_its_default_extra_pickles_and_deep_copies() -> None:
    model = ModelInfo(id="m", name="M", provider="acme")
    catalog = Catalog("acme", "bundled", (model,))
    for record in (model, catalog):
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.deepcopy(record) == record
    assert pickle.loads(pickle.dumps(model)).extra is NOTHING


def test_the_bundled_catalog_pickles_and_deep_copies() -> None:
    bundled = load_bundle()
    assert pickle.loads(pickle.dumps(bundled)) == bundled
    assert copy.deepcopy(bundled) == bundled


def test_the_default_extra_is_empty_and_cannot_be_changed() -> None:
    model = ModelInfo(id="m", name="M", provider="acme")
    assert model.extra == {} and len(model.extra) == 0 and repr(model.extra) == "{}"
    assert "x" not in model.extra and model.extra.get("x") is None
    assert not hasattr(model.extra, "__setitem__")

