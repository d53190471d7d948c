"""The official AsyncAPI parser (JavaScript, ``@asyncapi/parser`` from npm), installed once into
~/.cache/baosong like ECharts, and run on a document: ``python -m deploy.asyncapi_parser [FILE]``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from deploy.asyncapi import DOCS
from deploy.kafka_local import cache_dir
from deploy.proc import SetupError, require_binary, run_checked

PARSER_VERSION: Final = "3.6.3"
SCRIPT: Final = Path(__file__).with_name("asyncapi_parse.cjs")
#: The parser's severities (Spectral's): 0 error, 1 warning, 2 information, 3 hint.
SEVERITIES: Final = ("error", "warning", "information", "hint")


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    code: str
    message: str
    path: list[str | int]

    def __str__(self) -> str:
        return f"{self.severity} {self.code} at /{'/'.join(map(str, self.path))}: {self.message}"


def parser_modules() -> Path:
    """The pinned parser's ``node_modules``, installed with ``npm install`` once."""
    target = cache_dir() / f"asyncapi-parser-{PARSER_VERSION}"
    modules = target / "node_modules"
    if (modules / "@asyncapi" / "parser" / "package.json").exists():
        return modules
    npm = require_binary("npm", "npm")
    print(f"installing @asyncapi/parser {PARSER_VERSION} from the npm registry into {target} (once) …",
          file=sys.stderr, flush=True)
    partial = target.with_name(target.name + ".part")
    partial.mkdir(parents=True, exist_ok=True)
    run_checked([npm, "install", "--prefix", str(partial), "--no-audit", "--no-fund", "--silent",
                 f"@asyncapi/parser@{PARSER_VERSION}"], what=f"npm install @asyncapi/parser@{PARSER_VERSION}")
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return modules


def parse(document: Path) -> tuple[bool, list[Diagnostic]]:
    """Whether the parser produced a document, and everything it reported."""
    node = require_binary("node", "nodejs")
    done = subprocess.run([node, str(SCRIPT), str(document)], capture_output=True, text=True, check=False,
                          env={**os.environ, "NODE_PATH": str(parser_modules())}, timeout=120)
    if done.returncode != 0:
        raise SetupError(f"the AsyncAPI parser failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    answer: dict[str, Any] = json.loads(done.stdout)
    found = [Diagnostic(SEVERITIES[d["severity"]], d["code"], d["message"], d["path"]) for d in answer["diagnostics"]]
    return bool(answer["parsed"]), found


def main() -> None:
    document = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS / "asyncapi.yaml"
    parsed, diagnostics = parse(document)
    for diagnostic in diagnostics:
        print(diagnostic)
    errors = sum(d.severity == "error" for d in diagnostics)
    print(f"{document}: {'parsed' if parsed else 'NOT parsed'}, {errors} errors, {len(diagnostics)} diagnostics")
    sys.exit(0 if parsed and errors == 0 else 1)


if __name__ == "__main__":
    main()
