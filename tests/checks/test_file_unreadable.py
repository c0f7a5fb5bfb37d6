from shenbao.model import Document

from tests.pipeline import findings, run


def test_unreadable_and_unsupported_files_are_reported_with_the_reason():
    docs = [Document("坏.pdf", "unreadable", "pdf", error="PDF 已加密（需要密码）", error_en="PDF is encrypted"),
            Document("说明.docx", "unsupported", "docx", error="暂不支持读取 .docx 文件", error_en="docx not read")]
    report = run(docs)
    fs = {f["path"]: f for f in findings(report, "file-unreadable")}
    assert fs["坏.pdf"]["severity"] == "error" and "已加密" in fs["坏.pdf"]["message"]
    assert fs["说明.docx"]["severity"] == "warning"
    assert {f["path"]: f["status"] for f in report["files"]} == {"坏.pdf": "unreadable", "说明.docx": "unsupported"}


def test_files_read_with_problems_are_warnings_and_clean_files_are_not_reported():
    from tests.pipeline import doc

    partial = doc("生产记录.pdf", "第一页")
    partial.error, partial.error_en = "页数过多：只读取了前 500 页（共 1000 页）", "too many pages: only the first 500 of 1000 pages were read"
    report = run([partial, doc("说明.pdf", "第一页")])
    [f] = findings(report, "file-unreadable")
    assert (f["path"], f["severity"]) == ("生产记录.pdf", "warning")
    assert "500" in f["message_zh"] and "first 500 of 1000" in f["message_en"]


def test_zip_archives_say_whether_their_files_were_checked():
    from tests.pipeline import doc

    z = Document("材料.zip", "unsupported", "zip", error="压缩包（1 个文件）", error_en="a zip archive (1 files)")
    inner = Document("材料.zip!/内层.zip", "unsupported", "zip", error="压缩包（0 个文件）", error_en="a zip archive (0 files)")
    report = run([z, doc("材料.zip!/审计报告.pdf", "审计报告"), inner])
    fs = {f["path"]: f for f in findings(report, "file-unreadable")}
    assert "2 个文件已逐个检查" in fs["材料.zip"]["message_zh"] and "checked one by one" in fs["材料.zip"]["message_en"]
    assert "未展开" in fs["材料.zip!/内层.zip"]["message_zh"] and fs["材料.zip!/内层.zip"]["severity"] == "warning"


def test_names_that_are_not_utf8_get_a_warning_with_the_gbk_reading():
    from tests.pipeline import doc

    shown = "审计报告.pdf".encode("gbk").decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape") \
        .decode("utf-8", "backslashreplace")
    report = run([doc(shown, "审计报告")])
    [f] = findings(report, "file-unreadable")
    assert f["severity"] == "warning" and "审计报告.pdf" in f["message_zh"] and "not valid UTF-8" in f["message_en"]
