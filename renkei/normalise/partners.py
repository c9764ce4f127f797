"""A 連携相手方 cell → partners: split it into places, rejoin wrapped names, resolve each to a kind and code.

One cell may hold several partners separated by spaces ("群馬県嬭恋村 秋田県五城目町"), by 、 or ・
("長野県茅野市・宮城県石巻市"), a closing "等", and line wraps that split one name ("静岡県伊豆市教育委 員会").
A segment continues the partner before it unless it starts a new place; a collective such as
"東京都、都内23特別区、都内26市、都内13町村" stays one group. A note that names the place taking part
("※令和元年度より北海道木古内町として参加") adds that place as a partner of its own (issue 13, part 5).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from renkei.normalise.eras import parse_start_cell
from renkei.normalise.places import (
    FormerName,
    PlaceMatch,
    describe_former,
    former_hint,
    gazetteer,
    match_place,
    place_key,
)
from renkei.normalise.text import display_text
from renkei.records import PartnerKind
from renkei.reference import Place

ETC_MARKERS = ("等", "など")
LEGAL_PREFIXES = (
    "NPO法人", "特定非営利活動法人", "公益財団法人", "一般財団法人", "公益社団法人", "一般社団法人",
    "社会福祉法人", "株式会社", "(一社)", "(公財)", "(一財)", "(公社)", "(株)", "(有)", "(社福)", "(特非)",
)  # fmt: skip
# Words that end an organisation's name (its head noun) or mark bracketed text as one.
ORGANISATION_WORDS = (
    "協議会", "協会", "委員会", "組合", "連合会", "連盟", "学校", "大学", "学部", "財団", "法人", "公社",
    "会議所", "センター", "事務所", "支所", "議会", "青年部", "青年団", "クラブ", "植物園", "館", "JA",
    "株式会社", "(株)", "サークル", "グループ", "チーム", "保存会", "振興会", "研究会", "連絡会",
)  # fmt: skip
ORGANISATION_ENDINGS = (*ORGANISATION_WORDS, "会", "所", "部", "団", "局", "庁", "社", "店", "園", "ロー")
GROUP_ENDINGS = (
    "自治体", "都市", "地域", "地区", "特別区", "市区町村", "区市町村", "市町村", "町村", "施設", "23区",
)  # fmt: skip
GROUP_MARKERS = ("都内", "23区", "二十三区", "特別区", "市区町村", "区市町村", "都道府県", "自治体", "都市", "各")
PREFECTURAL_OFFICE_ENDINGS = ("東京事務所", "事務所", "県庁", "府庁", "都庁", "道庁", "振興局", "総合支庁")
_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")
_BRACKET_ONLY = re.compile(r"^(?:[(（][^()（）]*[)）])+$")
_SUB_AREA = re.compile(r"^[^()（）]{1,6}[区町]$")  # 京都市「山科区」, 長野市「松代町」
_LIST_SEPARATORS = re.compile(r"[、，,]")
_MIDDLE_DOT = re.compile(r"[・･]")
_ANY_SEPARATOR = re.compile(r"[、，,・･]")
_MUNICIPAL_LOOKING = re.compile(r"^([^()（）市町村・、,\s]{1,5}(?<!都)[市町村])(?![町村])")


@dataclass(frozen=True)
class ResolvedPartner:
    """A partner before entry-level work (deduplication, start years)."""

    text: str
    name: str
    code: str | None
    kind: PartnerKind
    correction: str | None = None
    prefecture: str | None = None
    token: int = 0  # position of the partner as written in its cell (glued places share one)
    from_note: bool = False  # read from a note ("※令和元年度より北海道木古内町として参加"), not listed
    noted_year: int | None = None  # the start year that note gives

    def start_year(self, aligned: list[int | None] | None) -> int | None:
        """The partner's start year: its note's for a partner read from a note, else its year among the cell's
        years when they line up with the cell's partners (`aligned`)."""
        if self.from_note:
            return self.noted_year
        return aligned[self.token] if aligned else None


@dataclass(frozen=True)
class PartnerProblem:
    kind: str  # a WARNING_KINDS key
    message: str


@dataclass(frozen=True)
class CellPartners:
    """What one partner cell holds, in order, with how many "等" markers it had."""

    partners: tuple[ResolvedPartner, ...]
    problems: tuple[PartnerProblem, ...]
    etc_markers: int = 0
    token_count: int = 0  # partners as written (before glued places are split), for start-year alignment


@lru_cache(maxsize=65536)
def read_partner_cell(cell: str) -> CellPartners:
    """Split and resolve one 連携相手方 cell."""
    cell = cell.strip()
    if not cell:
        return CellPartners(partners=(), problems=())
    note, noted = "", -1
    if "※" in cell:
        head, note, after = _split_note(cell)
        tokens, etc_markers = _tokens(head)
        noted = len(tokens) - 1  # the note is about the partner written before it
        more, more_etc = _tokens(after)
        tokens, etc_markers = tokens + more, etc_markers + more_etc
    else:
        tokens, etc_markers = _tokens(cell)
    partners: list[ResolvedPartner] = []
    problems: list[PartnerProblem] = []
    context: str | None = None
    if note and noted < 0:  # a note before any partner
        _add_note_partners(partners, problems, (note,), None, context, 0)
    for index, token in enumerate(tokens):
        text = display_text(token)
        if note and index == noted:
            text = f"{text} {note}"
        resolved, found = classify_partner(token, context)
        listed = [_with_text(partner, text, index) for partner in resolved]
        partners.extend(listed)
        problems.extend(found)
        context = next((p.prefecture for p in resolved if p.prefecture), context)
        notes = [f"({inner})" for inner in _BRACKETED.findall(token)] + ([note] if note and index == noted else [])
        if notes:
            _add_note_partners(partners, problems, tuple(notes), listed[-1] if listed else None, context, index)
    listed_codes = {p.code for p in partners if not p.from_note}
    partners = [p for p in partners if not (p.from_note and p.code in listed_codes)]  # the list names it anyway
    return CellPartners(tuple(partners), tuple(problems), etc_markers, token_count=len(tokens))


def _split_note(cell: str) -> tuple[str, str, str]:
    """(partners before "※", the note, partners after it): a note runs to the end of the cell unless a place
    written with its prefecture follows it (a list that goes on after a noted partner)."""
    head, rest = cell[: cell.index("※")].strip(), cell[cell.index("※") :].split()
    for index in range(1, len(rest)):
        match = match_place(place_key(rest[index]))
        if match and match.prefecture and len(match.places) == 1 and not match.tail:
            return head, display_text(" ".join(rest[:index])), " ".join(rest[index:])
    return head, display_text(" ".join(rest)), ""


def _with_text(partner: ResolvedPartner, text: str, token: int) -> ResolvedPartner:
    name = partner.name if partner.kind in ("municipality", "prefecture") else display_text(partner.name)
    return replace(partner, text=text, name=name, token=token)


# -- splitting ------------------------------------------------------------------------------------
def _tokens(cell: str) -> tuple[list[str], int]:
    """Source-form partner tokens of a cell (wraps rejoined, lists split) and the number of "等" markers."""
    tokens: list[str] = []
    etc_markers = 0
    segments = cell.split()
    for index, segment in enumerate(segments):
        key = place_key(segment)
        if key in ETC_MARKERS:
            etc_markers += 1
            continue
        following = segments[index + 1] if index + 1 < len(segments) else ""
        wraps = bool(tokens) and (
            _continues(tokens[-1], segment) or _qualified_after_wrap(tokens[-1], segment, following)
        )
        if wraps and not _opens_wrapped_place(tokens[-1], segment, following):
            tokens[-1] = f"{tokens[-1]} {segment}"
        else:
            tokens.append(segment)
    split: list[str] = []
    for token in tokens:
        split.extend(_split_list(token))
    final: list[str] = []
    for token in split:
        stripped, had_etc = _strip_trailing_etc(token)
        etc_markers += had_etc
        final.append(stripped)
    return final, etc_markers


def _continues(previous: str, segment: str) -> bool:
    """Whether `segment` is the wrapped rest of `previous` rather than a new partner."""
    previous_key, key = place_key(previous), place_key(segment)
    if previous_key.count("(") + previous_key.count("（") > previous_key.count(")") + previous_key.count("）"):
        return True
    if key[:1] in "(（" and not key.startswith(LEGAL_PREFIXES):
        return True
    if previous_key.endswith(ORGANISATION_ENDINGS) and _MUNICIPAL_LOOKING.match(key):
        # "府中市教育委員会 栲原町教育委員会": a complete name, then a new one (its town misprinted).
        return False
    previous_match = match_place(previous_key)
    if _complete_municipality(previous_match) and (
        key.startswith(("その他", *GROUP_MARKERS)) or any(m in key[:6] for m in GROUP_MARKERS if m != "各")
    ):
        # "中野区 その他参加希望自治体", "長野県上田市 東京23区（特別区）"…: a place, then a group of places
        return False
    if _complete_municipality(previous_match) and key.endswith(ORGANISATION_ENDINGS) and match_place(key) is None:
        # "石川県金沢市 湯湧温泉観光協会": a municipality, then an organisation named in full.
        return False
    if key.startswith(LEGAL_PREFIXES):
        # "東京都青梅市 NPO法人 …" are two partners; "岩手県 公益財団法人 …" is one organisation of the prefecture.
        return not (previous_match and previous_match.places and not previous_match.tail
                    and not previous_match.places[0].is_prefecture)  # fmt: skip
    match = match_place(key)
    if match is None or not (match.places or match.candidates or match.prefecture):
        return True
    if previous_match and previous_match.tail and previous_match.places and previous_match.places[0].is_prefecture:
        # "新潟県南 魚沼市": a municipality's name wrapped after its first character(s)
        joined = match_place(previous_key + key)
        if joined and len(joined.places) == 1 and not joined.tail and not joined.places[0].is_prefecture:
            return True
    if previous_match and len(previous_match.places) == 1 and previous_match.places[0].is_prefecture:
        prefecture = previous_match.places[0]
        if not previous_match.tail and match.prefecture is None and match.tail:
            # "神奈川県 山北町高齢者クラブ": the prefecture wrapped before an organisation of one of its towns.
            return any(p.prefecture == prefecture.prefecture for p in match.places + match.candidates)
    return False


def _qualified_after_wrap(previous: str, segment: str, following: str) -> bool:
    """ "東京都 江戸川区 東京都足立区": a prefecture alone, then one of its municipalities without prefecture, in a
    list whose places are written with their prefecture — the name wrapped after its prefecture. (In a list of
    bare names, "東京都 中央区 千代田区 …", the prefecture is a partner of its own.)"""
    previous_match = match_place(place_key(previous))
    if not (previous_match and len(previous_match.places) == 1 and not previous_match.tail):
        return False
    prefecture = previous_match.places[0]
    if not prefecture.is_prefecture or place_key(segment).startswith(prefecture.prefecture):
        return False
    match = match_place(place_key(segment), prefecture.prefecture)
    if not (match and len(match.places) == 1 and not match.tail):
        return False
    if match.places[0].prefecture != prefecture.prefecture:
        return False
    if not following:
        return True
    after = match_place(place_key(following))
    return after is not None and after.prefecture is not None


def _opens_wrapped_place(previous: str, segment: str, following: str) -> bool:
    """Whether `segment` is the first part of a place name wrapped onto the next line ("…一関市 岐阜 県関市"):
    after a complete place, a fragment that is no place alone but one together with what follows."""
    if not following or not _complete_municipality(match_place(place_key(previous))):
        return False
    if match_place(place_key(segment)) is not None:
        return False
    joined = match_place(place_key(segment + following))
    return joined is not None and bool(joined.places) and not joined.places[0].is_prefecture


def _complete_municipality(match: PlaceMatch | None) -> bool:
    return bool(match and match.places and not match.tail and not match.places[0].is_prefecture)


def _split_top_level(pattern: re.Pattern[str], token: str) -> list[str]:
    """Split at separators outside brackets ("群馬県沼田市（平成30年度から、…）" stays whole)."""
    pieces: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(token):
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and pattern.fullmatch(char):
            pieces.append(token[start:index])
            start = index + 1
    pieces.append(token[start:])
    return [p for p in pieces if p.strip()]


def _split_list(token: str) -> list[str]:
    """Split "品川区、目黒区" and "長野県茅野市・宮城県石巻市" into places; keep collectives whole."""
    if not _ANY_SEPARATOR.search(token):
        return [token]
    pieces = _split_top_level(_LIST_SEPARATORS, token)
    if len(pieces) > 1 and any(_is_municipality(p) for p in pieces):
        return [q for p in pieces for q in _split_list(p)]
    dotted = _split_top_level(_MIDDLE_DOT, token)
    if len(dotted) > 1 and all(_is_municipality(p, complete=True) for p in dotted):
        return dotted
    return [token]


def _is_municipality(text: str, *, complete: bool = False) -> bool:
    match = match_place(place_key(text))
    if match is None or not (match.places or match.candidates):
        return False
    if match.places and match.places[0].is_prefecture:
        return False
    return not complete or not match.tail


def _strip_trailing_etc(token: str) -> tuple[str, int]:
    key = place_key(token)
    for marker in ETC_MARKERS:
        if key.endswith(marker) and len(key) > len(marker):
            match = match_place(key[: -len(marker)])
            if match and match.places and not match.tail:
                return token.rstrip()[: -len(marker)].rstrip(), 1
    return token, 0


# -- classification -------------------------------------------------------------------------------
def classify_partner(
    token: str, context_prefecture: str | None = None
) -> tuple[list[ResolvedPartner], list[PartnerProblem]]:
    """Resolve one partner token to one partner (two when places were glued: "佐賀県武雄市太良町")."""
    text = display_text(token)
    key = place_key(token)
    match = match_place(key, context_prefecture)
    if match is None or not (match.places or match.candidates):
        return _without_leading_place(text, key)
    bracket_place = _bracketed_place(match.tail)
    if match.candidates and not match.places:
        bracket_place = bracket_place or _bracketed_former(match.tail)
        if bracket_place:
            return [_partner(text, "organisation", bracket_place, match)], _correction_problems(text, match)
        names = "、".join(p.name for p in match.candidates)
        hint = f" (the neighbouring partners suggest {match.likely.name})" if match.likely else ""
        problem = PartnerProblem("ambiguous_partner", f"{text}: matches {names}{hint}; code left empty")
        kind: PartnerKind = "municipality" if not match.tail else "organisation"
        return [ResolvedPartner(text, text, None, kind, prefecture=match.prefecture and match.prefecture.prefecture)], [
            problem
        ]
    place = match.places[0]
    problems = _correction_problems(text, match)
    if len(match.places) > 1:
        glued = " ".join(p.city or p.prefecture for p in match.places)
        correction = f"{key}→{glued}"
        problems.append(PartnerProblem("correction_applied", f"{text}: read as {len(match.places)} places ({glued})"))
        return [_partner(text, "municipality", p, match, correction) for p in match.places], problems
    tail = match.tail
    if place.is_prefecture and match.former:
        return _former_partner(text, match.former, match, place, problems)
    if place.is_prefecture:
        if match.unresolved:
            message = f"{text}: {match.unresolved} is not a municipality of {place.prefecture}"
            elsewhere = [p.name for p in gazetteer().cities_named.get(match.unresolved, [])]
            if elsewhere:
                message += f" (found in: {'、'.join(elsewhere)})"
            problems.append(PartnerProblem("unresolved_partner", message + "; code left empty"))
            kind = "unknown" if tail == match.unresolved else "organisation"
            return [ResolvedPartner(text, text, None, kind, prefecture=place.prefecture)], problems
        return [_partner(text, _kind_after_prefecture(tail), place, match)], problems
    return [_partner(text, _kind_after_municipality(place, tail), bracket_place or place, match)], problems


def _kind_after_prefecture(tail: str) -> PartnerKind:
    if not tail:
        return "prefecture"
    if _BRACKET_ONLY.match(tail):
        return "organisation" if _is_organisation_note(tail) else "prefecture"
    if tail.endswith(PREFECTURAL_OFFICE_ENDINGS):
        return "prefecture"
    return _collective_or_organisation(tail)


def _kind_after_municipality(place: Place, tail: str) -> PartnerKind:
    if not tail:
        return "municipality"
    if _BRACKET_ONLY.match(tail):
        return "organisation" if _is_organisation_note(tail) else "municipality"
    if _SUB_AREA.match(tail) and not tail.endswith(ORGANISATION_ENDINGS):
        return "municipality"
    return _collective_or_organisation(tail)


def _collective_or_organisation(text: str) -> PartnerKind:
    head = _BRACKETED.sub("", text) or text
    for marker in ETC_MARKERS:
        head = head.removesuffix(marker)
    if head.startswith(LEGAL_PREFIXES) or head.endswith(ORGANISATION_ENDINGS):
        return "organisation"
    if head.endswith(GROUP_ENDINGS) or any(marker in head for marker in GROUP_MARKERS):
        return "group"
    return "organisation"


def _is_organisation_note(bracketed: str) -> bool:
    return any(word in bracketed for word in ORGANISATION_WORDS)


def _bracketed_place(tail: str) -> Place | None:
    """The place named alone in brackets ("（秋田県仙北郡美郷町）"), if any."""
    for content in _BRACKETED.findall(tail):
        inner = match_place(content)
        if inner and len(inner.places) == 1 and not inner.tail and not inner.places[0].is_prefecture:
            return inner.places[0]
    return None


def _without_leading_place(text: str, key: str) -> tuple[list[ResolvedPartner], list[PartnerProblem]]:
    """A partner that does not start with a place: an organisation, a collective, or unknown."""
    place = _bracketed_place(key) or _embedded_place(key) or _bracketed_former(key)
    if place:
        return [ResolvedPartner(text, text, place.code, "organisation", prefecture=place.prefecture)], []
    problems: list[PartnerProblem] = []
    looks_municipal = _MUNICIPAL_LOOKING.match(key)
    if looks_municipal and not key.startswith(LEGAL_PREFIXES):
        name = looks_municipal.group(1)
        problems.append(
            PartnerProblem(
                "unresolved_partner",
                f"{text}: {name} is not a known municipality{former_hint(name)}; code left empty",
            )
        )
    head = _BRACKETED.sub("", key) or key
    if (
        head.startswith(LEGAL_PREFIXES)
        or head.endswith(ORGANISATION_ENDINGS)
        or any(w in head for w in ORGANISATION_WORDS)
    ):
        return [ResolvedPartner(text, text, None, _collective_or_organisation(key))], problems
    if head.endswith(GROUP_ENDINGS + ETC_MARKERS) or any(marker in head for marker in GROUP_MARKERS):
        return [ResolvedPartner(text, text, None, "group")], problems
    if not problems:
        problems.append(PartnerProblem("unresolved_partner", f"{text}: not a known place or organisation"))
    return [ResolvedPartner(text, text, None, "unknown")], problems


def _former_partner(
    text: str, former: FormerName, match: PlaceMatch, prefecture: Place, problems: list[PartnerProblem]
) -> tuple[list[ResolvedPartner], list[PartnerProblem]]:
    """A partner naming a municipality merged away, after its prefecture (renkei/data/former_municipalities.csv).

    An organisation or area of it ("宮城県志波姫物産振興協会") belongs to the municipality it is now part of and gets
    that code, its name kept as printed. The former municipality itself ("宮城県志波姫町") is not renamed into its
    successor: its code stays empty and the warning names the successor.
    """
    row, tail = former.municipality, former.tail
    if not tail or (_BRACKET_ONLY.match(tail) and not _is_organisation_note(tail)):
        problems.append(PartnerProblem("unresolved_partner", f"{text}: {describe_former(row)}; code left empty"))
        kind: PartnerKind = "unknown" if not tail else "organisation"
        return [ResolvedPartner(text, text, None, kind, prefecture=prefecture.prefecture)], problems
    kind = "organisation" if _BRACKET_ONLY.match(tail) else _collective_or_organisation(tail)
    return [_partner(text, kind, row.current, match)], problems


def _bracketed_former(tail: str) -> Place | None:
    """The municipality a former one named alone in brackets, with its prefecture, is now part of
    ("…協会（宮城県志波姫町）", "（旧宮城県志波姫町）" → 栗原市)."""
    for content in _BRACKETED.findall(tail):
        inner = match_place(content.removeprefix("旧"))
        if inner and inner.former and not inner.former.tail:
            return inner.former.municipality.current
    return None


def _embedded_place(key: str) -> Place | None:
    """A municipality named with its prefecture inside the text ("学園のある長野県南牧村周辺施設等")."""
    g = gazetteer()
    for index in range(1, len(key) - 2):
        if key[index : index + 3] in g.prefectures or key[index : index + 4] in g.prefectures:
            inner = match_place(key[index:])
            if inner and len(inner.places) == 1 and not inner.places[0].is_prefecture:
                return inner.places[0]
    return None


def _partner(
    text: str, kind: PartnerKind, place: Place, match: PlaceMatch, correction: str | None = None
) -> ResolvedPartner:
    if kind == "group":
        return ResolvedPartner(text, text, None, "group", prefecture=place.prefecture)
    name = place.name if kind in ("municipality", "prefecture") else text
    corrections = "; ".join(match.corrections) if match.corrections else None
    return ResolvedPartner(
        text=text,
        name=name,
        code=place.code,
        kind=kind,
        correction=correction or corrections,
        prefecture=place.prefecture,
    )


def _correction_problems(text: str, match: PlaceMatch) -> list[PartnerProblem]:
    return [PartnerProblem("correction_applied", f"{text}: {c}") for c in match.corrections]


# -- notes that name a partner --------------------------------------------------------------------
# A note names the place taking part: "※令和元年度より北海道木古内町として参加" (2026 edition, 江戸川区民まつり: the
# council listed before it takes part as 木古内町), "※令和2年度から山形県遊佐町が参加", "※山形県遊佐町は令和2年度から
# 参加", "（平成30年度から、群馬県沼田市と連携）", "（令和元年度～ 北海道木古内町）". Anything else a note says (about
# the program, the years, the partners in general) is no partner: "※開始年度は相手方により異なる。"
_NOTE_YEAR = (
    r"(?:(?:昭和|平成|令和|[SHRshr]\.?)(?:元|\d{1,2})(?:年度|年(?:\d{1,2}月(?:\d{1,2}日)?)?)?"
    r"|(?:19|20)\d{2}(?:年度|年)?)"
)
_NOTE_FROM = r"(?:より|から|以降)"
_NOTE_JOINS = r"(?:参加|加入|加盟)(?:している|しています|した|しました|する|します)?"
_NOTE_PATTERNS = (
    re.compile(rf"(?:(?P<year>{_NOTE_YEAR}){_NOTE_FROM}[、,]?)?(?P<place>.+?)(?:として|が|も)(?:新たに)?{_NOTE_JOINS}"),
    re.compile(rf"(?P<place>.+?)(?:は|が|も)(?P<year>{_NOTE_YEAR}){_NOTE_FROM}{_NOTE_JOINS}"),
    re.compile(rf"(?P<year>{_NOTE_YEAR}){_NOTE_FROM}[、,]?(?P<place>.+?)と(?:の)?連携(?:を開始|開始)?"),
)
_BRACKET_NOTE = re.compile(rf"(?P<year>{_NOTE_YEAR})(?:[~〜～]|{_NOTE_FROM})[、,]?(?P<place>.+)")
_NOTE_END = "。．.、 "


def _add_note_partners(
    partners: list[ResolvedPartner],
    problems: list[PartnerProblem],
    notes: tuple[str, ...],
    noted: ResolvedPartner | None,
    context: str | None,
    token: int,
) -> None:
    """Append the partner each note names, if any, after the partners listed so far (see `note_partner`)."""
    for note in notes:
        partner, found = note_partner(note, noted, context, token)
        problems.extend(found)
        if partner is not None and all(p.code != partner.code for p in partners):
            partners.append(partner)


def note_partner(
    note: str, noted: ResolvedPartner | None = None, context: str | None = None, token: int = 0
) -> tuple[ResolvedPartner | None, list[PartnerProblem]]:
    """The partner a note names, if it names one ("※令和元年度より北海道木古内町として参加" → 北海道木古内町, 2019).

    The note must be one of the shapes above, whole, and its place one prefecture or municipality, alone, as
    any partner is resolved (a unique bare name, a misprint one edit away). A note that names the partner it
    follows adds nothing; one whose place is ambiguous, a former municipality, or not one place is not read
    and says so; one that names no place is no partner note at all.
    """
    body = unicodedata.normalize("NFKC", display_text(note)).strip()
    bracketed = body.startswith("(") and body.endswith(")")
    body = "".join((body[1:-1] if bracketed else body).removeprefix("※").split()).rstrip(_NOTE_END)
    found = next((m for m in (p.fullmatch(body) for p in _NOTE_PATTERNS) if m), None)
    bare = found is None and bracketed  # "(令和元年度～北海道木古内町)": read only when the rest is one place
    if bare:
        found = _BRACKET_NOTE.fullmatch(body)
    if found is None:
        return None, []
    place_text, year_text = found.group("place"), found.group("year")
    where, shown = f"{noted.text}: " if noted else "", display_text(note)
    match = match_place(place_key(place_text), context)
    place = match.places[0] if match and len(match.places) == 1 and not match.tail else None
    if place is None or (place.is_prefecture and match and match.unresolved):
        if match is None and not _MUNICIPAL_LOOKING.match(place_key(place_text)):
            return None, []  # no place at all: a note about something else
        if bare and not (match and match.candidates):
            return None, []
        return None, [_unread_note(where, shown, place_text, match)]
    if noted is not None and noted.code == place.code:
        # the note is about the partner it follows: "群馬県沼田市（平成30年度から、群馬県沼田市と連携）"
        return None, []
    year, year_problems = _note_year(year_text, where, shown)
    kind: PartnerKind = "prefecture" if place.is_prefecture else "municipality"
    partner = ResolvedPartner(
        text=display_text(place_text),
        name=place.name,
        code=place.code,
        kind=kind,
        correction="; ".join(match.corrections) or None,
        prefecture=place.prefecture,
        token=token,
        from_note=True,
        noted_year=year,
    )
    since = f", from fiscal year {year}" if year is not None else ""
    read = PartnerProblem("partner_from_note", f"{where}{place.name} read from the note {shown!r} as a partner{since}")
    return partner, [read, *_correction_problems(partner.text, match), *year_problems]


def _unread_note(where: str, note: str, place_text: str, match: PlaceMatch | None) -> PartnerProblem:
    """Why a note's place is not read: ambiguous, a former municipality, unknown, or more than one place."""
    kind = "unresolved_partner"
    if match is None:
        reason = f"not a known municipality{former_hint(place_text)}"
    elif match.candidates and not match.places:
        kind, reason = "ambiguous_partner", f"it matches {'、'.join(p.name for p in match.candidates)}"
    elif match.former and not match.former.tail:
        reason = describe_former(match.former.municipality)
    else:
        reason = "not one known place"
    return PartnerProblem(kind, f"{where}the note {note!r} names {place_text}: {reason}; not read")


def _note_year(text: str | None, where: str, note: str) -> tuple[int | None, list[PartnerProblem]]:
    if not text:
        return None, []
    cell = parse_start_cell(text)
    if len(cell.years) == 1 and not cell.unreadable:
        return cell.years[0], []
    return None, [PartnerProblem("unreadable_year", f"{where}the note {note!r}: {text} names no readable year")]
