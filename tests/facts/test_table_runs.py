"""Printed lists whose text layer runs cells together: a row of an invoice list read from positioned
lines must keep its number, payer and amounts apart, and a page footer is no row."""
from decimal import Decimal

from shenbao.facts.tables import rows_from_lines
from shenbao.model import Line

H = 0.012


def at(x0: float, x1: float, y: float, text: str) -> Line:
    return Line(text, (x0, y, x1, y + H))


def invoice_list(rows) -> list[Line]:
    lines = [at(0.05, 0.08, 0.20, "序号"), at(0.10, 0.16, 0.20, "发票号码"), at(0.24, 0.30, 0.20, "付款方名称"),
             at(0.40, 0.46, 0.20, "开具日期"), at(0.52, 0.58, 0.20, "开具金额"), at(0.64, 0.70, 0.20, "不含税金额"),
             at(0.76, 0.90, 0.20, "设备名称型号")]
    y = 0.24
    for i, (number, payer, date, amount, ex_tax, device) in enumerate(rows, start=1):
        lines.append(at(0.05, 0.06, y, str(i)))
        # the text layer ran the number into the payer, and the ex-tax amount into the device cell
        lines.append(at(0.09, 0.33, y, f"{number} {payer}"))
        lines.append(at(0.40, 0.46, y, date))
        lines.append(at(0.52, 0.57, y, amount))
        lines.append(at(0.64, 0.93, y, f"{ex_tax} {device}"))
        y += 0.03
    lines.append(at(0.05, 0.08, y, "合计"))
    lines.append(at(0.52, 0.57, y, "339,000.00"))
    lines.append(at(0.64, 0.69, y, "300,000.00"))
    lines.append(at(0.45, 0.55, 0.95, "第 1 页 共 1 页"))
    return lines


ROWS = [("14102300000078912345", "卢氏县青山矿业有限公司", "2024-10-08", "226,000.00", "200,000.00", "破碎机 PE-600 1台"),
        ("14102300000078912399", "卢氏县青山矿业有限公司", "2025-03-19", "113,000.00", "100,000.00", "振动筛 2YK 1台")]


def test_a_number_run_into_the_payer_is_split_at_the_column():
    t = rows_from_lines(invoice_list(ROWS))
    assert [r.number for r in t.rows] == [r[0] for r in ROWS]
    assert [r.payer for r in t.rows] == ["卢氏县青山矿业有限公司"] * 2


def test_an_amount_run_into_the_next_cell_is_still_the_amount():
    t = rows_from_lines(invoice_list(ROWS))
    assert [r.amount_ex_tax for r in t.rows] == [Decimal("200000.00"), Decimal("100000.00")]
    assert sum(r.amount_ex_tax for r in t.rows) == t.totals[0].amount_ex_tax


def test_a_page_footer_is_no_row():
    t = rows_from_lines(invoice_list(ROWS))
    assert len(t.rows) == 2


def test_column_names_one_space_apart_are_two_columns():
    lines = [at(0.05, 0.12, 0.20, "类别 序号"), at(0.15, 0.22, 0.20, "设备名称"), at(0.40, 0.48, 0.20, "实际付款金额"),
             at(0.05, 0.07, 0.24, "设备"), at(0.10, 0.11, 0.24, "1"), at(0.15, 0.22, 0.24, "数控车床"),
             at(0.40, 0.45, 0.24, "12.50"), at(0.05, 0.07, 0.27, "总计"), at(0.40, 0.45, 0.27, "12.50")]
    t = rows_from_lines(lines)
    assert "category" in t.header_map and "index" in t.header_map
    assert [r.index for r in t.rows] == [1] and t.rows[0].category == "设备"
