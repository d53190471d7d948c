"""Realistic work-information items (信息) for the demo, shaped like the contract's ``POST /v1/items``, and the
choices the demo's people make about them: sign off or send back, adopt, forward on (转报), write an
instruction (批示), commission (约稿). Pure, no I/O: ``deploy.demo.item_desk`` does the calls.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from deploy.demo.incidents import place_of
from shared.item import InstructionLevel, ItemKind
from shared.offset import in_china

#: How often each kind is written: mostly work news, as in the seeds' monthly newsletters.
KIND_WEIGHTS: tuple[tuple[ItemKind, float], ...] = (
    ("news", 0.55), ("newmedia", 0.15), ("brief", 0.1), ("opinion", 0.1), ("long", 0.1))

#: (title, body) per kind; ``{place}`` is the unit's ground, ``{a}``/``{b}``/``{c}`` small numbers.
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "news": (
        ("{place}扎实推进秋冬季森林防火工作",
         "{place}召开森林防火工作推进会，组织开展火灾隐患排查{a}次，落实巡山护林员{b}名，"
         "在重点林区设置防火检查站{c}个，全力确保不发生重大森林火情。"),
        ("{place}开展农村人居环境整治集中行动",
         "本月以来，{place}组织干部群众{b}人次开展环境整治，清理沟渠{a}公里、清运垃圾{c}吨，"
         "村容村貌明显改善。"),
        ("{place}召开安全生产工作专题会议",
         "{place}召开安全生产专题会议，传达上级会议精神，部署岁末年初安全生产大检查，"
         "成立检查组{a}个，对辖区{b}家企业开展拉网式排查。"),
        ("{place}多措并举做好冬季保供稳价工作",
         "{place}对辖区{b}家农贸市场和超市开展价格巡查{a}次，督促经营户明码标价，"
         "保障群众“米袋子”“菜篮子”供应稳定。"),
    ),
    "brief": (
        ("{place}妥善处置一起群众聚集事件",
         "今日上午，{place}约{b}名群众因工程款问题聚集，主要领导第一时间赶赴现场，"
         "经耐心疏导，群众已有序散去，相关诉求正在依法依规处理。"),
        ("{place}发生一起山体滑坡，无人员伤亡",
         "受连日降雨影响，{place}一处山体发生小规模滑坡，塌方约{b}立方米，阻断村道{a}处。"
         "已组织人员抢通道路、转移群众{c}户，无人员伤亡。"),
    ),
    "long": (
        ("关于{place}村级集体经济发展情况的调研报告",
         "为摸清村级集体经济发展底数，调研组走访{a}个村、座谈{b}人次。一、基本情况……二、存在问题……"
         "三、对策建议：盘活闲置资产，发展特色产业，健全利益联结机制。"),
        ("{place}“网格化”基层治理的实践与思考",
         "{place}划分网格{b}个，配备专兼职网格员{c}名，今年以来化解矛盾纠纷{a}起。"
         "本文总结主要做法，分析存在的不足，并提出下一步工作建议。"),
    ),
    "opinion": (
        ("网民反映{place}部分路段路灯不亮问题已处置",
         "近日有网民在政务留言板反映{place}{a}处路段路灯损坏。经核实，已于当日组织维修，"
         "并在平台回复网民，网民表示满意，未形成负面舆情。"),
        ("关于{place}学校食堂网络留言的处置情况",
         "网民留言反映{place}某学校食堂饭菜质量问题。经教育、市场监管部门联合检查，"
         "已督促整改{a}项问题，相关情况已向家长通报。"),
    ),
    "newmedia": (
        ("【图文】{place}：金秋时节柿子红",
         "眼下正是柿子成熟的季节，{place}{b}亩柿子喜获丰收，村民们忙着采摘、晾晒，"
         "一派丰收景象。（配图{a}张）"),
        ("【视频】{place}志愿者走进敬老院",
         "{place}组织{b}名志愿者走进敬老院，为老人们理发、打扫卫生、表演节目，"
         "送去节日的温暖。（视频时长{a}分钟）"),
    ),
}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何罗高林"
GIVEN_NAMES = ("明", "丽", "建国", "晓燕", "志强", "海燕", "文斌", "红梅", "伟", "静", "春华", "国庆", "玉兰", "永刚")
SECTIONS = ("综合科", "信息科", "党建办", "综治办", "经济发展办")

REJECT_COMMENTS = ("请补充具体数据后重新报送", "事实表述不够准确，请核实后再报", "一事一报，请拆分后分别报送",
                   "标题不够精炼，请修改")
INSTRUCTIONS = ("经验做法很好，请在全县推广。", "请相关部门认真研究，抓好落实。",
                "此信息反映的问题要高度重视，限期整改到位。", "做法值得肯定，请总结提炼，形成长效机制。")
#: Work a request (约稿) asks about; an answer is titled "<place><topic>工作情况".
REQUEST_TOPICS = ("秋冬季森林防火", "岁末年初安全生产大检查", "乡村振兴", "冬季保供稳价", "基层治理创新", "为民办实事")

#: How the demo's people decide; the chances are the demo's own, not rules.
APPROVE_CHANCE = 0.85
ADOPT_CHANCE = 0.5
FORWARD_CHANCE = 0.4
INSTRUCT_CHANCE = 0.15
ANSWER_CHANCE = 0.6
INSTRUCTION_LEVELS: tuple[InstructionLevel, ...] = ("county", "prefecture", "province", "state")


@dataclass(frozen=True)
class Request:
    """A request (约稿) the demo issued: who may answer it, on what."""

    request_id: str
    topic: str


def authors_of(unit_id: str) -> list[dict[str, str]]:
    """The unit's information officers (信息员): two people, the same every run (seeded by the unit id)."""
    rng = random.Random(unit_id)
    return [{"name": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES), "phone": f"13{rng.randrange(10 ** 9):09d}"}
            for _ in range(2)]


def ground_of(unit_name: str) -> str:
    """The place an item speaks for: 甲县党委办公室 → 甲县, 城关镇党政办 → 城关镇, 东村村民委员会 → 东村,
    河湾村民委员会 → 河湾村; a department or a school keeps its name."""
    if unit_name.endswith("村民委员会"):
        village = unit_name.removesuffix("村民委员会")
        return village if village.endswith("村") else village + "村"
    return place_of(unit_name.removesuffix("党委办公室") or unit_name)


def make_item(rng: random.Random, unit_id: str, unit_name: str, today: date,
              request: Request | None = None) -> dict[str, Any]:
    """The body of ``POST /v1/items`` for an item the unit writes today (or yesterday); an answer to
    ``request`` is a work-news item on its topic naming it."""
    place = ground_of(unit_name)
    numbers = {"a": rng.randint(2, 12), "b": rng.randint(15, 300), "c": rng.randint(3, 40)}
    if request is None:
        kind: ItemKind = rng.choices([k for k, _ in KIND_WEIGHTS], weights=[w for _, w in KIND_WEIGHTS])[0]
        title, body = (text.format(place=place, **numbers) for text in rng.choice(TEMPLATES[kind]))
    else:
        kind = "news"
        title = f"{place}{request.topic}工作情况"
        body = (f"根据约稿要求，现将{place}{request.topic}工作情况报告如下：一是提高认识、加强领导，召开专题会议"
                f"{numbers['a']}次；二是突出重点、压实责任，组织干部{numbers['b']}人次深入一线；"
                "三是建立台账、跟踪问效，确保各项工作落到实处。")
    happened = today.toordinal() - rng.choice((0, 0, 1))
    return {"reporting_unit": unit_id, "kind": kind, "title": title, "body": body,
            "author": rng.choice(authors_of(unit_id)), "section": rng.choice(SECTIONS),
            "request_id": request.request_id if request else None,
            "happened_on": date.fromordinal(happened).isoformat(), "classification": "internal"}


def sign_off(rng: random.Random) -> dict[str, str]:
    """The body of the unit's decision: most items are signed off, some sent back with a reason."""
    if rng.random() < APPROVE_CHANCE:
        return {"decision": "approve", "comment": "同意报送"}
    return {"decision": "reject", "comment": rng.choice(REJECT_COMMENTS)}


def issue_of(now: datetime) -> str:
    """The issue an adoption goes into: a weekly numbering, e.g. ``2026年第45期`` (Beijing time)."""
    day = in_china(now).date()
    return f"{day.year}年第{(day.timetuple().tm_yday - 1) // 7 + 1}期"


@dataclass(frozen=True)
class Arrival:
    """What a unit's information section does with an item that reached it."""

    adopt_into: str | None
    forward: bool
    instruct: bool


def on_arrival(rng: random.Random, *, publications: list[str], can_forward: bool, level: str) -> Arrival:
    """An editorial unit adopts some items into one of its publications, forwards some upward, and its
    principal now and then writes an instruction (only leaders of a level that gives them)."""
    adopt = rng.choice(publications) if publications and rng.random() < ADOPT_CHANCE else None
    return Arrival(adopt_into=adopt, forward=can_forward and rng.random() < FORWARD_CHANCE,
                   instruct=level in INSTRUCTION_LEVELS and rng.random() < INSTRUCT_CHANCE)


def instruction(rng: random.Random, level: str) -> dict[str, str]:
    """The body of a principal's instruction (批示) at the level of their unit (one of ``INSTRUCTION_LEVELS``)."""
    return {"level": level, "text": rng.choice(INSTRUCTIONS)}
