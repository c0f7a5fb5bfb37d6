"""Build documents in memory and run them through the real classify -> facts -> checks pipeline.

Extraction is the only stage skipped, so a check's test states what a user would see for a package
whose files read as given.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from shenbao.engine import RunOptions, analyse
from shenbao.model import Document, Line, Page, Sheet
from shenbao.plugins_manager import get_plugin_manager
from shenbao.programs import programs_from_plugins

PROGRAM = "smx2025-intelligent-retrofit"


def page(text: str, number: int = 1, source: str = "text-layer", confidence: float = 1.0, colour: float = 0.0) -> Page:
    lines = [l for l in text.strip("\n").splitlines()]
    n = max(1, len(lines))
    out = [Line(l.strip(), (0.1, i / (n + 1), 0.9, (i + 0.8) / (n + 1)), confidence) for i, l in enumerate(lines) if l.strip()]
    return Page(number=number, width=595, height=842, text="\n".join(l.text for l in out), lines=out,
                source=source, confidence=confidence, colour_ratio=colour)


def doc(path: str, *texts: str, source: str = "text-layer", confidence: float = 1.0) -> Document:
    pages = [page(t, i, source, confidence) for i, t in enumerate(texts, start=1)]
    return Document(path=path, kind="image" if source == "ocr" and path.lower().endswith((".jpg", ".png")) else "pdf",
                    format="pdf", pages=pages)


def sheet_doc(path: str, rows: list[list], name: str = "Sheet1") -> Document:
    text = "\n".join("\t".join("" if v is None else str(v) for v in r) for r in rows)
    return Document(path=path, kind="xlsx", format="xlsx", sheets=[Sheet(name, rows)], pages=[page(text)])


def program(pid: str = PROGRAM):
    return programs_from_plugins(get_plugin_manager())[pid]


def run(docs: list[Document], as_of: dt.date = dt.date(2025, 8, 10), stage: str = "enterprise", pid: str = PROGRAM) -> dict:
    """The report for ``docs`` as ``shenbao check`` makes it, through the engine's own seam."""
    return analyse(Path("pkg"), docs, program(pid), RunOptions(as_of=as_of, stage=stage), get_plugin_manager(), as_of)


def findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# -- realistic document texts (as a text layer or OCR would give them) -----------------------------

APPLICANT = "三门峡市宏达智能装备有限公司"
CODE = "91411202MA9KXY1234"  # placeholder; tests compute a valid one below


def valid_code() -> str:
    from shenbao.facts.credit_code import check_digit

    body = "91411202MA9KXY123"
    return body + check_digit(body)


def licence(established: str = "2019年03月15日", code: str | None = None, name: str = APPLICANT) -> str:
    return f"""营业执照
统一社会信用代码 {code or valid_code()}
名称 {name}
类型 有限责任公司(自然人投资或控股)
法定代表人 张伟
经营范围 智能装备研发、制造、销售
注册资本 伍佰万元整
成立日期 {established}
住所 河南省三门峡市湖滨区崤山路88号
登记机关 三门峡市市场监督管理局"""


def credit_page(list_name: str, when: str = "2025-08-05 10:21:33", site: str = "信用中国") -> str:
    return f"""www.creditchina.gov.cn
{site}
{list_name}
查询对象：{APPLICANT}
未查询到相关信息
查询时间：{when}"""


def audit_report(code_line: str = "报告验证码：7K3H9XA2") -> str:
    return f"""审计报告
豫正审字〔2025〕第0316号
{APPLICANT}全体股东：
我们审计了后附的财务报表，包括2024年12月31日的资产负债表
{code_line}
中国注册会计师：李明
河南正信会计师事务所（特殊普通合伙）"""


def invoice_rows(rows=None, total=None, payer: str = APPLICANT) -> list[list]:
    rows = rows or [
        ("25412000000012345678", "2024-09-02", 1200000.00),
        ("25412000000012345679", "2024-11-15", 600000.00),
        ("25412000000012345680", "2025-03-20", 450000.00),
    ]
    out = [["三门峡市2025年度“三大改造”暨新一代信息技术融合应用项目区间有效投资发票清单"],
           [f"企业名称：{payer}"],
           ["序号", "发票号码", "付款方名称", "收款方名称", "开具内容", "开具日期", "开具金额", "不含税金额", "设备、技术、研发、软件等信息"]]
    for i, (no, date, amount) in enumerate(rows, start=1):
        out.append([i, no, payer, "郑州智造机器人有限公司", "工业机器人", date, amount, round(amount / 1.13, 2), "六轴机器人"])
    out.append(["合计", None, None, None, None, None, total if total is not None else sum(r[2] for r in rows), None, None])
    return out


def declaration(company: str = APPLICANT) -> str:
    return f"""申报真实性声明
本单位郑重声明：所提交的2025年度“三大改造”项目申报材料真实、准确、完整。
如有虚假，愿承担相应责任。
单位法人代表（手写签字）：
单位盖章：{company}
2025年7月20日"""


def application_form() -> str:
    return f"""项目申请表
企业（单位）名称 {APPLICANT}
法人代表 张伟 联系方式 13903981234
项目名称 智能化生产线改造项目
计划总投资 500万元 累计完成投资 320万元 区间付款金额 280万元
申报类别 智能化改造 申请金额 70万元
申请单位（盖章）：
县（市、区）工信主管部门意见
（盖章）
县（市、区）财政部门意见
（盖章）
申报材料审核人： 项目现场核实人："""


# -- visual evidence, as the detectors would report it ----------------------------------------------

def seal(text: str = APPLICANT, issuer: str = "company", confidence: float = 0.9, text_confidence: float = 0.9,
         bbox=(0.6, 0.7, 0.8, 0.85), edge=None):
    from shenbao.model import Seal

    return Seal(bbox=bbox, confidence=confidence, text=text, text_confidence=text_confidence if text else 0.0,
                issuer=issuer, edge=edge)


def signature_field(label: str = "单位法人代表（手写签字）：", signed: bool = True, colour: str | None = "black",
                    confidence: float = 0.9, page_line: float = 0.55):
    from shenbao.model import SignatureField

    return SignatureField(label=label, label_bbox=(0.1, page_line, 0.4, page_line + 0.03),
                          bbox=(0.4, page_line - 0.03, 0.8, page_line + 0.06), signed=signed,
                          ink=0.05 if signed else 0.0, colour=colour if signed else None, confidence=confidence)


def looked(document: Document, seals_by_page: dict | None = None, signatures_by_page: dict | None = None,
           codes_by_page: dict | None = None, unread_codes_by_page: dict | None = None) -> Document:
    """Mark every page of ``document`` as visually analysed, with the given seals/signatures/codes
    (and boxes of QR symbols located but not read)."""
    for p in document.pages:
        p.visual = True
        p.seals = list((seals_by_page or {}).get(p.number, []))
        p.signatures = list((signatures_by_page or {}).get(p.number, []))
        p.codes = list((codes_by_page or {}).get(p.number, []))
        p.unread_codes = list((unread_codes_by_page or {}).get(p.number, []))
    return document
