"""YAML front matter of Markdown articles, loaded safely and within limits.

Front matter is the block between '---' lines at the top of a .md file ('title: ...'). It is
untrusted input, so it is loaded with PyYAML's safe loader (no Python objects) and bounded
(`etl.limits`): a block over `FRONT_MATTER_MAX_CHARS`, more than `YAML_MAX_ALIASES` aliases,
more than `YAML_MAX_NODES` values once aliases are expanded, lists or mappings nested more than
`YAML_MAX_DEPTH` deep, or an alias that contains itself is not loaded. A few hundred bytes of
nested aliases (a "billion laughs") would otherwise expand into gigabytes. Whatever happens to
the block, the article's text still loads.

python-frontmatter splits the block from the body; this module only supplies its YAML loader.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from etl.limits import (
    FRONT_MATTER_MAX_CHARS,
    YAML_MAX_ALIASES,
    YAML_MAX_DEPTH,
    YAML_MAX_NODES,
)

_BLOCK = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(?P<inner>.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)",
    re.DOTALL | re.MULTILINE,
)
# A line of YAML as front matter uses it: blank, a comment, 'key: value', '- item', or an
# indented continuation. (The indented case is its own branch so a long run of spaces is
# matched in linear time.)
_YAML_LINE = re.compile(r"(?:\s*(?:#.*|[\w\-]+\s*:.*|-\s.*))?|\s+\S.*")


class FrontMatterTooComplex(yaml.YAMLError):
    """The front matter uses more aliases or values than the limits allow."""


@dataclass
class FrontMatter:
    """What a Markdown file's front matter gave: its values, the body, and why it was ignored."""

    metadata: dict[object, object] = field(default_factory=dict)
    body: str = ""
    ignored_because: str | None = None  # a warning for the analyst; the body still loads


def split_front_matter(text: str) -> FrontMatter | None:
    """The front matter and body of a Markdown text, or None when it has no front matter.

    A '---' block at the top only counts as front matter when its lines look like YAML
    ('key: value'); otherwise it is prose between horizontal rules and is kept in the text.
    """
    block = _BLOCK.match(text)
    if block is None:
        return None
    inner = block.group("inner")
    after = text[block.end() :]
    if len(inner) > FRONT_MATTER_MAX_CHARS:
        return FrontMatter(body=after, ignored_because=(
            f"the front matter (the block between '---' lines at the top) is {len(inner):,} "
            f"characters long, over the {FRONT_MATTER_MAX_CHARS:,} limit, so its metadata was "
            f"ignored; the text was loaded"
        ))
    if not all(_YAML_LINE.fullmatch(line) for line in inner.splitlines()):
        return None
    try:
        metadata, body = frontmatter.parse(text, handler=_BoundedYAMLHandler())
    except FrontMatterTooComplex as exc:
        return FrontMatter(body=after, ignored_because=(
            f"the front matter (the block between '---' lines at the top) {exc}, so its "
            f"metadata was ignored; the text was loaded"
        ))
    except Exception as exc:  # yaml raises many types; a bad block must not lose the article
        return FrontMatter(body=after, ignored_because=(
            f"the front matter (the block between '---' lines at the top) could not be read "
            f"({type(exc).__name__}), so its metadata was ignored; the text was loaded"
        ))
    return FrontMatter(dict(metadata), body)


class _BoundedSafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing documents whose aliases copy too much or themselves."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._values = 0
        self._sizes: dict[int, int] = {}
        self._open_anchors: set[str] = set()  # anchors of collections still being read
        self._depth: list[str | None] = []  # the collections being read, outermost first

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > YAML_MAX_ALIASES:
                raise FrontMatterTooComplex(
                    f"uses more than {YAML_MAX_ALIASES} aliases ('*name')"
                )
            anchor = self.peek_event().anchor
            if anchor in self._open_anchors:
                raise FrontMatterTooComplex("has an alias that contains itself")
            anchored = self.anchors.get(anchor)
            if anchored is not None:
                self._count(_node_size(anchored, self._sizes, set()))
        else:
            self._count(1)
        return super().compose_node(parent, index)  # type: ignore[no-any-return]

    def compose_sequence_node(self, anchor: str | None) -> yaml.Node:
        with self._reading(anchor):
            return super().compose_sequence_node(anchor)  # type: ignore[no-any-return]

    def compose_mapping_node(self, anchor: str | None) -> yaml.Node:
        with self._reading(anchor):
            return super().compose_mapping_node(anchor)  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def _reading(self, anchor: str | None) -> Iterator[None]:
        """Mark a list or mapping as being read (its anchor open), and bound the nesting."""
        if len(self._depth) >= YAML_MAX_DEPTH:
            raise FrontMatterTooComplex(f"nests lists or mappings more than {YAML_MAX_DEPTH} deep")
        self._depth.append(anchor)
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            yield
        finally:
            self._depth.pop()
            self._open_anchors.discard(anchor or "")

    def _count(self, values: int) -> None:
        self._values += values
        if self._values > YAML_MAX_NODES:
            raise FrontMatterTooComplex(
                f"holds more than {YAML_MAX_NODES:,} values once its aliases are expanded"
            )


def _node_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many values `node` stands for with every alias in it expanded (memoised)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise FrontMatterTooComplex("has an alias that contains itself")
    open_nodes.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_node_size(item, sizes, open_nodes) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(
            _node_size(k, sizes, open_nodes) + _node_size(v, sizes, open_nodes)
            for k, v in node.value
        )
    open_nodes.discard(key)
    sizes[key] = size
    return size


class _BoundedYAMLHandler(YAMLHandler):  # type: ignore[misc]
    """python-frontmatter's YAML handler with `_BoundedSafeLoader`."""

    def load(self, fm: str, **kwargs: object) -> object:
        return yaml.load(fm, Loader=_BoundedSafeLoader)  # noqa: S506 (a SafeLoader subclass)
