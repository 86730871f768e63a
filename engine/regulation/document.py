"""The municipality's source document (processes/<m>/document.txt), cut into clauses by number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOCUMENT_FILE = "document.txt"
# Word-processor residue in the copied texts: «[bookmark: _Hlk137637575]».
BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# «3.2.1. ответы …», «1.» alone on its line, «2 Довести …» (a decree's point without its dot).
CLAUSE_START = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(?:\.(?:\s+|$)|\s+(?=[А-ЯЁA-Z«]))(.*)$")
SECTION = re.compile(r"^[IVXLC]+\.\s+\S")  # «II. Порядок работы с сообщениями»
# The regulation proper starts at the approval mark or its title; above it is the decree.
BODY_MARKERS = frozenset(
    {"утвержден", "утверждена", "утверждено", "приложение", "порядок", "положение", "регламент"}
)
# A signature: the position, then the initials and surname at the end of a line.
SIGNATURE = re.compile(r"\s{2,}[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")
PARAGRAPH_START = re.compile(r"^(?:[А-ЯЁA-Z]|\d+\)|[–—-]\s)")  # a capital, «1)», a dash item
SENTENCE_END = (".", ";", ":", "!", "?", "»")


@dataclass(frozen=True)
class Clause:
    """One numbered clause: its number, its text (paragraphs by newlines), where it stands."""

    number: str
    text: str
    part: str  # "regulation" (the document itself) or "decree" (the act approving it)
    section: str = ""  # «II. Порядок работы с сообщениями» when the document has sections

    @property
    def parent(self) -> str | None:
        """The number of the clause this one is a sub-clause of («3.2» for «3.2.1»)."""
        return self.number.rsplit(".", 1)[0] if "." in self.number else None


@dataclass(frozen=True)
class Document:
    """The clauses of a regulation and of the decree that approves it, in order."""

    clauses: tuple[Clause, ...]
    decree: tuple[Clause, ...] = ()

    def find(self, number: str) -> Clause | None:
        """A clause of the regulation; a number it does not have, the decree's (Perm's п. 6)."""
        for clause in (*self.clauses, *self.decree):
            if clause.number == number:
                return clause
        return None

    def parent_of(self, clause: Clause) -> Clause | None:
        """The clause a sub-clause belongs to, in the same part («3.2» for «3.2.1»)."""
        part = self.clauses if clause.part == "regulation" else self.decree
        return next((found for found in part if found.number == clause.parent), None)

    def expand(self, reference: str) -> list[Clause]:
        """The clauses a reference names: one number, or a range «5.1–5.3» in document order."""
        first, _, last = (part.strip() for part in reference.replace("–", "-").partition("-"))
        if not last:
            found = self.find(first)
            return [found] if found else []
        numbers = [clause.number for clause in self.clauses]
        if first not in numbers or last not in numbers:
            return []
        return list(self.clauses[numbers.index(first) : numbers.index(last) + 1])

    def uncited(self, references: set[str]) -> list[Clause]:
        """Clauses of the regulation that no reference names, directly, by a range or a part."""
        named = {clause.number for reference in references for clause in self.expand(reference)}
        return [
            clause
            for clause in self.clauses
            if clause.number not in named
            and not any(number.startswith(f"{clause.number}.") for number in named)
        ]


def document_path(municipality: str, processes_dir: Path) -> Path:
    """Where a municipality's source document is kept."""
    return Path(processes_dir) / municipality / DOCUMENT_FILE


def load_document(municipality: str, processes_dir: Path) -> Document | None:
    """The municipality's source document, or None when none is kept with it."""
    path = document_path(municipality, processes_dir)
    if not path.is_file():
        return None
    return cut_clauses(path.read_text(encoding="utf-8"))


def cut_clauses(text: str) -> Document:
    """Cut a document into numbered clauses: the decree above the regulation, then its body."""
    lines = _without_signatures([BOOKMARK.sub("", line) for line in text.splitlines()])
    start = _body_start(lines)
    return Document(
        clauses=tuple(_cut(lines[start:], "regulation")),
        decree=tuple(_cut(lines[:start], "decree")),
    )


def _clean(line: str) -> str:
    return " ".join(BOOKMARK.sub("", line).replace("\u00a0", " ").split())


def _body_start(lines: list[str | None]) -> int:
    for number, line in enumerate(lines):
        words = (line or "").split(maxsplit=1)
        if words and words[0].lower() in BODY_MARKERS:
            return number
    return 0


class _Cutter:
    """Collects paragraphs under the clause numbers as they come, in their sequence."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.numbers: list[tuple[int, ...]] = []
        self.paragraphs: list[list[str]] = []
        self.sections: list[str] = []
        self.section = ""
        self.open = False  # False before the first clause, in a heading, after a signature

    def start(self, number: tuple[int, ...], text: str) -> None:
        self.numbers.append(number)
        self.paragraphs.append([text] if text else [])
        self.sections.append(self.section)
        self.open = True

    def add(self, line: str) -> None:
        if not self.open:
            return
        paragraphs = self.paragraphs[-1]
        if paragraphs and not PARAGRAPH_START.match(line):
            joiner = "" if paragraphs[-1].endswith("-") else " "
            paragraphs[-1] = f"{paragraphs[-1]}{joiner}{line}"
        else:
            paragraphs.append(line)

    def expects(self, number: tuple[int, ...]) -> bool:
        """Whether `number` may follow the last clause (a child, or the next at some level)."""
        last = self.numbers[-1] if self.numbers else (0,)
        for depth in range(len(last), 0, -1):
            sibling = (*last[: depth - 1], last[depth - 1] + 1)
            if number[: len(sibling)] == sibling and all(n == 1 for n in number[len(sibling) :]):
                return True
        return number == (*last, 1)


def _cut(lines: list[str | None], part: str) -> list[Clause]:
    cutter = _Cutter(part)
    for line in lines:
        if line is None:
            cutter.open = False
            continue
        if not line:
            continue
        found = CLAUSE_START.match(line)
        if found:
            number = tuple(int(n) for n in found.group(1).split("."))
            if cutter.expects(number):
                cutter.start(number, found.group(2).strip())
                continue
        if SECTION.match(line):
            cutter.section, cutter.open = line, False
            continue
        cutter.add(line)
    return _clauses(cutter)


def _without_signatures(raw: list[str]) -> list[str | None]:
    """The lines, cleaned; a signature block (position, then name) blank, its last line None."""
    lines: list[str | None] = [_clean(line) for line in raw]
    for number, line in enumerate(raw):
        if not SIGNATURE.search(line.replace("\t", "  ").rstrip()):
            continue
        first = number
        while first > 0 and not (lines[first - 1] or "").endswith(SENTENCE_END):
            first -= 1
        for index in range(first, number):
            lines[index] = ""
        lines[number] = None  # what follows a signature (the drafter's phone) is no clause
    return lines


def _clauses(cutter: _Cutter) -> list[Clause]:
    """The clauses, a closing paragraph after a list's last item given back to the list's clause."""
    texts = [list(paragraphs) for paragraphs in cutter.paragraphs]
    index = {number: position for position, number in enumerate(cutter.numbers)}
    for position, number in enumerate(cutter.numbers):
        parent = index.get(number[:-1])
        following = cutter.numbers[position + 1] if position + 1 < len(cutter.numbers) else ()
        last_item = parent is not None and following[: len(number) - 1] != number[:-1]
        # Legal drafting: an unnumbered paragraph after the last sub-clause of a list that its
        # clause opens («… в следующих случаях:») belongs to that clause (Perm's 3.7 «в течение
        # 4 часов»), not to the last sub-clause.
        if last_item and parent is not None and texts[parent] and texts[parent][0].endswith(":"):
            texts[parent] += texts[position][1:]
            texts[position] = texts[position][:1]
    return [
        Clause(".".join(map(str, number)), "\n".join(texts[p]), cutter.part, cutter.sections[p])
        for p, number in enumerate(cutter.numbers)
    ]
