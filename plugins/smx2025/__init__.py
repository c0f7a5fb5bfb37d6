"""Program packs from seed 000: 三工信〔2025〕88号 (三门峡市2025年度“三大改造”高质量发展项目申报)."""
from shenbao import hookimpl
from shenbao.plugins import pack_files


@hookimpl
def shenbao_add_programs():
    return pack_files(__file__)
