"""A plugin whose extractor kills its process on files starting with ``CRASH`` (as a native crash
in a PDF or image library would) and hangs where SIGALRM cannot reach on files starting with
``HANG`` (as native code stuck in a loop would), and a factory of plugin managers with it."""
import os
import signal
import time

import pluggy

from shenbao import hookimpl


@hookimpl(tryfirst=True)
def shenbao_extract(path, fmt, settings):
    with open(path, "rb") as f:
        head = f.read(5)
    if head == b"CRASH":
        os._exit(70)
    if head.startswith(b"HANG"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # the time limit cannot fire
        time.sleep(3600)
    return None


def pm_factory():
    from shenbao import hookspecs
    from shenbao.extract import plugin

    import tests.badinput.crash_plugin as me

    pm = pluggy.PluginManager("shenbao")
    pm.add_hookspecs(hookspecs)
    pm.register(plugin)
    pm.register(me)
    return pm
