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
