"""Form cells whose label wraps: the value sits centred on the whole cell, level with neither line
of the label, and reading order interleaves the label's fragments with the row's values."""
from shenbao.facts.form_cells import cell_value
from shenbao.facts.labels import field_filled
from shenbao.model import Document, Line, Page

from tests.pipeline import findings, licence, run


def cell(x0: float, y0: float, *parts: str, w: float = 0.11, h: float = 0.011) -> list[Line]:
    """A label printed over several lines of a narrow cell, starting at (x0, y0)."""
    return [Line(t, (x0, y0 + i * (h + 0.003), x0 + w, y0 + i * (h + 0.003) + h)) for i, t in enumerate(parts)]


def value(x0: float, yc: float, text: str, w: float = 0.2, h: float = 0.011) -> Line:
    return Line(text, (x0, yc - h / 2, x0 + w, yc + h / 2))


def row_with_wrapped_labels(paid: str | None, filing: str | None) -> list[Line]:
    lines = cell(0.10, 0.40, "区间付款金额", "（万元）") + cell(0.50, 0.40, "项目备案文", "号")
    if paid is not None:
        lines.append(value(0.25, 0.4125, paid, w=0.08))
    if filing is not None:
        lines.append(value(0.65, 0.4125, filing))
    return lines


def test_a_value_centred_on_a_wrapped_label_fills_it():
    lines = row_with_wrapped_labels("412.50", "2405-410000-04-01-123456")
    assert field_filled(lines, "区间付款金额") is True
    assert field_filled(lines, "项目备案文号") is True


def test_an_empty_cell_before_the_next_wrapped_label_is_blank():
    """Nothing between 项目备案文号's cell and the next label: the next label is no value."""
    lines = cell(0.10, 0.40, "项目备案文", "号") + cell(0.30, 0.398, "环境影响评价文", "号（或证", "明）") + [
        value(0.45, 0.41, "豫环审〔2024〕17号")]
    assert field_filled(lines, "项目备案文号") is False
    assert field_filled(lines, "环境影响评价文号（或证明）") is True


def test_a_unit_in_the_labels_cell_is_not_its_value():
    lines = row_with_wrapped_labels(None, "2405-410000-04-01-123456")
    assert field_filled(lines, "区间付款金额") is False


def test_cell_value_reads_a_name_under_a_wrapped_label():
    lines = cell(0.12, 0.20, "单位（企业）名", "称") + [value(0.30, 0.2075, "洛宁县金穗农业开发有限公司")]
    assert cell_value(lines, ["单位（企业）名称"])[1] == "洛宁县金穗农业开发有限公司"


def _form_page(name: str, code: str) -> Page:
    lines = [Line("三门峡市“三大改造”项目申请表", (0.3, 0.07, 0.7, 0.09))]
    lines += cell(0.15, 0.13, "企业（单位）名", "称") + [value(0.33, 0.1375, name)]
    lines += cell(0.62, 0.13, "统一社会信用", "代码", w=0.09) + [value(0.75, 0.1375, code, w=0.15)]
    text = "\n".join(l.text for l in sorted(lines, key=lambda l: (l.bbox[1], l.bbox[0])))
    return Page(number=1, width=595, height=842, text=text, lines=lines, source="text-layer")


def test_a_form_name_one_word_longer_than_the_licence_and_a_bad_check_digit_are_found():
    from shenbao.facts.credit_code import check_digit

    body = "91411202MA9KXY123"
    good = body + check_digit(body)
    bad = body + ("0" if check_digit(body) != "0" else "1")
    form = Document(path="02-项目申请表.pdf", kind="pdf", format="pdf",
                    pages=[_form_page("三门峡市宏达智能装备制造有限公司", bad)])
    lic = Document(path="04-营业执照.pdf", kind="pdf", format="pdf", pages=[])
    from tests.pipeline import page
    lic.pages = [page(licence(code=good))]
    report = run([form, lic])
    [name] = findings(report, "name-mismatch")
    assert name["path"] == "02-项目申请表.pdf" and "宏达智能装备制造" in name["message"]
    [code] = findings(report, "credit-code-invalid")
    assert code["path"] == "02-项目申请表.pdf" and bad in code["message"]


# -- a table form prints its labels without colons: the next thing on the row may be the next label --

def L(text: str, x0: float, y0: float, x1: float, h: float = 0.012) -> Line:
    return Line(text, (x0, y0, x1, y0 + h))


def test_an_empty_cell_followed_by_the_rows_next_label_and_its_value_is_blank():
    """“法人代表 | (empty) | 联系电话 | 152…”: the phone number is the next field's value."""
    lines = [L("法人代表", 0.13, 0.20, 0.19), L("联系电话", 0.55, 0.20, 0.62), L("15267527139", 0.73, 0.20, 0.83)]
    assert field_filled(lines, "法人代表") is False
    lines.insert(1, L("孟国", 0.30, 0.20, 0.35))
    assert field_filled(lines, "法人代表") is True


def test_an_empty_cell_before_a_label_holding_its_value_is_blank():
    lines = [L("法人代表", 0.38, 0.163, 0.44), L("统一社会信用代码 91150426MA0B341Q00", 0.61, 0.163, 0.90)]
    assert field_filled(lines, "法人代表") is False


def test_labels_in_a_row_over_their_values_are_filled():
    """附件1-2 prints a row of labels and the row of their values under it."""
    lines = [L("企业（单位）名称", 0.165, 0.154, 0.298), L("企业（单位）性质", 0.44, 0.157, 0.575), L("职工人数", 0.61, 0.159, 0.683),
             L("三门峡昊天电子材料有限公司", 0.191, 0.186, 0.404), L("有限责任公司", 0.593, 0.189, 0.697)]
    assert field_filled(lines, "企业（单位）名称") is True
    # nothing under it, or only the next row's label: blank
    lines = [l for l in lines if l.text != "三门峡昊天电子材料有限公司"] + [L("企业规模类型", 0.179, 0.186, 0.282)]
    assert field_filled(lines, "企业（单位）名称") is False


def test_a_value_at_the_end_of_its_row_ending_like_a_label_is_still_a_value():
    lines = [L("主营业务", 0.12, 0.22, 0.19), L("农机零部件生产情况", 0.30, 0.22, 0.50)]
    assert field_filled(lines, "主营业务") is True
