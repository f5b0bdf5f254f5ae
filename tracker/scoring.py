"""Questionnaire definitions, scoring, meaningful change and the questionnaire schedule.

Questionnaires are data (clinical-reference §1.3): FHIR R4 `Questionnaire`-shaped JSON files in
`tracker/questionnaires/` (format in the README there), plus a licensed clinic's own files from
the directory named by the `QUESTIONNAIRE_EXTRA_DIR` setting. This module loads and validates
them, scores answers, applies the §2 meaningful-change thresholds and works out which
questionnaires are due. It is pure Python: plain data in, plain data out, no ORM, no request.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

SHIPPED_DIR = Path(__file__).resolve().parent / "questionnaires"
EXTRA_DIR_SETTING = "QUESTIONNAIRE_EXTRA_DIR"
FORMAT_VERSION = 1

ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL_URL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
LOINC_SYSTEM = "http://loinc.org"

SCORING_RULES = ("sum", "mean", "odi-percent")
QUESTION_TYPES = ("choice", "integer")
FHIR_STATUSES = ("draft", "active", "retired", "unknown")

_ID_PATTERN = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_FLAG_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_LAMINAR_KEYS = frozenset(
    {
        "format",
        "scoring",
        "scoreCode",
        "recallPeriod",
        "schedule",
        "bands",
        "bandsReference",
        "flags",
        "verifyCodes",
        "reference",
    }
)
_SCORING_KEYS = frozenset({"rule", "minAnswered", "decimals"})
_SCHEDULE_KEYS = frozenset(
    {"everyDays", "milestoneDays", "windowDays", "triggeredBy", "satisfiedBy", "reference"}
)


class DefinitionError(ValueError):
    """A questionnaire definition file is malformed. The message names the file and the item."""


class AnswerError(ValueError):
    """An answer does not fit the questionnaire. `link_id` names the item (None: the whole set)."""

    def __init__(self, message: str, link_id: str | None = None) -> None:
        super().__init__(message)
        self.link_id = link_id


# --- Definitions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerOption:
    code: str
    display: str
    value: int  # the FHIR ordinalValue: what the option scores
    system: str = ""


@dataclass(frozen=True)
class Item:
    """One scored question. For choice items min/max come from the options' ordinal values."""

    link_id: str
    text: str
    type: str  # "choice" or "integer"
    min_value: int
    max_value: int
    code: str | None = None  # LOINC item code, where one exists
    options: tuple[AnswerOption, ...] = ()
    lower_label: str = ""  # anchor text of integer items (SDC itemControl "lower")
    upper_label: str = ""  # … and "upper"
    required: bool = False


@dataclass(frozen=True)
class Band:
    lower: float  # the band holds totals from here up to the next band's lower bound
    label: str


@dataclass(frozen=True)
class FlagRule:
    """Raises `name` when the total (or the item `link_id`) is at least `at_least`."""

    name: str
    at_least: float
    link_id: str | None = None
    reference: str = ""


@dataclass(frozen=True)
class Schedule:
    """When an instrument is due (clinical-reference §1.3). See `due_questionnaires`."""

    every_days: int | None = None
    milestone_days: tuple[int, ...] = ()
    window_days: int = 3
    triggered_by: str | None = None
    trigger_at_least: float | None = None
    satisfied_by: tuple[str, ...] = ()
    reference: str = ""


@dataclass(frozen=True)
class Definition:
    code: str  # the Questionnaire id: "peg", "phq2", "phq9", "odi", …
    url: str
    version: str
    name: str
    title: str
    status: str
    copyright: str
    panel_code: str | None
    items: tuple[Item, ...]
    rule: str
    min_answered: int
    decimals: int
    score_code: str | None
    recall_period: str
    preamble: str
    schedule: Schedule | None
    bands: tuple[Band, ...]
    bands_reference: str
    flags: tuple[FlagRule, ...]
    verify_codes: tuple[str, ...]
    reference: str
    source: str
    resource: Mapping[str, Any] = field(repr=False, compare=False)

    def item(self, link_id: str) -> Item:
        for item in self.items:
            if item.link_id == link_id:
                return item
        raise KeyError(f"{self.code}: no item {link_id!r}")

    @property
    def min_total(self) -> float:
        if self.rule == "sum":
            return sum(item.min_value for item in self.items)
        if self.rule == "mean":
            return min(item.min_value for item in self.items)
        return 0

    @property
    def max_total(self) -> float:
        if self.rule == "sum":
            return sum(item.max_value for item in self.items)
        if self.rule == "mean":
            return max(item.max_value for item in self.items)
        return 100

    def band_for(self, total: float | None) -> str | None:
        """The interpretation band holding `total`; None without a total or without bands."""
        if total is None:
            return None
        label = None
        for band in self.bands:
            if total >= band.lower:
                label = band.label
        return label

    def fhir_resource(self) -> dict[str, Any]:
        """The definition as a plain FHIR Questionnaire, without the Laminar block."""
        resource = copy.deepcopy(dict(self.resource))
        resource.pop("laminar", None)
        return resource


def parse_definition(data: Any, source: str = "definition") -> Definition:
    """Validate a FHIR-shaped Questionnaire with a `laminar` block and build a `Definition`.

    Raises `DefinitionError` (a ValueError) naming `source` and the offending item.
    """
    if not isinstance(data, Mapping):
        raise DefinitionError(f"{source}: expected a JSON object (a FHIR Questionnaire)")
    if data.get("resourceType") != "Questionnaire":
        raise DefinitionError(f"{source}: resourceType must be 'Questionnaire'")
    code = data.get("id")
    if not isinstance(code, str) or not _ID_PATTERN.fullmatch(code):
        raise DefinitionError(f"{source}: id must be 1-64 letters, digits, '-' or '.'")
    for key in ("url", "name", "title", "copyright"):
        if not _is_text(data.get(key)):
            raise DefinitionError(f"{source}: {key} is required")
    status = data.get("status")
    if status not in FHIR_STATUSES:
        raise DefinitionError(f"{source}: status must be one of {', '.join(FHIR_STATUSES)}")

    raw_items = data.get("item")
    if not isinstance(raw_items, list) or not raw_items:
        raise DefinitionError(f"{source}: item must be a non-empty list")
    seen: set[str] = set()
    preamble: list[str] = []
    items: list[Item] = []
    for index, raw in enumerate(raw_items, start=1):
        link_id = _link_id(raw, f"item {index}", source, seen)
        kind = raw.get("type")
        if kind == "display":
            if items:
                raise DefinitionError(
                    f"{source}: item {link_id!r}: display text is only supported before the "
                    "first question"
                )
            if "item" in raw:
                raise DefinitionError(f"{source}: item {link_id!r}: display items cannot nest")
            preamble.append(_required_text(raw, link_id, source))
            continue
        if kind not in QUESTION_TYPES:
            raise DefinitionError(
                f"{source}: item {link_id!r}: type {kind!r} is not supported "
                "(use choice, integer, or display for text)"
            )
        items.append(_parse_question(raw, link_id, source, seen))
    if not items:
        raise DefinitionError(f"{source}: there are no questions")

    laminar = data.get("laminar")
    if not isinstance(laminar, Mapping):
        raise DefinitionError(f"{source}: the 'laminar' block is required")
    _reject_unknown_keys(laminar, _LAMINAR_KEYS, "laminar", source)
    if laminar.get("format") != FORMAT_VERSION:
        raise DefinitionError(f"{source}: laminar.format must be {FORMAT_VERSION}")
    rule, min_answered, decimals = _parse_scoring(laminar.get("scoring"), items, source)

    definition = Definition(
        code=code,
        url=data["url"],
        version=str(data.get("version", "")),
        name=data["name"],
        title=data["title"],
        status=status,
        copyright=data["copyright"],
        panel_code=_loinc_code(data.get("code"), "code", source),
        items=tuple(items),
        rule=rule,
        min_answered=min_answered,
        decimals=decimals,
        score_code=_loinc_code(laminar.get("scoreCode"), "laminar.scoreCode", source),
        recall_period=_optional_text(laminar, "recallPeriod", source),
        preamble="\n\n".join(preamble),
        schedule=_parse_schedule(laminar.get("schedule"), source),
        bands=(),
        bands_reference=_optional_text(laminar, "bandsReference", source),
        flags=_parse_flags(laminar.get("flags", []), items, source),
        verify_codes=tuple(_string_list(laminar.get("verifyCodes", []), "verifyCodes", source)),
        reference=_optional_text(laminar, "reference", source),
        source=source,
        resource=MappingProxyType(copy.deepcopy(dict(data))),
    )
    bands = _parse_bands(laminar.get("bands", []), definition, source)
    return dataclasses.replace(definition, bands=bands)


def _parse_question(raw: Mapping, link_id: str, source: str, seen: set[str]) -> Item:
    where = f"{source}: item {link_id!r}"
    text = _required_text(raw, link_id, source)
    item_code = _loinc_code(raw.get("code"), f"item {link_id!r} code", source)
    lower = upper = ""
    children = raw.get("item", [])
    if not isinstance(children, list):
        raise DefinitionError(f"{where}: nested items must be a list")
    for child_index, child in enumerate(children, start=1):
        child_id = _link_id(child, f"item {link_id!r} child {child_index}", source, seen)
        control = _item_control(child)
        if child.get("type") != "display" or control not in ("lower", "upper"):
            raise DefinitionError(
                f"{where}: nested item {child_id!r} must be a display item with itemControl "
                "'lower' or 'upper' (anchor text)"
            )
        if control == "lower":
            lower = _required_text(child, child_id, source)
        else:
            upper = _required_text(child, child_id, source)

    if raw["type"] == "integer":
        if "answerOption" in raw:
            raise DefinitionError(f"{where}: integer items take no answerOption")
        low = _extension_value(raw, MIN_VALUE_URL, "valueInteger")
        high = _extension_value(raw, MAX_VALUE_URL, "valueInteger")
        if not _is_int(low) or not _is_int(high) or low > high:
            raise DefinitionError(
                f"{where}: integer items need minValue and maxValue extensions "
                f"({MIN_VALUE_URL}, {MAX_VALUE_URL}) with valueInteger, min <= max"
            )
        return Item(
            link_id=link_id,
            text=text,
            type="integer",
            min_value=low,
            max_value=high,
            code=item_code,
            lower_label=lower,
            upper_label=upper,
            required=raw.get("required") is True,
        )

    raw_options = raw.get("answerOption")
    if not isinstance(raw_options, list) or not raw_options:
        raise DefinitionError(f"{where}: choice items need a non-empty answerOption list")
    options: list[AnswerOption] = []
    for number, option in enumerate(raw_options, start=1):
        coding = option.get("valueCoding") if isinstance(option, Mapping) else None
        if not isinstance(coding, Mapping) or not _is_text(coding.get("code")):
            raise DefinitionError(f"{where}: answer option {number} needs valueCoding.code")
        if not _is_text(coding.get("display")):
            raise DefinitionError(f"{where}: answer option {number} needs valueCoding.display")
        value = _extension_value(option, ORDINAL_VALUE_URL, "valueDecimal", "valueInteger")
        if value is None:
            raise DefinitionError(
                f"{where}: answer option {number} ({coding['code']!r}) has no ordinal value "
                f"(extension {ORDINAL_VALUE_URL})"
            )
        if not _is_number(value) or value != int(value):
            raise DefinitionError(
                f"{where}: answer option {number} ({coding['code']!r}) needs a whole-number "
                "ordinal value"
            )
        options.append(
            AnswerOption(
                code=coding["code"],
                display=coding["display"],
                value=int(value),
                system=coding.get("system", ""),
            )
        )
    if len({o.code for o in options}) != len(options):
        raise DefinitionError(f"{where}: answer option codes must be unique")
    if len({o.value for o in options}) != len(options):
        raise DefinitionError(f"{where}: answer option ordinal values must be unique")
    values = [o.value for o in options]
    return Item(
        link_id=link_id,
        text=text,
        type="choice",
        min_value=min(values),
        max_value=max(values),
        code=item_code,
        options=tuple(options),
        lower_label=lower,
        upper_label=upper,
        required=raw.get("required") is True,
    )


def _parse_scoring(raw: Any, items: list[Item], source: str) -> tuple[str, int, int]:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{source}: laminar.scoring is required")
    _reject_unknown_keys(raw, _SCORING_KEYS, "laminar.scoring", source)
    rule = raw.get("rule")
    if rule not in SCORING_RULES:
        raise DefinitionError(
            f"{source}: unknown scoring rule {rule!r} (known: {', '.join(SCORING_RULES)})"
        )
    count = len(items)
    # ODI may be scored with up to 2 of its 10 sections unanswered (Fairbank & Pynsent 2000).
    default_min = max(1, count - 2) if rule == "odi-percent" else count
    min_answered = raw.get("minAnswered", default_min)
    if not _is_int(min_answered) or not 1 <= min_answered <= count:
        raise DefinitionError(f"{source}: laminar.scoring.minAnswered must be 1 to {count}")
    if rule == "sum" and min_answered != count:
        raise DefinitionError(
            f"{source}: a sum needs every item answered (minAnswered {count}); use 'mean' or "
            "'odi-percent' to score partial answers"
        )
    decimals = raw.get("decimals", 0 if rule == "sum" else 1)
    if not _is_int(decimals) or not 0 <= decimals <= 4 or (rule == "sum" and decimals != 0):
        raise DefinitionError(
            f"{source}: laminar.scoring.decimals must be 0-4 (and 0 for a sum), got {decimals!r}"
        )
    if rule == "odi-percent":
        for item in items:
            if item.min_value != 0 or item.max_value <= 0:
                raise DefinitionError(
                    f"{source}: item {item.link_id!r}: 'odi-percent' needs every item to score "
                    "from 0 to a positive maximum"
                )
    return rule, min_answered, decimals


def _parse_bands(raw: Any, definition: Definition, source: str) -> tuple[Band, ...]:
    if not isinstance(raw, list):
        raise DefinitionError(f"{source}: laminar.bands must be a list")
    bands: list[Band] = []
    for number, band in enumerate(raw, start=1):
        if not isinstance(band, Mapping) or not _is_number(band.get("from")):
            raise DefinitionError(f"{source}: band {number} needs a numeric 'from'")
        if not _is_text(band.get("label")):
            raise DefinitionError(f"{source}: band {number} needs a label")
        if bands and band["from"] <= bands[-1].lower:
            raise DefinitionError(f"{source}: bands must be in ascending order of 'from'")
        if band["from"] > definition.max_total:
            raise DefinitionError(f"{source}: band {number} starts above the highest total")
        bands.append(Band(band["from"], band["label"]))
    if bands and bands[0].lower > definition.min_total:
        raise DefinitionError(
            f"{source}: the first band must start at or below the lowest total "
            f"({definition.min_total})"
        )
    return tuple(bands)


def _parse_flags(raw: Any, items: list[Item], source: str) -> tuple[FlagRule, ...]:
    if not isinstance(raw, list):
        raise DefinitionError(f"{source}: laminar.flags must be a list")
    link_ids = {item.link_id for item in items}
    flags: list[FlagRule] = []
    for number, flag in enumerate(raw, start=1):
        if not isinstance(flag, Mapping):
            raise DefinitionError(f"{source}: flag {number} must be an object")
        name = flag.get("name")
        if not isinstance(name, str) or not _FLAG_NAME_PATTERN.fullmatch(name):
            raise DefinitionError(f"{source}: flag {number} needs a snake_case name")
        if any(f.name == name for f in flags):
            raise DefinitionError(f"{source}: duplicate flag {name!r}")
        if not _is_number(flag.get("atLeast")):
            raise DefinitionError(f"{source}: flag {name!r} needs a numeric atLeast")
        link_id = flag.get("linkId")
        if link_id is not None and link_id not in link_ids:
            raise DefinitionError(f"{source}: flag {name!r} names unknown item {link_id!r}")
        reference = _optional_text(flag, "reference", source)
        flags.append(FlagRule(name, flag["atLeast"], link_id, reference))
    return tuple(flags)


def _parse_schedule(raw: Any, source: str) -> Schedule | None:
    if raw is None:
        return None
    where = f"{source}: laminar.schedule"
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where} must be an object")
    _reject_unknown_keys(raw, _SCHEDULE_KEYS, "laminar.schedule", source)
    every = raw.get("everyDays")
    if every is not None and (not _is_int(every) or every < 1):
        raise DefinitionError(f"{where}.everyDays must be a whole number of days >= 1")
    milestones = raw.get("milestoneDays", [])
    if not isinstance(milestones, list) or not all(_is_int(d) and d >= 0 for d in milestones):
        raise DefinitionError(f"{where}.milestoneDays must be a list of days since surgery")
    window = raw.get("windowDays", 3)
    if not _is_int(window) or window < 0:
        raise DefinitionError(f"{where}.windowDays must be a whole number >= 0")
    trigger = raw.get("triggeredBy")
    triggered_by = trigger_at_least = None
    if trigger is not None:
        if (
            not isinstance(trigger, Mapping)
            or not _is_text(trigger.get("instrument"))
            or not _is_number(trigger.get("totalAtLeast"))
        ):
            raise DefinitionError(f"{where}.triggeredBy needs instrument and totalAtLeast")
        triggered_by, trigger_at_least = trigger["instrument"], trigger["totalAtLeast"]
    if every is None and not milestones and triggered_by is None:
        raise DefinitionError(f"{where} needs everyDays, milestoneDays or triggeredBy")
    return Schedule(
        every_days=every,
        milestone_days=tuple(milestones),
        window_days=window,
        triggered_by=triggered_by,
        trigger_at_least=trigger_at_least,
        satisfied_by=tuple(_string_list(raw.get("satisfiedBy", []), "satisfiedBy", source)),
        reference=_optional_text(raw, "reference", source),
    )


def _link_id(raw: Any, where: str, source: str, seen: set[str]) -> str:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{source}: {where} must be an object")
    link_id = raw.get("linkId")
    if not _is_text(link_id):
        raise DefinitionError(f"{source}: {where} has no linkId")
    if link_id in seen:
        raise DefinitionError(f"{source}: duplicate linkId {link_id!r} ({where})")
    seen.add(link_id)
    return link_id


def _required_text(raw: Mapping, link_id: str, source: str) -> str:
    if not _is_text(raw.get("text")):
        raise DefinitionError(f"{source}: item {link_id!r} has no text")
    return raw["text"]


def _optional_text(raw: Mapping, key: str, source: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise DefinitionError(f"{source}: {key} must be text")
    return value


def _string_list(raw: Any, name: str, source: str) -> list[str]:
    if not isinstance(raw, list) or not all(_is_text(v) for v in raw):
        raise DefinitionError(f"{source}: {name} must be a list of strings")
    return raw


def _loinc_code(raw: Any, where: str, source: str) -> str | None:
    """The LOINC code of a Coding, or of the first LOINC Coding in a list of them."""
    if raw is None:
        return None
    codings = raw if isinstance(raw, list) else [raw]
    for coding in codings:
        if not isinstance(coding, Mapping) or not _is_text(coding.get("code")):
            raise DefinitionError(f"{source}: {where} must hold codings with a code")
        if coding.get("system") == LOINC_SYSTEM:
            return coding["code"]
    return None


def _extension_value(raw: Mapping, url: str, *value_keys: str) -> Any:
    extensions = raw.get("extension", [])
    for extension in extensions if isinstance(extensions, list) else []:
        if isinstance(extension, Mapping) and extension.get("url") == url:
            for key in value_keys:
                if key in extension:
                    return extension[key]
    return None


def _item_control(raw: Mapping) -> str | None:
    concept = _extension_value(raw, ITEM_CONTROL_URL, "valueCodeableConcept")
    if isinstance(concept, Mapping):
        for coding in concept.get("coding", []):
            if isinstance(coding, Mapping):
                return coding.get("code")
    return None


def _reject_unknown_keys(raw: Mapping, known: frozenset[str], where: str, source: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise DefinitionError(f"{source}: unknown key(s) in {where}: {', '.join(unknown)}")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- Registry ---------------------------------------------------------------------------------


def load_definition(path: str | Path) -> Definition:
    """Read and validate one definition file; its name must be `<id>.json`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{path.name}: not valid JSON ({exc})") from exc
    definition = parse_definition(data, source=path.name)
    if path.stem != definition.code:
        raise DefinitionError(
            f"{path.name}: id {definition.code!r} does not match the file name "
            f"(name it {definition.code}.json)"
        )
    return definition


def load_definitions(directory: str | Path) -> dict[str, Definition]:
    """Every `*.json` definition directly inside `directory`, by code, in file-name order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DefinitionError(f"{directory}: questionnaire directory not found")
    definitions = {}
    for path in sorted(directory.glob("*.json")):
        definition = load_definition(path)
        definitions[definition.code] = definition
    return definitions


def get_definition(code: str, directory: str | Path | None = None) -> Definition:
    """The definition with this code; KeyError if none. See `available_definitions`."""
    registry = _registry(_extra_dir(directory))
    try:
        return registry[code]
    except KeyError:
        known = ", ".join(registry)
        raise KeyError(f"unknown questionnaire {code!r} (available: {known})") from None


def available_definitions(directory: str | Path | None = None) -> tuple[Definition, ...]:
    """The shipped definitions, then those in `directory`.

    `directory` defaults to the `QUESTIONNAIRE_EXTRA_DIR` setting (none when unset or when
    Django is not configured). Files are read once per directory and cached.
    """
    return tuple(_registry(_extra_dir(directory)).values())


def default_schedules(directory: str | Path | None = None) -> dict[str, Schedule]:
    """The schedule of every available definition that has one, by instrument code."""
    return {d.code: d.schedule for d in available_definitions(directory) if d.schedule}


def clear_definition_cache() -> None:
    """Forget the loaded files (after a clinic changes its definition directory)."""
    _registry.cache_clear()


def _extra_dir(directory: str | Path | None) -> Path | None:
    if directory is None:
        directory = _configured_extra_dir()
    return None if directory is None else Path(directory).resolve()


def _configured_extra_dir() -> str | Path | None:
    # Imported here so that the module stays usable (and importable) without Django settings.
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return getattr(settings, EXTRA_DIR_SETTING, None) or None
    except ImproperlyConfigured:
        return None


@cache
def _registry(extra_dir: Path | None) -> Mapping[str, Definition]:
    definitions = load_definitions(SHIPPED_DIR)
    if extra_dir is not None:
        for code, definition in load_definitions(extra_dir).items():
            if code in definitions:
                raise DefinitionError(
                    f"{definition.source}: {code!r} is a shipped questionnaire and cannot be "
                    "replaced"
                )
            definitions[code] = definition
    for definition in definitions.values():
        schedule = definition.schedule
        if schedule is None:
            continue
        for other in (schedule.triggered_by, *schedule.satisfied_by):
            if other is not None and other not in definitions:
                raise DefinitionError(
                    f"{definition.source}: the schedule refers to unknown questionnaire {other!r}"
                )
    return MappingProxyType(definitions)


# --- Scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A scored questionnaire.

    `total` is None when fewer than the definition's minimum items were answered; `is_complete`
    says whether every item was answered. `flags` holds every flag the definition declares
    (e.g. "phq2_positive", "item9_positive"); item flags are evaluated even without a total.
    """

    instrument: str
    total: int | float | None
    items: Mapping[str, int]
    band: str | None
    is_complete: bool
    answered: int
    flags: Mapping[str, bool] = field(default_factory=dict)

    @property
    def phq2_positive(self) -> bool:
        return self.flags.get("phq2_positive", False)

    @property
    def item9_positive(self) -> bool:
        return self.flags.get("item9_positive", False)


def validate_answers(
    definition: Definition, answers: Mapping[str, int | str | None]
) -> dict[str, int]:
    """Item scores by linkId, in questionnaire order; None answers count as unanswered.

    A choice answer is an option code (str) or its ordinal value (int); an integer answer is an
    int within the item's range. Raises `AnswerError` (a ValueError) naming the item.
    """
    if not isinstance(answers, Mapping):
        raise AnswerError(f"{definition.code}: answers must map linkId to answer")
    by_link_id = {item.link_id: item for item in definition.items}
    scores: dict[str, int] = {}
    for link_id, value in answers.items():
        item = by_link_id.get(link_id)
        if item is None:
            raise AnswerError(f"{definition.code}: unknown item {link_id!r}", link_id)
        if value is not None:
            scores[link_id] = _item_score(definition, item, value)
    return {i.link_id: scores[i.link_id] for i in definition.items if i.link_id in scores}


def _item_score(definition: Definition, item: Item, value: Any) -> int:
    where = f"{definition.code} item {item.link_id!r}"
    if item.type == "choice":
        for option in item.options:
            if (isinstance(value, str) and value == option.code) or (
                _is_int(value) and value == option.value
            ):
                return option.value
        allowed = ", ".join(f"{o.value} ({o.code})" for o in item.options)
        raise AnswerError(f"{where}: {value!r} is not one of its options: {allowed}", item.link_id)
    if not _is_int(value):
        raise AnswerError(f"{where}: expects a whole number, got {value!r}", item.link_id)
    if not item.min_value <= value <= item.max_value:
        raise AnswerError(
            f"{where}: {value} is outside {item.min_value}-{item.max_value}", item.link_id
        )
    return value


def score(definition: Definition, answers: Mapping[str, int | str | None]) -> Score:
    """Score answers by the definition's rule (clinical-reference §1.3).

    sum: total of the items, every item needed. mean: mean of the answered items.
    odi-percent: sum ÷ (sum of the answered items' maxima, 5 per ODI section) × 100.
    mean and odi-percent round half up to `decimals` places.
    """
    items = validate_answers(definition, answers)
    answered = len(items)
    total = _total(definition, items) if answered >= definition.min_answered else None
    flags = {}
    for flag in definition.flags:
        value = items.get(flag.link_id) if flag.link_id else total
        flags[flag.name] = value is not None and value >= flag.at_least
    return Score(
        instrument=definition.code,
        total=total,
        items=items,
        band=definition.band_for(total),
        is_complete=answered == len(definition.items),
        answered=answered,
        flags=flags,
    )


def _total(definition: Definition, items: Mapping[str, int]) -> int | float:
    points = sum(items.values())
    if definition.rule == "sum":
        return points
    if definition.rule == "mean":
        exact = Fraction(points, len(items))
    else:
        possible = sum(definition.item(link_id).max_value for link_id in items)
        exact = Fraction(points * 100, possible)
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(1).scaleb(-definition.decimals), rounding=ROUND_HALF_UP
    )
    return int(rounded) if definition.decimals == 0 else float(rounded)


# --- Meaningful change (clinical-reference §2) ------------------------------------------------


@dataclass(frozen=True)
class ChangeThreshold:
    """A change is meaningful at `points` or more, or `percent` % of baseline or more."""

    points: float | None
    percent: float | None
    reference: str


# Lower is better on all three. §2 states improvement thresholds; applying the same thresholds
# to worsening (P8: a PHQ-9 rise ≥ 5 notifies) is symmetric by design.
MEANINGFUL_CHANGE: Mapping[str, ChangeThreshold] = MappingProxyType(
    {
        "phq9": ChangeThreshold(5, None, "clinical-reference §2 PHQ-9: 5 points [E] Löwe 2004"),
        "odi": ChangeThreshold(
            10, 30, "clinical-reference §2 ODI: ≥ 10 points or ≥ 30 % [E] Ostelo 2008"
        ),
        "peg": ChangeThreshold(
            None, 30, "clinical-reference §2 PEG: no settled MCID, 30 % by analogy [D]"
        ),
    }
)


@dataclass(frozen=True)
class Change:
    instrument: str
    baseline: float
    current: float
    difference: float  # current - baseline: negative is better
    percent: float | None  # difference as % of baseline; None when the baseline is 0
    improved: bool  # a meaningful improvement
    worsened: bool  # a meaningful worsening
    threshold: ChangeThreshold

    @property
    def meaningful(self) -> bool:
        return self.improved or self.worsened


def meaningful_change(instrument: str, baseline: float, current: float) -> Change:
    """Compare two totals of one instrument against its §2 threshold (see MEANINGFUL_CHANGE).

    With a baseline of 0 the percentage criterion does not apply.
    """
    threshold = MEANINGFUL_CHANGE.get(instrument)
    if threshold is None:
        raise ValueError(
            f"no meaningful-change threshold for {instrument!r} "
            f"(known: {', '.join(MEANINGFUL_CHANGE)})"
        )
    for name, value in (("baseline", baseline), ("current", current)):
        if not _is_number(value) or value < 0:
            raise ValueError(f"{instrument}: {name} must be a number >= 0, got {value!r}")
    # Exact arithmetic, so that 40 -> 28 is exactly 30 % and 12.5 -> 7.5 exactly 5 points.
    exact_baseline, exact_current = _exact(baseline), _exact(current)
    difference = exact_current - exact_baseline

    def beyond(change: Fraction) -> bool:
        if threshold.points is not None and change >= _exact(threshold.points):
            return True
        return (
            threshold.percent is not None
            and exact_baseline > 0
            and change * 100 >= _exact(threshold.percent) * exact_baseline
        )

    return Change(
        instrument=instrument,
        baseline=baseline,
        current=current,
        difference=float(difference),
        percent=float(difference * 100 / exact_baseline) if exact_baseline else None,
        improved=beyond(-difference),
        worsened=beyond(difference),
        threshold=threshold,
    )


def _exact(value: float) -> Fraction:
    return Fraction(Decimal(str(value)))


# --- Schedule ---------------------------------------------------------------------------------


HistoryEntry = tuple[str, date, float | None]


def due_questionnaires(
    surgery_date: date,
    today: date,
    history: Iterable[HistoryEntry],
    schedules: Mapping[str, Schedule] | None = None,
    *,
    directory: str | Path | None = None,
) -> list[str]:
    """Instrument codes due today, in schedule order (clinical-reference §1.3).

    `history` holds (instrument code, date, total) for questionnaires already done; entries after
    `today` are ignored. `schedules` defaults to the definitions' own (`default_schedules`), whose
    shipped values are: PEG every 7 days, PHQ-2 every 14 days, PHQ-9 when the latest PHQ-2 is
    ≥ 3 and in the windows of days 42 and 84 ± 3. To change an interval, pass e.g.
    `{**default_schedules(), "peg": dataclasses.replace(default_schedules()["peg"], every_days=5)}`.

    An instrument is due when any of these holds:
      - every_days N: none of it (or of an instrument in `satisfied_by`) in the last N days,
        today included; so one done 7 days ago makes a 7-day instrument due again;
      - milestone day M: today is within M ± window_days of surgery and none of it was done in
        that window (each milestone once);
      - triggered_by X: the latest X has total ≥ trigger_at_least and none of it since that day.
    An instrument is dropped when one in its `satisfied_by` is also due (a PHQ-9 contains the
    PHQ-2). Nothing is due before the day of surgery.
    """
    if schedules is None:
        schedules = default_schedules(directory)
    if today < surgery_date:
        return []
    done: list[HistoryEntry] = []
    for code, day, total in history:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(f"history entry for {code!r}: {day!r} is not a date")
        if day <= today:
            done.append((code, day, total))
    due = [
        code
        for code, schedule in schedules.items()
        if _is_due(code, schedule, surgery_date, today, done)
    ]
    return [code for code in due if not any(other in due for other in schedules[code].satisfied_by)]


def _is_due(
    code: str, schedule: Schedule, surgery_date: date, today: date, done: list[HistoryEntry]
) -> bool:
    own_days = [day for instrument, day, _ in done if instrument == code]
    if schedule.every_days is not None:
        counted = own_days + [day for c, day, _ in done if c in schedule.satisfied_by]
        if not any((today - day).days < schedule.every_days for day in counted):
            return True
    day_number = (today - surgery_date).days
    for milestone in schedule.milestone_days:
        if abs(day_number - milestone) <= schedule.window_days:
            start = surgery_date + timedelta(days=milestone - schedule.window_days)
            if not any(start <= day <= today for day in own_days):
                return True
    if schedule.triggered_by is not None and schedule.trigger_at_least is not None:
        latest: tuple[date, float | None] | None = None
        for instrument, day, total in done:
            if instrument == schedule.triggered_by and (latest is None or day >= latest[0]):
                latest = (day, total)
        if (
            latest is not None
            and latest[1] is not None
            and latest[1] >= schedule.trigger_at_least
            and not any(day >= latest[0] for day in own_days)
        ):
            return True
    return False
