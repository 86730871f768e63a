"""Pruning the task tree before a save: rework loops leave a case's state flat (issue 16)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.task import Task
from sqlalchemy.orm import Session, sessionmaker

import engine.bpmn.pruning as pruning
import engine.instances
from engine.bpmn.pruning import prune_workflow
from engine.bpmn.serialization import dump_state, load_state
from engine.instances import complete_task, read_workflow
from engine.models import ProcessInstance
from engine.runtime import Runtime
from engine.scenarios import run_file
from engine.statuses import InstanceStatus
from engine.timers import all_tasks
from tests.conftest import PROCESSES, ROOT
from tests.engine.helpers import deploy_example, open_tasks, send

ACTOR = "test"
STEP = timedelta(minutes=1)
FORMS: dict[str, dict[str, Any]] = {
    "screen": {"screen_decision": "process"},
    "route": {"departments": ["housing", "roads"]},
    "draft_answer": {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен."},
    "review": {"review_decision": "approve"},
    "publish": {"published_url": "https://vk.com/wall-1_100?reply=7"},
}
REWORK = {"review_decision": "rework", "rework_reasons": ["formal"]}
PARALLEL_LOOP = ROOT / "tests" / "fixtures" / "pruning" / "parallel_loop.bpmn"


def _complete_all(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    instance_id: int,
    element: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Complete every open task of `element` in the case, each in its own transaction."""
    for row in open_tasks(sessions, instance_id):
        if row.element_id == element:
            runtime.clock.advance(STEP)  # type: ignore[attr-defined]
            with sessions.begin() as session:
                complete_task(session, runtime, row.task_id, data or FORMS[element], ACTOR)


def _case_at_review(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    deploy_example(sessions, runtime)
    instance_id = send(sessions, runtime).result.instance.id
    for element in ("screen", "route", "draft_answer"):
        _complete_all(sessions, runtime, instance_id, element)
    return instance_id


def _rework(
    sessions: sessionmaker[Session], runtime: Runtime, instance_id: int, loops: int
) -> None:
    for _ in range(loops):
        _complete_all(sessions, runtime, instance_id, "review", REWORK)
        _complete_all(sessions, runtime, instance_id, "draft_answer")


def _state(sessions: sessionmaker[Session], instance_id: int) -> tuple[int, int]:
    """Bytes of the stored state and its number of tasks."""
    with sessions() as session:
        state = session.get_one(ProcessInstance, instance_id).state
    return len(state.encode()), len(json.loads(state)["tasks"])


def _workflow(sessions: sessionmaker[Session], runtime: Runtime, instance_id: int) -> BpmnWorkflow:
    with sessions() as session:
        return read_workflow(session, runtime, instance_id)


def test_state_stays_flat_over_rework_loops_and_the_case_completes(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    instance_id = _case_at_review(sessions, runtime)
    _rework(sessions, runtime, instance_id, 1)
    after_one = _state(sessions, instance_id)
    _rework(sessions, runtime, instance_id, 19)
    after_twenty = _state(sessions, instance_id)
    # Unpruned, each loop adds 11 tasks and about 5.6 KB.
    assert after_twenty[1] == after_one[1]
    assert after_twenty[0] <= after_one[0] * 1.05
    for element in ("review", "publish"):
        _complete_all(sessions, runtime, instance_id, element)
    with sessions() as session:
        assert session.get_one(ProcessInstance, instance_id).status is InstanceStatus.COMPLETED


def test_a_case_without_loops_keeps_every_task(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    instance_id = _case_at_review(sessions, runtime)
    workflow = _workflow(sessions, runtime, instance_id)
    before = {task.id for task in all_tasks(workflow)}
    prune_workflow(workflow)
    assert {task.id for task in all_tasks(workflow)} == before


@pytest.fixture
def unpruned(
    sessions: sessionmaker[Session], runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> BpmnWorkflow:
    """A case after three rework loops saved without pruning, as SpiffWorkflow grows it."""
    monkeypatch.setattr(engine.instances, "prune_workflow", lambda workflow: None)
    instance_id = _case_at_review(sessions, runtime)
    _rework(sessions, runtime, instance_id, 3)
    return _workflow(sessions, runtime, instance_id)


def _ancestors(task: Task) -> list[Task]:
    found = []
    node = task.parent
    while node is not None:
        found.append(node)
        node = node.parent
    return found


def _nearest(task: Task, ancestor: Task) -> Task | None:
    return task.find_ancestor(ancestor.task_spec.name)


def _completed_elements(tasks: Iterable[Task]) -> set[str]:
    return {task.task_spec.name for task in tasks if task.has_state(TaskState.COMPLETED)}


def test_pruning_keeps_what_spiffworkflow_and_the_engine_read(unpruned: BpmnWorkflow) -> None:
    workflow = unpruned
    tasks = {task.id: task for task in all_tasks(workflow)}
    ancestry = {task.id: {a.id for a in _ancestors(task)} for task in tasks.values()}
    unfinished = [task for task in tasks.values() if not task.has_state(TaskState.FINISHED_MASK)]
    nearest = {
        task.id: {
            spec: task.find_ancestor(spec) for spec in {a.task_spec.name for a in _ancestors(task)}
        }
        for task in unfinished
    }
    near = {task.id: [a.id for a in _ancestors(task)[: pruning.NEAR]] for task in unfinished}
    siblings = {
        a.id: [child.id for child in a.children]
        for task in unfinished
        for a in _ancestors(task)[: pruning.NEAR]
    }
    completed = {t.task_spec.name for t in tasks.values() if t.has_state(TaskState.COMPLETED)}
    specs = {t.task_spec.name for t in tasks.values()}

    prune_workflow(workflow)

    kept = {task.id: task for task in all_tasks(workflow)}
    assert len(kept) < len(tasks)
    assert {task.id for task in unfinished} <= set(kept)
    # Among the tasks kept, ancestors stay ancestors and no other task becomes one.
    for task in kept.values():
        assert {a.id for a in _ancestors(task)} == ancestry[task.id] & set(kept)
    for task in unfinished:
        for spec, ancestor in nearest[task.id].items():
            assert task.find_ancestor(spec) is ancestor
        assert [a.id for a in _ancestors(task)[: pruning.NEAR]] == near[task.id]
    for parent_id, children in siblings.items():
        assert [child.id for child in kept[parent_id].children] == children
    assert {
        t.task_spec.name for t in kept.values() if t.has_state(TaskState.COMPLETED)
    } == completed
    assert {t.task_spec.name for t in kept.values()} == specs
    assert workflow.last_task is not None and workflow.last_task.id in kept
    json.loads(dump_state(workflow))  # the serializer finds every task it links


def test_finished_tasks_no_step_reads_keep_no_data_of_their_own(unpruned: BpmnWorkflow) -> None:
    workflow = unpruned
    for task in all_tasks(workflow):
        task.data = {"marker": str(task.id)}

    prune_workflow(workflow)

    kept = list(all_tasks(workflow))
    for task in kept:
        if not task.has_state(TaskState.FINISHED_MASK) and task.parent is not None:
            assert task.parent.data, "a step inherits its parent's data when it runs"
    assert workflow.last_task is not None and workflow.last_task.data
    newest: dict[str, Task] = {}
    for task in kept:
        if task.has_state(TaskState.COMPLETED):
            name = task.task_spec.name
            if name not in newest or task.last_state_change >= newest[name].last_state_change:
                newest[name] = task
    assert all(task.data for task in newest.values()), "scenarios read each element's newest"
    # The others take their parent's data: stored as a difference from it, they store nothing.
    dropped = [task for task in kept if task.data.get("marker") != str(task.id)]
    assert dropped
    for task in dropped:
        assert task.parent is not None and task.data == task.parent.data
        assert task.has_state(TaskState.FINISHED_MASK)
        assert all(child.has_state(TaskState.FINISHED_MASK) for child in task.children)
    stored = json.loads(dump_state(workflow))["tasks"]
    assert all(
        stored[str(task.id)]["delta"] == {"updates": {}, "deletions": []} for task in dropped
    )


def _perm_with_reworks(folder: Path, reworks: int) -> Path:
    """Perm's version in `folder`, with a scenario returning the department's answer again."""
    shutil.copytree(PROCESSES / "perm", folder / "perm")
    source = folder / "perm" / "v1" / "admin_page_pre_holiday_rework.scenario.yaml"
    scenario = yaml.safe_load(source.read_text(encoding="utf-8"))
    steps = scenario["steps"]
    first_rework = next(
        i for i, step in enumerate(steps) if step.get("data", {}).get("review_decision") == "rework"
    )
    reworked = next(i for i, step in enumerate(steps) if step.get("complete") == "rework_answer")
    head, loop = steps[:first_rework], steps[first_rework : reworked + 1]
    moments = [datetime.fromisoformat(str(step["at"])) for step in loop if "at" in step]
    span = max(moments) - min(moments) + timedelta(minutes=10)
    loops = []
    for number in range(reworks):  # each pass as the original one, one after another
        for step in loop:
            if "complete" in step:
                at = datetime.fromisoformat(str(step["at"])) + span * number
                loops.append({**step, "at": at.isoformat()})
    approve = {"complete": "review_answer", "data": {"review_decision": "approve"}}
    publish = {
        "complete": "publish",
        "data": {"published_url": "https://vk.com/wall-2_500?reply=3"},
    }
    scenario["steps"] = [*head, *loops, approve, publish, {"expect_completed": True}]
    scenario["name"] = f"the department's answer returned {reworks} times"
    target = source.with_name("reworked_again.scenario.yaml")
    target.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    return target


def test_a_perm_case_reworked_inside_its_department_subprocess_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    removed: list[int] = []
    remove = pruning._remove

    def counting(tasks: dict[UUID, Task], order: list[Task], gone: set[UUID]) -> None:
        removed.extend(len(gone) for task in order[:1] if task.workflow.parent_task_id)
        remove(tasks, order, gone)

    monkeypatch.setattr(pruning, "_remove", counting)
    result = run_file(_perm_with_reworks(tmp_path, 3), tmp_path)
    assert result.failure is None, result.failure
    assert sum(removed) > 0  # earlier passes went from the department's subprocess


def _parallel_loop(prune: bool) -> tuple[list[tuple[str, ...]], list[int], dict[str, Any]]:
    """Run PARALLEL_LOOP through a stored state after every step: ready steps, tasks, data."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(PARALLEL_LOOP))
    spec = parser.get_spec("p")
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    ready_steps, sizes, loops = [], [], 0
    while not workflow.is_completed():
        ready = sorted(workflow.get_tasks(state=TaskState.READY), key=lambda t: t.task_spec.name)
        ready_steps.append(tuple(task.task_spec.name for task in ready))
        task = ready[-1]  # b before a: the join waits for a after b arrived
        loops += task.task_spec.name == "a"
        task.data.update({"loops": loops, f"{task.task_spec.name}_{loops}": True})
        task.run()
        workflow.do_engine_steps()
        if prune:
            prune_workflow(workflow)
        workflow = load_state(dump_state(workflow), spec, {}, workflow.script_engine)
        sizes.append(len(workflow.tasks))
    return ready_steps, sizes, workflow.data


def test_a_parallel_join_in_a_loop_runs_as_without_pruning_in_a_flat_tree() -> None:
    ready_steps, sizes, data = _parallel_loop(prune=False)
    pruned_steps, pruned_sizes, pruned_data = _parallel_loop(prune=True)
    assert pruned_steps == ready_steps
    assert pruned_data == data  # what the join merged from both branches, every loop
    assert sizes[-2] > 3 * sizes[2]  # unpruned, the tree grows by a pass a loop
    assert max(pruned_sizes[2:]) <= pruned_sizes[2] + 1  # kept tasks of a pass go later, too
