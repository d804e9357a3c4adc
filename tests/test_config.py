"""Reading `[tool.outplace]`: which pyproject.toml, which keys, which errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.files.config import Config, ConfigError, find_config, load_config, parse_config
from fixer.core.registry import unknown_codes


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_nearest_pyproject_with_a_tool_outplace_table(tmp_path: Path) -> None:
    root = write(tmp_path / "pyproject.toml", "[tool.outplace]\nselect = ['IP1']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    nested = write(tmp_path / "pkg" / "sub" / "pyproject.toml", "[tool.outplace]\nignore = ['IP102']\n")
    (tmp_path / "pkg" / "sub" / "deeper").mkdir()
    assert find_config(tmp_path / "pkg") == root
    assert find_config(tmp_path / "pkg" / "model.py") == root
    assert find_config(tmp_path / "pkg" / "sub" / "deeper") == nested


def test_no_config_gives_empty_settings(tmp_path: Path) -> None:
    assert load_config([str(tmp_path)]) == Config()


def test_all_keys(tmp_path: Path) -> None:
    pyproject = write(
        tmp_path / "pyproject.toml",
        """
[tool.outplace]
select = ["IP1"]
ignore = ["IP102"]
exclude = ["vendored/", "*_pb2.py"]
unsafe-fixes = true

[tool.outplace.per-file-ignores]
"tests/*" = ["IP101"]
""",
    )
    config = load_config([str(tmp_path / "src")], unknown_codes)
    assert config == Config(
        path=pyproject,
        select=("IP1",),
        ignore=("IP102",),
        exclude=("vendored/", "*_pb2.py"),
        per_file_ignores=(("tests/*", ("IP101",)),),
        unsafe_fixes=True,
    )
    assert config.root == tmp_path


def test_stdin_path_looks_from_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject = write(tmp_path / "pyproject.toml", "[tool.outplace]\nignore = ['IP101']\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(["-"]).path == pyproject


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"select": ["IP101"], "fix": True}, "unknown key 'fix'"),
        ({"select": "IP101"}, "'select' must be a list of strings"),
        ({"exclude": [1]}, "'exclude' must be a list of strings"),
        ({"unsafe-fixes": 1}, "'unsafe-fixes' must be true or false"),
        ({"per-file-ignores": ["a"]}, "'per-file-ignores' must be a table"),
        ({"per-file-ignores": {"a.py": "IP101"}}, "per-file-ignores 'a.py' must be a list"),
        ({"ignore": ["IP9"]}, "unknown rule code 'IP9'"),
        ({"per-file-ignores": {"a.py": ["XX1"]}}, "unknown rule code 'XX1'"),
        ("select", "must be a table"),
    ],
)
def test_invalid_tables(tmp_path: Path, table: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        parse_config(table, tmp_path / "pyproject.toml", unknown_codes)
    assert "\n" not in str(error.value) and "pyproject.toml" in str(error.value)


def test_invalid_toml(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.outplace]\nselect = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(tmp_path)


def test_codes_are_not_checked_without_a_registry(tmp_path: Path) -> None:
    assert parse_config({"select": ["IP9"]}, tmp_path / "pyproject.toml").select == ("IP9",)
