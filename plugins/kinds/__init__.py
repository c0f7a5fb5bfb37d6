"""The built-in material kinds (kinds.yaml), loaded by ``shenbao.materials``."""
