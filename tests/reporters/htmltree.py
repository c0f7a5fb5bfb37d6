"""A tiny HTML tree (stdlib ``html.parser``) for asserting what a page shows: elements with their
attributes and the visible text under them (``<style>``/``<script>`` excluded, entities decoded)."""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Callable, Iterator, Optional

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN_TEXT = {"style", "script", "template"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Optional["Node"]):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list = []  # Node or str

    def iter(self) -> Iterator["Node"]:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: Optional[str] = None, pred: Optional[Callable[["Node"], bool]] = None, **attrs) -> list["Node"]:
        out = []
        for n in self.iter():
            if tag and n.tag != tag:
                continue
            if any(n.attrs.get(k.rstrip("_").replace("_", "-")) != v for k, v in attrs.items()):
                continue
            if pred and not pred(n):
                continue
            out.append(n)
        return out

    def by_class(self, cls: str) -> list["Node"]:
        return self.find_all(pred=lambda n: cls in (n.attrs.get("class") or "").split())

    def by_id(self, id_: str) -> Optional["Node"]:
        found = self.find_all(id=id_)
        return found[0] if found else None

    @property
    def text(self) -> str:
        parts = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag not in HIDDEN_TEXT:
                    parts.append(c.text)
            else:
                parts.append(c)
        return "".join(parts)

    def ancestors(self) -> Iterator["Node"]:
        p = self.parent
        while p is not None:
            yield p
            p = p.parent


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(text: str) -> Node:
    b = _Builder()
    b.feed(text)
    b.close()
    return b.root
