"""Program packs from seed 003: 衡市工信〔2023〕51号 (衡阳市2023年工信领域奖补投入资金申报)."""
from shenbao import hookimpl
from shenbao.plugins import pack_files


@hookimpl
def shenbao_add_programs():
    return pack_files(__file__)
