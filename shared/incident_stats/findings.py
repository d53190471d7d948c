"""The monthly report's words: per-unit comments, the problems named and the suggestions; pure."""

from __future__ import annotations

from typing import Any

GOOD_RATE = 0.9


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def comment(row: dict[str, Any]) -> str:
    """One sentence on a unit, in the manner of the model report 《信息报送情况报告》 (报送率分析)."""
    rate, name = row["on_time_rate"], row["name"]
    if rate is None:
        text = f"{name}本月无到期的书面报告义务"
    elif rate >= 1:
        text = f"{name}报送情况良好，到期的{row['on_time']}起书面报告均按时报送"
    elif row["missed"]:
        text = f"{name}本月漏报{row['missed']}起、迟报{row['late']}起，需要加强管理"
    else:
        text = f"{name}大部分情况下能按时报送，但有{row['late']}起迟报"
    return text + "。"


def problems(rows: list[dict[str, Any]]) -> list[str]:
    """存在问题及建议: one item per kind of shortfall, naming the units, each with its suggestion."""
    out = []
    missed = [r for r in rows if r["missed"]]
    late = [r for r in rows if r["late"] and not r["missed"]]
    low = [r for r in rows if r["on_time_rate"] is not None and r["on_time_rate"] < GOOD_RATE]
    if missed:
        out.append(f"{_names(missed)}存在漏报（超过最迟时限仍未报送），建议严格落实值班值守和信息报送责任制，"
                   "对漏报事项逐件倒查、追究责任。")
    if late:
        out.append(f"{_names(late)}存在迟报，建议加强对报送时限的管理和监督，事发后先电话报告、再书面报告。")
    if low:
        out.append(f"{_names(low)}按时报送率低于{GOOD_RATE:.0%}，建议加强内部协调，提高信息报送的及时性。")
    return out


def _names(rows: list[dict[str, Any]]) -> str:
    return "、".join(r["name"] for r in rows)


def overview(figures: dict[str, Any]) -> str:
    rows, t = figures["units"], figures["totals"]
    due = t["on_time"] + t["late"] + t["missed"]
    return (f"{figures['period']}，共有{len(rows)}个单位需要进行信息报送，共报送信息{t['reports']}条；"
            f"到期书面报告{due}起，按时{t['on_time']}起、迟报{t['late']}起、漏报{t['missed']}起，"
            f"按时报送率{pct(t['on_time_rate'])}。")
