"""Merge the modeler's exported XML into the saved file by element id, keeping its order."""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree

Key = tuple[str, str]
# Attributes bpmn-js leaves out when they hold BPMN's default: the saved file keeps writing them.
DEFAULTS = {
    "cancelActivity": "true",
    "isInterrupting": "true",
    "parallelMultiple": "false",
    "isForCompensation": "false",
    "triggeredByEvent": "false",
    "instantiate": "false",
    "isImmediate": "true",
    "isCollection": "false",
    "isClosed": "false",
    "startQuantity": "1",
    "completionQuantity": "1",
}
# A start tag that declares a namespace after its attributes (`<x a="1" xmlns:p="…">`).
LATE_DECLARATION = re.compile(rb'<[\w:.-]+ [^<>]*?[\w:.-]+="[^"]*" xmlns:[\w.-]+="[^"]*"')
EARLY_DECLARATIONS = re.compile(
    rb'(<[\w:.-]+)((?: xmlns(?::[\w.-]+)?="[^"]*")+)((?: [\w:.-]+="[^"]*")+)'
)


def merge_xml(original: bytes, edited: bytes) -> bytes:
    """The saved file with the edit applied: unchanged elements keep their place and text."""
    parser = etree.XMLParser(remove_blank_text=False, resolve_entities=False)
    old_root = etree.fromstring(original, parser)
    new_root = etree.fromstring(edited, parser)
    _merge(old_root, new_root)
    body = etree.tostring(old_root, encoding="UTF-8")
    return _prolog(original) + _styled(body, original) + _epilog(original)


def _styled(body: bytes, original: bytes) -> bytes:
    """lxml's serialization written the way the saved file writes tags."""
    if original.count(b" />") > original.count(b"/>") // 2:  # the file writes `<x a="1" />`
        body = body.replace(b"/>", b" />")  # lxml escapes `>` in text: only tags end in `/>`
    if LATE_DECLARATION.search(original):  # lxml puts a local xmlns first; the file put it last
        root_end = body.index(b">")
        tail = EARLY_DECLARATIONS.sub(lambda m: m[1] + m[3] + m[2], body[root_end:])
        body = body[:root_end] + tail
    return body


def _prolog(original: bytes) -> bytes:
    """The declaration and anything else before the root element, byte for byte."""
    text = original.lstrip(b"\xef\xbb\xbf")
    start = 0
    while True:  # skip <?...?> and <!--...--> before the root
        at = text.find(b"<", start)
        if text.startswith(b"<?", at):
            start = text.index(b"?>", at) + 2
        elif text.startswith(b"<!--", at):
            start = text.index(b"-->", at) + 3
        else:
            return text[:at]


def _epilog(original: bytes) -> bytes:
    """The whitespace after the root element (a final newline)."""
    stripped = original.rstrip()
    return original[len(stripped) :]


def _merge(old: Any, new: Any) -> None:
    if dict(old.attrib) != dict(new.attrib):
        for name in [name for name in old.attrib if name not in new.attrib]:
            if DEFAULTS.get(name) != old.get(name):
                del old.attrib[name]
        for name, value in new.attrib.items():
            if old.get(name) != value:
                old.set(name, value)
    if len(new) == 0 and len(old) == 0:
        if (old.text or "") != (new.text or ""):
            old.text = new.text
        return
    if len(old) == 0:  # text replaced by elements: take the new content as it is
        old.text = new.text
    _merge_children(old, new)


def _keys(parent: Any) -> list[tuple[Key, Any]]:
    """Children keyed by tag and id, or by tag and position among their unnamed kin."""
    seen: dict[str, int] = {}
    keyed = []
    for child in parent:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions stay where they are
        element_id = child.get("id")
        if element_id is None:
            seen[child.tag] = seen.get(child.tag, -1) + 1
            element_id = f"#{seen[child.tag]}"
        keyed.append(((child.tag, element_id), child))
    return keyed


def _merge_children(old: Any, new: Any) -> None:
    old_children = dict(_keys(old))
    new_children = _keys(new)
    wanted = {key for key, _ in new_children}
    for key, child in list(old_children.items()):
        if key not in wanted:
            _remove(child)
            del old_children[key]
    previous = None
    for key, child in new_children:
        found = old_children.get(key)
        if found is None:
            found = _insert(old, previous, copy.deepcopy(child))
        else:
            _merge(found, child)
        previous = found


def _remove(child: Any) -> None:
    """Drop an element and the indentation before it."""
    parent, before = child.getparent(), child.getprevious()
    if before is not None:
        before.tail = child.tail
    elif child.getnext() is None:
        parent.text = child.tail
    parent.remove(child)


def _insert(parent: Any, previous: Any, child: Any) -> Any:
    """Put a new element after `previous` (first if None), indented like its siblings."""
    indent = parent.text if len(parent) else "\n"
    if previous is None:
        child.tail = parent.text if len(parent) else child.tail
        parent.insert(0, child)
        parent.text = indent
    else:
        child.tail = previous.tail
        previous.tail = indent
        previous.addnext(child)
    return child
