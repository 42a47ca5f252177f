"""Every `### Finding:` sentence of the notebooks, as a claim that code checks.

A claim is a sentence ("only two", "four of five", "every") plus a function that computes the numbers it
states from the study's tables and says whether they hold. ``verdict(claim_id, study)`` runs it on the
consensus coding the findings use and, for a claim that rests on hand coding, on each coder's own coding too:

- **holds** / **does not hold**: what the numbers say on the consensus coding;
- **tie**: a close call — the check itself calls it close (e.g. a lead of two sentences or fewer), or the two
  coders' codings disagree on whether it holds, so the margin lies within the coders' disagreement.

Each verdict prints the evidence it rests on and the alpha (with its 95% interval) of the layers it uses.
When a new article or code changes the numbers, the printed verdict changes with them; the notebook's
heading is the claim's sentence (a test keeps the two identical), never a number typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from helpers.analyse import coverage, framing, timeline
from helpers.annotate import detect, measure
from helpers.annotate.annotations import OWN, QUOTED, REPORTED
from helpers.annotate.reliability import CODER_A, CODER_B, RELIABLE, TENTATIVE
from helpers.annotate.study import Study

HOLDS, DOES_NOT_HOLD, TIE, NOT_CHECKED = "holds", "does not hold", "tie", "not checked"
CLOSE_SENTENCES = 2  # a lead of this many sentences or fewer is a tie
CLAIM_COLUMNS = ["claim_id", "notebook", "finding", "verdict", "why", "rests_on", "alpha", "coder_a", "coder_b"]


@dataclass(frozen=True)
class Check:
    """What a claim's function found: whether it holds, the evidence lines, and why it is close (if it is)."""

    holds: bool
    evidence: list[str]
    close: str = ""


@dataclass(frozen=True)
class Claim:
    """A finding's sentence, its notebook, the coding layers it rests on and the function that checks it."""

    claim_id: str
    notebook: str
    sentence: str
    rests_on: tuple[str, ...]
    check: Callable[[Study, pd.DataFrame], Check]


@dataclass(frozen=True)
class Verdict:
    """A claim's checked status with its evidence, per-coder results and the alpha of its layers."""

    claim: Claim
    status: str
    why: str
    evidence: list[str]
    per_coder: dict[str, str] = field(default_factory=dict)
    alphas: str = ""

    def report(self) -> str:
        """Return the evidence, then the verdict line, as the notebook prints it."""
        lines = [*self.evidence, f"Verdict: {self.status.upper()} - {self.why}"]
        if self.per_coder:
            lines.append("Per coder: " + "; ".join(f"{c} {s}" for c, s in self.per_coder.items()) + ".")
        if self.alphas:
            lines.append(f"Rests on: {self.alphas}.")
        return "\n".join(lines)


CLAIMS: dict[str, Claim] = {}


def claim(claim_id: str, notebook: str, sentence: str, rests_on: tuple[str, ...] = ()) -> Callable:
    """Register a check function as the claim `claim_id` of `notebook`."""
    def register(check: Callable[[Study, pd.DataFrame], Check]) -> Callable[[Study, pd.DataFrame], Check]:
        CLAIMS[claim_id] = Claim(claim_id, notebook, sentence, rests_on, check)
        return check
    return register


def _alphas(study: Study, layers: tuple[str, ...]) -> str:
    table = study.agreement
    if table is None or not layers:
        return ", ".join(layers) + (" (one coder: no alpha)" if layers else "")
    parts = []
    for layer in layers:
        rows = table[(table["layer"] == layer) & (table["code"] == "")]
        parts.append(layer + " " + ", ".join(
            f"{r.measure} alpha {r.alpha:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] {r.reading}"
            for r in rows.itertuples()))
    return "; ".join(parts)


def verdict(claim_id: str, study: Study) -> Verdict:
    """Check one claim on the consensus coding (and on each coder's, when it rests on hand coding)."""
    item = CLAIMS[claim_id]
    per_coder: dict[str, str] = {}
    try:
        found = item.check(study, study.coding)
        if item.rests_on and {CODER_A, CODER_B} <= set(study.hand["coder"]):
            for coder in (CODER_A, CODER_B):
                per_coder[coder] = HOLDS if item.check(study, study.coder(coder)).holds else DOES_NOT_HOLD
    except (KeyError, ValueError, IndexError) as exc:  # a corpus without what the claim counts (another study)
        return Verdict(item, NOT_CHECKED, f"the check cannot run on this corpus ({type(exc).__name__}: {exc})", [])
    status = HOLDS if found.holds else DOES_NOT_HOLD
    why = "the numbers above match the sentence" if found.holds else "the numbers above differ from the sentence"
    if len(set(per_coder.values())) > 1:
        status, why = TIE, "a close call: the two coders' codings do not agree on it"
    if found.close:
        status, why = TIE, f"a close call: {found.close}"
    return Verdict(item, status, why, found.evidence, per_coder, _alphas(study, item.rests_on))


def show(claim_id: str, study: Study) -> None:
    """Print a claim's evidence and verdict (what a finding's cell shows)."""
    print(verdict(claim_id, study).report())


def claims_table(study: Study) -> pd.DataFrame:
    """Return every claim with its verdict, the layers it rests on and their alpha (CLAIM_COLUMNS)."""
    rows = []
    for claim_id in CLAIMS:
        found = verdict(claim_id, study)
        rows.append({"claim_id": claim_id, "notebook": found.claim.notebook, "finding": found.claim.sentence,
                     "verdict": found.status, "why": found.why, "rests_on": ", ".join(found.claim.rests_on),
                     "alpha": found.alphas, "coder_a": found.per_coder.get(CODER_A, ""),
                     "coder_b": found.per_coder.get(CODER_B, "")})
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def coded_ids(study: Study, coding: pd.DataFrame) -> list[str]:
    """Return the articles the coding has rows for, in corpus order (the others are not coded yet)."""
    coded = set(coding["article_id"])
    return [a for a in study.articles["article_id"] if a in coded]


def _not_coded(study: Study, coding: pd.DataFrame) -> list[str]:
    """Return an evidence line naming the articles not coded yet (left out of the counts), or nothing."""
    missing = [a for a in study.articles["article_id"] if a not in set(coding["article_id"])]
    return [f"Articles not coded yet, so not counted: {', '.join(missing)}."] if missing else []


# ------------------------------------------------------------------------------------------------ 00 corpus

@claim("corpus-size", "00-describe-corpus",
       "The corpus holds five articles from four outlets; one outlet rests on a low-confidence attribution.")
def _corpus_size(study: Study, coding: pd.DataFrame) -> Check:
    articles = study.articles
    low = articles.loc[articles["outlet_confidence"] == "low", "outlet"].unique().tolist()
    outlets = articles["outlet"].nunique()
    evidence = [f"{len(articles)} articles from {outlets} outlets: "
                + ", ".join(f"{o} ({n})" for o, n in articles["outlet"].value_counts(sort=False).items()) + ".",
                f"Outlets attributed with low confidence: {', '.join(low) or 'none'}.",
                f"Earliest possible publication: {articles['published_earliest'].min():%d %B %Y}; "
                f"latest possible: {articles['published_latest'].max():%d %B %Y}."]
    return Check(len(articles) == 5 and outlets == 4 and len(low) == 1, evidence)


@claim("boilerplate", "00-describe-corpus",
       "Boilerplate is a third or more of the words on both t3n pages and under 5 percent on every other page.")
def _boilerplate(study: Study, coding: pd.DataFrame) -> Check:
    articles = study.articles
    share = 1 - articles["words_clean"] / articles["words_raw"]
    t3n = articles["outlet"] == "t3n"
    evidence = [f"{r.article_id:15} {r.outlet:25} {r.words_raw:5} -> {r.words_clean:4} words: {s:5.1%} removed"
                for r, s in zip(articles.itertuples(), share, strict=True)]
    holds = t3n.sum() == 2 and bool((share[t3n] >= 1 / 3).all()) and bool((share[~t3n] < 0.05).all())
    return Check(holds, evidence)


@claim("date-windows", "00-describe-corpus",
       "Two of the five articles can be dated to within three days; one window spans a month.")
def _date_windows(study: Study, coding: pd.DataFrame) -> Check:
    windows = timeline.article_windows(study.articles)
    evidence = [f"{r.article_id:15} {r.earliest:%d %b} - {r.latest:%d %b %Y}: {r.window_days:2} days"
                for r in windows.itertuples()]
    within, month = int((windows["window_days"] <= 3).sum()), int((windows["window_days"] >= 30).sum())
    evidence.append(f"Within three days: {within} of {len(windows)}; a month or more: {month}.")
    return Check(within == 2 and month == 1, evidence)


NAMES_NO_OUTLET = "the text names no outlet"  # how articles.csv's outlet_basis begins when only a copy tells


@claim("outlet-evidence", "00-describe-corpus",
       "Three articles name their outlet in the page as received (both t3n pages only in site boilerplate); two are "
       "attributed through stored copies found elsewhere.")
def _outlet_evidence(study: Study, coding: pd.DataFrame) -> Check:
    articles = study.articles
    from_copy = articles["outlet_basis"].str.startswith(NAMES_NO_OUTLET)
    evidence = [f"{r.article_id:15} {r.outlet:25} {'copy' if c else 'text'} (confidence {r.outlet_confidence})"
                for r, c in zip(articles.itertuples(), from_copy, strict=True)]
    boilerplate = articles.loc[articles["outlet"] == "t3n", "outlet_basis"].str.startswith("boilerplate names")
    return Check(int((~from_copy).sum()) == 3 and int(from_copy.sum()) == 2 and len(boilerplate) == 2
                 and bool(boilerplate.all()), evidence)


# ---------------------------------------------------------------------------------------------- 01 coverage

def _fact_matrix(study: Study, coding: pd.DataFrame) -> pd.DataFrame:
    return coverage.coverage_matrix(coding, study.articles, study.codebook)


@claim("fact-reach", "01-compare-coverage",
       "Only one fact appears in all five articles (Apple and Google removing the app); half or more of the 24 facts "
       "appear in one article only.",
       ("facts",))
def _fact_reach(study: Study, coding: pd.DataFrame) -> Check:
    matrix = _fact_matrix(study, coding)
    reach = matrix[matrix["present"] == 1].groupby("fact_id").size().reindex(study.codebook.ids("facts"),
                                                                              fill_value=0)
    everywhere = reach[reach == len(coded_ids(study, coding))].index.tolist()
    single = reach[reach == 1].index.tolist()
    evidence = [f"Facts in every coded article ({len(everywhere)}): {', '.join(everywhere)}.",
                f"Facts in one article only: {len(single)} of {len(reach)} ({', '.join(single)}).",
                *_not_coded(study, coding)]
    return Check(everywhere == ["apps_removed"] and len(reach) == 24 and len(single) >= len(reach) / 2, evidence)


@claim("fact-overlap", "01-compare-coverage",
       "No two articles share more than a third of the facts either reports (Jaccard at most 0.33); the closest "
       "pair, kein-hoster and server-ab, share four facts, four of server-ab's five.", ("facts",))
def _fact_overlap(study: Study, coding: pd.DataFrame) -> Check:
    matrix = _fact_matrix(study, coding)
    pairs = coverage.shared_facts(matrix)
    order = {a: i for i, a in enumerate(study.articles["article_id"])}
    pairs = pairs[pairs["article_a"].map(order) < pairs["article_b"].map(order)].dropna(subset=["jaccard"])
    if pairs.empty:
        return Check(False, ["Fewer than two coded articles: no pair to compare."])
    facts = matrix[matrix["present"] == 1].groupby("article_id").size()
    top = pairs.sort_values(["jaccard", "shared"], ascending=False)
    evidence = [f"{r.article_a} ({facts.get(r.article_a, 0)} facts) & {r.article_b} ({facts.get(r.article_b, 0)} "
                f"facts): {r.shared} shared, Jaccard {r.jaccard:.2f}" for r in top.head(3).itertuples()]
    closest = top.iloc[0]
    holds = (bool((pairs["jaccard"] <= 1 / 3 + 1e-9).all())
             and {closest["article_a"], closest["article_b"]} == {"kein-hoster", "server-ab"}
             and closest["shared"] == 4 and facts.get("server-ab") == 5)
    return Check(holds, ["Closest pairs:", *evidence])


@claim("misspelled-names", "01-compare-coverage", "Three of the five articles misspell a person's name.",
       ("actors",))
def _misspelled(study: Study, coding: pd.DataFrame) -> Check:
    variants = coverage.name_variants(coding, study.articles, study.codebook)
    evidence = [f"{a}: " + ", ".join(sorted(set(rows["surface"]))) for a, rows in variants.groupby("article_id",
                                                                                                 sort=False)]
    return Check(variants["article_id"].nunique() == 3, evidence)


def sides_given_voice(study: Study, coding: pd.DataFrame) -> pd.DataFrame:
    """Return per article the sides (Parler, Amazon/AWS) given a voice in direct quotes and in reported speech.

    Direct: words in quotation marks - quote speakers, and labels in a quotation (the codebook codes a quoted
    label such as „sehr reale Gefahr …“ as a label, not a quote). Reported: whom a frame or label in reported
    speech is attributed to. The outlet's own reporter and unattributed voices are not a side.
    """
    outlets = study.articles.set_index("article_id")["outlet"]
    rows = []
    for article_id in coded_ids(study, coding):
        mine = coding[coding["article_id"] == article_id]
        quotes = mine[mine["layer"] == "quotes"]
        said = mine[mine["layer"].isin(["frames", "labels"]) & mine["voice"].isin([REPORTED, QUOTED])]
        quoted_labels = mine[(mine["layer"] == "labels") & (mine["voice"] == QUOTED)]
        direct = {coverage.speaker_side(s, outlets[article_id], study.codebook)
                  for s in [*quotes["speaker"], *quoted_labels["attributed_to"]]}
        reported = {coverage.speaker_side(s, outlets[article_id], study.codebook) for s in said["attributed_to"]}
        keep = {"Parler", "Amazon/AWS"}
        in_quotes = {coverage.speaker_side(s, outlets[article_id], study.codebook) for s in quotes["speaker"]}
        rows.append({"article_id": article_id, "direct": sorted(direct & keep), "in_quotes": sorted(in_quotes & keep),
                     "with_reported": sorted((direct | reported) & keep)})
    return pd.DataFrame(rows)


@claim("sides", "01-compare-coverage",
       "Only two articles put words of both Parler and Amazon/AWS in quotation marks, Deutschlandfunk Nova only in "
       "quoted labels; in the other three at least one side speaks only in reported speech.",
       ("quotes", "labels", "frames"))
def _sides(study: Study, coding: pd.DataFrame) -> Check:
    sides = sides_given_voice(study, coding)
    evidence = [f"{r.article_id:15} in quotation marks: {', '.join(r.direct) or '-':22} (in quotes proper: "
                f"{', '.join(r.in_quotes) or '-'}); with reported speech: {', '.join(r.with_reported) or '-'}"
                for r in sides.itertuples()]
    both = sides[sides["direct"].map(len) == 2]
    only_labels = both.loc[both["in_quotes"].map(len) < 2, "article_id"].map(
        study.articles.set_index("article_id")["outlet"]).tolist()
    rest = sides[sides["direct"].map(len) < 2]
    reported_only = [set(w) - set(d) for w, d in zip(rest["with_reported"], rest["direct"], strict=True)]
    holds = (len(both) == 2 and only_labels == ["Deutschlandfunk Nova"] and len(rest) == 3
             and all(reported_only))
    return Check(holds, evidence + _not_coded(study, coding))


@claim("detector-quality", "01-compare-coverage",
       "In sample, the detectors find which facts an article reports (F1 at least 0.9) but mark frame sentences far "
       "less well (F1 below 0.8, counting misses and false alarms).", ("facts", "frames"))
def _detector_quality(study: Study, coding: pd.DataFrame) -> Check:
    scores = measure.scores(coding, detect.detect_all(study.texts, study.codebook)).set_index(["layer", "level"])
    facts, frames = scores.loc[("facts", "article"), "f1"], scores.loc[("frames", "span"), "f1"]
    evidence = [f"facts per article: F1 {facts:.2f}; frame sentences: F1 {frames:.2f} (in sample: the cue lists "
                "were written reading these texts)"]
    return Check(facts >= 0.9 and frames < 0.8, evidence)


# ----------------------------------------------------------------------------------------------- 02 framing

POLITICAL = "political_ideological"


@claim("political-labels", "02-compare-framing",
       "Four of the five articles label Parler politically in their own voice; the fifth calls it only "
       "controversial.", ("labels",))
def _political_labels(study: Study, coding: pd.DataFrame) -> Check:
    labels = framing.label_table(coding, study.articles, study.codebook)
    own = labels[labels["own_voice"]]
    evidence = []
    political = []
    for article_id in coded_ids(study, coding):
        mine = own[own["article_id"] == article_id]
        spans = mine.loc[mine["category"] == POLITICAL, "span"].tolist()
        if spans:
            political.append(article_id)
        evidence.append(f"{article_id:15} own-voice political labels: {' | '.join(spans) or '-'}; own-voice "
                        f"categories: {', '.join(dict.fromkeys(mine['category'])) or '-'}")
    rest = [a for a in coded_ids(study, coding) if a not in political]
    fifth_contested = len(rest) == 1 and "contested" in set(own.loc[own["article_id"] == rest[0], "category"])
    return Check(len(political) == 4 and fifth_contested, evidence + _not_coded(study, coding))


@claim("headlines", "02-compare-framing",
       "Only one headline in the corpus labels Parler (as a Twitter alternative); Deutschlandfunk Nova calls it a "
       "right-wing network in the kicker above its headline, and heise's headline is not in the text (its URL names a "
       "rechtes Netzwerk, a right-wing network, which suggests a second political label).", ("labels",))
def _headlines(study: Study, coding: pd.DataFrame) -> Check:
    labels = framing.label_table(coding, study.articles, study.codebook)
    parts = framing.headline_labels(labels, study.articles, study.glosses)
    parts = parts[parts["article_id"].isin(coded_ids(study, coding))]
    evidence = [f"{r.article_id} ({r.outlet}): kicker {r.kicker_labels or '-'}; headline {r.headline_labels}"
                for r in parts.itertuples()] + _not_coded(study, coding)
    in_headline = parts[parts["headline_codes"].str.len() > 0]
    unknown = parts.loc[parts["headline_labels"] == framing.HEADLINE_UNKNOWN, "article_id"].tolist()
    urls = study.articles.set_index("article_id")["url"].fillna("")
    evidence += [f"{a}: headline not in the text; URL {urls[a]}" for a in unknown]
    unknown = [study.articles.set_index("article_id").loc[a, "outlet"] for a in unknown
               if "rechtes-Netzwerk" in urls[a]]
    kicker = parts[parts["kicker_codes"].map(lambda codes: "right_wing_network" in codes)]
    holds = (len(in_headline) == 1 and in_headline["headline_codes"].iloc[0] == ["twitter_alternative"]
             and kicker["outlet"].tolist() == ["Deutschlandfunk Nova"] and unknown == ["heise online"])
    return Check(holds, evidence)


def _frame_sentences(study: Study, coding: pd.DataFrame, frame: str) -> pd.DataFrame:
    rows = coding[(coding["layer"] == "frames") & (coding["code"] == frame)]
    return rows.groupby(["article_id", "voice"]).size().unstack(fill_value=0).reindex(
        index=coded_ids(study, coding), columns=[OWN, REPORTED, QUOTED], fill_value=0)


@claim("safety-vs-speech", "02-compare-framing",
       "Public safety leads free speech by more than two sentences in three of the five articles; the other two "
       "are ties.", ("frames",))
def _safety_vs_speech(study: Study, coding: pd.DataFrame) -> Check:
    safety = _frame_sentences(study, coding, "public_safety_violence")
    speech = _frame_sentences(study, coding, "free_speech_censorship")
    evidence, leads, ties = [], 0, 0
    for article_id in coded_ids(study, coding):
        s, f = safety.loc[article_id], speech.loc[article_id]
        margin = int(s.sum() - f.sum())
        result = ("public safety leads" if margin > CLOSE_SENTENCES else "free speech leads"
                  if margin < -CLOSE_SENTENCES else "tie (2 sentences or fewer apart)")
        leads += margin > CLOSE_SENTENCES
        ties += abs(margin) <= CLOSE_SENTENCES
        evidence.append(f"{article_id:15} public safety {s.sum():2} (own {s[OWN]}, reported {s[REPORTED]}, quoted "
                        f"{s[QUOTED]}) vs free speech {f.sum():2} (own {f[OWN]}, reported {f[REPORTED]}, quoted "
                        f"{f[QUOTED]}): {result}")
    return Check(leads == 3 and ties == 2, evidence + _not_coded(study, coding))


# ------------------------------------------------------------------------------------------ 03 the emails

def _reports(coding: pd.DataFrame, facts: list[str]) -> set[str]:
    rows = coding[(coding["layer"] == "facts") & coding["code"].isin(facts)]
    return set(rows["article_id"])


@claim("warnings-reported", "03-trace-email-evidence",
       "Only one article dates AWS's warnings to November 2020 (t3n's mails-november): it names AWS's court filing as "
       "the source but states the warnings in its own voice, as proof (Belege), not as one party's claim.",
       ("facts", "frames"))
def _warnings(study: Study, coding: pd.DataFrame) -> Check:
    rows = coding[(coding["layer"] == "facts") & coding["code"].isin(coverage.EARLIER_WARNINGS)]
    frames = coding[coding["layer"] == "frames"]
    evidence, voices = [f"Articles reporting it: {rows['article_id'].nunique()} of {len(coded_ids(study, coding))} "
                        "coded."], set()
    sentences = set()
    for r in rows.itertuples():
        around = frames[(frames["article_id"] == r.article_id) & (frames["start"] <= r.start)
                        & (r.end <= frames["end"])]
        voices |= set(around["voice"])
        for sentence in dict.fromkeys(around["span"]):
            if sentence not in sentences:
                sentences.add(sentence)
                evidence.append(f"{r.article_id}: {sentence!r} - voice of its frames: "
                                f"{', '.join(sorted(set(around['voice'])))}")
    names_filing = any("vor Gericht Belege" in sentence for sentence in sentences)
    holds = rows["article_id"].unique().tolist() == ["mails-november"] and voices == {OWN} and names_filing
    return Check(holds, evidence + _not_coded(study, coding))


@claim("after-filing", "03-trace-email-evidence",
       "Two articles' windows begin on or after the day of AWS's court filing: the one that reports the filing also "
       "reports the warnings AWS says it gave since November 2020, the other (dated with low confidence) does not; "
       "kein-hoster's window spans the filing day.", ("facts",))
def _after_filing(study: Study, coding: pd.DataFrame) -> Check:
    events = timeline.event_table(study.events).set_index("event_id")
    if "aws_court_filing" not in events.index:
        return Check(False, ["events.csv has no event aws_court_filing: nothing to compare the windows with."])
    filing = events.loc["aws_court_filing", "start"]
    later = study.articles[study.articles["published_earliest"] >= filing]
    reporters = _reports(coding, coverage.EARLIER_WARNINGS)
    evidence = [f"{r.article_id} ({r.outlet}), published {r.published_earliest:%d %b} - {r.published_latest:%d %b %Y} "
                f"(date confidence: {r.date_confidence.split(':')[0]}): "
                f"{'reports' if r.article_id in reporters else 'does not report'} the November 2020 warnings"
                for r in later.itertuples()]
    spanning = study.articles[(study.articles["published_earliest"] < filing)
                              & (study.articles["published_latest"] >= filing)]
    evidence += [f"{r.article_id} ({r.outlet}), published {r.published_earliest:%d %b} - "
                 f"{r.published_latest:%d %b %Y}: its window spans the filing day" for r in spanning.itertuples()]
    silent = later[~later["article_id"].isin(reporters)]
    holds = (len(later) == 2 and len(silent) == 1 and silent["date_confidence"].iloc[0].startswith("low")
             and "aws_court_filing" in later.loc[later["article_id"].isin(reporters), "date_basis"].iloc[0]
             and spanning["article_id"].tolist() == ["kein-hoster"])
    return Check(holds, evidence)


def accounts(study: Study, coding: pd.DataFrame) -> pd.DataFrame:
    """Return per article: Parler's account (political motive), AWS's account of the warnings, Amazon's reasons.

    Amazon's reasons: a fact in coverage.STATED_REASONS, or a content-moderation or public-safety frame in
    reported speech or a quote attributed to Amazon/AWS.
    """
    outlets = study.articles.set_index("article_id")["outlet"]
    frames = coding[(coding["layer"] == "frames") & coding["code"].isin(coverage.REASON_FRAMES)
                    & coding["voice"].isin([REPORTED, QUOTED])]
    amazon_frames = {r.article_id for r in frames.itertuples()
                     if coverage.speaker_side(r.attributed_to, outlets[r.article_id], study.codebook) == "Amazon/AWS"}
    parler = _reports(coding, [coverage.POLITICAL_CLAIM])
    warned = _reports(coding, coverage.EARLIER_WARNINGS)
    reasons = _reports(coding, coverage.STATED_REASONS) | amazon_frames
    ids = pd.Series(coded_ids(study, coding), dtype="object")
    return pd.DataFrame({"article_id": ids, "parler_says_political": ids.isin(parler),
                         "aws_warned_since_nov_2020": ids.isin(warned), "amazons_reasons": ids.isin(reasons)})


@claim("accounts", "03-trace-email-evidence",
       "Four of the five articles report Parler's claim that the cut-off was politically motivated (a coordinated "
       "attack, or an attempt to suppress free speech or competition); all four set it against Amazon's stated "
       "reasons, and one also against AWS's account, from its court filing, of warnings since November 2020.",
       ("facts", "frames"))
def _accounts(study: Study, coding: pd.DataFrame) -> Check:
    table = accounts(study, coding)
    evidence = table.to_string(index=False).splitlines() + _not_coded(study, coding)

    def holds(table: pd.DataFrame) -> bool:
        claimed = table[table["parler_says_political"]]
        with_warnings = int(claimed["aws_warned_since_nov_2020"].sum())
        return len(claimed) == 4 and int(claimed["amazons_reasons"].sum()) == 4 and with_warnings == 1

    unreliable = unreliable_codes(study)
    close = ""
    if unreliable:
        without = accounts(study, coding[~coding["code"].isin(unreliable)])
        same = holds(without) == holds(table)
        evidence.append(f"Without the codes below alpha .667 ({', '.join(sorted(unreliable))}): "
                        + ("the same verdict." if same else "a different verdict."))
        close = "" if same else "it turns on a code the coders do not code reliably"
    return Check(holds(table), evidence, close)


def unreliable_codes(study: Study) -> set[str]:
    """Return the codes whose own alpha is below .667 (not used for conclusions), or none with one coder."""
    table = study.agreement
    if table is None:
        return set()
    return set(table.loc[(table["code"] != "") & (table["alpha"] < TENTATIVE), "code"])


# --------------------------------------------------------------------------------------------- 04 reliability

@claim("reliability", "04-check-reliability",
       "Every layer reaches alpha .800 or more, though the labels' interval dips just below it; only two single codes "
       "fall below .667: the terms-violation fact (on five units) and the responsibility frame.")
def _reliability(study: Study, coding: pd.DataFrame) -> Check:
    table = study.agreement
    if table is None:
        return Check(False, ["Only one coder: alpha needs a second coder's files."])
    layers = table[table["code"] == ""]
    evidence = [f"{r.layer:7} {r.measure:9} alpha {r.alpha:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] "
                f"{r.percent_agreement:.1%} agreement - {r.reading}" for r in layers.itertuples()]
    weak = table[(table["code"] != "") & (table["alpha"] < TENTATIVE)]
    evidence += [f"below .667: {r.layer} {r.code}, alpha {r.alpha:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] on {r.units} "
                 "units" for r in weak.itertuples()]
    labels = layers[(layers["layer"] == "labels") & (layers["measure"] == "code")].iloc[0]
    holds = (bool((layers["alpha"] >= RELIABLE).all()) and labels["ci_low"] < RELIABLE
             and set(weak["code"]) == {"terms_violation", "responsibility"}
             and int(weak.loc[weak["code"] == "terms_violation", "units"].iloc[0]) == 5)
    return Check(holds, evidence)
