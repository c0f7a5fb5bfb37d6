"""A third-party plugin as a user would write one: one check and one program, nothing else."""
from shenbao import hookimpl
from shenbao.check import Check


class ReadmePresent(Check):
    """检查内容：申报材料中是否有“申报说明”文件。"""

    rule = "example-readme-present"
    title = "缺少申报说明"
    title_en = "No cover note"
    doc_en = "What it checks: the package has a file whose name contains 申报说明."

    def run(self, ctx, params):
        if not any("申报说明" in path for path in ctx.documents):
            yield ctx.finding(self, params, "缺少“申报说明”文件。", "No 申报说明 file in the package.",
                              fix="添加一份申报说明。", fix_en="Add a cover note.")


@hookimpl
def shenbao_add_checks():
    return [ReadmePresent]


@hookimpl
def shenbao_add_programs():
    return [{
        "id": "example-county-2026",
        "extends": "smx2025-annex1",
        "title": "示例县2026年度技改项目",
        "source": "example",
        "basis": {"doc": "示例〔2026〕1号", "clause": "第一条"},
        "notice_date": "2026-03-01",
        "deadline": "2026-04-30",
        "params": {"investment_window": ["2025-01-01", "2025-12-31"], "min_investment": 500000},
        "checks": [{"rule": "example-readme-present", "basis": {"clause": "第二条 附申报说明"}}],
    }]
