"""HTML to PDF with headless Chromium (``--print-to-pdf``): the monthly report's and the documents' printer.

The page's own CSS decides the paper (``@page { size: A4 }``) and the page numbers (``@page`` margin boxes);
Chromium's header and footer are switched off. Scripts run, with a virtual time budget, before the print.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Literal

from fastapi.responses import HTMLResponse, Response

from shared.http import Problem

Format = Literal["html", "pdf"]


async def html_to_pdf(html: str, chromium: Path) -> bytes:
    """Print the page with headless Chromium (charts are SVG and drawn before the print)."""
    with tempfile.TemporaryDirectory(prefix="baosong-report-") as tmp:
        page, pdf = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        proc = await asyncio.create_subprocess_exec(
            str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer", "--virtual-time-budget=5000",
            f"--print-to-pdf={pdf}", page.as_uri(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        if proc.returncode != 0 or not pdf.exists():
            raise RuntimeError(f"chromium --print-to-pdf failed ({proc.returncode}): {err.decode()[-500:]}")
        return pdf.read_bytes()


def _exists(path: Path | None) -> bool:
    return path is not None and path.exists()


async def document_response(html: str, name: str, format: Format, chromium: Path | None) -> Response:
    """The document as HTML, or printed as PDF (503, saying what to install, when Chromium is missing)."""
    if format == "html":
        return HTMLResponse(html, headers={"Content-Disposition": f'inline; filename="{name}.html"'})
    if chromium is None or not _exists(chromium):
        raise Problem(503, "PDF unavailable", "无法生成 PDF：缺少 Chromium（请运行 ./baosong up，它会安装 chromium"
                      f" 与中文字体） / {chromium} is missing: run './baosong up' (it installs chromium and the CJK"
                      " fonts).")
    return Response(await html_to_pdf(html, chromium), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})
