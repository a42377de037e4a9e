"""axe-core, from npm (package.json; ``npm ci``), run inside a page as it stands.

Nothing from node_modules is served by the application: the tests inject the script.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page, script: Path = AXE_SCRIPT) -> list[dict]:
    """The serious and critical axe-core violations on ``page`` as it stands (after any
    htmx swap), with every rule axe runs by default."""
    page.add_script_tag(path=str(script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe_violations(violations: list[dict]) -> str:
    """Each violation's rule, impact and help, and the elements that break it."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {' '.join(node['target'])}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)
