"""A version tests itself before it runs: its folder's scenarios, on the very files deployed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import AuditEvent
from engine.runtime import Runtime
from engine.scenarios import ScenarioFormatError, ScenarioResult, load_scenario, run_scenario
from engine.scenarios.loader import SCENARIO_SUFFIX
from engine.statuses import AuditKind
from engine.versions import (
    DeployError,
    Deployment,
    VersionFiles,
    activate_version,
    checked_municipality,
    deploy_files,
    find_version,
    locate,
)

EVIDENCE_KINDS = (AuditKind.VERSION_TESTED, AuditKind.VERSION_UNTESTED)


class SelfTestFailed(DeployError):
    """A version whose own scenarios fail, or that has none, is refused: nothing is stored."""


@dataclass(frozen=True)
class SelfTest:
    """The outcome of a version folder's scenarios run on the files about to be deployed."""

    results: tuple[ScenarioResult, ...]

    @property
    def failed(self) -> list[ScenarioResult]:
        """The scenarios that did not pass."""
        return [result for result in self.results if not result.passed]

    def refusal(self) -> str:
        """Why the version is refused: each failing scenario with its step and what was found."""
        if not self.results:
            return (
                "self-test: the version folder has no scenarios (*.scenario.yaml); "
                "add them, or deploy with --no-scenarios --reason TEXT in an emergency"
            )
        lines = [f"self-test: {len(self.failed)} of {len(self.results)} scenario(s) failed"]
        lines += [f"  {r.path.name} «{r.name}»: {r.failure}" for r in self.failed]
        return "\n".join(lines)

    def evidence(self) -> dict[str, Any]:
        """What the audit row keeps: each scenario and the clauses and deadlines it exercised."""
        return {
            "scenarios": [
                {
                    "file": result.path.name,
                    "name": result.name,
                    "clauses": sorted(result.clauses),
                    "deadlines": sorted(result.deadlines),
                }
                for result in self.results
            ]
        }


@dataclass(frozen=True)
class TestedDeployment:
    """A deploy of a version folder and its self-test (None: unchanged, or deployed untested)."""

    deployment: Deployment
    tested: SelfTest | None


def version_scenarios(path: Path) -> list[Path]:
    """The scenario files of a BPMN file's version folder."""
    return sorted(path.parent.glob(f"*{SCENARIO_SUFFIX}"))


def self_test(files: VersionFiles, path: Path, processes_dir: Path) -> SelfTest:
    """Run every scenario of the folder that tests this BPMN file, on `files`."""
    results = []
    for scenario_path in version_scenarios(path):
        try:
            scenario = load_scenario(scenario_path, processes_dir)
        except ScenarioFormatError as error:  # an unreadable scenario fails the version too
            results.append(ScenarioResult(scenario_path, scenario_path.name, str(error)))
            continue
        if scenario.bpmn.resolve() == path.resolve():
            results.append(run_scenario(scenario, processes_dir, files))
    return SelfTest(tuple(results))


def deploy_version(
    session: Session,
    runtime: Runtime,
    path: Path,
    actor: str,
    *,
    untested_because: str | None,
    activate: bool = True,
) -> TestedDeployment:
    """Deploy a version folder's BPMN file once its scenarios pass (or, audited, untested)."""
    # The same files twice are a no-op; otherwise the files read here are those tested and stored.
    files = VersionFiles.read(path, runtime.processes_dir)
    municipality, label = locate(path)
    checked_municipality(municipality, Path(runtime.processes_dir))  # rechecked on a redeploy
    existing = find_version(session, municipality, files.sha256)
    if existing is not None:
        return TestedDeployment(Deployment(existing, created=False), None)
    if untested_because is not None and not untested_because.strip():
        raise DeployError("--no-scenarios needs a reason (--reason TEXT): it is audited")
    tested = None
    with session.begin_nested():  # a refused self-test undoes the stored version, nothing else
        # Every check of the deploy first: a broken file is refused with its element, not as
        # a failure of each scenario.
        deployment = deploy_files(
            session, runtime, files, actor, municipality=municipality, label=label, activate=False
        )
        if untested_because is None:
            tested = self_test(files, path, Path(runtime.processes_dir))
            if tested.failed or not tested.results:
                raise SelfTestFailed(tested.refusal())
    version = deployment.version
    if tested is not None:
        kind, data = AuditKind.VERSION_TESTED, tested.evidence()
    else:
        kind, data = AuditKind.VERSION_UNTESTED, {"reason": (untested_because or "").strip()}
    audit.record(session, kind, runtime.clock.now(), actor, version_id=version.id, **data)
    if activate:
        activate_version(session, runtime, version, actor)
    return TestedDeployment(deployment, tested)


@dataclass(frozen=True)
class Evidence:
    """What a deployed version's self-test recorded: the scenarios, or why none ran."""

    tested: bool
    actor: str
    scenarios: tuple[dict[str, Any], ...] = ()  # the passed ones: file, name, clauses, deadlines
    reason: str = ""
    failed: tuple[str, ...] = ()  # scenarios that failed (a report run on files, not a deploy)

    @classmethod
    def of(cls, tested: SelfTest) -> Evidence:
        """The evidence of a self-test just run: what passed proves, what failed is named."""
        passed = SelfTest(tuple(result for result in tested.results if result.passed))
        failed = tuple(f"{result.path.name} «{result.name}»" for result in tested.failed)
        return cls(True, "", tuple(passed.evidence()["scenarios"]), failed=failed)

    def scenarios_for(self, clause: str) -> list[str]:
        """Names of the scenarios that exercised a clause."""
        return [item["name"] for item in self.scenarios if clause in item["clauses"]]


def version_evidence(session: Session, version_id: int) -> Evidence | None:
    """The self-test record of a deployed version; None when it was deployed by code."""
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.version_id == version_id, AuditEvent.kind.in_(EVIDENCE_KINDS))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    if event.kind is AuditKind.VERSION_UNTESTED:
        return Evidence(False, event.actor, reason=str(event.data.get("reason", "")))
    return Evidence(True, event.actor, tuple(event.data.get("scenarios", [])))
