"""A warm start opens the cached store from the files' hash, without parsing; any change
to a file, an import or the checks' cache sends it back to a full load and check."""

from __future__ import annotations

import shutil
from pathlib import Path

from glocal.data.files import DataFiles
from tests.data.test_import import GOOD


def test_warm_start_opens_the_checked_store_of_the_same_files(tmp_path: Path) -> None:
    files = DataFiles(tmp_path / "imports", cache_dir=tmp_path / "cache", workers=1)
    assert files.warm_store() is None  # nothing built or checked yet
    cold = files.open_store()
    cold.close()
    warm = files.warm_store()
    assert warm is not None
    assert warm.version == cold.version == files.load().version
    assert len(warm) == len(cold)
    warm.close()


def test_an_import_changes_the_version_and_is_checked_first(tmp_path: Path) -> None:
    files = DataFiles(tmp_path / "imports", cache_dir=tmp_path / "cache", workers=1)
    files.open_store().close()
    before = files.load().version
    files.import_memberships(GOOD.encode(), file_name="members.csv")
    # The import's check is recorded, but its store is not built yet.
    assert files.warm_store() is None
    store = files.open_store()
    assert store.version != before and store.version == files.load().version
    store.close()
    warm = files.warm_store()
    assert warm is not None and warm.version == store.version
    warm.close()


def test_without_the_validation_cache_the_data_is_checked_again(tmp_path: Path) -> None:
    files = DataFiles(tmp_path / "imports", cache_dir=tmp_path / "cache", workers=1)
    files.open_store().close()
    shutil.rmtree(tmp_path / "cache" / "validation")
    assert files.warm_store() is None
    files.open_store().close()
    assert files.warm_store() is not None
