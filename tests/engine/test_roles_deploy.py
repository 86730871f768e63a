"""Deploy checks of roles, lanes, departments, municipality.yaml: in Russian, naming elements."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from engine.cli import main
from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.runtime import Runtime
from engine.selftest import deploy_version
from engine.versions import DeployError, clear_cache, deploy_file
from engine.worktime.loader import clear_cache as clear_calendars
from tests.conftest import EXAMPLE_BPMN, PROCESSES, ROOT, copy_example_version
from tests.engine.helpers import only_task, open_tasks, send

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def town(tmp_path: Path) -> Path:
    """A processes folder with one municipality, `town`: the example's settings and version."""
    folder = tmp_path / "processes" / "town"
    (folder / "v1").mkdir(parents=True)
    settings = (PROCESSES / "example" / "municipality.yaml").read_text(encoding="utf-8")
    (folder / "municipality.yaml").write_text(
        settings.replace("name: example", "name: town"), encoding="utf-8"
    )
    copy_example_version(folder / "v1")
    for scenario in EXAMPLE_BPMN.parent.glob("main_path.scenario.yaml"):
        shutil.copy(scenario, folder / "v1")
    clear_calendars()
    clear_cache()
    return folder


def _runtime(clock: VirtualClock, town: Path) -> Runtime:
    return Runtime(clock=clock, processes_dir=town.parent)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, town: Path) -> None:
    with sessions.begin() as session:
        deploy_file(session, runtime, town / "v1" / "example.bpmn", "admin")


def test_a_lane_no_role_acts_in_is_refused_until_the_municipality_declares_it(
    sessions: sessionmaker[Session], clock: VirtualClock, town: Path
) -> None:
    bpmn = town / "v1" / "example.bpmn"
    _edit(
        bpmn,
        '<bpmn:lane id="executor" name="Исполнитель">',
        '<bpmn:lane id="clerks" name="Делопроизводство">',
    )
    runtime = _runtime(clock, town)
    with pytest.raises(DeployError) as refused:
        _deploy(sessions, runtime, town)
    message = str(refused.value)
    assert "дорожка «Делопроизводство» (clerks) не закреплена ни за одной ролью" in message
    assert "municipality.yaml (roles, lanes)" in message and refused.value.element_id == "clerks"
    with (town / "municipality.yaml").open("a", encoding="utf-8") as settings:
        settings.write(
            "\nroles:\n"
            "  - {id: clerk, name: делопроизводитель, lanes: [clerks], sees: department}\n"
        )
    _deploy(sessions, runtime, town)


def test_a_staff_step_outside_every_lane_is_refused(
    sessions: sessionmaker[Session], clock: VirtualClock, town: Path
) -> None:
    _edit(town / "v1" / "example.bpmn", "<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")
    with pytest.raises(DeployError) as refused:
        _deploy(sessions, _runtime(clock, town), town)
    assert "шаг сотрудника «Проверить ответ» (review) не лежит ни в одной дорожке" in str(
        refused.value
    )


def test_a_deadline_notice_names_a_role_of_the_municipality(
    sessions: sessionmaker[Session], clock: VirtualClock, town: Path
) -> None:
    _edit(town / "v1" / "deadlines.yaml", "notify: [head]", "notify: [deputy_head]")
    runtime = _runtime(clock, town)
    with pytest.raises(DeployError, match="уведомление неизвестной роли «deputy_head»"):
        _deploy(sessions, runtime, town)
    with (town / "municipality.yaml").open("a", encoding="utf-8") as settings:
        settings.write("\nroles:\n  - {id: deputy_head, name: заместитель главы}\n")
    _deploy(sessions, runtime, town)


def test_a_department_picker_needs_the_municipalitys_list(
    sessions: sessionmaker[Session], clock: VirtualClock, town: Path
) -> None:
    settings = town / "municipality.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text[: text.index("departments:")], encoding="utf-8")
    with pytest.raises(DeployError) as refused:
        _deploy(sessions, _runtime(clock, town), town)
    assert "форма «route» (Направление исполнителям), поле «departments»" in str(refused.value)
    assert "нет списка departments" in str(refused.value)


def test_a_tasks_department_is_picked_from_the_list_not_typed(
    sessions: sessionmaker[Session], clock: VirtualClock, town: Path
) -> None:
    _edit(
        town / "v1" / "forms.yaml",
        "    fields:\n",
        "    fields:\n      - {name: department, kind: text, label: Подразделение}\n",
    )
    with pytest.raises(DeployError) as refused:
        _deploy(sessions, _runtime(clock, town), town)
    assert "поле «department» (Подразделение): по нему задача получает подразделение" in str(
        refused.value
    )
    assert "вид поля — text" in str(refused.value)


def test_a_broken_municipality_file_is_refused_at_deploy_and_at_redeploy(
    sessions: sessionmaker[Session], clock: VirtualClock, town: Path
) -> None:
    runtime = _runtime(clock, town)
    _deploy(sessions, runtime, town)
    _edit(town / "municipality.yaml", "title:", "titel:")
    clear_calendars()
    with pytest.raises(DeployError) as unchanged:
        _deploy(sessions, runtime, town)  # the same version: nothing to store, yet re-checked
    assert "municipality.yaml" in str(unchanged.value)
    assert "title: обязательный ключ отсутствует" in str(unchanged.value)
    assert "titel: неизвестный ключ" in str(unchanged.value)
    with sessions.begin() as session, pytest.raises(DeployError, match="titel: неизвестный"):
        deploy_version(
            session, runtime, town / "v1" / "example.bpmn", "admin", untested_because=None
        )


def test_the_cli_refuses_a_broken_file_with_the_key_not_a_traceback(
    tmp_path: Path, town: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(town.parent))
    _edit(town / "municipality.yaml", "- {id: roads, name:", "- {id: roads, nam:")
    result = CliRunner().invoke(main, ["deploy", str(town / "v1" / "example.bpmn")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "refused: municipality.yaml:" in result.output
    assert "departments[" in result.output and "nam: неизвестный ключ" in result.output


def test_user_add_takes_the_municipalitys_own_roles_and_departments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'users.sqlite3'}")
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(FIXTURES))
    runner = CliRunner()
    add = ["user", "add", "--password-stdin", "--name", "Ольга Заместитель"]
    town = ["--municipality", "zarechny"]
    added = runner.invoke(
        main, [*add, "deputy", "--role", "deputy_head", *town], input="long-password\n"
    )
    assert added.exit_code == 0, added.output
    assert "user deputy added (deputy_head, zarechny)" in added.output
    unknown = runner.invoke(
        main, [*add, "other", "--role", "press", *town], input="long-password\n"
    )
    assert unknown.exit_code == 1 and "deputy_head (заместитель главы)" in unknown.output
    nowhere = runner.invoke(
        main,
        [*add, "roads", "--role", "executor", "--department", "parks", *town],
        input="long-password\n",
    )
    assert nowhere.exit_code == 1 and "Нет такого подразделения: parks" in nowhere.output
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(PROCESSES))
    elsewhere = runner.invoke(
        main,
        [*add, "perm_deputy", "--role", "deputy_head", "--municipality", "perm"],
        input="long-password\n",
    )
    assert elsewhere.exit_code == 1 and "неизвестные: deputy_head" in elsewhere.output


def test_a_multi_instance_item_may_be_named_apart_from_a_lane_called_department(
    sessions: sessionmaker[Session], clock: VirtualClock, town: Path
) -> None:
    # Myasnikovsky's clash: the отдел's lane id is `department`, and ids are unique in a file, so
    # the per-department item takes another name and the step says where its department is.
    bpmn = town / "v1" / "example.bpmn"
    _edit(
        bpmn,
        '<bpmn:lane id="executor" name="Исполнитель">',
        '<bpmn:lane id="department" name="Исполнитель">',
    )
    _edit(
        bpmn,
        '<bpmn:inputDataItem id="department" name="department" />',
        '<bpmn:inputDataItem id="unit" name="unit" />',
    )
    _edit(
        bpmn,
        '<spiffworkflow:property name="form" value="draft_answer" />',
        '<spiffworkflow:property name="form" value="draft_answer" />\n'
        '          <spiffworkflow:property name="department_field" value="unit" />',
    )
    with (town / "municipality.yaml").open("a", encoding="utf-8") as settings:
        settings.write("\nroles:\n  - {id: executor, lanes: [department]}\n")
    runtime = _runtime(clock, town)
    _deploy(sessions, runtime, town)
    case = send(sessions, runtime, municipality="town").result.instance.id
    for data in ({"screen_decision": "process"}, {"departments": ["housing", "roads"]}):
        with sessions.begin() as session:
            complete_task(session, runtime, only_task(sessions, case).task_id, data, "curator")
    drafts = open_tasks(sessions, case)
    assert [(task.element_id, task.role, task.department) for task in drafts] == [
        ("draft_answer", "department", "housing"),
        ("draft_answer", "department", "roads"),
    ]
