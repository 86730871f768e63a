"""Pruning a case's task tree before its state is saved, so rework loops do not make it grow.

SpiffWorkflow keeps every task it ever created: a rework loop re-enters an earlier element, so
the tasks of each earlier pass stay in the tree as ancestors of the live ones. Here the tasks of
earlier passes that nothing can read again are removed, and the finished tasks left whose data no
step can read again keep no data of their own (what a step's form produced is in the audit log).

An *earlier pass* is found in the tree itself: when a task's element recurs among its
descendants (task A, then later task B of the same element below it), everything under A that is
not under B belongs to a pass that ended (B must have run or be ready: a predicted recurrence
ends no pass). Only those tasks may go, so a case that never loops keeps every task. Of them,
these are always kept (docs/engine.md, «Rework loops»):

- the root, the workflow's last task, every unfinished task and the tasks owning a subprocess;
- around every unfinished task: its `NEAR` nearest ancestors and all their children (boundary
  events are siblings of their activity; the engine's deadline lookup climbs three levels), and
  the nearest ancestor of every element on its path (SpiffWorkflow's `find_ancestor`, used by the
  boundary-event and structured joins, finds the nearest ancestor of an element);
- the newest task of every element and the newest completed one (the case card's diagram marks,
  scenarios' completed elements and `data_at`, version migration's list of elements passed);
- the parent of every kept join task (SpiffWorkflow's joins read their inputs' state and data).

A task of an earlier pass kept for one of these reasons is marked (`EARLIER` in its internal
data), so that it goes once the reason does, though it no longer sits under its pass's first task.

A removed task's children are re-parented to its nearest kept ancestor, so among the tasks kept
every ancestor stays an ancestor and no other task becomes one (SpiffWorkflow's parallel joins
tell loop iterations apart by `is_descendant_of`).
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.workflow import Workflow

NEAR = 4  # ancestors kept intact above an unfinished task (the deadline lookup climbs three)
EARLIER = "reglament_earlier_pass"  # internal data of a task of an earlier pass that was kept
_FINISHED = TaskState.FINISHED_MASK
_COMPLETED = TaskState.COMPLETED
_NOT_RUN = TaskState.PREDICTED_MASK | TaskState.FUTURE  # a recurrence only predicted: no pass ended


def prune_workflow(workflow: BpmnWorkflow) -> None:
    """Remove the tasks of earlier rework passes and the data no open or future step reads."""
    owners = set(workflow.subprocesses)
    for owner in (workflow, *workflow.subprocesses.values()):
        _prune(owner, owners)


def _prune(owner: Workflow, subprocess_owners: set[UUID]) -> None:
    root = owner.task_tree
    if root is None:
        return
    tasks: dict[UUID, Task] = owner.tasks
    # Raw ids (`_parent`, `_children`) rather than the `parent`/`children` properties: this runs
    # on every save, and the properties look every task up again.
    order, recurrences = _walk(root, tasks)
    earlier = {task.id for task in order if EARLIER in task.internal_data}
    for top, again in recurrences:
        earlier |= _between(tasks, top, again)
    if earlier:
        kept = _kept(tasks, order, subprocess_owners, owner.last_task)
        removed = earlier - kept
        for task_id in earlier & kept:
            # Kept for now (the newest of its element, say), it leaves its pass's subtree once
            # the pass's other tasks go: the mark lets a later save still find it.
            tasks[task_id].internal_data[EARLIER] = True
        if removed:
            _remove(tasks, order, removed)
            order = [task for task in order if task.id not in removed]
    _drop_data(tasks, order, owner.last_task)


def _walk(root: Task, tasks: dict[UUID, Task]) -> tuple[list[Task], list[tuple[Task, Task]]]:
    """The tree in preorder, and each task whose element recurs with that recurrence below it.

    Only the nearest earlier task of the element on the path is paired with a recurrence (the
    passes between consecutive recurrences cover the rest), and only a recurrence that ran or
    is about to run: a predicted one ends no pass.
    """
    order: list[Task] = []
    recurrences: list[tuple[Task, Task]] = []
    on_path: dict[str, list[Task]] = {}
    stack: list[tuple[Task, bool]] = [(root, True)]
    while stack:  # iterative: a tree of an unpruned case can be hundreds of tasks deep
        task, entering = stack.pop()
        name = task.task_spec.name
        if not entering:
            on_path[name].pop()
            continue
        order.append(task)
        same = on_path.setdefault(name, [])
        if same and not task._state & _NOT_RUN:
            recurrences.append((same[-1], task))
        same.append(task)
        stack.append((task, False))
        stack.extend((tasks[child], True) for child in reversed(task._children))
    return order, recurrences


def _subtree(tasks: dict[UUID, Task], top: Task) -> Iterator[UUID]:
    stack = [top.id]
    while stack:
        task_id = stack.pop()
        yield task_id
        stack.extend(tasks[task_id]._children)


def _between(tasks: dict[UUID, Task], top: Task, again: Task) -> set[UUID]:
    """Tasks under `top` (itself included) that are not under `again`, its element's recurrence."""
    path: list[UUID] = []
    node_id = again._parent
    while node_id is not None and node_id != top.id:
        path.append(node_id)
        node_id = tasks[node_id]._parent
    path.append(top.id)
    found = set(path)
    skip = found | {again.id}
    for task_id in path:
        for child in tasks[task_id]._children:
            if child not in skip:
                found.update(_subtree(tasks, tasks[child]))
    return found


def _kept(
    tasks: dict[UUID, Task],
    order: list[Task],
    subprocess_owners: set[UUID],
    last_task: Task | None,
) -> set[UUID]:
    """Ids of the tasks that stay whatever pass they belong to (see the module's docstring)."""
    kept = {order[0].id} | (subprocess_owners & tasks.keys())
    if last_task is not None:
        kept.add(last_task.id)
    for task in order:
        # Under an unfinished parent a task's near ancestors and the nearest ancestor of each
        # element are its parent's, or its parent: only the topmost unfinished tasks are walked.
        if not task._state & _FINISHED:
            parent = tasks.get(task._parent) if task._parent is not None else None
            if parent is None or parent._state & _FINISHED:
                kept |= _around(tasks, task)
            else:
                kept.add(task.id)
                kept.update(task._children)
    kept |= _newest_of_each_element(order)
    for task in order:  # the joins' inputs
        if task.id in kept and isinstance(task.task_spec, Join) and task._parent is not None:
            kept.add(task._parent)
    return kept


def _around(tasks: dict[UUID, Task], task: Task) -> set[UUID]:
    """An unfinished task, its children, its near ancestors with their children, and the
    nearest ancestor of every element on its path."""
    found = {task.id, *task._children}
    seen_specs: set[str] = set()
    node_id, depth = task._parent, 0
    while node_id is not None and node_id in tasks:
        node = tasks[node_id]
        depth += 1
        if depth <= NEAR:
            found.add(node_id)
            found.update(node._children)
        if node.task_spec.name not in seen_specs:
            seen_specs.add(node.task_spec.name)
            found.add(node_id)
        node_id = node._parent
    return found


def _newest_of_each_element(order: list[Task]) -> set[UUID]:
    """The newest task of every element, and its newest completed one."""
    newest: dict[str, Task] = {}
    for task in order:
        name = task.task_spec.name
        if name not in newest or task.last_state_change >= newest[name].last_state_change:
            newest[name] = task
    return {task.id for task in newest.values()} | _newest_completed(order)


def _newest_completed(order: list[Task]) -> set[UUID]:
    newest: dict[str, Task] = {}
    for task in order:
        if not task._state & _COMPLETED:
            continue
        name = task.task_spec.name
        if name not in newest or task.last_state_change >= newest[name].last_state_change:
            newest[name] = task
    return {task.id for task in newest.values()}


def _remove(tasks: dict[UUID, Task], order: list[Task], removed: set[UUID]) -> None:
    """Take the removed tasks out and hang each kept task under its nearest kept ancestor."""
    new_children: dict[UUID, list[UUID]] = {}
    for task in order:  # preorder: a kept parent is seen before its children, in their order
        if task.id in removed:
            continue
        new_children[task.id] = []
        parent_id = task._parent
        while parent_id in removed:
            parent_id = tasks[parent_id]._parent
        if parent_id in new_children:
            new_children[parent_id].append(task.id)
            task._parent = parent_id
    for task_id in removed:
        del tasks[task_id]
    for task_id, children in new_children.items():
        tasks[task_id]._children = children


def _drop_data(tasks: dict[UUID, Task], order: list[Task], last_task: Task | None) -> None:
    """Finished tasks that no step, join, subprocess or check reads again keep no data of their own.

    SpiffWorkflow stores a task's data as its difference from its parent's, so such a task takes
    its parent's data: it stores nothing (an emptied one would store the deletion of every name,
    and its children all their data).
    """
    readers = _data_readers(tasks, order, last_task)
    for task in order:  # preorder: a parent has its final data before its children take it
        if task._state & _FINISHED and task.id not in readers and task._parent in tasks:
            task.data = dict(tasks[task._parent].data)


def _data_readers(tasks: dict[UUID, Task], order: list[Task], last_task: Task | None) -> set[UUID]:
    """Ids of the tasks whose data may still be read.

    An unfinished child inherits its parent's data when it runs; a join merges its inputs'
    data; a subprocess passes its last task's data back; a multi-instance task collects its
    instances' data; scenarios read each element's newest completed task and the completed
    tasks none of whose children completed (each path's latest data).
    """
    keep: set[UUID] = set()
    if last_task is not None:
        keep.add(last_task.id)
    for task in order:
        unfinished = not task._state & _FINISHED
        if (unfinished or isinstance(task.task_spec, Join)) and task._parent is not None:
            keep.add(task._parent)
        if unfinished:
            keep.update(task._children)
        if task._state & _COMPLETED and not any(
            tasks[child]._state & _COMPLETED for child in task._children
        ):
            keep.add(task.id)
    return keep | _newest_completed(order)
