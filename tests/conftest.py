"""Session-wide servers (real PostgreSQL and Redis), and for each test a database of its own.

Every database test runs twice, as test[sqlite] and test[postgresql], with the same code. The demo
database (migrated, catalog and population imported) is built once per backend as a template; each
test gets a copy of it (PostgreSQL's CREATE DATABASE ... TEMPLATE, a file copy for SQLite: about a
tenth of a second), so a test sees only the data it wrote and never counts rows before and after.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

os.environ.setdefault("ONEWINDOW_ENV", "test")

from backend.app import create_app
from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.importer import import_catalog
from backend.catalog.validate import read_catalog
from backend.db import migrate
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.identity import staff
from backend.kv import connect
from backend.settings import Environment, Settings
from standins.rsa_keys import POOL_VARIABLE
from standins.seed import seed_identity
from tests.support.gql import SUITE_COST_LIMITS
from tests.support.servers import PostgresServer, RedisServer

# Every app start reads the payment sandboxes' RSA keys from its new data folder: generate each key once for
# the run (the workers and the servers they start inherit the variable) instead of four per app.
if POOL_VARIABLE not in os.environ:
    os.environ[POOL_VARIABLE] = tempfile.mkdtemp(prefix="onewindow-rsa-pool-")
    atexit.register(shutil.rmtree, os.environ[POOL_VARIABLE], ignore_errors=True)

BACKENDS = ("sqlite", "postgresql")
_servers_used: dict[str, str] = {}
_counter = itertools.count(1)


# The secret of every test app: the seeded trust log is keyed with it, so the apps can verify it.
TEST_SECRET = "test-secret-shared-by-every-instance-0123456789"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session."""
    server = PostgresServer.start()
    _servers_used["postgresql"] = f"PostgreSQL {server.version} on 127.0.0.1:{server.port} (started by the tests)"
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Debian redis-server for the whole session."""
    server = RedisServer.start()
    _servers_used["redis"] = f"redis-server {server.version} on 127.0.0.1:{server.port} (started by the tests)"
    yield server
    server.stop()


class Databases:
    """Creates databases on one backend: empty ones, or copies of a template."""

    def __init__(self, backend: str, folder: Path, postgres: PostgresServer | None) -> None:
        self.backend = backend
        self.folder = folder
        self.postgres = postgres

    async def create(self, template: str | None = None) -> str:
        """The URL of a new database: empty, or a copy of `template` (which nobody may be connected to)."""
        number = next(_counter)
        if self.postgres is None:
            path = self.folder / f"db{number}.sqlite3"
            if template is not None:
                shutil.copyfile(template.removeprefix("sqlite+aiosqlite:///"), path)
            return f"sqlite+aiosqlite:///{path}"
        admin = create_engine(self.postgres.admin_url, isolation_level="AUTOCOMMIT")
        copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "test{number}"{copy}'))
        await admin.dispose()
        return self.postgres.url(f"test{number}")


@pytest.fixture(scope="session", params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Databases:
    """The database backend under test (each test using it runs on both)."""
    backend: str = request.param
    if backend == "sqlite":
        import sqlite3

        _servers_used["sqlite"] = f"SQLite {sqlite3.sqlite_version} (aiosqlite, files in a temp folder)"
        return Databases(backend, tmp_path_factory.mktemp("sqlite"), None)
    return Databases(backend, tmp_path_factory.mktemp("pg"), request.getfixturevalue("postgres_server"))


async def migrated(url: str) -> None:
    """Bring a database to the newest migration."""
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()


# argon2id at its lightest (one pass over 1 MiB, one lane) for the demo accounts of the tests' databases:
# the default (three passes over 64 MiB) costs 0.1 to 0.5 s of CPU per hash and per login on this machine,
# and the demo seeds 43 accounts into every worker's two templates and tests log staff in hundreds of
# times. A hash carries its parameters, so the app's own hasher verifies these as it verifies any other.
LIGHT_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


async def import_demo(url: str, secret: str = TEST_SECRET, *, light_passwords: bool = False) -> None:
    """Import the bundled demo catalog, then the demo population and accounts (the benchmarks too);
    `light_passwords`: the accounts' passwords hashed with LIGHT_HASHER (tests, not benchmarks)."""
    catalog, problems = read_catalog(DEMO_CATALOG_DIR)
    assert catalog is not None and not problems
    engine = create_engine(url)
    async with session_factory(engine)() as session, unit_of_work(session):
        await import_catalog(session, catalog, source="demo")
    with pytest.MonkeyPatch.context() as patch:
        if light_passwords:
            patch.setattr(staff, "_hasher", LIGHT_HASHER)
        async with session_factory(engine)() as session, unit_of_work(session):
            await seed_identity(session, master_secret=secret.encode())
    await engine.dispose()


@pytest_asyncio.fixture(scope="session")
async def demo_template(databases: Databases) -> str:
    """The demo database every test copies: migrated, catalog and population imported. Never
    connected to after it is built (a PostgreSQL template must have no connections)."""
    url = await databases.create()
    await migrated(url)
    await import_demo(url, light_passwords=True)
    return url


@pytest_asyncio.fixture
async def catalog_database(databases: Databases, demo_template: str) -> str:
    """This test's own copy of the demo database: write to it freely."""
    return await databases.create(demo_template)


@pytest_asyncio.fixture
async def empty_database(databases: Databases) -> str:
    """A new migrated database with nothing in it."""
    url = await databases.create()
    await migrated(url)
    return url


def make_settings(database_url: str, redis_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Test settings pointing at the given servers."""
    return Settings(
        env=Environment.TEST,
        database_url=database_url,
        redis_url=redis_url,
        data_dir=str(data_dir),
        log_level="warning",
        secret_key=TEST_SECRET,
        **(SUITE_COST_LIMITS | overrides),
    )


@pytest_asyncio.fixture
async def fresh_redis(redis_server: RedisServer) -> AsyncIterator[Any]:
    """A client of the tests' Redis, emptied first (rate limits, codes and sessions of earlier tests gone).

    The app runs on the test client's own event loop, so tests use their own connections.
    """
    client = connect(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def api(
    catalog_database: str, fresh_redis: Any, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The real app (lifespan and all) on this test's own database and an emptied Redis."""
    settings = make_settings(catalog_database, redis_server.url, tmp_path / "data")
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


@pytest_asyncio.fixture
async def db(catalog_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on this test's database for the test's own reads and set-up (not the app's engine)."""
    engine = create_engine(catalog_database)
    yield session_factory(engine)
    await engine.dispose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A test worker (pytest-xdist) hands the servers it used to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["servers_used"] = dict(_servers_used)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller's side of pytest_sessionfinish (each worker starts servers of its own)."""
    _servers_used.update(getattr(node, "workeroutput", {}).get("servers_used", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which real servers the integration tests ran against."""
    if _servers_used:
        terminalreporter.section("backends the tests ran against")
        for line in _servers_used.values():
            terminalreporter.write_line(line)
