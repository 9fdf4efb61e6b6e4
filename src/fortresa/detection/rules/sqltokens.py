"""A small SQL tokenizer that folds a fragment into a one-letter-per-token fingerprint.

Every input is read as it would land in a query in three places: bare (a number or an
identifier), inside a single-quoted literal and inside a double-quoted one. Reading
"inside a literal" starts the tokenizer in string mode, so an attacker's closing quote
ends that string and what follows is tokenised as SQL, the way the server would read it.

Fingerprint letters:
``s`` string, ``n`` number or NULL/TRUE/FALSE, ``b`` bare word, ``k`` other keyword,
``E`` SELECT, ``U`` UNION, ``F`` FROM, ``&`` AND/OR/XOR/&&, ``!`` NOT, ``o`` comparison
(= < > <> != ...), ``a`` arithmetic or concatenation, ``f`` function name,
``x`` a function attackers use (SLEEP, BENCHMARK, EXTRACTVALUE ...), ``y`` an ordinary
SQL function (CHAR, CONCAT, CAST ...), ``l`` a word comparison (LIKE, IS, IN ...), ``C`` CASE/WHEN/
THEN/ELSE/END, ``v`` variable (@x, @@version), ``c`` comment, ``(`` ``)`` ``,`` ``;``,
``.`` dot and ``?`` anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Leading whitespace is folded into each token so the loop below sees only tokens.
_TOKEN = re.compile(
    r"""
    \s*(?:
    (?P<comment>--[^\n]*|\#[^\n]*|/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\Z))
    |(?P<s>'[^'\\]*(?:(?:\\.|'')[^'\\]*)*(?:'|\Z)|"[^"\\]*(?:(?:\\.|"")[^"\\]*)*(?:"|\Z))
    |(?P<n>0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<v>@@?[A-Za-z_][\w$]*)
    |(?P<word>[^\W\d][\w$]*(?:\.[^\W\d][\w$]*)*)(?P<call>\s*(?=\())?
    |(?P<op><=>|<>|!=|<=|>=|\|\||&&|::|[=<>!~^|&+\-*/%])
    |(?P<punct>[(),;.])
    |(?P<other>\S)
    )
    """,
    re.VERBOSE | re.DOTALL,
)

_LITERAL_WORDS = {"NULL", "TRUE", "FALSE"}
_LOGIC = {"AND", "OR", "XOR", "&&"}
_WORD_COMPARISONS = {
    "LIKE",
    "ILIKE",
    "RLIKE",
    "REGEXP",
    "IS",
    "IN",
    "BETWEEN",
    "SOUNDS",
    "GLOB",
    "MATCH",
    "DIV",
    "MOD",
}
_CASE_WORDS = {"CASE", "WHEN", "THEN", "ELSE", "END"}
KEYWORDS = {
    "WHERE",
    "ORDER",
    "GROUP",
    "BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "INTO",
    "INSERT",
    "UPDATE",
    "DELETE",
    "DROP",
    "CREATE",
    "ALTER",
    "TABLE",
    "DATABASE",
    "EXEC",
    "EXECUTE",
    "DECLARE",
    "WAITFOR",
    "DELAY",
    "SHUTDOWN",
    "TRUNCATE",
    "CALL",
    "SET",
    "VALUES",
    "ALL",
    "DISTINCT",
    "AS",
    "JOIN",
    "PROCEDURE",
    "COPY",
    "DUAL",
    "ESCAPE",
    "COLLATE",
    "SETTINGS",
    "ASC",
    "DESC",
    "TOP",
    "GRANT",
    "REVOKE",
    "MODE",
}
# Functions with hardly any use outside an attack: a call is enough.
ATTACK_FUNCTIONS = {
    "SLEEP",
    "PG_SLEEP",
    "BENCHMARK",
    "EXTRACTVALUE",
    "UPDATEXML",
    "LOAD_FILE",
    "RANDOMBLOB",
    "GENERATE_SERIES",
    "XMLTYPE",
    "MAKE_SET",
    "ELT",
    "GTID_SUBSET",
    "JSON_KEYS",
    "NAME_CONST",
    "DBMS_PIPE.RECEIVE_MESSAGE",
    "DBMS_LOCK.SLEEP",
    "DBMS_UTILITY.SQLID_TO_SQLHASH",
    "UTL_INADDR.GET_HOST_ADDRESS",
    "UTL_INADDR.GET_HOST_NAME",
    "CTXSYS.DRITHSX.SN",
    "SYS.DBMS_AW_XML.READAWMETADATA",
    "PG_READ_FILE",
    "LO_IMPORT",
    "XP_CMDSHELL",
    "OPENROWSET",
    "SLEEPEACHROW",
    "USER_LOCK.SLEEP",
    "RAISE_ERROR",
    "REGEXP_SUBSTRING",
    "ZEROIFNULL",
    "BITSTRING_TO_BINARY",
    "DBMS_XMLGEN.GETXML",
    "DBMS_XDB.GETXML",
    "QUERY_TO_XML",
    "INET_ATON",
    "ROTATELEFT",
    "UPDATEXMLL",
    "GEOMETRYCOLLECTION",
    "MULTILINESTRING",
    "MULTIPOLYGON",
    "MULTIPOINT",
    "SUSER_NAME",
    "DB_NAME",
    "PG_SLEEP_FOR",
}
# Ordinary SQL functions: suspicious only inside an expression (``y``).
SQL_FUNCTIONS = {
    "CHR",
    "CHAR",
    "CONCAT",
    "CONCAT_WS",
    "ASCII",
    "SUBSTRING",
    "SUBSTR",
    "MID",
    "ORD",
    "HEX",
    "UNHEX",
    "CAST",
    "CONVERT",
    "VERSION",
    "DATABASE",
    "USER",
    "CURRENT_USER",
    "SYSTEM_USER",
    "SESSION_USER",
    "IF",
    "IIF",
    "IFNULL",
    "ISNULL",
    "COALESCE",
    "NULLIF",
    "COUNT",
    "LENGTH",
    "EXP",
    "FLOOR",
    "RAND",
    "POLYGON",
    "MULTIPOINT",
    "LINESTRING",
    "GEOMETRYCOLLECTION",
    "MULTIPOLYGON",
    "MULTILINESTRING",
    "JSON_OBJECT",
    "REGEXP_SUBSTRING",
    "REPEAT",
    "RAISE_ERROR",
    "SLEEPEACHROW",
    "ZEROIFNULL",
    "INET_ATON",
    "ROTATELEFT",
    "UPPER",
    "LOWER",
    "MD5",
    "SHA1",
    "SHA2",
    "CHAR_LENGTH",
    "DBMS_XMLGEN.GETXML",
    "XMLELEMENT",
    "TO_NUMBER",
    "TO_CHAR",
    "LOCATE",
    "INSTR",
    "STRCMP",
    "JSON",
    "BITCOUNT",
    "BITSTRING_TO_BINARY",
    "SYSDATE",
    "NOW",
    "GETDATE",
    "DB_NAME",
    "USER_NAME",
    "SUSER_NAME",
    "HOST_NAME",
    "PG_READ_FILE",
    "LO_IMPORT",
    "ROW",
} - ATTACK_FUNCTIONS


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: str


def _classify_word(upper: str, followed_by_paren: bool) -> str:
    if upper in _LOGIC:
        return "&"
    if upper == "NOT":
        return "!"
    if upper in _LITERAL_WORDS:
        return "n"
    if upper in _WORD_COMPARISONS:
        return "l"
    if upper in _CASE_WORDS:
        return "C"
    if upper == "SELECT":
        return "E"
    if upper == "UNION":
        return "U"
    if upper == "FROM":
        return "F"
    if followed_by_paren:
        if upper in ATTACK_FUNCTIONS:
            return "x"
        return "y" if upper in SQL_FUNCTIONS else "f"
    if upper in KEYWORDS:
        return "k"
    return "b"


_WORD_KIND = {
    word: kind
    for word in _LOGIC
    | {"NOT"}
    | _LITERAL_WORDS
    | _WORD_COMPARISONS
    | _CASE_WORDS
    | KEYWORDS
    | {"SELECT", "UNION", "FROM"}
    if (kind := _classify_word(word, False)) != "b"
}
_CALL_KIND = {
    word: _classify_word(word, True)
    for word in _LOGIC
    | {"NOT"}
    | _LITERAL_WORDS
    | _WORD_COMPARISONS
    | _CASE_WORDS
    | KEYWORDS
    | {"SELECT", "UNION", "FROM"}
    | ATTACK_FUNCTIONS
    | SQL_FUNCTIONS
}

_OP_KIND = {
    "=": "o",
    "<": "o",
    ">": "o",
    "<>": "o",
    "!=": "o",
    "<=": "o",
    ">=": "o",
    "<=>": "o",
    "&&": "&",
    "!": "!",
}


def scan(text: str, quote: str = "") -> tuple[str, list[str]]:
    """The fingerprint of ``text`` and the value of each of its tokens, letter by letter.

    ``text`` is read bare (``quote=""``) or as the rest of a literal opened by ``quote``.
    Two plain lists instead of one object per token: the classifier calls this for a
    good share of all inputs, and usually needs the fingerprint alone.
    """
    kinds: list[str] = []
    values: list[str] = []
    add_kind = kinds.append
    add_value = values.append
    for match in _TOKEN.finditer(quote + text if quote else text):
        group = match.lastgroup
        if group == "word":
            value = match.group("word")
            add_kind(_WORD_KIND.get(value.upper(), "b"))
        elif group == "call":
            value = match.group("word")
            add_kind(_CALL_KIND.get(value.upper(), "f"))
        else:
            value = match.group(group) if group else ""
            if group == "op":
                add_kind(_OP_KIND.get(value, "a"))
            elif group == "punct":
                add_kind(value)
            elif group == "comment":
                add_kind("c")
            elif group == "other":
                add_kind("?")
            else:
                add_kind(group or "?")
        add_value(value)
    return "".join(kinds), values


def tokenize(text: str, quote: str = "") -> list[Token]:
    """Tokens of ``text`` read bare (``quote=""``) or as the rest of a quoted literal."""
    fp, values = scan(text, quote)
    return [Token(kind, value) for kind, value in zip(fp, values, strict=True)]


def fingerprint(tokens: list[Token]) -> str:
    return "".join(token.kind for token in tokens)
