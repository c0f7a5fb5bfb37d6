"""The invoice reader on the shapes real invoices have: text-layer runs split and out of order,
labels glued to values, 购买方 / 销售方 printed down the block's edge, 数电票 two-column blocks, and
the QR payload, agreeing with the text or not."""
import datetime as dt
from decimal import Decimal

from shenbao.classify import compile_kinds, score_page
from shenbao.facts.credit_code import generate_code
from shenbao.facts.invoice import invoice_facts, parse_invoice_qr, read_date
from shenbao.materials import KINDS
from shenbao.model import SOURCE_OCR, SOURCE_TEXT_LAYER, Code, Document, Line, Page

SELLER_ID = generate_code("91410100MA44HUD80")  # 17 characters + its check character
BUYER_ID = generate_code("91410100170051070")


def page(pieces, *, codes=(), source=SOURCE_TEXT_LAYER, conf=1.0, width=600.0, height=400.0):
    """A page from ``(text, x0, y0, x1, y1)`` pieces (page fractions), its text in the given order."""
    lines = [Line(t, (x0, y0, x1, y1), conf) for t, x0, y0, x1, y1 in pieces]
    return Page(1, width, height, text="\n".join(t for t, *_ in pieces), lines=lines, source=source,
                confidence=conf, codes=[Code(c, (0.06, 0.02, 0.15, 0.15)) for c in codes])


def facts_of(p: Page) -> dict:
    doc = Document("fund/inv.pdf", "pdf", pages=[p])
    out = {}
    for f in invoice_facts(doc, p):
        out.setdefault(f.kind, f)
    return out


def vat_pupiao(*, qr=None, number="32321709"):
    """A 增值税电子普通发票 as its text layer has it: labels and values in separate runs, the date's
    digits apart from its 年 月 日 template, 名 and 称 apart, 购/买/方 down the block's edge."""
    pieces = [
        ("发票代码:", 0.714, 0.033, 0.78, 0.056), ("041001900111", 0.779, 0.031, 0.861, 0.054),
        ("河南增值税电子普通发票", 0.324, 0.06, 0.685, 0.111),
        ("发票号码:", 0.713, 0.077, 0.78, 0.1), (number, 0.779, 0.076, 0.835, 0.099),
        ("开票日期:", 0.713, 0.121, 0.779, 0.144), ("2019 09 19", 0.783, 0.121, 0.889, 0.145),
        ("年 月 日", 0.821, 0.12, 0.905, 0.144),
        ("机器编号:", 0.051, 0.165, 0.117, 0.188), ("661807105160", 0.123, 0.163, 0.206, 0.185),
        ("校 验 码:", 0.713, 0.166, 0.779, 0.189), ("66881 99000 29471 47011", 0.779, 0.165, 0.934, 0.188),
        ("名", 0.079, 0.22, 0.094, 0.243), ("称:", 0.153, 0.22, 0.175, 0.243), ("个人", 0.177, 0.218, 0.207, 0.241),
        ("密", 0.577, 0.228, 0.591, 0.251), ("362006-+8<*5-6+1>1<03+435/4", 0.625, 0.225, 0.944, 0.249),
        ("购", 0.047, 0.237, 0.062, 0.26), ("纳税人识别号:", 0.08, 0.259, 0.176, 0.282),
        ("2*589*-05732-5/895*/+6619<>", 0.625, 0.263, 0.944, 0.287),
        ("买", 0.047, 0.277, 0.062, 0.299), ("码", 0.577, 0.277, 0.592, 0.3),
        ("地 址、电 话:", 0.079, 0.297, 0.175, 0.32), ("方", 0.047, 0.317, 0.062, 0.34),
        ("区", 0.577, 0.327, 0.592, 0.35), ("开户行及账号:", 0.079, 0.335, 0.175, 0.358),
        ("货物或应税劳务、服务名称", 0.072, 0.375, 0.249, 0.398), ("金 额", 0.695, 0.376, 0.739, 0.399),
        ("税率", 0.794, 0.375, 0.823, 0.398), ("税 额", 0.881, 0.376, 0.925, 0.398),
        ("*家用美容保健电器*飞科剃须刀", 0.044, 0.409, 0.328, 0.433), ("105.31 13%", 0.747, 0.409, 0.824, 0.432),
        ("13.69", 0.937, 0.409, 0.969, 0.432),
        ("合", 0.1, 0.654, 0.115, 0.676), ("计", 0.167, 0.654, 0.182, 0.676),
        ("¥91.59", 0.719, 0.663, 0.784, 0.685), ("¥11.91", 0.903, 0.663, 0.968, 0.685),
        ("价税合计(大写)", 0.101, 0.701, 0.204, 0.724), ("壹佰零叁圆伍角", 0.312, 0.701, 0.415, 0.724),
        ("(小写)", 0.736, 0.701, 0.78, 0.724), ("¥103.50", 0.778, 0.703, 0.854, 0.726),
        ("名", 0.079, 0.75, 0.093, 0.772), ("称:", 0.152, 0.75, 0.175, 0.772),
        ("郑州京东优凯贸易有限公司", 0.177, 0.749, 0.354, 0.772), ("订单号:103497458312", 0.607, 0.746, 0.737, 0.769),
        ("销", 0.048, 0.767, 0.063, 0.79), ("备", 0.576, 0.767, 0.591, 0.79),
        ("纳税人识别号:", 0.079, 0.786, 0.175, 0.809), (SELLER_ID, 0.177, 0.788, 0.39, 0.813),
        ("售", 0.048, 0.802, 0.063, 0.825), ("地 址、电 话:", 0.079, 0.822, 0.175, 0.845),
        ("郑州经济技术开发区傲雪路 0371-53307501", 0.177, 0.824, 0.558, 0.842),
        ("方", 0.048, 0.839, 0.063, 0.861), ("注", 0.576, 0.844, 0.591, 0.866),
        ("收款人:", 0.054, 0.904, 0.106, 0.926), ("王陆", 0.107, 0.904, 0.136, 0.927),
        ("开票人:", 0.515, 0.905, 0.567, 0.927), ("王梅", 0.569, 0.904, 0.599, 0.927),
        ("销售方:(章)", 0.716, 0.905, 0.797, 0.928),
    ]
    return page(pieces, codes=[qr] if qr else ())


def test_vat_invoice_from_split_runs():
    f = facts_of(vat_pupiao())
    assert f["invoice_code"].value == "041001900111"
    assert f["invoice_number"].value == "32321709"
    assert f["invoice_date"].value == dt.date(2019, 9, 19)
    assert f["invoice_total"].value == Decimal("103.50")
    assert f["invoice_amount_ex_tax"].value == Decimal("91.59")
    assert f["invoice_tax"].value == Decimal("11.91")
    assert f["buyer_name"].value == "个人"
    assert "buyer_tax_id" not in f  # a private buyer: the label has no value (the 密码区 is not one)
    assert f["seller_name"].value == "郑州京东优凯贸易有限公司"
    assert f["seller_tax_id"].value == SELLER_ID
    assert f["invoice_number"].bbox == (0.779, 0.076, 0.835, 0.099)  # the value's box, for the report
    assert all(x.confidence == 1.0 for x in f.values())


def test_vat_invoice_qr_agreeing():
    qr = "01,10,041001900111,32321709,91.59,20190919,66881990002947147011,89B0,"
    f = facts_of(vat_pupiao(qr=qr))
    assert f["invoice_number"].value == "32321709" and f["invoice_number"].confidence == 1.0
    assert "二维码" not in f["invoice_number"].text
    assert f["invoice_amount_ex_tax"].value == Decimal("91.59")  # the VAT QR amount is 不含税
    assert f["invoice_total"].value == Decimal("103.50")


def test_qr_disagreeing_with_the_text_is_flagged():
    qr = "01,10,041001900111,32321790,91.59,20190919,66881990002947147011,89B0,"
    f = facts_of(vat_pupiao(qr=qr))
    n = f["invoice_number"]
    assert n.value == "32321790"  # a cleanly decoded payload is exact
    assert n.confidence <= 0.5
    assert "32321709" in n.text and "二维码：32321790" in n.text
    assert f["invoice_code"].confidence == 1.0  # the fields that agree stay certain


def test_qr_fills_what_the_text_lacks():
    qr = "01,04,4200161350,00015045,1651.00,20160501,48114255542168294433,DBFE,"
    p = page([("增值税普通发票", 0.3, 0.05, 0.7, 0.1), ("价税合计(大写) 壹仟玖佰叁拾壹圆陆角柒分", 0.1, 0.7, 0.5, 0.73),
              ("(小写)￥1931.67", 0.7, 0.7, 0.9, 0.73)], codes=[qr], source=SOURCE_OCR, conf=0.9)
    f = facts_of(p)
    assert f["invoice_code"].value == "4200161350" and "二维码" in f["invoice_code"].text
    assert f["invoice_number"].value == "00015045"
    assert f["invoice_date"].value == dt.date(2016, 5, 1)
    assert f["invoice_amount_ex_tax"].value == Decimal("1651.00")
    assert f["invoice_total"].value == Decimal("1931.67")
    assert f["invoice_tax"].value == Decimal("280.67")  # 价税合计 − 金额, less sure
    assert f["invoice_tax"].confidence < 1.0


def test_glued_labels_in_a_text_only_page():
    """No geometry (a text layer without boxes): labels glued to values, one reading per line."""
    text = ("增值税专用发票\n发票代码:1100094140 发票号码:87654321\n开票日期：2010年11月18日\n"
            "名称:测试购方企业 密码区 03*<>+/45\n纳税人识别号:410305123456789\n合计 ¥5999.00 ¥1019.83\n"
            "价税合计(大写) 柒仟零壹拾捌圆捌角叁分 (小写)¥7,018.83\n名称:测试销方企业\n纳税人识别号:410305012345678")
    p = Page(1, 600, 400, text=text, source=SOURCE_TEXT_LAYER)
    f = facts_of(p)
    assert f["invoice_code"].value == "1100094140"
    assert f["invoice_number"].value == "87654321"
    assert f["invoice_date"].value == dt.date(2010, 11, 18)
    assert f["invoice_total"].value == Decimal("7018.83")
    assert f["invoice_amount_ex_tax"].value == Decimal("5999.00")
    assert f["invoice_tax"].value == Decimal("1019.83")
    assert f["buyer_name"].value == "测试购方企业"
    assert f["buyer_tax_id"].value == "410305123456789"
    assert f["seller_name"].value == "测试销方企业"
    assert f["seller_tax_id"].value == "410305012345678"


def shudian(number="24112000000048542163", qr_total="4449.00"):
    """A 数电票 (电子发票（增值税专用发票）): 购买方信息 left, 销售方信息 right, each written down its
    block's edge, labels glued to values; the text layer lists the right block's runs first."""
    pieces = [
        ("电子发票（增值税专用发票）", 0.33, 0.04, 0.67, 0.08),
        ("发票号码：", 0.70, 0.05, 0.77, 0.075), (number, 0.77, 0.05, 0.95, 0.075),
        ("开票日期：2024年05月28日", 0.70, 0.09, 0.95, 0.115),
        ("销", 0.50, 0.15, 0.515, 0.17), ("售", 0.50, 0.18, 0.515, 0.2), ("方", 0.50, 0.21, 0.515, 0.23),
        ("名称：北京互联三六五科技有限公司", 0.53, 0.16, 0.85, 0.185),
        ("统一社会信用代码/纳税人识别号：", 0.53, 0.21, 0.74, 0.235), (SELLER_ID, 0.74, 0.21, 0.92, 0.235),
        ("购", 0.03, 0.15, 0.045, 0.17), ("买", 0.03, 0.18, 0.045, 0.2), ("方", 0.03, 0.21, 0.045, 0.23),
        ("信", 0.03, 0.24, 0.045, 0.26), ("息", 0.03, 0.27, 0.045, 0.29),
        ("名称：海南麒麟云服科技有限公司", 0.06, 0.16, 0.40, 0.185),
        ("统一社会信用代码/纳税人识别号：", 0.06, 0.21, 0.27, 0.235), (BUYER_ID, 0.27, 0.21, 0.45, 0.235),
        ("项目名称", 0.06, 0.32, 0.14, 0.345), ("金 额", 0.62, 0.32, 0.67, 0.345), ("税 额", 0.86, 0.32, 0.91, 0.345),
        ("*信息技术服务*云服务费", 0.06, 0.36, 0.30, 0.385), ("4197.17", 0.62, 0.36, 0.69, 0.385),
        ("6%", 0.75, 0.36, 0.78, 0.385), ("251.83", 0.86, 0.36, 0.92, 0.385),
        ("合", 0.08, 0.62, 0.095, 0.645), ("计", 0.16, 0.62, 0.175, 0.645),
        ("¥4197.17", 0.60, 0.62, 0.69, 0.645), ("¥251.83", 0.84, 0.62, 0.92, 0.645),
        ("价税合计（大写）", 0.06, 0.68, 0.20, 0.705), ("⊗肆仟肆佰肆拾玖圆整", 0.25, 0.68, 0.45, 0.705),
        ("（小写）¥4449.00", 0.70, 0.68, 0.86, 0.705),
        ("开票人：张三", 0.06, 0.92, 0.20, 0.945),
    ]
    qr = f"01,31,,{number},{qr_total},20240528,,1DD6"
    return page(pieces, codes=[qr])


def test_shudian_two_column_blocks():
    f = facts_of(shudian())
    assert "invoice_code" not in f  # a 数电票 has no 发票代码
    assert f["invoice_number"].value == "24112000000048542163"
    assert f["invoice_date"].value == dt.date(2024, 5, 28)
    assert f["invoice_total"].value == Decimal("4449.00") and f["invoice_total"].confidence == 1.0
    assert f["invoice_amount_ex_tax"].value == Decimal("4197.17")
    assert f["invoice_tax"].value == Decimal("251.83")
    assert f["buyer_name"].value == "海南麒麟云服科技有限公司"
    assert f["buyer_tax_id"].value == BUYER_ID
    assert f["seller_name"].value == "北京互联三六五科技有限公司"
    assert f["seller_tax_id"].value == SELLER_ID


def test_shudian_qr_total_disagreeing():
    f = facts_of(shudian(qr_total="4494.00"))
    t = f["invoice_total"]
    assert t.value == Decimal("4494.00") and t.confidence <= 0.5
    assert "4449.00" in t.text and "二维码" in t.text


def test_ocr_amount_with_three_decimals_is_uncertain():
    p = page([("增值税专用发票", 0.3, 0.05, 0.7, 0.1), ("开票日期:2025年06月05日", 0.7, 0.1, 0.95, 0.13),
              ("(小写)¥128.380", 0.7, 0.7, 0.9, 0.73)], source=SOURCE_OCR, conf=0.95)
    f = facts_of(p)
    assert f["invoice_total"].value == Decimal("128.380") and f["invoice_total"].confidence <= 0.5
    assert f["invoice_date"].confidence == 0.95


def test_read_date_shapes():
    assert read_date("2019 09 19 年 月 日")[0] == dt.date(2019, 9, 19)
    assert read_date("年 月 日 2019 05 13")[0] == dt.date(2019, 5, 13)
    assert read_date("2021 年 09 月 06 日")[0] == dt.date(2021, 9, 6)
    assert read_date("20260609")[0] == dt.date(2026, 6, 9)
    assert read_date("2019 13 45") is None
    assert read_date("") is None


def test_parse_qr_payloads():
    zp = parse_invoice_qr("01,01,1200154130,03630024,94339.62,20160621,,9335,")
    assert zp["type_name"] == "增值税专用发票" and zp["code"] == "1200154130" and zp["number"] == "03630024"
    assert zp["amount"] == Decimal("94339.62") and zp["amount_is"] == "ex_tax" and zp["check_code"] == ""
    assert zp["date"] == dt.date(2016, 6, 21)
    pp = parse_invoice_qr("01,10,011001605111,80100798,64.9,20161018,85342965681116380258")
    assert pp["type"] == "10" and pp["check_code"] == "85342965681116380258" and pp["amount"] == Decimal("64.9")
    sd = parse_invoice_qr("01,32,,24312000000136634917,0.01,20240514,,1DD6")
    assert sd["digital"] and sd["code"] == "" and sd["number"] == "24312000000136634917"
    assert sd["amount_is"] == "total" and sd["date"] == dt.date(2024, 5, 14)
    fs = parse_invoice_qr("CZ-EI-00,1.1.0,00010126,0010925600,b05e2a,20260609,90.00")
    assert fs["fiscal"] and fs["code"] == "00010126" and fs["number"] == "0010925600"
    assert fs["amount"] == Decimal("90.00") and fs["amount_is"] == "total" and fs["check_code"] == "b05e2a"
    for junk in ("", "http://www.gsxt.gov.cn/index.html?uniscid=91440101MA5CM85X0A", "01,10,abc,def",
                 "01,10,041001900111,32321709,91.59,20191340,x", None, "01,10," + "9" * 3000):
        assert parse_invoice_qr(junk) is None


def test_fiscal_receipt():
    """A 中央非税收入统一票据（电子）: 票据代码/票据号码, 交款人 (buyer) and 收款单位（章） (seller)."""
    p = page([("中央非税收入统一票据（电子）", 0.32, 0.04, 0.65, 0.08),
              ("票据代码:", 0.10, 0.125, 0.18, 0.152), ("00010126", 0.18, 0.127, 0.237, 0.156),
              ("票据号码：", 0.60, 0.125, 0.684, 0.152), ("0010925600", 0.676, 0.126, 0.746, 0.155),
              ("交款人统一社会信用代码:", 0.104, 0.168, 0.298, 0.195), (BUYER_ID, 0.298, 0.171, 0.45, 0.2),
              ("交款人:", 0.104, 0.211, 0.163, 0.238), ("厦门未来显示技术研究院有限公司", 0.161, 0.202, 0.343, 0.225),
              ("开票日期:", 0.6, 0.211, 0.676, 0.239), ("2026-06-09", 0.673, 0.213, 0.741, 0.242),
              ("金额合计（大写）", 0.112, 0.622, 0.246, 0.651), ("玖拾元整", 0.239, 0.62, 0.299, 0.649),
              ("（小写）", 0.567, 0.622, 0.634, 0.65), ("90.00", 0.627, 0.62, 0.66, 0.649),
              ("收款单位（章）：", 0.104, 0.915, 0.254, 0.948), ("国家知识产权局专利局", 0.241, 0.917, 0.393, 0.946)],
             codes=["CZ-EI-00,1.1.0,00010126,0010925600,b05e2a,20260609,90.00"])
    f = facts_of(p)
    assert f["invoice_code"].value == "00010126" and f["invoice_number"].value == "0010925600"
    assert f["invoice_total"].value == Decimal("90.00") and f["invoice_total"].confidence == 1.0
    assert f["buyer_name"].value == "厦门未来显示技术研究院有限公司" and f["buyer_tax_id"].value == BUYER_ID
    assert f["seller_name"].value == "国家知识产权局专利局"


def test_nothing_on_an_empty_page():
    assert invoice_facts(Document("x.pdf", "pdf"), Page(1, 100, 100)) == []


def _kind(text: str) -> str:
    kinds = compile_kinds(KINDS)
    scores = score_page(Page(1, 600, 400, text=text), "scan.pdf", kinds, use_filename=False)
    return scores.best()[0]


def test_electronic_invoice_classifies_as_invoice_not_bank_receipt():
    """A 增值税电子普通发票 prints 开户行及账号, 收款人 and bank names, every bank-receipt keyword."""
    text = ("发票代码: 012002100311\n天津增值税电子普通发票\n国 统 一 发 票 监 制 发票号码： 76293190\n"
            "开票日期： 2021年12月29日\n校 验 码： 00534 48093 29784 22076\n机器编号: 499098267710\n"
            "名 称: 河南省第一建筑工程集团有限责任公司 033>113804/06>720+5>/21>0418\n"
            "纳税人识别号: 91410100170051070N\n开户行及账号: 郑州银行郑州自贸区支行 938260020103000547\n"
            "项目名称 规格型号 单位 数 量 单 价 金 额 税率 税 额\n合 计 ¥49.11 ¥0.49\n"
            "价税合计（大写） 肆拾玖圆陆角整 （小写） ¥49.60\n名 称: 天津货拉拉科技有限公司\n"
            "开户行及账号: 招商银行股份有限公司天津新港支行 1229-11723010802\n"
            "收款人: 钟美萍 复核: 丁凝 开票人: 廖展珣 销售方:(章)")
    assert _kind(text) == "invoice"


def test_invoice_titles():
    for title in ("增值税电子普通发票", "增值税电子专用发票", "电子发票（普通发票）", "电子发票（增值税专用发票）",
                  "全电发票", "河南增值税专用发票", "深圳增值税电子普通发票", "增值税普通发票"):
        text = f"{title}\n开户行及账号: 某银行 6222\n收款人: 张三\n金额 税额\n开票日期 2024年01月02日"
        assert _kind(text) == "invoice", title
    assert _kind("中国工商银行 电子回单\n交易日期 2024-01-02\n付款人 张三\n收款人 李四\n账号 6222\n金额 100.00") == "bank_receipt"
