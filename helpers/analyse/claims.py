"""Findings as data: each claim of a corpus folder's `claims.yaml`, checked by measures, with margin and perturbations.

A claim is a sentence, the page it belongs to, and one or more checks. A check names a measure of
helpers.analyse.measures, its parameters, which items it looks at (`where`), and what the sentence says of their
values: a comparison every item meets (`each`), or one items meet (`items`) with how many do (`count`), and
optionally which ones (`names`). ``verdict(claim_id, study)`` evaluates a claim:

- on the consensus coding (holds or does not hold), on each coder's own coding, without the codes whose alpha
  interval reaches below .667, with every low-confidence outlet attribution taken the other way (unknown outlet),
  and with the soft date clues taken too (for windows);
- its **margin**: the smallest change in the data (coded rows, words, days, facts) that makes it false, found by
  the measures and named; ``flip(verdict, study)`` makes that change and evaluates again.

Verdicts: **holds**; **tie** (the coders' codings disagree, or the margin is within the claim's `tie_within`);
**fragile** (holds, but one perturbation makes it false: named); **does not hold**. No check reads a prose field;
a corpus folder holds data only, so opening one runs no code of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from helpers.analyse.measures import CHOICES, LIST_CHOICES, MEASURES, OPS, Data, Measured, compare, steps_to
from helpers.annotate.reliability import CODER_A, CODER_B, TENTATIVE
from helpers.annotate.study import Study
from helpers.errors import YAML_LOADER, CorpusError, read_yaml

HOLDS, DOES_NOT_HOLD, TIE, FRAGILE, NOT_CHECKED = "holds", "does not hold", "tie", "fragile", "not checked"
CLAIMS_FILE = "claims.yaml"
CLAIM_COLUMNS = ["claim_id", "page", "finding", "verdict", "margin", "why", "consensus", "coder_a", "coder_b",
                 "without_uncertain_codes", "low_confidence_outlets_unknown", "soft_date_clues", "rests_on"]
UNKNOWN_OUTLET = "(outlet unknown)"
CLAIM_KEYS = {"id": str, "page": str, "finding": str, "checks": list, "note": str}
CHECK_KEYS = {"measure": str, "params": dict, "where": dict, "each": dict, "items": dict, "count": dict,
              "names": list, "tie_within": (int, float), "says": str}
WHERE_KEYS = {"outlet": str, "outlet_not": str, "articles": list, "items": list, "involving": str}
PERTURBATIONS = {"coder_a": "on coder A's own coding", "coder_b": "on coder B's own coding",
                 "without_uncertain_codes": "without the codes whose alpha interval reaches below .667",
                 "low_confidence_outlets_unknown": "with each low-confidence outlet attribution taken as unknown",
                 "soft_date_clues": "with the soft date clues taken too (for the soft reading: each set aside)"}


@dataclass(frozen=True)
class Check:
    """One comparison of a claim: a measure, its parameters, the items, and what the sentence says of them."""

    measure: str
    params: dict
    where: dict
    op: str
    target: float | str  # a number, or "all" (the measure's total)
    count: tuple[str, float | str] | None  # (op, k): how many items meet op/target; None: every item
    names: tuple[str, ...] | None
    tie_within: float | None
    says: str  # the part of the sentence this check stands for
    line: int


@dataclass(frozen=True)
class Claim:
    """A finding: its id, page (notebook name), sentence, checks, and where it is declared."""

    claim_id: str
    page: str
    finding: str
    checks: tuple[Check, ...]
    note: str = ""
    where: str = ""


@dataclass(frozen=True)
class Result:
    """A check evaluated: the items with their values and whether each meets the comparison, and the outcome."""

    check: Check
    measured: Measured
    items: pd.DataFrame  # the measured items the check looks at, with a `meets` column
    holds: bool
    margin: float  # units of change that would flip it (math.inf: nothing can)
    moves: tuple[tuple[str, int, int], ...]  # (item, direction, steps) that make the margin's change


@dataclass(frozen=True)
class Verdict:
    """A claim's status, margin in words, the checks' results, and each perturbation's outcome."""

    claim: Claim
    status: str
    why: str
    margin: str
    results: tuple[Result, ...]
    perturbations: dict[str, str] = field(default_factory=dict)  # name -> holds / does not hold
    rests_on: str = ""
    deciding: Result | None = None  # the check whose change is the margin
    not_coded: tuple[str, ...] = ()  # articles no coder has coded yet: left out of the counts (names)


# ----------------------------------------------------------------------------------------------------- reading

def claims_path(study_root: Path) -> Path:
    """Return the claims file of a corpus folder."""
    return Path(study_root) / CLAIMS_FILE


def load_claims(path: Path, codebook_ids: dict[str, set[str]] | None = None) -> tuple[Claim, ...]:
    """Read a claims file strictly: an unknown key, measure, parameter, comparison or id is named with its line."""
    if not path.is_file():
        return ()
    data = read_yaml(path, "claims file")
    lines = _lines(path)
    problems: list[str] = []
    entries = data.get("claims")
    unknown = sorted(set(data) - {"claims"})
    if unknown:
        problems.append(f"{path} line 1: unknown key(s) {', '.join(unknown)} (the file holds `claims:` only)")
    if not isinstance(entries, list):
        raise CorpusError([*problems, f"{path}: `claims:` must be a list of claims"])
    claims, seen = [], set()
    for n, entry in enumerate(entries):
        line = lines[n][0] if n < len(lines) else 0
        where = f"{path} line {line}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: a claim must be a mapping (id:, page:, finding:, checks:)")
            continue
        problems += _keys(entry, CLAIM_KEYS, where, ("id", "page", "finding", "checks"))
        claim_id = str(entry.get("id", ""))
        if claim_id in seen:
            problems.append(f"{where}: claim id {claim_id!r} is declared twice")
        seen.add(claim_id)
        checks = []
        for k, spec in enumerate(entry.get("checks") or []):
            check_line = lines[n][1][k] if n < len(lines) and k < len(lines[n][1]) else line
            check, found = _check(spec, f"{path} line {check_line}", check_line, codebook_ids or {})
            problems += found
            if check:
                checks.append(check)
        if not entry.get("checks"):
            problems.append(f"{where}: claim {claim_id!r} has no checks: a finding must be checked")
        claims.append(Claim(claim_id, str(entry.get("page", "")), " ".join(str(entry.get("finding", "")).split()),
                            tuple(checks), str(entry.get("note", "")), where))
    if problems:
        raise CorpusError(problems)
    return tuple(claims)


def _lines(path: Path) -> list[tuple[int, list[int]]]:
    """Return per claim its line and the line of each of its checks (1-based), from the YAML's node marks."""
    try:  # the file has been read as YAML already; this only finds where each claim starts
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError:
        return []
    found = []
    for key, value in getattr(node, "value", []):
        if key.value != "claims" or not isinstance(value, yaml.SequenceNode):
            continue
        for claim in value.value:
            checks = []
            for ckey, cvalue in getattr(claim, "value", []) if isinstance(claim, yaml.MappingNode) else []:
                if ckey.value == "checks" and isinstance(cvalue, yaml.SequenceNode):
                    checks = [c.start_mark.line + 1 for c in cvalue.value]
            found.append((claim.start_mark.line + 1, checks))
    return found


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({"str": "text", "list": "a list", "dict": "a mapping", "int": "a number",
                        "float": "a number"}[k.__name__] for k in kinds)


def _keys(entry: dict, known: dict, where: str, required: tuple[str, ...] = ()) -> list[str]:
    problems = [f"{where}: unknown key {key!r} (known: {', '.join(known)})" for key in entry if key not in known]
    problems += [f"{where}: missing {key!r}" for key in required if key not in entry]
    problems += [f"{where}: {key!r} must be {_kind_name(known[key])}, not {value!r}" for key, value in entry.items()
                 if key in known and not isinstance(value, known[key]) or (isinstance(value, bool) and key in known)]
    return problems


def _comparison(spec: object, where: str, what: str) -> tuple[tuple[str, float | str] | None, list[str]]:
    if not isinstance(spec, dict) or len(spec) != 1:
        return None, [f"{where}: {what} must be one comparison, e.g. {{at_least: 1}} ({', '.join(OPS)})"]
    (op, target), = spec.items()
    if op not in OPS:
        return None, [f"{where}: {what}: unknown comparison {op!r} (known: {', '.join(OPS)})"]
    if target not in ("all", "half") and (isinstance(target, bool) or not isinstance(target, int | float)):
        return None, [f"{where}: {what}: {op} needs a number, 'all' or 'half', not {target!r}"]
    return (op, target), []


def _check(spec: object, where: str, line: int, ids: dict[str, set[str]]) -> tuple[Check | None, list[str]]:
    if not isinstance(spec, dict):
        return None, [f"{where}: a check must be a mapping (measure:, params:, each: or items: + count:)"]
    problems = _keys(spec, CHECK_KEYS, where, ("measure",))
    name = spec.get("measure")
    measure = MEASURES.get(name) if isinstance(name, str) else None
    if measure is None:
        return None, [*problems, f"{where}: unknown measure {name!r} (known: {', '.join(MEASURES)})"]
    params = spec.get("params") or {}
    for key, value in params.items():
        if key not in measure.params:
            problems.append(f"{where}: measure {name} has no parameter {key!r} (its parameters: "
                            f"{', '.join(measure.params) or 'none'})")
        elif not isinstance(value, measure.params[key]):
            problems.append(f"{where}: {name}: {key} must be {_kind_name(measure.params[key])}, not {value!r}")
        elif key in CHOICES and value not in CHOICES[key]:
            problems.append(f"{where}: {name}: {key} must be one of {', '.join(CHOICES[key])}, not {value!r}")
        elif key in LIST_CHOICES and not set(map(str, value)) <= set(LIST_CHOICES[key]):
            problems.append(f"{where}: {name}: {key} may hold {', '.join(LIST_CHOICES[key])}, not "
                            f"{', '.join(sorted(set(map(str, value)) - set(LIST_CHOICES[key])))}")
    problems += [f"{where}: measure {name} needs the parameter {key!r}" for key in measure.required
                 if key not in params]
    problems += _unknown_ids(params, ids, where, measure.codes_in)
    where_spec = spec.get("where") or {}
    problems += _keys(where_spec, WHERE_KEYS, f"{where}: where")
    if ("each" in spec) == ("items" in spec):
        problems.append(f"{where}: give either `each:` (every item meets it) or `items:` with `count:`")
        return None, problems
    comparison, found = _comparison(spec.get("each", spec.get("items")), where, "each" if "each" in spec else "items")
    problems += found
    count = None
    if "items" in spec:
        if "count" not in spec and "names" not in spec:
            problems.append(f"{where}: `items:` needs `count:` (how many items meet it) or `names:` (which)")
        if "count" in spec:
            count, found = _comparison(spec["count"], where, "count")
            problems += found
    if problems or comparison is None:
        return None, problems
    names = tuple(str(n) for n in spec["names"]) if "names" in spec else None
    return Check(name, dict(params), dict(where_spec), comparison[0], comparison[1], count, names,
                 spec.get("tie_within"), str(spec.get("says", "")), line), []


def _unknown_ids(params: dict, ids: dict[str, set[str]], where: str, codes_in: str = "") -> list[str]:
    layer = params.get("layer", codes_in or ("labels" if "category" in params else ""))
    problems = []
    codes = [*params.get("codes", []), *(c for group in params.get("all_of", []) for c in group),
             *[params[k] for k in ("frame", "over") if k in params]]
    known = ids.get(layer)
    if known is not None:
        problems += [f"{where}: {code!r} is not a {layer} id of the codebook" for code in codes if code not in known]
    if "category" in params and ids.get("label_categories") is not None \
            and params["category"] not in ids["label_categories"]:
        problems.append(f"{where}: {params['category']!r} is not a label category of the codebook")
    if layer and ids and layer not in ids:
        problems.append(f"{where}: {layer!r} is not a layer of the codebook")
    return problems


def codebook_ids(study_codebook: object) -> dict[str, set[str]]:
    """Return the ids a claims file may name: codes per layer, and label categories."""
    ids = {layer: set(study_codebook.ids(layer)) for layer in study_codebook.codes}
    ids["label_categories"] = set(study_codebook.label_categories)
    return ids


_LOADED: dict[tuple[str, bytes], tuple[Claim, ...]] = {}


def study_claims(study: Study) -> tuple[Claim, ...]:
    """Return the claims of a study (none when its corpus folder has no claims file)."""
    path = claims_path(study.root)
    key = (str(path), path.read_bytes() if path.is_file() else b"")
    if key not in _LOADED:
        _LOADED[key] = load_claims(path, codebook_ids(study.codebook))
    return _LOADED[key]


def check_claims(study: Study) -> list[str]:
    """Return every problem of a study's claims file (what `validate` reports)."""
    try:
        claims = load_claims(claims_path(study.root), codebook_ids(study.codebook))
    except CorpusError as exc:
        return exc.problems
    problems = []
    for claim in claims:
        for check in claim.checks:
            known = set(_measured(Data.of(study), check).items["item"])
            wanted = [*(check.names or ()), *check.where.get("articles", []), *check.where.get("items", [])]
            problems += [f"{claim.where}: claim {claim.claim_id!r}: {item!r} is no item of {check.measure} on this "
                         "corpus" for item in wanted if item not in known]
            if "involving" in check.where and check.where["involving"] not in set(study.articles["article_id"]):
                problems.append(f"{claim.where}: claim {claim.claim_id!r}: {check.where['involving']!r} is no article "
                                "of this corpus")
    return problems


# ------------------------------------------------------------------------------------------------- evaluating

def _measured(data: Data, check: Check, params: dict | None = None) -> Measured:
    return MEASURES[check.measure].compute(data, **(params if params is not None else check.params))


def _selected(data: Data, check: Check, measured: Measured) -> pd.DataFrame:
    items = measured.items
    where = check.where
    if items.empty:
        return items.reset_index(drop=True)
    if "items" in where:
        items = items[items["item"].isin(where["items"])]
    if "articles" in where:
        items = items[items["item"].isin(where["articles"])]
    if "involving" in where:  # pairs of articles ("a|b") that include this one
        items = items[items["item"].str.split("|").map(lambda pair: where["involving"] in pair)]
    outlets = data.articles.set_index("article_id")["outlet"]
    if "outlet" in where:
        items = items[items["item"].map(outlets) == where["outlet"]]
    if "outlet_not" in where:
        items = items[items["item"].map(outlets) != where["outlet_not"]]
    return items.reset_index(drop=True)


def _target(target: float | str, total: int) -> float:
    """Return a comparison's number: itself, or `all` / `half` of the measure's total."""
    return {"all": float(total), "half": total / 2}.get(target, target) if isinstance(target, str) else float(target)


def _crossing(row: pd.Series, op: str, target: float, integer: bool) -> tuple[int, int, float]:
    """Return (direction, steps, cost in units) that carries one item across the comparison."""
    direction, distance = steps_to(float(row["value"]), op, target, integer)
    per_unit = float(row["up"] if direction > 0 else row["down"])
    if integer:
        steps = max(math.ceil(distance - 1e-9), 1)
        return direction, steps, steps * per_unit
    if per_unit <= 1:  # a value with no unit of data behind it (alpha): the margin is the distance itself
        return direction, 1, distance
    units = max(math.ceil(distance * per_unit - 1e-12), 1)  # words or facts: whole ones
    return direction, units, float(units)


def evaluate(check: Check, data: Data, params: dict | None = None) -> Result:
    """Evaluate one check on `data` and find the cheapest change that flips it."""
    measured = _measured(data, check, params)
    items = _selected(data, check, measured)
    target = _target(check.target, measured.total)
    items = items.assign(meets=[compare(float(v), check.op, target) for v in items["value"]])
    n = int(items["meets"].sum())
    count = check.count or (("equals", len(items)) if check.names is None else None)
    k = _target(count[1], len(items)) if count else 0.0
    holds = (compare(n, count[0], k) if count else True) and len(items) > 0
    if check.names is not None:
        holds = holds and set(items.loc[items["meets"], "item"]) == set(check.names)
    crossings = [(row["item"], *_crossing(row, check.op, target, measured.integer)) for _, row in items.iterrows()]
    meeting = sorted((c for c, m in zip(crossings, items["meets"], strict=True) if m), key=lambda c: c[3])
    missing = sorted((c for c, m in zip(crossings, items["meets"], strict=True) if not m), key=lambda c: c[3])
    options: list[list] = []
    if check.names is not None and holds:
        options += [[c] for c in crossings]  # any item crossing changes which ones meet it
    for direction in (-1, +1) if count else ():  # fewer items meeting it, or more
        pool = meeting if direction < 0 else missing
        need = _count_steps(n, count[0], k, direction, len(pool))
        if need:
            options.append(pool[:need])
    if not options:
        return Result(check, measured, items, holds, math.inf, ())
    best = min(options, key=lambda moves: sum(c[3] for c in moves))
    return Result(check, measured, items, holds, sum(c[3] for c in best),
                  tuple((item, direction, steps) for item, direction, steps, _ in best))


def _count_steps(n: int, op: str, k: float, direction: int, available: int) -> int:
    """Return how many of `available` items must cross (in `direction`) to change whether `n op k` holds; 0: none do."""
    return next((m for m in range(1, available + 1) if compare(n + direction * m, op, k) != compare(n, op, k)), 0)


def _perturbed(study: Study, name: str) -> Data | None:
    data = Data.of(study)
    if name in (CODER_A, CODER_B):
        return Data.of(study, study.coder(name)) if study.two_coders else None
    if name == "without_uncertain_codes":
        codes = uncertain_codes(study)
        return replace(data, coding=data.coding[~data.coding["code"].isin(codes)]) if codes else None
    if name == "low_confidence_outlets_unknown":
        low = data.articles["outlet_confidence"].astype(str).str.startswith("low")
        if not low.any():
            return None
        return replace(data, articles=data.articles.assign(outlet=data.articles["outlet"].where(~low, UNKNOWN_OUTLET)))
    return data


def _soft_clue_outcome(claim: Claim, data: Data) -> str:
    """Say how a claim about windows fares under the soft clues' doubt ("" when it has no window check).

    A claim on firm windows is tried with the soft clues taken too; a claim on the soft reading is tried with each
    soft clue set aside in turn, and the first one it depends on is named.
    """
    windowed = [(n, c) for n, c in enumerate(claim.checks) if c.measure == "window_days"]
    if not windowed:
        return ""
    settings = {c.params.get("clues", "firm") for _, c in windowed}
    if settings == {"firm"}:
        swapped = {n: {**c.params, "clues": "all"} for n, c in windowed}
        return HOLDS if _claim_holds(claim, data, swapped)[0] else DOES_NOT_HOLD
    breaking = [clue for clue in data.clues.loc[data.clues["strength"] == "soft", "clue_id"]
                if not _claim_holds(claim, replace(data, clues=data.clues[data.clues["clue_id"] != clue]))[0]]
    if not breaking:
        return HOLDS
    named = breaking[0] if len(breaking) == 1 else ", ".join(breaking[:-1]) + " or " + breaking[-1]
    return f"{DOES_NOT_HOLD} without soft clue {named} (any one of them)" if len(breaking) > 1 else \
        f"{DOES_NOT_HOLD} without soft clue {named}"


def uncertain_codes(study: Study) -> set[str]:
    """Return the codes whose alpha, or the lower end of its interval, is below .667 (none with one coder)."""
    table = study.agreement
    if not study.two_coders:
        return set()
    weak = (table["code"] != "") & ((table["alpha"] < TENTATIVE) | (table["ci_low"] < TENTATIVE))
    return set(table.loc[weak, "code"])


def _claim_holds(claim: Claim, data: Data, params: dict[int, dict] | None = None) -> tuple[bool, list[Result]]:
    results = [evaluate(check, data, (params or {}).get(n)) for n, check in enumerate(claim.checks)]
    return all(r.holds for r in results), results


def find_claim(study: Study, claim_id: str) -> Claim | None:
    """Return the claim `claim_id` of a study, or None."""
    return next((c for c in study_claims(study) if c.claim_id == claim_id), None)


def verdict(claim_id: str, study: Study) -> Verdict:
    """Evaluate a claim on the consensus, each coder, and the metadata's uncertainty; find its margin."""
    claim = find_claim(study, claim_id)
    if claim is None:
        empty = Claim(claim_id, "", "", ())
        return Verdict(empty, NOT_CHECKED, f"{claim_id!r} is not a claim of this study ({study.root})", "", ())
    data = Data.of(study)
    holds, results = _claim_holds(claim, data)
    layers = tuple(dict.fromkeys(layer for r in results for layer in r.measured.layers))
    outcomes: dict[str, str] = {}
    for name in PERTURBATIONS:
        if name in (CODER_A, CODER_B, "without_uncertain_codes") and not layers:
            continue
        if name == "soft_date_clues":
            if outcome := _soft_clue_outcome(claim, data):
                outcomes[name] = outcome
            continue
        if name == "low_confidence_outlets_unknown" and not any({"outlet", "outlet_not"} & set(c.where)
                                                                 for c in claim.checks):
            continue  # no check picks articles by outlet: an attribution cannot change it
        other = _perturbed(study, name)
        if other is not None:
            outcomes[name] = HOLDS if _claim_holds(claim, other)[0] else DOES_NOT_HOLD
    deciding = (min(results, key=lambda r: r.margin) if holds else
                max((r for r in results if not r.holds), key=lambda r: r.margin))
    margin = margin_words(deciding, holds, study)
    coders = {outcomes.get(CODER_A), outcomes.get(CODER_B)} - {None}
    flips = [PERTURBATIONS[name] if outcome in (HOLDS, DOES_NOT_HOLD) else outcome.removeprefix(DOES_NOT_HOLD + " ")
             for name, outcome in outcomes.items() if name not in (CODER_A, CODER_B) and (outcome == HOLDS) != holds]
    close = [r for r in results if r.margin <= _tie_within(r.check)] if holds else []
    if not holds:
        status, why = DOES_NOT_HOLD, "the numbers differ from the sentence"
    elif len(coders) > 1:
        status, why = TIE, "a close call: the two coders' codings do not agree on it"
    elif flips:
        status, why = FRAGILE, "it holds, but not " + "; nor ".join(flips)
    elif close:
        status, why = TIE, (f"a close call: '{close[0].check.says or close[0].check.measure}' is within "
                            f"{_tie_within(close[0].check):g} {close[0].measured.unit} of flipping, which this claim "
                            "counts as a tie")
    else:
        status, why = HOLDS, "the numbers bear the sentence out, on each coder's coding too" if coders else \
            "the numbers bear the sentence out"
    uncoded = tuple(name for a, name in data.names().items() if a not in set(data.coded())) if layers else ()
    return Verdict(claim, status, why, margin, tuple(results), outcomes, rests_on(study, layers), deciding, uncoded)


def _tie_within(check: Check) -> float:
    """Return the margin (in its measure's unit) a check counts as a close call: the claim's, or the measure's."""
    return check.tie_within if check.tie_within is not None else MEASURES[check.measure].tie_within


def margin_words(result: Result, holds: bool, study: Study) -> str:
    """Say the smallest change that flips a check (or that would make it hold), with articles by name."""
    if math.isinf(result.margin):
        return "no change in the data can flip it" if holds else "no single change makes it hold"
    names = dict(zip(result.measured.items["item"], result.measured.items["name"], strict=True))
    values = dict(zip(result.measured.items["item"], result.measured.items["value"], strict=True))
    unit = result.measured.unit
    amount = (f"{result.margin:.3f}" if unit == "alpha" else f"{result.margin:g}")
    singular = unit.rstrip("s") if result.margin == 1 and unit.endswith("s") and unit != "alpha" else unit
    moves = "; ".join(f"{names.get(item, item)} {'up' if direction > 0 else 'down'} from "
                      f"{shown(values[item], result.measured)}"
                      for item, direction, _ in result.moves)
    lead = "it would no longer hold after a change of" if holds else "it would hold after a change of"
    return f"{lead} {amount} {singular} ({moves})"


def shown(value: float, measured: Measured) -> str:
    """Write a measured value as a reader reads it: a percentage, a share to three places, or a whole number."""
    if measured.percent:
        return f"{value:.1%}"
    return f"{value:.3f}" if not float(value).is_integer() else f"{value:g}"


def flip(found: Verdict, study: Study, rounds: int = 4) -> tuple[bool, Data]:
    """Make the margin's change in the data and tell whether the claim's consensus verdict then flips."""
    result = found.deciding
    if result is None or not result.moves:
        return False, Data.of(study)
    measure = MEASURES[result.check.measure]
    data = Data.of(study)
    was = found.status != DOES_NOT_HOLD
    for _ in range(rounds):  # a change counted in units may need a second step where a value moves unevenly
        for item, direction, steps in result.moves:
            data = measure.shift(data, item, direction, steps, **result.check.params)
        now, _ = _claim_holds(found.claim, data)
        if now != was:
            return True, data
    return False, data


def rests_on(study: Study, layers: tuple[str, ...]) -> str:
    """Say which hand-coded layers a claim rests on, who coded them, and their alpha with its interval."""
    if not layers:
        return ""
    who = f"hand coding {study.settings.coders}" if study.settings.coders else "hand coding"
    table = study.agreement
    if not study.two_coders:
        return f"{', '.join(layers)}: {who} (one coder: no alpha)"
    parts = []
    for layer in layers:
        rows = table[(table["layer"] == layer) & (table["code"] == "")]
        parts.append(layer + " " + ", ".join(f"{r.measure} alpha {r.alpha:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] "
                                             f"{r.reading}" for r in rows.itertuples()))
    return (f"{'; '.join(parts)}; {who}. Alpha is measured on these same texts, which the codebook's include and "
            "exclude notes quote")


def claims_table(study: Study) -> pd.DataFrame:
    """Return every claim with its verdict, margin and each perturbation's result (CLAIM_COLUMNS)."""
    rows = []
    for claim in study_claims(study):
        found = verdict(claim.claim_id, study)
        consensus = HOLDS if found.status != DOES_NOT_HOLD else DOES_NOT_HOLD
        rows.append({"claim_id": claim.claim_id, "page": claim.page, "finding": claim.finding,
                     "verdict": found.status, "margin": found.margin, "why": found.why, "consensus": consensus,
                     **{name: found.perturbations.get(name, "") for name in PERTURBATIONS},
                     "rests_on": found.rests_on})
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)
