"""`--junit-xml`: one testcase per rule; a violation is a <failure>, a suite error an <error>."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.runner import Outcome, SuiteResult


def junit_tree(result: SuiteResult) -> ET.ElementTree[ET.Element | None]:
    """The JUnit XML document of a run (seed and options as testsuite properties)."""
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
    }
    for key, value in {**run, **result.config}.items():
        ET.SubElement(properties, "property", name=str(key), value=str(value))
    for outcome in result.outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"conformance.{outcome.topic}",
            name=outcome.name,
            time=f"{outcome.duration:.3f}",
        )
        if outcome.outcome is Outcome.FAIL and outcome.violation is not None:
            v = outcome.violation
            failure = ET.SubElement(
                case, "failure", message=f"{v.case}: {v.documented}"[:500], type="Violation"
            )
            failure.text = (
                f"case: {v.case}\ncontract says: {v.documented}\n\n"
                f"sent:\n{v.sent}\n\nreceived:\n{v.received}\n\n"
                f"reproduce:\n{v.curl}\n"
            )
        elif outcome.outcome is Outcome.ERROR:
            error = ET.SubElement(case, "error", message=outcome.reason.splitlines()[0][:500])
            error.text = outcome.reason
        elif outcome.outcome is Outcome.SKIP:
            ET.SubElement(case, "skipped", message=outcome.reason)
        if outcome.notes:
            ET.SubElement(case, "system-out").text = "\n".join(outcome.notes)
    tree = ET.ElementTree(suite)
    ET.indent(tree)
    return tree


def write_junit(result: SuiteResult, path: str | Path) -> None:
    """Write the JUnit XML file (parent folders are created)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    junit_tree(result).write(target, encoding="utf-8", xml_declaration=True)
