"""Reads a rendered ``report.html`` back with the standard library's HTML parser, for tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


@dataclass
class Page:
    elements: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # every text node, entities decoded
    raw_texts: dict[str, list[str]] = field(default_factory=dict)  # <script>/<style> content

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    @property
    def text(self) -> str:
        """All text, one space between text nodes (as a reader sees separate cells)."""
        return " ".join(self.texts)

    def attr_values(self, name: str) -> list[str]:
        return [v for e in self.elements for k, v in e.attrs.items() if k == name and v is not None]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [k for k, _ in attrs]
        if len(names) != len(set(names)):
            raise AssertionError(f"duplicate attribute in <{tag}>: {names}")
        self.page.elements.append(Element(tag, dict(attrs)))
        if tag in ("script", "style"):
            self._raw = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.elements.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self.page.raw_texts.setdefault(self._raw, []).append(data)
        else:
            self.page.texts.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


# Every element the template writes; anything else in a page is an injection.
ALLOWED_TAGS = frozenset(
    [
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "div",
        "header",
        "h1",
        "h2",
        "h3",
        "dl",
        "dt",
        "dd",
        "nav",
        "a",
        "main",
        "section",
        "p",
        "ul",
        "li",
        "span",
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "svg",
        "g",
        "text",
        "rect",
        "desc",
        "line",
        "polyline",
        "circle",
        "figure",
        "figcaption",
        "label",
        "select",
        "option",
        "button",
        "template",
        "output",
        "footer",
        "script",
        "wbr",
        "abbr",
    ]
)
