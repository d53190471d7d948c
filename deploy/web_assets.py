"""What the web pages and the documents need on the machine: ECharts, Vue and Element Plus (cached), Chromium and
CJK fonts.

ECharts, Vue and Element Plus are fetched once from the npm registry (`npm pack`, pinned) into ~/.cache/baosong,
like the Kafka jars; the web service serves them as static files (the archive inlines ECharts in its monthly
report), so pages work without internet at run time and no bundler or downloaded browser is involved.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from deploy.kafka_local import cache_dir
from deploy.proc import SetupError, is_root, require_binary, run_checked

ECHARTS_VERSION = "5.6.0"
#: The pages' front end (docs/pages.md, "Front end"): each package's version, and the files taken from its tarball
#: under the names the pages load them by (``/vendor/<name>``).
FRONT_END = {
    "vue": ("3.5.47", {"package/dist/vue.global.prod.js": "vue.global.prod.js"}),
    "element-plus": ("2.14.8", {"package/dist/index.full.min.js": "element-plus.full.min.js",
                                "package/dist/index.css": "element-plus.css",
                                "package/dist/locale/zh-cn.min.js": "element-plus-zh-cn.min.js"}),
}
CHROMIUM = Path("/usr/bin/chromium")
#: Debian's font packages, by the family fontconfig knows each by: a Hei (sans) face for the pages, and for the
#: official documents (GB/T 9704) a GB Song face (titles, body) and a GB Kai face (second-level headings).
CJK_FONTS = {
    "fonts-wqy-zenhei": "WenQuanYi Zen Hei",
    "fonts-arphic-gbsn00lp": "AR PL SungtiL GB",
    "fonts-arphic-gkai00mp": "AR PL KaitiM GB",
}
BROWSER_PACKAGES = ("chromium", *CJK_FONTS)


def echarts_path() -> Path:
    return cache_dir() / f"echarts-{ECHARTS_VERSION}" / "echarts.min.js"


def ensure_echarts(progress: bool = True) -> Path:
    """``echarts.min.js`` of the pinned version, fetched with ``npm pack`` once."""
    target = echarts_path()
    if not target.exists():
        _npm_files("echarts", ECHARTS_VERSION, {"package/dist/echarts.min.js": target.name}, target.parent, progress)
    return target


def front_end_dir() -> Path:
    """Where Vue and Element Plus are kept (one folder per set of pinned versions)."""
    versions = "-".join(f"{name}{version}" for name, (version, _) in sorted(FRONT_END.items()))
    return cache_dir() / f"front-end-{versions}"


def ensure_front_end(progress: bool = True) -> Path:
    """The folder holding Vue's and Element Plus's files (``FRONT_END``), fetched with ``npm pack`` once."""
    folder = front_end_dir()
    for name, (version, files) in FRONT_END.items():
        if not all((folder / target).exists() for target in files.values()):
            _npm_files(name, version, files, folder, progress)
    return folder


def _npm_files(package: str, version: str, files: dict[str, str], folder: Path, progress: bool) -> None:
    """Take ``files`` (tarball member → name in ``folder``) out of ``npm pack <package>@<version>``."""
    require_binary("npm", "npm")
    if progress:
        print(f"fetching {package} {version} from the npm registry into {folder} (once) …", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run_checked(["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination", tmp],
                    what=f"npm pack {package}@{version}")
        tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as archive:
            for member_name, target in files.items():
                member = archive.extractfile(member_name)
                if member is None:
                    raise SetupError(f"{tgz.name} has no {member_name.removeprefix('package/')}")
                partial = folder / f"{target}.part"
                partial.write_bytes(member.read())
                partial.replace(folder / target)


def _has_font(family: str) -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def ensure_browser() -> Path:
    """Debian's Chromium and the CJK fonts (pages and PDFs render Chinese); installs them when root."""
    missing = ["chromium"] if not CHROMIUM.exists() else []
    missing += [pkg for pkg, family in CJK_FONTS.items() if not _has_font(family)]
    if not missing:
        return CHROMIUM
    apt = shutil.which("apt-get")
    if not (is_root() and apt):
        raise SetupError(f"the pages' browser tests and PDF reports need {' and '.join(missing)}: "
                         f"install them with 'apt-get install {' '.join(BROWSER_PACKAGES)}'")
    print(f"installing {' '.join(missing)} with apt-get (once; Chromium and Chinese fonts for pages and PDFs) …",
          flush=True)
    run_checked([apt, "update", "-q"], what="apt-get update")
    run_checked(["env", "DEBIAN_FRONTEND=noninteractive", apt, "install", "-y", "-q", *missing],
                what=f"apt-get install {' '.join(missing)}")
    if not CHROMIUM.exists():
        raise SetupError(f"apt-get installed chromium but {CHROMIUM} is missing")
    return CHROMIUM
