"""`--junit-xml`: one testcase per check; a violation is a <failure>, a suite error an <error>.

Each failing testcase carries the line it broke as properties `rule` and `standing`; a warning
(a ruling broken under --level documented) is a `warning` property plus its evidence in
<system-out>, and does not count as a failure. The testsuite's properties hold the seed, the
level and the counts of warnings and notes (JUnit has no attribute for either).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.levels import RULING_WARNING
from conformance.runner import Outcome, SuiteResult
from conformance.violation import Violation


def _evidence(v: Violation) -> str:
    return (
        f"line: {v.rule} ({v.standing})\ncase: {v.case}\ncontract says: {v.documented}\n\n"
        f"sent:\n{v.sent}\n\nreceived:\n{v.received}\n\nreproduce:\n{v.curl}\n"
    )


def junit_tree(result: SuiteResult) -> ET.ElementTree[ET.Element | None]:
    """The JUnit XML document of a run (seed, level, counts and options as properties)."""
    suite = ET.Element(
        "testsuite",
        name="omni-conformance",
        tests=str(len(result.outcomes)),
        failures=str(result.count(Outcome.FAIL)),
        errors=str(result.count(Outcome.ERROR)),
        skipped=str(result.count(Outcome.SKIP)),
        time=f"{result.duration:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    run = {
        "seed": result.seed,
        "run_nonce": result.run_nonce,
        "bodies_digest": result.bodies_digest,
        "level": result.level,
        "warnings": result.warning_count,
        "notes": result.note_count,
        "summary": result.summary(),
    }
    for key, value in {**result.config, **run}.items():
        ET.SubElement(properties, "property", name=str(key), value=str(value))
    for outcome in result.outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"conformance.{outcome.topic}",
            name=outcome.name,
            time=f"{outcome.duration:.3f}",
        )
        case_properties: list[tuple[str, str]] = []
        out: list[str] = []
        if outcome.outcome is Outcome.FAIL and outcome.violation is not None:
            v = outcome.violation
            case_properties += [("rule", v.rule), ("standing", v.standing)]
            failure = ET.SubElement(
                case,
                "failure",
                message=f"[{v.rule}, {v.standing}] {v.case}: {v.documented}"[:500],
                type="Violation",
            )
            failure.text = _evidence(v)
        elif outcome.outcome is Outcome.ERROR:
            error = ET.SubElement(case, "error", message=outcome.reason.splitlines()[0][:500])
            error.text = outcome.reason
        elif outcome.outcome is Outcome.SKIP:
            ET.SubElement(case, "skipped", message=outcome.reason)
        for warning in outcome.warnings:
            case_properties.append(("warning", f"{warning.rule} ({warning.standing})"))
            out.append(f"WARNING ({RULING_WARNING}):\n{_evidence(warning)}")
        if case_properties:
            holder = ET.Element("properties")
            case.insert(0, holder)
            for name, value in case_properties:
                ET.SubElement(holder, "property", name=name, value=value)
        out += outcome.notes
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    tree = ET.ElementTree(suite)
    ET.indent(tree)
    return tree


def write_junit(result: SuiteResult, path: str | Path) -> None:
    """Write the JUnit XML file (parent folders are created)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    junit_tree(result).write(target, encoding="utf-8", xml_declaration=True)
