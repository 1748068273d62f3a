"""Build requirements are unpacked by reqlock itself, not pip: only what a backend imports
(purelib and platlib), every member name checked before anything is written, executable
bits kept, the unpacked size capped."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from pipx_lockext.edges.index.wheelinstall import WheelError, unpack_wheels


def wheel(members: dict[str, bytes], executable: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_importable_files_land_at_the_root_and_the_rest_is_left_out(tmp_path: Path):
    data = wheel(
        {
            "tool/__init__.py": b"x = 1\n",
            "tool/data/bin/ninja": b"\x7fELF",
            "tool-1.0.dist-info/METADATA": b"Name: tool\n",
            "tool-1.0.data/purelib/extra.py": b"",
            "tool-1.0.data/platlib/fast.so": b"\0",
            "tool-1.0.data/scripts/tool": b"#!python\n",
            "tool-1.0.data/headers/tool.h": b"",
            "tool-1.0.data/data/share/tool.txt": b"",
        },
        executable=("tool/data/bin/ninja",),
    )
    unpack_wheels([("tool-1.0-py3-none-any.whl", data)], tmp_path)
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert found == [
        "extra.py", "fast.so", "tool-1.0.dist-info/METADATA", "tool/__init__.py",
        "tool/data/bin/ninja",
    ]  # fmt: skip
    assert os.access(tmp_path / "tool/data/bin/ninja", os.X_OK)
    assert not os.access(tmp_path / "tool/__init__.py", os.X_OK)


@pytest.mark.parametrize("name", ["../evil.py", "/etc/evil", "a/../../evil", "a\\evil", "C:evil"])
def test_a_member_outside_the_overlay_refuses_the_wheel_before_anything_is_written(
    tmp_path: Path, name: str
):
    data = wheel({"good.py": b"", name: b"boom"})
    with pytest.raises(WheelError, match=r"^bad-1\.0-py3-none-any\.whl: refuses to unpack"):
        unpack_wheels([("bad-1.0-py3-none-any.whl", data)], tmp_path / "overlay")
    assert not (tmp_path / "overlay").exists()
    assert not (tmp_path / "evil.py").exists()


def test_the_unpacked_size_is_capped_across_the_wheels(tmp_path: Path):
    first, second = wheel({"a.py": b"x" * 600}), wheel({"b.py": b"x" * 600})
    with pytest.raises(WheelError, match=r"^b-1\.0-py3-none-any\.whl: unpacks past the 1000"):
        unpack_wheels([("a-1.0-py3-none-any.whl", first), ("b-1.0-py3-none-any.whl", second)],
                      tmp_path, limit=1000)  # fmt: skip
    assert not (tmp_path / "b.py").exists()


def test_bytes_that_are_not_a_wheel_are_refused(tmp_path: Path):
    with pytest.raises(WheelError, match=r"^x-1\.0-py3-none-any\.whl: cannot unpack"):
        unpack_wheels([("x-1.0-py3-none-any.whl", b"not a zip")], tmp_path)
