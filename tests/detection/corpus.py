"""Labelled corpora for the classifier, generated from installed packages with fixed seeds.

The attack corpus combines every payload template shipped with the PyPI ``sqlmap``
package (``data/xml/payloads/*.xml``) with every boundary of ``boundaries.xml`` that
sqlmap itself would pair it with (matching clause and ``where``), then fills the
placeholders the way sqlmap's ``agent.cleanupPayload``/``prefixQuery``/``suffixQuery``
do. The benign corpus is realistic multilingual form input from Faker.
"""

from __future__ import annotations

import random
import string
import xml.etree.ElementTree as ET  # noqa: S405 - parsing files of an installed package
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlmap
from faker import Faker

SQLMAP_XML = Path(sqlmap.__file__).resolve().parent / "data" / "xml"
GENERIC_SQL_COMMENT = "-- [RANDSTR]"
FAKER_LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "nl_NL", "sv_SE", "zh_CN")


@dataclass(frozen=True)
class Boundary:
    level: int
    clause: frozenset[int]
    where: frozenset[int]
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Template:
    title: str
    clause: frozenset[int]
    where: tuple[int, ...]
    payload: str
    comment: str | None


def _ints(text: str | None) -> frozenset[int]:
    values: set[int] = set()
    for item in (text or "0").split(","):
        low, _, high = item.strip().partition("-")
        values.update(range(int(low), int(high or low) + 1))
    return frozenset(values)


def boundaries() -> list[Boundary]:
    root = ET.parse(SQLMAP_XML / "boundaries.xml").getroot()  # noqa: S314
    return [
        Boundary(
            level=int(node.findtext("level") or 1),
            clause=_ints(node.findtext("clause")),
            where=_ints(node.findtext("where")),
            prefix=node.findtext("prefix") or "",
            suffix=node.findtext("suffix") or "",
        )
        for node in root.iter("boundary")
    ]


def templates() -> list[Template]:
    found: list[Template] = []
    for path in sorted((SQLMAP_XML / "payloads").glob("*.xml")):
        for node in ET.parse(path).getroot().iter("test"):  # noqa: S314
            request = node.find("request")
            if request is None:
                continue
            payload = request.findtext("payload") or ""
            columns = request.findtext("columns")
            if columns:
                payload = "[UNION]" + payload
            comment = request.find("comment")
            found.append(
                Template(
                    title=node.findtext("title") or "",
                    clause=_ints(node.findtext("clause")),
                    where=tuple(sorted(_ints(node.findtext("where")))),
                    payload=payload,
                    comment=None if comment is None else (comment.text or ""),
                )
            )
            comparison = node.findtext("response/comparison")
            if comparison:
                found.append(
                    Template(
                        title=f"{node.findtext('title')} (comparison)",
                        clause=_ints(node.findtext("clause")),
                        where=tuple(sorted(_ints(node.findtext("where")))),
                        payload=comparison,
                        comment=None if comment is None else (comment.text or ""),
                    )
                )
    return found


class _Filler:
    """Fills sqlmap placeholders with values of the kinds sqlmap draws."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.start = "q" + self._letters(3) + "q"
        self.stop = "q" + self._letters(3) + "q"

    def _letters(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_lowercase) for _ in range(n))

    def randnum(self) -> str:
        return str(self.rng.randint(1000, 9999))

    def union(self, char: str) -> str:
        count = self.rng.randint(1, 10)
        columns = [char] * count
        columns[self.rng.randrange(count)] = (
            f"CONCAT('{self.start}','{self._letters(20)}','{self.stop}')"
        )
        return "UNION ALL SELECT " + ",".join(columns)

    def fill(self, text: str, original: str) -> str:
        text = text.replace("[GENERIC_SQL_COMMENT]", GENERIC_SQL_COMMENT)
        if "[UNION]" in text:
            text = text.replace("[UNION]", self.union(self.rng.choice(["NULL", self.randnum()])))
        replacements = {
            "[DELIMITER_START]": self.start,
            "[DELIMITER_STOP]": self.stop,
            "[AT_REPLACE]": "@",
            "[SPACE_REPLACE]": " ",
            "[DOLLAR_REPLACE]": "$",
            "[HASH_REPLACE]": "#",
            "[SLEEPTIME]": "5",
            "[INFERENCE]": f"{self.randnum()}={self.randnum()}",
            "[QUERY]": "(SELECT CURRENT_USER)",
            "[ORIGVALUE]": original if original.isdigit() else f"'{original}'",
            "[ORIGINAL]": original,
            "[CHAR]": "NULL",
            "[COLSTART]": "1",
            "[COLSTOP]": "10",
            "[DELAYED]": "5",
        }
        for marker, value in replacements.items():
            text = text.replace(marker, value)
        while "[RANDNUM" in text:
            start = text.index("[RANDNUM")
            end = text.index("]", start)
            marker = text[start : end + 1]
            text = text.replace(marker, self.randnum())
        while "[RANDSTR" in text:
            start = text.index("[RANDSTR")
            end = text.index("]", start)
            marker = text[start : end + 1]
            text = text.replace(marker, self._letters(4))
        return text


def _prefix_query(expression: str, prefix: str, where: int, clause: frozenset[int]) -> str:
    # Mirrors sqlmap's agent.prefixQuery for the detection phase.
    if where == 3:
        query = ""
    elif clause in ({2, 3}, {2}, {3}):
        query = prefix
    else:
        query = prefix
        starts_tight = expression.startswith(";")
        around_paren = query[-1:] in ("(", ")") and expression[:1] in ("(", ")")
        if not starts_tight and not around_paren and not query.endswith("("):
            query += " "
    return query + expression


def _suffix_query(expression: str, comment: str | None, suffix: str, where: int) -> str:
    if comment is not None:
        expression += comment
    if where != 3 and suffix and not comment:
        if expression[-1:].isalnum() and suffix[:1].isalnum():
            expression += " "
        expression += suffix
    return expression


def sqlmap_attacks(seed: int = 20260601) -> Iterator[str]:
    """Every (template, boundary, where) sqlmap pairs, placeholders filled; deduplicated."""
    rng = random.Random(seed)
    seen: set[str] = set()
    all_boundaries = boundaries()
    for template in templates():
        for boundary in all_boundaries:
            clause_ok = (
                0 in template.clause or 0 in boundary.clause or template.clause & boundary.clause
            )
            if not clause_ok:
                continue
            for where in template.where:
                if where not in boundary.where and where != 3:
                    continue
                filler = _Filler(rng)
                original = rng.choice(["1", "42", "tennis"])
                prefix = filler.fill(boundary.prefix, original)
                suffix = filler.fill(boundary.suffix, original)
                body = filler.fill(template.payload, original)
                comment = (
                    None if template.comment is None else filler.fill(template.comment, original)
                )
                bound = _suffix_query(
                    _prefix_query(body, prefix, where, template.clause), comment, suffix, where
                )
                if where == 1:
                    value = original + bound
                elif where == 2:
                    value = "-" + filler.randnum() + bound
                else:
                    value = bound
                if value not in seen:
                    seen.add(value)
                    yield value


HAND_PICKED_BENIGN = [
    "O'Brien",
    "Siobhán O'Connor-MacNamara",
    "l'équipe de France",
    "L'Oréal; Galeries Lafayette",
    "D'Angelo & d'Artagnan",
    "rock 'n' roll",
    "(0546)-313411",
    "+31 (0)546-313411",
    "06-12345678",
    "+46 (0)8-123 456 78",
    "o'brien@example.com",
    "jean-luc.picard+tennis@example.fr",
    "Straße des 17. Juni 135, 10623 Berlin",
    "12, rue de l'Église — 75001 Paris",
    "Kerkstraat 1-3 (achterom), 7511 AB Enschede",
    "Drottninggatan 53, 111 21 Stockholm",
    "北京市朝阳区建国路88号",
    "我们周六下午三点在二号场地打网球吗？",
    "Can we play at 7:30? I'll bring the balls -- and the drinks!",
    "Select your partner and court; then book (max. 2 hours).",
    "Union Sportive de l'Est, section tennis",
    "Order by phone: 020-555 0199 or email",
    "Doubles: Anna & Björn vs. Chloé & Dirk (6-4, 3-6, 10-8)",
    "50% off for juniors < 18 and seniors > 65!",
    "Court #3 is closed until 15/06; use #4 instead.",
    'The coach said: "keep your elbow up" -- great advice',
    "C'est l'heure du match, n'est-ce pas ?",
    "Wir spielen um 18:00 Uhr (Platz 2) – bitte pünktlich sein!",
    "Vi ses på banan kl. 19.00, ta med racket :)",
    "Ik kan niet om 20:00; kan het om 21:00?",
    "I'd like to select a time from the list, or else drop me an email.",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
    " Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "https://localhost:8443/c/demo/book/?date=2026-06-01&court=2",
    "2026-06-01T18:30:00+02:00",
    "Ana María O'Neill-Ruiz",
    "Ça va? Oui -- et toi?",
    "Room 1/2, floor -1",
    "a = b and c = d are variables in the maths club's puzzle",
]


@dataclass(frozen=True)
class BenignCorpus:
    items: list[str]


def _faker_items(fake: Faker, rng: random.Random, rounds: int) -> Iterator[str]:
    producers = [
        fake.name,
        fake.first_name,
        fake.last_name,
        fake.address,
        fake.street_address,
        fake.city,
        fake.email,
        fake.phone_number,
        fake.company,
        fake.job,
        fake.sentence,
        fake.text,
        fake.catch_phrase,
        fake.date,
        fake.user_name,
        fake.url,
        fake.postcode,
        fake.user_agent,
    ]
    for _ in range(rounds):
        for produce in producers:
            try:
                yield str(produce())
            except AttributeError:
                continue
        yield f"{fake.first_name()} O'{fake.last_name()}"
        yield f"{fake.name()} <{fake.email()}>"
        yield f"{fake.sentence()} ({fake.phone_number()})"
        yield rng.choice(["l'", "d'", "qu'", "n'", "j'"]) + fake.word()


def benign_inputs(seed: int = 6, rounds: int = 90) -> list[str]:
    """Realistic form input in en, fr, de, nl, sv and zh, generated with fixed seeds."""
    items = list(HAND_PICKED_BENIGN)
    for index, locale in enumerate(FAKER_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + index)
        rng = random.Random(seed + index)
        items.extend(_faker_items(fake, rng, rounds))
    return items
