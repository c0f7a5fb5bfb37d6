"""Program packs from seed 001: 赤峰市制造业数字化转型试点项目申报指南 (no 文号, notice date or deadline)."""
from shenbao import hookimpl
from shenbao.plugins import pack_files


@hookimpl
def shenbao_add_programs():
    return pack_files(__file__)
