"""`simulate()` and `reglament simulate`: deterministic per seed, sensitive to the deadlines."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.cli import main
from engine.models import ProcessInstance
from engine.simulation import SimulationInputError, simulate
from engine.simulation.api import DEFAULT_START, version_bpmn
from engine.simulation.model import SIMULATION_DIR, STAFF_FILE, load_profile, load_staff
from engine.simulation.run import FINISHED, MEMORY_SAMPLE_EVERY, Simulation
from engine.simulation.stream import generate
from tests.conftest import PROCESSES

LIGHT = Path(__file__).parent / "light.yaml"
FIRST_SOURCE = {
    "perm": "vk",
    "chaykovsky": "official_page",
    "elets": "vk",
    "myasnikovsky": "vk",
    "palana": "vk",
}


def light_rate(tmp_path: Path, municipality: str) -> Path:
    """The light test stream, from a source the municipality takes."""
    path = tmp_path / f"light-{municipality}.yaml"
    source = FIRST_SOURCE[municipality]
    path.write_text(LIGHT.read_text(encoding="utf-8").replace("{vk: 1}", f"{{{source}: 1}}"))
    return path


def test_a_fixed_seed_reproduces_its_figures_exactly(tmp_path: Path) -> None:
    rate = light_rate(tmp_path, "perm")
    first = simulate("perm", PROCESSES, days=1, rate=rate, seed=5)
    again = simulate("perm", PROCESSES, days=1, rate=rate, seed=5)
    assert first == again
    assert first[0]["messages"] > 0 and first[0]["cases"] > 0
    assert first[0]["violations_by_clause"]["Итого"] is not None


def test_a_shorter_deadline_shows_more_violations_on_the_same_stream(tmp_path: Path) -> None:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES / "perm", processes / "perm")
    shorter = processes / "perm" / "v2"
    shutil.copytree(processes / "perm" / "v1", shorter)
    for name in ("perm.bpmn", "deadlines.yaml"):  # п. 3.2.1: 4 hours become 1 hour
        path = shorter / name
        path.write_text(path.read_text(encoding="utf-8").replace("4 часа", "1 час"))
    v1, v2 = simulate(
        "perm",
        processes,
        days=1,
        rate=light_rate(tmp_path, "perm"),
        seed=2,
        compare="v2",
        version="v1",
    )
    assert (v1["version"], v2["version"]) == ("v1", "v2")
    assert v1["messages"] == v2["messages"]
    clause = "Пермь, п. 3.2.1"
    assert v2["violations_by_clause"][clause] > v1["violations_by_clause"][clause]
    assert v2["violations_by_clause"]["Итого"] > v1["violations_by_clause"]["Итого"]


@pytest.mark.parametrize("municipality", sorted(FIRST_SOURCE))
def test_every_municipality_runs_on_its_own_defaults(tmp_path: Path, municipality: str) -> None:
    (run,) = simulate(municipality, PROCESSES, days=1, rate=light_rate(tmp_path, municipality))
    assert run["refused"] == 0 and run["failed_cases"] == 0
    assert run["cases"] > 0
    assert run["utilisation"] and all(0 <= v <= 1 for v in run["utilisation"].values())
    assert (PROCESSES / municipality / "simulation" / "staff.yaml").exists()


def test_a_stream_from_a_file(tmp_path: Path) -> None:
    stream = tmp_path / "stream.json"
    messages = [
        {"source": "vk", "text": "Яма во дворе", "received_at": f"2026-03-02T1{n}:00:00+05:00"}
        for n in range(3)
    ]
    stream.write_text(json.dumps(messages, ensure_ascii=False))
    (run,) = simulate("perm", PROCESSES, days=1, messages=stream)
    assert (run["messages"], run["cases"]) == (3, 3)


def test_bad_inputs_are_refused_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("per_day: -1\nsources: {vk: 1}\n")
    with pytest.raises(SimulationInputError, match="per_day: положительное число"):
        simulate("perm", PROCESSES, days=1, rate=bad)
    with pytest.raises(SimulationInputError, match="нет муниципалитета «atlantis»"):
        simulate("atlantis", PROCESSES, days=1)
    with pytest.raises(SimulationInputError, match="--days: от 1 до"):
        simulate("perm", PROCESSES, days=0)
    staff = tmp_path / "staff.yaml"
    staff.write_text("roles: {curator: 0}\n")
    with pytest.raises(SimulationInputError, match=r"roles\.curator: целое число людей"):
        simulate("perm", PROCESSES, days=1, staff=staff)


def test_the_command_writes_json_and_shows_progress(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    args = ["simulate", "-m", "perm", "--days", "1", "--seed", "1", "--json", str(out)]
    result = CliRunner().invoke(main, [*args, "--rate", str(light_rate(tmp_path, "perm"))])
    assert result.exit_code == 0, result.output
    assert "Нарушения по пунктам" in result.stdout
    assert "Моделирование" in result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["version"] == "v1" and "Пермь, п. 3.1" in data["violations_by_clause"]
    refused = CliRunner().invoke(main, ["simulate", "-m", "nowhere", "--days", "1"])
    assert refused.exit_code != 0 and "нет муниципалитета «nowhere»" in refused.output


def test_finished_cases_leave_memory(tmp_path: Path) -> None:
    """The simulator holds the workflow of each running case only, counted in its database."""
    start = datetime.combine(DEFAULT_START, time(0), tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    stream = generate(load_profile(light_rate(tmp_path, "perm")), start, 3, "Asia/Yekaterinburg", 2)
    staff = load_staff(PROCESSES / "perm" / SIMULATION_DIR / STAFF_FILE)
    run = Simulation(version_bpmn(PROCESSES, "perm", None), PROCESSES, staff, start, 3, 2)
    memory = run.run(stream).memory
    assert memory.released > 0  # cases did finish, so the check below means something
    assert memory.finished_holding == 0
    assert memory.workflows_at_end == memory.running_at_end
    assert memory.workflows_peak < memory.released + memory.workflows_at_end


def test_a_form_the_case_no_longer_allows_is_decided_again_not_a_crash(tmp_path: Path) -> None:
    """Slow executors who mostly promise a later answer: Perm 3.6 refuses a promise past the
    extended term; the simulated person decides again, or the refusal is reported."""
    staff = (PROCESSES / "perm" / SIMULATION_DIR / STAFF_FILE).read_text(encoding="utf-8")
    slow = staff.replace(
        "draft_feed: {median: 90, p90: 240}", "draft_feed: {median: 2400, p90: 4000}"
    )
    slow = slow.replace(
        "answer_kind: {final: 0.9, intermediate: 0.1}",
        "answer_kind: {final: 0.2, intermediate: 0.8}",
    )
    (tmp_path / "staff.yaml").write_text(slow, encoding="utf-8")
    start = datetime.combine(DEFAULT_START, time(0), tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    stream = generate(load_profile(light_rate(tmp_path, "perm")), start, 4, "Asia/Yekaterinburg", 3)
    model = load_staff(tmp_path / "staff.yaml")
    result = Simulation(version_bpmn(PROCESSES, "perm", None), PROCESSES, model, start, 4, 3).run(
        stream
    )
    late_promises = [line for line in result.refused if "п. 3.6" in line]
    assert late_promises, result.refused  # the case did refuse a choice, and the run went on
    assert result.messages == len(stream)


FIGURES = Path(__file__).parent / "figures.json"


@pytest.mark.parametrize("municipality", ["perm", "chaykovsky"])
def test_the_figures_of_a_fixed_run_stay_what_they_were(tmp_path: Path, municipality: str) -> None:
    """Two days of the light stream, seed 3, as the simulator computed them before it skipped
    the empty scheduler ticks and released finished cases by key (Chaykovsky declares duties, so
    its run still ticks at every event). A speed change must leave them exactly; a change of the
    engine's meaning updates figures.json on purpose."""
    (run,) = simulate(
        municipality, PROCESSES, days=2, rate=light_rate(tmp_path, municipality), seed=3
    )
    expected = json.loads(FIGURES.read_text(encoding="utf-8"))[municipality]
    assert json.loads(json.dumps(run, ensure_ascii=False)) == expected


def test_a_finished_case_leaves_memory_at_the_event_it_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After every event no finished case keeps its workflow, not only at the memory samples."""
    holding: list[int] = []
    release = Simulation.release_finished

    def checked(self: Simulation, final: bool = False) -> None:
        release(self, final)
        with self.engine.connect() as connection:
            stored = ProcessInstance.state != ""
            finished = ProcessInstance.status.in_(FINISHED)
            holding.append(connection.scalar(select(func.count()).where(stored, finished)) or 0)

    monkeypatch.setattr(Simulation, "release_finished", checked)
    start = datetime.combine(DEFAULT_START, time(0), tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    stream = generate(load_profile(light_rate(tmp_path, "perm")), start, 2, "Asia/Yekaterinburg", 4)
    staff = load_staff(PROCESSES / "perm" / SIMULATION_DIR / STAFF_FILE)
    run = Simulation(version_bpmn(PROCESSES, "perm", None), PROCESSES, staff, start, 2, 4)
    assert run.run(stream).memory.released > 0
    assert len(holding) > 2 * MEMORY_SAMPLE_EVERY and set(holding) == {0}
