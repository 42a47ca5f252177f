"""The findings of the Parler study, each a claim that code checks (see helpers.analyse.claims).

Each ``@CLAIMS.claim`` gives the finding's sentence, the notebook whose `### Finding:` heading it is, and the
hand-coded layers it rests on; the function computes the numbers the sentence states and says whether they hold.
The sentences and numbers are this case's, so they live with its data, not in helpers/.
"""

from __future__ import annotations

import pandas as pd

from helpers.analyse import coverage, framing, timeline
from helpers.analyse.claims import CLOSE_SENTENCES, Check, Claims, coded_ids, not_coded, unreliable_codes
from helpers.annotate import heldout
from helpers.annotate.annotations import OWN, QUOTED, REPORTED
from helpers.annotate.reliability import RELIABLE, TENTATIVE
from helpers.annotate.study import Study

CLAIMS = Claims()


# ------------------------------------------------------------------------------------------------ 00 corpus

@CLAIMS.claim("corpus-size", "00-describe-corpus",
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


@CLAIMS.claim("boilerplate", "00-describe-corpus",
       "Boilerplate is a third or more of the words on both t3n pages and under 5 percent on every other page.")
def _boilerplate(study: Study, coding: pd.DataFrame) -> Check:
    articles = study.articles
    share = 1 - articles["words_clean"] / articles["words_raw"]
    t3n = articles["outlet"] == "t3n"
    evidence = [f"{r.article_id:15} {r.outlet:25} {r.words_raw:5} -> {r.words_clean:4} words: {s:5.1%} removed"
                for r, s in zip(articles.itertuples(), share, strict=True)]
    holds = t3n.sum() == 2 and bool((share[t3n] >= 1 / 3).all()) and bool((share[~t3n] < 0.05).all())
    return Check(holds, evidence)


@CLAIMS.claim("date-windows", "00-describe-corpus",
       "Two of the five articles can be dated to within three days; one window spans a month.")
def _date_windows(study: Study, coding: pd.DataFrame) -> Check:
    windows = timeline.article_windows(study.articles)
    evidence = [f"{r.article_id:15} {r.earliest:%d %b} - {r.latest:%d %b %Y}: {r.window_days:2} days"
                for r in windows.itertuples()]
    within, month = int((windows["window_days"] <= 3).sum()), int((windows["window_days"] >= 30).sum())
    evidence.append(f"Within three days: {within} of {len(windows)}; a month or more: {month}.")
    return Check(within == 2 and month == 1, evidence)


NAMES_NO_OUTLET = "the text names no outlet"  # how articles.csv's outlet_basis begins when only a copy tells


@CLAIMS.claim("outlet-evidence", "00-describe-corpus",
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


@CLAIMS.claim("fact-reach", "01-compare-coverage",
       "Of the study's 24 coded facts, only one appears in all five articles (Apple and Google removing the app); "
       "half or more appear in one article only.",
       ("facts",))
def _fact_reach(study: Study, coding: pd.DataFrame) -> Check:
    matrix = _fact_matrix(study, coding)
    reach = matrix[matrix["present"] == 1].groupby("fact_id").size().reindex(study.codebook.ids("facts"),
                                                                              fill_value=0)
    everywhere = reach[reach == len(coded_ids(study, coding))].index.tolist()
    single = reach[reach == 1].index.tolist()
    evidence = [f"Facts in every coded article ({len(everywhere)}): {', '.join(everywhere)}.",
                f"Facts in one article only: {len(single)} of {len(reach)} ({', '.join(single)}).",
                *not_coded(study, coding)]
    return Check(everywhere == ["apps_removed"] and len(reach) == 24 and len(single) >= len(reach) / 2, evidence)


@CLAIMS.claim("fact-overlap", "01-compare-coverage",
       "No two articles share more than a third of the facts either reports (Jaccard at most 0.33); the closest "
       "pair, t3n's first article (10–15 Jan) and informationsportal24.de's, share four facts, four of the latter's "
       "five.", ("facts",))
def _fact_overlap(study: Study, coding: pd.DataFrame) -> Check:
    matrix = _fact_matrix(study, coding)
    pairs = coverage.shared_facts(matrix[matrix["article_id"].isin(set(coding["article_id"]))])  # coded pairs only
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


@CLAIMS.claim("misspelled-names", "01-compare-coverage", "Three of the five articles misspell a person's name.",
       ("actors",))
def _misspelled(study: Study, coding: pd.DataFrame) -> Check:
    variants = coverage.name_variants(coding, study.articles, study.codebook)
    evidence = [f"{a}: " + ", ".join(sorted(set(rows["surface"]))) for a, rows in variants.groupby("article_id",
                                                                                                 sort=False)]
    return Check(variants["article_id"].nunique() == 3, evidence)


def sides_given_voice(study: Study, coding: pd.DataFrame) -> pd.DataFrame:
    """Return per coded article the study's sides given a voice in quotation marks and in reported speech."""
    return coverage.sides_given_voice(coding, study.articles, study.codebook, study.settings.sides)


@CLAIMS.claim("sides", "01-compare-coverage",
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
    return Check(holds, evidence + not_coded(study, coding))


@CLAIMS.claim("detector-quality", "01-compare-coverage",
       "The detectors find which facts an article reports (F1 at least 0.9 in sample and on short test articles "
       "written for the purpose, held out from tuning though their totals were read twice) but mark frame sentences "
       "far less well (F1 below 0.8, measured in sample only).",
       ("facts", "frames"))
def _detector_quality(study: Study, coding: pd.DataFrame) -> Check:
    sets = {heldout.IN_SAMPLE: (study.texts, coding)}  # only the articles this coding has coded are scored
    if heldout.TEST in study.evaluation:
        test = study.evaluation[heldout.TEST]
        sets[heldout.TEST] = (test.texts, test.hand)
    scores = heldout.detector_quality(sets, study.codebook).scores.set_index(["set", "layer", "level"])

    def f1(name: str, layer: str, level: str) -> float:
        key = (name, layer, level)
        return float(scores.loc[key, "f1"]) if key in scores.index else float("nan")

    facts, frames = f1(heldout.IN_SAMPLE, "facts", "article"), f1(heldout.IN_SAMPLE, "frames", "span")
    test = f1(heldout.TEST, "facts", "article")
    evidence = [f"in sample (the cue lists were written reading these texts): facts per article F1 {facts:.2f}; "
                f"frame sentences F1 {frames:.2f}",
                f"test set (corpus/evaluation/test: {len(sets.get(heldout.TEST, ({}, None))[0])} short articles "
                "written for testing, not news; held out: its errors were never read, its totals twice, see its "
                f"README): facts per article F1 {test:.2f}",
                "frames: the written articles are not coded in frames, so frame detection is measured in sample only"]
    return Check(facts >= 0.9 and test >= 0.9 and frames < 0.8, evidence)


# ----------------------------------------------------------------------------------------------- 02 framing

POLITICAL = "political_ideological"


@CLAIMS.claim("political-labels", "02-compare-framing",
       "Four of the five articles label Parler politically in their own voice; the fifth does not, and calls it "
       "controversial instead.", ("labels",))
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
    return Check(len(political) == 4 and fifth_contested, evidence + not_coded(study, coding))


@CLAIMS.claim("headlines", "02-compare-framing",
       "Only one of the four headlines in the texts labels Parler (as a Twitter alternative); Deutschlandfunk Nova "
       "calls it a "
       "right-wing network in the kicker above its headline, and heise's headline is not in the text (its URL names a "
       "rechtes Netzwerk, a right-wing network, which suggests a second political label).", ("labels",))
def _headlines(study: Study, coding: pd.DataFrame) -> Check:
    labels = framing.label_table(coding, study.articles, study.codebook)
    parts = framing.headline_labels(labels, study.articles, study.glosses)
    parts = parts[parts["article_id"].isin(coded_ids(study, coding))]
    evidence = [f"{r.article_id} ({r.outlet}): kicker {r.kicker_labels or '-'}; headline {r.headline_labels}"
                for r in parts.itertuples()] + not_coded(study, coding)
    in_headline = parts[parts["headline_codes"].str.len() > 0]
    unknown = parts.loc[parts["headline_labels"] == framing.HEADLINE_UNKNOWN, "article_id"].tolist()
    urls = study.articles.set_index("article_id")["url"].fillna("")
    evidence += [f"{a}: headline not in the text; URL {urls[a]}" for a in unknown]
    unknown = [study.articles.set_index("article_id").loc[a, "outlet"] for a in unknown
               if "rechtes-Netzwerk" in urls[a]]
    kicker = parts[parts["kicker_codes"].map(lambda codes: "right_wing_network" in codes)]
    known = parts[parts["headline_labels"] != framing.HEADLINE_UNKNOWN]
    evidence.append(f"headlines in the texts: {len(known)} of {len(parts)} articles")
    holds = (len(known) == 4 and len(in_headline) == 1
             and in_headline["headline_codes"].iloc[0] == ["twitter_alternative"]
             and kicker["outlet"].tolist() == ["Deutschlandfunk Nova"] and unknown == ["heise online"])
    return Check(holds, evidence)


def _frame_sentences(study: Study, coding: pd.DataFrame, frame: str) -> pd.DataFrame:
    rows = coding[(coding["layer"] == "frames") & (coding["code"] == frame)]
    return rows.groupby(["article_id", "voice"]).size().unstack(fill_value=0).reindex(
        index=coded_ids(study, coding), columns=[OWN, REPORTED, QUOTED], fill_value=0)


@CLAIMS.claim("safety-vs-speech", "02-compare-framing",
       "Counting sentences in every voice (the outlet's own words, reported speech and quotes), public safety leads "
       "free speech by more than two sentences in three of the five articles; in the other two the frames are within "
       "two sentences of each other.", ("frames",))
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
    return Check(leads == 3 and ties == 2, evidence + not_coded(study, coding))


# ------------------------------------------------------------------------------------------ 03 the emails

def _reports(coding: pd.DataFrame, facts: list[str]) -> set[str]:
    rows = coding[(coding["layer"] == "facts") & coding["code"].isin(facts)]
    return set(rows["article_id"])


@CLAIMS.claim("warnings-reported", "03-trace-email-evidence",
       "Only one article dates AWS's warnings to November 2020 (t3n's second article, 12–21 Jan): it names AWS's "
       "court filing as the source but states the warnings in its own voice, as proof (Belege), not as one party's "
       "claim.",
       ("facts", "frames"))
def _warnings(study: Study, coding: pd.DataFrame) -> Check:
    rows = coding[(coding["layer"] == "facts") & coding["code"].isin(list(study.settings.evidence.warnings))]
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
    return Check(holds, evidence + not_coded(study, coding))


@CLAIMS.claim("after-filing", "03-trace-email-evidence",
       "Two articles' windows begin on or after the day of AWS's court filing: the one that reports the filing also "
       "reports the warnings AWS says it gave since November 2020, the other (dated with low confidence) does not; "
       "t3n's first article's window (10–15 Jan) spans the filing day.", ("facts",))
def _after_filing(study: Study, coding: pd.DataFrame) -> Check:
    events = timeline.event_table(study.events).set_index("event_id")
    filing_event = study.settings.evidence.filing_event
    if filing_event not in events.index:
        return Check(False, [f"events.csv has no event {filing_event!r}: nothing to compare the windows with."])
    filing = events.loc[filing_event, "start"]
    later = study.articles[study.articles["published_earliest"] >= filing]
    reporters = _reports(coding, list(study.settings.evidence.warnings))
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
             and filing_event in later.loc[later["article_id"].isin(reporters), "date_basis"].iloc[0]
             and spanning["article_id"].tolist() == ["kein-hoster"])
    return Check(holds, evidence)


def accounts(study: Study, coding: pd.DataFrame) -> pd.DataFrame:
    """Return per article: Parler's account (political motive), AWS's account of the warnings, Amazon's reasons."""
    table = coverage.accounts(coding, study.articles, study.codebook, study.settings.evidence,
                              study.settings.acting_side)
    return table.rename(columns={"claim": "parler_says_political", "earlier_evidence": "aws_warned_since_nov_2020",
                                 "stated_reasons": "amazons_reasons"})


@CLAIMS.claim("accounts", "03-trace-email-evidence",
       "Four of the five articles report Parler's claim that the cut-off was politically motivated or meant to "
       "remove a competitor (a coordinated attack, or an attempt to suppress free speech or competition); all four "
       "also report Amazon's stated reasons, and one also AWS's account, from its court filing, of warnings since "
       "November 2020.",
       ("facts", "frames"))
def _accounts(study: Study, coding: pd.DataFrame) -> Check:
    table = accounts(study, coding)
    evidence = table.to_string(index=False).splitlines() + not_coded(study, coding)

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


# --------------------------------------------------------------------------------------------- 04 reliability

@CLAIMS.claim("reliability", "04-check-reliability",
       "Between the two coders (AI-assistant sessions, before adjudication), every layer reaches alpha .800 or more, "
       "though the labels' interval dips just below it; only two single codes fall below .667: the terms-violation "
       "fact (on five units) and the responsibility frame.")
def _reliability(study: Study, coding: pd.DataFrame) -> Check:
    table = study.agreement
    if not study.two_coders:
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
