"""Program packs from seed 000: 三工信〔2025〕88号 (三门峡市2025年度“三大改造”高质量发展项目申报)."""
from pathlib import Path

from shenbao import hookimpl

HERE = Path(__file__).parent


@hookimpl
def shenbao_add_programs():
    return sorted(HERE.glob("*.yaml"))
