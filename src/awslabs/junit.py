"""JUnit XML for `awslabs check --junit FILE`: one test suite per lab, one test case per check, so
instructors' CI servers show each objective."""
from __future__ import annotations

import xml.etree.ElementTree as ET


def junit_xml(reports) -> str:
    suites = ET.Element("testsuites", name="awslabs")
    for report in reports:
        cases = [(o, c) for o in report.objectives for c in (o.checks or [])]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=report.lab,
            tests=str(len(cases) + sum(1 for o in report.objectives if not o.checks)),
            failures=str(sum(1 for o, c in cases if not c.ok and not c.skipped)),
            skipped=str(sum(1 for o, c in cases if c.skipped) + sum(1 for o in report.objectives if not o.checks)),
            time=f"{report.seconds:.3f}",
        )
        for objective in report.objectives:
            if not objective.checks:  # waiting for an earlier objective, or skipped here
                case = ET.SubElement(suite, "testcase", classname=f"{report.lab}.{objective.step}", name=objective.title)
                ET.SubElement(case, "skipped", message=objective.note or objective.status)
                continue
            for check in objective.checks:
                case = ET.SubElement(suite, "testcase", classname=f"{report.lab}.{objective.step}", name=check.name)
                case.set("verified_by", check.verified_by)
                if check.skipped:
                    ET.SubElement(case, "skipped", message=check.message)
                elif not check.ok:
                    failure = ET.SubElement(case, "failure", message=check.message or "failed")
                    failure.text = f"{objective.title}: {check.message}\nhint: {objective.hint}"
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def write_junit(reports, path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(junit_xml(reports) + "\n")
