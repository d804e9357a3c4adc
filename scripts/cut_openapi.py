"""Cut GitHub's published OpenAPI description down to the operations `outplace bot` sends.

The tests' fake GitHub validates every request against the result, so this list is the bot's
whole contract with the forge. Regenerate (network: the npm registry) with

    python scripts/cut_openapi.py                      # npm pack @octokit/openapi@VERSION
    python scripts/cut_openapi.py --tarball octokit-openapi-23.0.2.tgz

It writes `tests/data/github-pr-subset.json` (api.github.com) and `tests/data/ghes-pr-subset.json`
(GitHub Enterprise Server, paths under `/api/v3`). GitHub's description and the Octokit package
are MIT-licensed; each output names its source in `info.x-cut-from`.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

VERSION = "23.0.2"
KEEP = {
    "repos/get",
    "pulls/list",
    "pulls/create",
    "pulls/update",
    "pulls/request-reviewers",
    "issues/add-labels",
    "issues/create-comment",
}
OUT = Path(__file__).resolve().parent.parent / "tests" / "data"
SOURCES = {  # member of the package -> (output file, path prefix)
    "package/generated/api.github.com.json": ("github-pr-subset.json", ""),
    "package/generated/ghes-3.19.json": ("ghes-pr-subset.json", "/api/v3"),
}


def refs(node: Any, out: set[str]) -> None:
    """Add every `#/components/...` reference under `node` to `out`."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            out.add(ref)
        for value in node.values():
            refs(value, out)
    elif isinstance(node, list):
        for value in node:
            refs(value, out)


def operations(paths: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in paths.values() for method, op in item.items() if method != "parameters"]


def cut(spec: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """The operations in KEEP with the components they reach, request bodies made strict."""
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") in KEEP:
                paths.setdefault(path, {})[method] = op
        if path in paths and "parameters" in item:
            paths[path]["parameters"] = item["parameters"]
    missing = KEEP - {op["operationId"] for op in operations(paths)}
    if missing:
        sys.exit(f"operations not in {source}: {sorted(missing)}")
    components, todo, seen = spec["components"], set(), set()
    refs(paths, todo)
    while todo:  # the transitive closure of $refs
        ref = todo.pop()
        if ref not in seen:
            seen.add(ref)
            _, _, kind, name = ref.split("/", 3)
            refs(components[kind][name], todo)
    kept: dict[str, dict[str, Any]] = {}
    for ref in sorted(seen):
        _, _, kind, name = ref.split("/", 3)
        kept.setdefault(kind, {})[name] = components[kind][name]
    out = {k: v for k, v in spec.items() if k not in ("paths", "components", "webhooks", "x-webhooks")}
    out["info"] = {**out.get("info", {}), "x-cut-from": source, "x-cut-by": "scripts/cut_openapi.py"}
    # GitHub ignores unknown body fields; the tests must not, or a misspelt field would pass.
    for op in operations(paths):
        if "requestBody" not in op:
            continue
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        for variant in [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]:
            if isinstance(variant, dict) and variant.get("type") == "object" and "properties" in variant:
                variant["additionalProperties"] = False
    # Mock servers negotiate on the media type GitHub documents as preferred.
    contents = [r.get("content") for op in operations(paths) for r in op.get("responses", {}).values()]
    contents += [r.get("content") for r in kept.get("responses", {}).values()]
    for content in contents:
        if content and "application/json" in content:
            content.setdefault("application/vnd.github+json", copy.deepcopy(content["application/json"]))
    out["paths"] = {prefix + p: v for p, v in sorted(paths.items())}
    out["components"] = kept
    return out


def fetch(version: str, folder: Path) -> Path:
    """`npm pack @octokit/openapi@version` into `folder`; the tarball's path."""
    subprocess.run(["npm", "pack", f"@octokit/openapi@{version}"], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)
    return folder / f"octokit-openapi-{version}.tgz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=VERSION, help="@octokit/openapi version to npm pack")
    parser.add_argument("--tarball", type=Path, help="an already downloaded package tarball")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cut-openapi-") as tmp:
        tarball = args.tarball or fetch(args.version, Path(tmp))
        with tarfile.open(tarball) as archive:
            for member, (name, prefix) in SOURCES.items():
                spec = json.load(archive.extractfile(member))  # type: ignore[arg-type]
                source = f"npm @octokit/openapi ({tarball.name}) {member.removeprefix('package/')}"
                result = cut(spec, source, prefix)
                (args.out / name).write_text(json.dumps(result, indent=1, sort_keys=False) + "\n")
                print(f"{args.out / name}: {len(result['paths'])} paths, "
                      f"{sum(map(len, result['components'].values()))} components")


if __name__ == "__main__":
    main()
