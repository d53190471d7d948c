"""What the web pages and the documents need on the machine: ECharts (cached), Chromium and CJK fonts.

ECharts is fetched once from the npm registry (`npm pack`, pinned) into ~/.cache/baosong, like the
Kafka jars; the archive serves it as a static file, so pages work without internet at run time.
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
    if target.exists():
        return target
    require_binary("npm", "npm")
    if progress:
        print(f"fetching Apache ECharts {ECHARTS_VERSION} from the npm registry into {target.parent} (once) …",
              flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run_checked(["npm", "pack", f"echarts@{ECHARTS_VERSION}", "--silent", "--pack-destination", tmp],
                    what=f"npm pack echarts@{ECHARTS_VERSION}")
        tgz = next(Path(tmp).glob("echarts-*.tgz"))
        with tarfile.open(tgz) as archive:
            member = archive.extractfile("package/dist/echarts.min.js")
            if member is None:
                raise SetupError(f"{tgz.name} has no dist/echarts.min.js")
            partial = target.with_suffix(".part")
            partial.write_bytes(member.read())
            partial.replace(target)
    return target


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
