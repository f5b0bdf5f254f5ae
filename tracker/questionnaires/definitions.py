"""Questionnaire definitions: loading and validating them, and the registry.

Questionnaires are data (clinical-reference §1.3): FHIR R4 `Questionnaire`-shaped JSON files in
`tracker/questionnaires/instruments/` (format in the README there), plus a licensed clinic's
own files from the directory named by the `QUESTIONNAIRE_EXTRA_DIR` setting. Scoring them is
`tracker.questionnaires.scoring`'s job. Pure Python: plain data in, plain data out, no ORM, no
request.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"
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
