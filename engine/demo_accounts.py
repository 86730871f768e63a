"""Demo staff: for every municipality, one user per role and an executor per department."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import ROLES, create_user
from engine.models import User
from engine.municipalities import Department, load_municipality
from engine.passwords import hash_password

DEMO_PASSWORD = "reglament"
EXECUTORS_PER_MUNICIPALITY = 3
# Used where municipality.yaml lists no departments (the example).
DEFAULT_DEPARTMENTS = (
    Department("housing", "Отдел ЖКХ"),
    Department("roads", "Отдел дорог и благоустройства"),
    Department("transport", "Отдел транспорта"),
)


@dataclass(frozen=True)
class DemoUser:
    """A demo account as the README lists it."""

    login: str
    full_name: str
    roles: tuple[str, ...]
    municipality: str
    department: str | None = None


def municipalities(processes_dir: Path) -> list[str]:
    """Every municipality folder with settings, by name."""
    return sorted(path.parent.name for path in Path(processes_dir).glob("*/municipality.yaml"))


def departments_of(municipality: str, processes_dir: Path) -> tuple[Department, ...]:
    """The municipality's departments, or the default three."""
    return load_municipality(municipality, processes_dir).departments or DEFAULT_DEPARTMENTS


def demo_users(municipality: str, processes_dir: Path) -> list[DemoUser]:
    """The demo accounts of one municipality."""
    m = municipality
    users = [
        DemoUser(f"{m}.curator", "Куратор (демо)", ("curator",), m),
        DemoUser(f"{m}.approver", "Согласующий (демо)", ("approver",), m),
        DemoUser(f"{m}.head", "Руководитель (демо)", ("head",), m),
        DemoUser(f"{m}.admin", "Администратор (демо)", ("administrator",), m),
    ]
    settings = load_municipality(m, processes_dir)
    for role in settings.roles.roles.values():
        if role.id not in ROLES:  # the municipality's own roles (municipality.yaml)
            name = f"{role.name[:1].upper()}{role.name[1:]} (демо)"
            bound = role.sees == "department"
            unit = departments_of(m, processes_dir)[0].id if bound else None
            users.append(DemoUser(f"{m}.{role.id}", name, (role.id,), m, unit))
    for number, department in enumerate(
        departments_of(m, processes_dir)[:EXECUTORS_PER_MUNICIPALITY], 1
    ):
        login = f"{m}.executor" if number == 1 else f"{m}.executor{number}"
        name = f"Исполнитель: {department.name} (демо)"
        users.append(DemoUser(login, name, ("executor",), m, department.id))
    return users


def seed_users(sessions: sessionmaker[Session], processes_dir: Path) -> list[DemoUser]:
    """Create the demo accounts that do not exist yet; returns every demo account."""
    everyone = [
        user for m in municipalities(processes_dir) for user in demo_users(m, processes_dir)
    ]
    shared_hash = hash_password(DEMO_PASSWORD)  # one known password: one hash, not forty
    with sessions.begin() as session:
        existing = set(session.scalars(select(User.login)))
        roles = {
            m: load_municipality(m, processes_dir).roles for m in municipalities(processes_dir)
        }
        for user in everyone:
            if user.login not in existing:
                create_user(
                    session,
                    login=user.login,
                    password=DEMO_PASSWORD,
                    full_name=user.full_name,
                    roles=list(user.roles),
                    municipality=user.municipality,
                    department=user.department,
                    password_hash=shared_hash,
                    known_roles=roles[user.municipality],
                )
    return everyone
