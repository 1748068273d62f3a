"""Property tests: export then import keeps each layer's requirements; import then export
reproduces the requirement sets. Projects are generated at random by hypothesis."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipx_lockext.commands.convert import export_project, import_files
from pipx_lockext.edges.project.loader import load_project
from tests.conftest import roots

NAMES = ["alpha", "beta-x", "gamma", "delta_y", "eps"]
SPECS = ["", ">=1", "<3,>=1.2", "==2.0.*", "~=1.4"]
MARKERS = ["", ' ; python_version < "3.11"', ' ; sys_platform == "win32"']
EXTRAS = ["", "[socks]"]

requirement = st.builds(
    lambda n, e, s, m: f"{n}{e}{s}{m}",
    st.sampled_from(NAMES),
    st.sampled_from(EXTRAS),
    st.sampled_from(SPECS),
    st.sampled_from(MARKERS),
)
requirements = st.lists(requirement, max_size=4, unique=True)


@st.composite
def projects(draw: st.DrawFn) -> dict[str, object]:
    """Groups g0..gN; a group may include only earlier ones (no cycles), and may stand
    alone (include-base = false)."""
    count = draw(st.integers(0, 4))
    groups: dict[str, list[object]] = {}
    layers: dict[str, dict[str, bool]] = {}
    for i in range(count):
        includes = draw(
            st.lists(
                st.sampled_from([f"g{j}" for j in range(i)] or ["-"]), max_size=2, unique=True
            )
        )
        items: list[object] = [{"include-group": g} for g in includes if g != "-"]
        items += draw(requirements)
        groups[f"g{i}"] = items
        if draw(st.booleans()):
            layers[f"g{i}"] = {"include-base": False}
    return {"base": draw(requirements), "groups": groups, "layers": layers}


def toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f'{k} = "{v}"' for k, v in value.items()) + " }"
    return '"' + str(value).replace('"', '\\"') + '"'


def pyproject_text(project: dict[str, object], with_layers: bool = True) -> str:
    lines = ["[project]", 'name = "prop"', 'version = "1"']
    lines.append("dependencies = [" + ", ".join(toml_value(r) for r in project["base"]) + "]")
    if with_layers and project["groups"]:
        lines.append("[dependency-groups]")
        for name, items in project["groups"].items():
            lines.append(f"{name} = [" + ", ".join(toml_value(i) for i in items) + "]")
    for name in project["layers"] if with_layers else ():
        lines.append(f"[tool.reqlock.layers.{name}]")
        lines.append("include-base = false")
    return "\n".join(lines) + "\n"


def layer_sets(root: Path) -> dict[str, set[str]]:
    inputs = load_project(root)
    return {n: {str(d.requirement) for d in roots(inputs, n)} for n in inputs.layer_names()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_export_then_import_leaves_each_layer_unchanged(project):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text(pyproject_text(project))
        before = layer_sets(root)
        export_project(root, None, dry_run=False)
        # A pyproject.toml without the layers, filled back in by import.
        (root / "pyproject.toml").write_text(pyproject_text({**project, "base": []}, False))
        import_files(root, sorted((root / "requirements").glob("*.in")), dry_run=False)
        assert layer_sets(root) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_import_then_export_reproduces_the_requirement_sets(project):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Write the .in files a pip-tools user would have for this project.
        req = root / "requirements"
        req.mkdir()
        (req / "base.in").write_text("".join(f"{r}\n" for r in project["base"]))
        for name, items in project["groups"].items():
            lines = [] if name in project["layers"] else ["-r base.in"]
            lines += [f"-r {i['include-group']}.in" if isinstance(i, dict) else i for i in items]
            (req / f"{name}.in").write_text("".join(f"{line}\n" for line in lines))
        from_in_files = layer_sets(root)
        (root / "pyproject.toml").write_text('[project]\nname = "prop"\nversion = "1"\n')
        import_files(root, sorted(req.glob("*.in")), dry_run=False)
        assert layer_sets(root) == from_in_files
        for path in req.glob("*.in"):
            path.unlink()
        export_project(root, None, dry_run=False)
        (root / "pyproject.toml").unlink()
        assert layer_sets(root) == from_in_files
