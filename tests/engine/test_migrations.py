"""Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from engine.db import Base, make_engine
from engine.schema import MIGRATIONS, alembic_config, upgrade
from tests.conftest import POSTGRES_URL, reset_postgres


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    if not POSTGRES_URL:
        pytest.skip("REGLAMENT_TEST_POSTGRES_URL not set")
    engine = make_engine(POSTGRES_URL)
    reset_postgres(engine)
    engine.dispose()
    return POSTGRES_URL


def test_upgrade_matches_the_models(empty_url: str) -> None:
    engine = make_engine(empty_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_have_descriptive_names() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    for revision in scripts.walk_revisions():
        assert revision.doc and len(revision.doc.split()) >= 2
    files = sorted(path.name for path in (MIGRATIONS / "versions").glob("*.py"))
    assert files and all(len(name.split("_")) >= 3 for name in files)
