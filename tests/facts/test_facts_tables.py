import datetime as dt
import pytest
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from shenbao.facts.tables import header_key, rows_from_lines, rows_from_sheet
from shenbao.model import Line, Sheet

D = dt.date
COMPANY = "三门峡某某机械有限公司"

INVOICE_SHEET = [
    ["区间有效投资发票清单", None, None, None, None, None, None, None, None],
    ["企业名称：" + COMPANY, None, None, None, None, None, None, None, None],
    ["序号", "发票号码", "付款方名称", "收款方名称", "开具内容", "开具日期", "开具金额", "不含税金额",
     "设备、技术、研发、软件等信息\n（名称、型号、出厂日期等）"],
    [1, "12345678", COMPANY, "上海甲有限公司", "数控机床", dt.datetime(2024, 8, 1), "113,000.00", "100,000.00", "VMC850"],
    ["2", 23456789.0, COMPANY, "上海乙有限公司", "工业机器人", "2024-09-15", 56500.0, 50000, None],
    [3, "34567890", COMPANY, "上海丙有限公司", "软件", 45658, "11,300.00", "10,000.00", None],
    ["****", "****", "****", "****", "****", "****", "****", "****", "****"],
    ["……", None, None, None, None, None, None, None, None],
    [4, None, None, None, None, None, None, None, None],
    ["合  计", None, None, None, None, None, "180,800.00", "160,000.00", None],
    ["备注：本表须经税务部门盖章确认", None, None, None, None, None, None, None, None],
]


def test_invoice_sheet():
    t = rows_from_sheet(INVOICE_SHEET)
    assert t.found and t.header_row == 2
    assert t.title == "区间有效投资发票清单" and t.company == COMPANY and t.unit is None
    assert t.header_map == {"index": 0, "number": 1, "payer": 2, "payee": 3, "content": 4, "date": 5,
                            "amount": 6, "amount_ex_tax": 7, "details": 8}
    assert [r.index for r in t.rows] == [1, 2, 3]
    assert [r.number for r in t.rows] == ["12345678", "23456789", "34567890"]
    assert [r.date for r in t.rows] == [D(2024, 8, 1), D(2024, 9, 15), D(2025, 1, 1)]  # Excel serial
    assert [r.amount for r in t.rows] == [Decimal(113000), Decimal(56500), Decimal(11300)]
    assert [r.amount_ex_tax for r in t.rows] == [Decimal(100000), Decimal(50000), Decimal(10000)]
    assert all(r.payer == COMPANY for r in t.rows)
    assert t.rows[0].payee == "上海甲有限公司" and t.rows[0].content == "数控机床" and t.rows[0].details == "VMC850"
    assert [r.source_row for r in t.rows] == [3, 4, 5]
    assert t.skipped == 3  # ****, ……, a row with only its 序号
    (total,) = t.totals
    assert total.label == "合计" and total.amount == Decimal(180800) and total.amount_ex_tax == Decimal(160000)
    assert sum(r.amount for r in t.rows) == total.amount
    assert t.notes == ["备注：本表须经税务部门盖章确认"]


def test_sheet_object_and_unparsed_cells():
    rows = [["序号", "发票号码", "开具日期", "开具金额"], [1, "87654321", "2025-02-30", "12,OOO.00"]]
    t = rows_from_sheet(Sheet("发票清单", rows))
    (r,) = t.rows
    assert r.date is None and r.amount is None and sorted(r.unparsed) == ["amount", "date"]
    assert r.cells["amount"] == "12,OOO.00"


PAYMENT_SHEET = [
    ["区间付款清单"],
    ["申请单位名称（盖章）：" + COMPANY, None, None, None, None, None, None, None, "单位：万元"],
    ["类别", "序号", "设备名称", "规格/型号", "数量（台、套）", "发票金额（扣税后）", "实际付款金额（扣税后）",
     "收款单位", "发票号码", "发票日期", "合同/协议编号", "合同/协议日期（年/月/日）", "补助基数"],
    ["设备", 1, "数控机床", "VMC850", 2, 10, 9.5, "上海甲有限公司", "12345678", "2024/8/1", "HT-001", "2024/6/1", 9.5],
    [None, 2, "工业机器人", "IR-6", 1, 5, 5, "上海乙有限公司", "23456789", "2024/9/15", "HT-002", "2024/7/1", 5],
    [None, "小计", None, None, None, 15, 14.5, None, None, None, None, None, 14.5],
    ["软件", 1, "MES系统", "V2", 1, 1, 1.2, "上海丙有限公司", "34567890", "2025/1/1", "HT-003", "2024/12/1", 1],
    [None, "小计", None, None, None, 1, 1.2, None, None, None, None, None, 1],
    ["总计", None, None, None, None, 16, 15.7, None, None, None, None, None, 15.5],
    ["备注：“发票金额”列和“实际付款金额”列均可合并调整表格；补助基数为发票和付款之间最小值"],
]


def test_payment_sheet_in_wan_yuan():
    t = rows_from_sheet(PAYMENT_SHEET)
    assert t.unit == "万元" and t.company == COMPANY
    assert {"category", "index", "item", "model", "quantity", "amount_ex_tax", "paid", "payee", "number",
            "date", "contract_no", "contract_date", "base"} <= set(t.header_map)
    assert t.ex_tax_keys == {"amount_ex_tax", "paid"}
    assert [r.category for r in t.rows] == ["设备", "设备", "软件"]
    r = t.rows[0]
    assert r.amount is None and r.amount_ex_tax == Decimal(100000) and r.invoice_amount == Decimal(100000)
    assert r.paid == Decimal(95000) and r.base == Decimal(95000) and r.quantity == Decimal(2)
    assert r.contract_no == "HT-001" and r.contract_date == D(2024, 6, 1) and r.date == D(2024, 8, 1)
    assert all(r.base == min(r.amount_ex_tax, r.paid) for r in t.rows)
    assert [(x.label, x.category, x.base) for x in t.totals] == [
        ("小计", "设备", Decimal(145000)), ("小计", "软件", Decimal(10000)), ("总计", None, Decimal(155000))]


def test_two_row_header():
    rows = [["序号", "发票号码", "区间完成投资", None],
            [None, None, "含税金额", "不含税金额"],
            [1, "11112222", "1,130.00", "1,000.00"]]
    t = rows_from_sheet(rows)
    assert t.header_map["amount"] == 2 and t.header_map["amount_ex_tax"] == 3
    assert t.rows[0].amount == Decimal(1130)


def test_no_header():
    assert not rows_from_sheet([["a", "b"], [1, 2]]).found
    assert rows_from_sheet([]).rows == []
    assert not rows_from_sheet(None).found
    assert not rows_from_lines([]).found


def test_header_key_fuzzy():
    assert header_key("实际付款金额\n（扣税后）") == "paid"
    assert header_key("发票金额（扣税后）") == "amount_ex_tax"
    assert header_key("开 具 金 额") == "amount"
    assert header_key("合同/协议日期（年/月/日）") == "contract_date"
    assert header_key("合同／协议编号") == "contract_no"
    assert header_key("数量（台、套）") == "quantity"
    assert header_key("随便") is None


# --- OCR-like lines ------------------------------------------------------------------------

COLS = [(0.05, 0.12), (0.15, 0.35), (0.40, 0.70), (0.75, 0.95)]  # x ranges of 4 columns


def cell(text, col, row, conf=0.95, dy=0.0, y0=0.20, h=0.02, pitch=0.05):
    x0, x1 = COLS[col]
    y = y0 + row * pitch + dy
    return Line(text, (x0 + 0.005, y, x0 + 0.005 + min(x1 - x0 - 0.01, 0.012 * len(text)), y + h), conf)


def test_lines_4x5_table():
    lines = [
        Line("区间有效投资发票清单", (0.3, 0.05, 0.7, 0.08), 0.99),
        Line("单位：元", (0.8, 0.12, 0.95, 0.14), 0.99),
        cell("序号", 0, 0), cell("发票号码", 1, 0), cell("收款方名称", 2, 0), cell("开具金额", 3, 0),
        cell("1", 0, 1), cell("12345678", 1, 1), cell("上海甲有限公司", 2, 1, conf=0.80), cell("113,000.00", 3, 1, dy=0.003),
        cell("2", 0, 2), cell("23456789", 1, 2), cell("上海乙有限公司", 2, 2), cell("56,500.00", 3, 2, dy=-0.003),
        cell("3", 0, 3), cell("34567890", 1, 3), cell("上海丙有限公司", 2, 3), cell("11,300.00", 3, 3, conf=0.7),
        cell("合计", 0, 4), cell("180,800.00", 3, 4),
    ]
    t = rows_from_lines(list(reversed(lines)))  # input order must not matter
    assert t.found and t.title == "区间有效投资发票清单" and t.unit == "元"
    assert set(t.header_map) == {"index", "number", "payee", "amount"}
    assert [(r.index, r.number, r.payee, r.amount) for r in t.rows] == [
        (1, "12345678", "上海甲有限公司", Decimal(113000)),
        (2, "23456789", "上海乙有限公司", Decimal(56500)),
        (3, "34567890", "上海丙有限公司", Decimal(11300)),
    ]
    assert [r.confidence for r in t.rows] == [0.80, 0.95, 0.7]
    b = t.rows[0].bbox
    assert b[0] < 0.06 and b[2] > 0.75 and 0.24 < b[1] < 0.26
    (total,) = t.totals
    assert total.amount == Decimal(180800) and total.bbox[1] > t.rows[-1].bbox[1]


def test_lines_wrapped_cells_and_header():
    # header "收款方名称" printed on two lines, the first payee wrapped onto a second line,
    # one OCR line holding two header names
    lines = [
        Line("序号   发票号码", (0.05, 0.20, 0.35, 0.22)),
        Line("收款方", (0.40, 0.19, 0.50, 0.205)), Line("名称", (0.40, 0.21, 0.46, 0.225)),
        Line("开具金额（万元）", (0.75, 0.20, 0.93, 0.22)),
        cell("1", 0, 1), cell("12345678", 1, 1), cell("三门峡某某机械设备", 2, 1), cell("11.3", 3, 1),
        Line("有限公司", (0.405, 0.275, 0.47, 0.295), 0.9),
        cell("2", 0, 3), cell("23456789", 1, 3), cell("上海乙有限公司", 2, 3), cell("5.65", 3, 3),
    ]
    t = rows_from_lines(lines)
    assert t.column_units == {"amount": "万元"}
    assert [(r.number, r.payee, r.amount) for r in t.rows] == [
        ("12345678", "三门峡某某机械设备 有限公司", Decimal(113000)),
        ("23456789", "上海乙有限公司", Decimal(56500)),
    ]
    assert t.rows[0].confidence == 0.9


def test_lines_placeholder_rows_skipped():
    lines = [cell("序号", 0, 0), cell("发票号码", 1, 0), cell("开具日期", 2, 0), cell("开具金额", 3, 0),
             cell("1", 0, 1), cell("12345678", 1, 1), cell("2025-01-02", 2, 1), cell("1,000.00", 3, 1),
             cell("……", 0, 2), cell("……", 1, 2), cell("****", 3, 2)]
    t = rows_from_lines(lines)
    assert len(t.rows) == 1 and t.rows[0].date == D(2025, 1, 2) and t.skipped == 1


cell_values = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.floats(allow_nan=True),
                        st.datetimes(), st.dates(), st.decimals(allow_nan=False))


@settings(max_examples=200)
@given(st.lists(st.lists(cell_values, max_size=8), max_size=8))
def test_sheet_never_raises(rows):
    rows_from_sheet(rows)
    rows_from_sheet([["序号", "发票号码", "开具金额", "开具日期"]] + rows)


boxes = st.tuples(*[st.floats(min_value=0, max_value=1)] * 4)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.text(max_size=10), boxes, st.floats(min_value=0, max_value=1)), max_size=20))
def test_lines_never_raise(items):
    lines = [Line(t, b, c) for t, b, c in items]
    rows_from_lines(lines)
    header = [cell("序号", 0, 0), cell("发票号码", 1, 0), cell("收款方名称", 2, 0), cell("开具金额", 3, 0)]
    rows_from_lines(header + lines)


def _tilted(lines, slope):
    """The lines as a photo of the sheet, turned a little: each box moved down by slope x its centre."""
    out = []
    for l in lines:
        x0, y0, x1, y1 = l.bbox
        dy = slope * (x0 + x1) / 2
        out.append(Line(l.text, (x0, y0 + dy, x1, y1 + dy), l.confidence))
    return out


def _list_page(n_rows=6, pitch=0.035):
    company = Line("申请单位名称（盖章）：三门峡某某机械有限公司", (0.05, 0.15, 0.6, 0.17), 0.98)
    header = [Line("序号", (0.055, 0.20, 0.09, 0.22)), Line("发票号码", (0.155, 0.20, 0.23, 0.22)),
              Line("收款方名称", (0.405, 0.20, 0.5, 0.22)), Line("开具金额（元）", (0.755, 0.20, 0.9, 0.22))]
    rows = []
    for k in range(1, n_rows + 1):
        rows += [cell(str(k), 0, k, pitch=pitch), cell(f"2441{k:04d}0000", 1, k, pitch=pitch),
                 cell(f"郑州{'甲乙丙丁戊己'[k - 1]}机床有限公司", 2, k, pitch=pitch),
                 cell(f"{k * 1000}.00", 3, k, pitch=pitch)]
    return [company] + header + rows


@pytest.mark.parametrize("slope", [-0.05, -0.03, 0.0, 0.03, 0.05])
def test_rows_of_a_tilted_photo_stay_rows(slope):
    """A photographed list whose rows slope by more than a row height across the page is read row
    by row: each invoice number with its own payee and amount, the first row under the header
    included."""
    t = rows_from_lines(_tilted(_list_page(), slope))
    assert t.found and set(t.header_map) == {"index", "number", "payee", "amount"}
    assert [(r.index, r.number, r.payee, r.amount) for r in t.rows] == [
        (k, f"2441{k:04d}0000", f"郑州{'甲乙丙丁戊己'[k - 1]}机床有限公司", Decimal(k * 1000)) for k in range(1, 7)]
    # rows keep the boxes their lines have on the page (evidence crops land on the row)
    page = _tilted(_list_page(), slope)
    own = [l.bbox for l in page if l.text in ("1", "24410001" + "0000", "1000.00")]
    first = t.rows[0].bbox
    assert first[1] == pytest.approx(min(b[1] for b in own)) and first[3] == pytest.approx(max(b[3] for b in own))
