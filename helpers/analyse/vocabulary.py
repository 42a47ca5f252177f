"""Compare the outlets' vocabulary: German tokens and lemmas, distinctive words, article similarity.

Lemmas come from simplemma (lang="de", dictionary lookup, no model download), cached per token, so
lemmatising a thousand 5 KB articles takes about 1.5 s, plus ~2 s once per process to load the dictionary.

Distinctive words are scored with the weighted log-odds ratio and informative Dirichlet prior of
Monroe, Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation for
Identifying the Content of Political Conflict", Political Analysis 16(4): each group is compared with
all the rest of the corpus. `keyness` adds, beside that z, the two scores corpus linguists read in WordSmith,
AntConc, CQPweb or quanteda: the log-likelihood G² (how sure: a test statistic) and the log ratio (how big: an
effect size), each for the same group-against-the-rest comparison (see `log_likelihood` and `log_ratio`).

Five articles are a small corpus: a lemma used once or twice cannot tell outlets apart, so the log-odds
table flags such rows (`low_count`, `warning`) instead of hiding them.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from helpers.text import german
from helpers.text.tokens import words

LANGUAGE = "de"

_HAS_LETTER_RE = re.compile(r"[^\W\d_]")

# fmt: off
# German function words, as the lowercase lemmas simplemma gives them ("die" → "der", "ist" → "sein",
# "wurde" → "werden", "uns" → "wir"). Closed-class words only: articles, pronouns, auxiliaries and modals,
# prepositions and their contractions, conjunctions and the commonest particles. Reporting words such as
# "laut" or "sagen" stay in: how outlets attribute claims is part of what they compare.
STOPWORDS = frozenset("""
    der ein kein dieser jener jeder welcher alle einige viel anderer
    ich du er sie es wir ihr man sich unser euer mein dein was wer
    sein haben werden können müssen sollen wollen dürfen mögen
    an am auf aus bei beim bis durch für gegen hinter im in ins mit nach ohne seit über um unter
    vom von vor zu zum zur zwischen
    aber als da damit dass daß denn doch ob oder sondern sowie und weil wenn wie
    auch bereits dabei dann dazu ebenfalls etwa hier jedoch mehr nicht noch nun nur schon sehr so
    wieder zudem
""".split())
# fmt: on

# A group needs at least this many uses of a lemma before its z-score says anything: below it the
# count's own sampling error (about √y for y uses) is comparable to the count itself, and in a
# five-article corpus two uses can be one quotation repeated.
MIN_COUNT = 3

COUNT_COLUMNS = ["lemma", "count"]
LOG_ODDS_COLUMNS = ["group", "lemma", "count_group", "count_rest", "delta", "z", "low_count", "warning"]
KEYNESS_COLUMNS = ["group", "lemma", "count_group", "count_rest", "delta", "z", "g2", "log_ratio", "low_count",
                   "warning"]
# Log ratio: a count of 0 stands in as this much, so a lemma one side never uses gets a finite score (Hardie 2014).
ZERO_COUNT = 0.5
PRIORS = ("informative", "uniform")


def tokens(text: str) -> list[str]:
    """Split German text into word tokens (hyphenated compounds stay whole), in order."""
    return words(text)


def _is_genitive_candidate(token: str, lemma: str) -> bool:
    """Tell whether simplemma left a capitalised word ending in -s as it was ("Parlers", "Amazons")."""
    return (token.endswith("s") and not token.endswith("ss") and len(token) >= 4 and token[0].isupper()
            and lemma == token.lower())


def lemmas(text: str, drop_stopwords: bool = False) -> list[str]:
    """Return the lowercase lemmas of text's words, without numbers (and without STOPWORDS if asked).

    simplemma does not know the genitive of names: "Parlers", "Amazons" and "Trumps" come back unchanged
    (and "Amazons" even as the plural of "Amazone"). A capitalised word ending in -s that simplemma leaves
    unchanged is therefore counted as that word without -s when the text also has it ("Parler").
    """
    pairs = [(token, german.lemma(token)) for token in tokens(text) if _HAS_LETTER_RE.search(token)]
    found = {token for token, _ in pairs}
    folded = [
        german.lemma(token[:-1]) if _is_genitive_candidate(token, lemma) and token[:-1] in found else lemma
        for token, lemma in pairs
    ]
    if drop_stopwords:
        return [lemma for lemma in folded if lemma not in STOPWORDS]
    return folded


def lemma_counts(articles: pd.DataFrame, by: str = "outlet", drop_stopwords: bool = True) -> pd.DataFrame:
    """Count each lemma of the articles' clean text per group (`by` is "outlet" or "article_id"), long format.

    Returns columns `by`, lemma, count: groups in corpus order, then most frequent lemma first.
    Stopwords are dropped by default: left in, they crowd the top of every comparison.
    """
    for column in (by, "clean_text"):
        if column not in articles.columns:
            raise ValueError(f"articles: no column {column!r} (columns: {', '.join(map(str, articles.columns))})")
    missing = articles[articles[by].isna()]
    if len(missing):
        raise ValueError(f"articles: column {by!r} is empty in row(s) {', '.join(map(str, missing.index))}")
    counts: dict[str, Counter[str]] = {}
    for group, text in zip(articles[by], articles["clean_text"], strict=True):
        found = lemmas("" if pd.isna(text) else str(text), drop_stopwords=drop_stopwords)
        counts.setdefault(str(group), Counter()).update(found)
    rows = [
        (group, lemma, count)
        for group, counter in counts.items()
        for lemma, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    ]
    frame = pd.DataFrame(rows, columns=[by, *COUNT_COLUMNS])
    return frame.astype({by: "str", "lemma": "str", "count": "int64"})


def _count_matrix(counts: pd.DataFrame, group_col: str) -> pd.DataFrame:
    """Pivot long counts to a group × lemma matrix, groups in order of first appearance."""
    for column in (group_col, *COUNT_COLUMNS):
        if column not in counts.columns:
            raise ValueError(f"counts: no column {column!r}; expected {group_col!r}, 'lemma', 'count' "
                             "as lemma_counts() returns them")
    groups = list(dict.fromkeys(counts[group_col].astype(str)))
    matrix = counts.astype({group_col: "str"}).pivot_table(
        index=group_col, columns="lemma", values="count", aggfunc="sum", fill_value=0)
    return matrix.reindex(groups)


def _warning(group: str, count: int) -> str:
    """Say why a row's z-score should not be read, or return "" when it can be."""
    if count == 0:
        return f"not used in {group}: the score only says the rest use it"
    if count < MIN_COUNT:
        uses = "use" if count == 1 else "uses"
        return f"only {count} {uses} in {group}: too few to call distinctive"
    return ""


def log_odds(counts: pd.DataFrame, group_col: str, prior: str = "informative",
             alpha0: float | None = None) -> pd.DataFrame:
    """Score every lemma for every group against all the rest: weighted log-odds with a Dirichlet prior.

    `counts` is long (group_col, lemma, count), as `lemma_counts` returns it. For group i, the rest j,
    lemma w, counts y, group sizes n and prior pseudo-counts a_w summing to a0 (Monroe et al. 2008):

        delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))
        z_w     = delta_w / sqrt(1 / (y_iw + a_w) + 1 / (y_jw + a_w))

    prior="informative": a_w = a0 × (share of w in the whole corpus), so every lemma is shrunk towards its
    corpus rate and rare lemmas cannot reach large z by chance. prior="uniform": a_w = a0 / vocabulary size.
    `alpha0` (a0) defaults to the corpus size, the number of counted lemmas: the prior then weighs as much as
    the corpus and a_w is the lemma's own corpus count, as when the background corpus's counts serve as the
    prior and the background is the corpus itself. It scales with the corpus, where a fixed constant (say
    1000) would shrink hard in a small corpus and hardly at all in a large one. A smaller a0 raises every z
    and lets lemmas used two or three times climb the ranking; a larger one shrinks every z towards 0.

    Returns group, lemma, count_group, count_rest, delta, z, low_count (count_group < MIN_COUNT) and
    warning ("" where the row can be read); groups in corpus order, highest z first.
    """
    if prior not in PRIORS:
        raise ValueError(f"prior must be one of {', '.join(PRIORS)}, not {prior!r}")
    matrix = _count_matrix(counts, group_col)
    if len(matrix) < 2:
        raise ValueError(f"log_odds needs at least two values of {group_col!r} to compare; "
                         f"counts have {len(matrix)}")
    y = matrix.to_numpy(dtype=float)
    corpus = y.sum(axis=0)
    size = corpus.sum()
    if size == 0:
        raise ValueError("counts: every count is zero, so there is nothing to compare")
    a0 = float(size if alpha0 is None else alpha0)
    if not a0 > 0:
        raise ValueError(f"alpha0 must be positive, not {alpha0!r}")
    a = a0 * corpus / size if prior == "informative" else np.full_like(corpus, a0 / len(corpus))

    n = y.sum(axis=1, keepdims=True)
    y_rest, n_rest = corpus - y, size - n
    delta = np.log((y + a) / (n + a0 - y - a)) - np.log((y_rest + a) / (n_rest + a0 - y_rest - a))
    z = delta / np.sqrt(1 / (y + a) + 1 / (y_rest + a))

    groups = np.repeat(matrix.index.to_numpy(dtype=object), y.shape[1])
    count_group = y.astype("int64").ravel()
    table = pd.DataFrame({
        "group": groups,
        "lemma": np.tile(matrix.columns.to_numpy(dtype=object), y.shape[0]),
        "count_group": count_group,
        "count_rest": y_rest.astype("int64").ravel(),
        "delta": delta.ravel(),
        "z": z.ravel(),
        "low_count": count_group < MIN_COUNT,
        "warning": [_warning(g, c) for g, c in zip(groups, count_group, strict=True)],
    })
    table["order"] = np.repeat(np.arange(y.shape[0]), y.shape[1])
    table = table.sort_values(["order", "z", "lemma"], ascending=[True, False, True], kind="stable")
    return table.drop(columns="order").astype({"group": "str", "lemma": "str", "warning": "str"}).reset_index(
        drop=True)[LOG_ODDS_COLUMNS]


def _x_log_x_over(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Return observed × ln(observed / expected), taking 0 × ln 0 as 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(observed > 0, observed * np.log(observed / np.where(expected > 0, expected, 1.0)), 0.0)


def log_likelihood(count_group: ArrayLike, count_rest: ArrayLike, size_group: ArrayLike,
                   size_rest: ArrayLike) -> np.ndarray:
    """Return the signed log-likelihood G² of lemmas used `count_group` times in a group, `count_rest` in the rest.

    G² is Dunning's (1993) likelihood-ratio statistic of the full 2 × 2 table (this lemma / every other lemma ×
    group / rest; sizes are counted lemmas): G² = 2 Σ O ln(O / E) over the four cells, with E from the margins and
    0 ln 0 = 0. It is signed as quanteda signs it: negative when the group uses the lemma less often than the rest.
    With no continuity correction it equals quanteda's `textstat_keyness(measure = "lr", correction = "none")`
    (its default applies Yates' correction to small tables); UCREL's log-likelihood calculator and WordSmith use
    the two-cell form of Rayson & Garside (2000), which leaves out the "every other lemma" cells and gives
    slightly different numbers. |G²| above 3.84 is p < 0.05 for one comparison, 10.83 p < 0.001; across a whole
    vocabulary many lemmas pass by chance, so read G² as a ranking.
    """
    a, b = np.asarray(count_group, dtype=float), np.asarray(count_rest, dtype=float)
    n_a, n_b = np.asarray(size_group, dtype=float), np.asarray(size_rest, dtype=float)
    total = n_a + n_b
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, (a + b) / np.where(total > 0, total, 1.0), 0.0)
    cells = [(a, n_a * share), (b, n_b * share), (n_a - a, n_a * (1 - share)), (n_b - b, n_b * (1 - share))]
    g2 = 2 * sum(_x_log_x_over(observed, expected) for observed, expected in cells)
    sign = np.sign(a * n_b - b * n_a)  # the group's rate against the rest's, without dividing
    return np.maximum(g2, 0.0) * sign


def log_ratio(count_group: ArrayLike, count_rest: ArrayLike, size_group: ArrayLike,
              size_rest: ArrayLike) -> np.ndarray:
    """Return the log ratio: the binary log of the group's relative frequency of a lemma over the rest's.

    log2((count_group / size_group) / (count_rest / size_rest)), Hardie's (2014) effect size: +1 means the group
    uses the lemma twice as often (per counted lemma) as the rest, -1 half as often, 0 as often. A count of 0 is
    taken as ZERO_COUNT (0.5), as in CQPweb, so a lemma only one side uses gets a finite score (with one use on
    the other side it would score one point less); counts above 0 are used as they are.
    """
    a = np.maximum(np.asarray(count_group, dtype=float), 0.0)
    b = np.maximum(np.asarray(count_rest, dtype=float), 0.0)
    a, b = np.where(a > 0, a, ZERO_COUNT), np.where(b > 0, b, ZERO_COUNT)
    return np.log2(a / np.asarray(size_group, dtype=float)) - np.log2(b / np.asarray(size_rest, dtype=float))


def keyness(counts: pd.DataFrame, group_col: str, prior: str = "informative",
            alpha0: float | None = None) -> pd.DataFrame:
    """Return `log_odds` with the log-likelihood G² (`g2`) and log ratio (`log_ratio`) of each row beside z.

    Every score compares the group with all the rest of the corpus; group and rest sizes are their counted
    lemmas (the sums of `counts`). Rows and order are log_odds's (highest z first); columns KEYNESS_COLUMNS.
    """
    table = log_odds(counts, group_col, prior=prior, alpha0=alpha0)
    sizes = counts.astype({group_col: "str"}).groupby(group_col)["count"].sum()
    size_group = table["group"].map(sizes).to_numpy(dtype=float)
    size_rest = float(sizes.sum()) - size_group
    table["g2"] = log_likelihood(table["count_group"], table["count_rest"], size_group, size_rest)
    table["log_ratio"] = log_ratio(table["count_group"], table["count_rest"], size_group, size_rest)
    return table[KEYNESS_COLUMNS]


def top_terms(log_odds_table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Return each group's n highest-z lemmas, ranked, with their raw counts beside the scores."""
    order = {group: i for i, group in enumerate(dict.fromkeys(log_odds_table["group"]))}
    ranked = log_odds_table.assign(order=log_odds_table["group"].map(order)).sort_values(
        ["order", "z", "lemma"], ascending=[True, False, True], kind="stable")
    top = ranked.groupby("order", sort=True).head(n).copy()
    top.insert(1, "rank", top.groupby("order").cumcount() + 1)
    columns = ["group", "rank", "lemma", "count_group", "count_rest", "z", "delta", "low_count", "warning"]
    return top[columns].reset_index(drop=True)


def _cosine(matrix: np.ndarray) -> np.ndarray:
    """Return the row × row cosine similarity of a count matrix; NaN where a row is all zeros."""
    norms = np.sqrt((matrix * matrix).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = (matrix @ matrix.T) / np.outer(norms, norms)
    nonempty = norms > 0
    # Exactly 1.0 on the diagonal, not 0.9999999999999998.
    cosine[np.diag_indices_from(cosine)] = np.where(nonempty, 1.0, np.nan)
    return np.clip(cosine, 0.0, 1.0)


def similarity(articles: pd.DataFrame) -> pd.DataFrame:
    """Return the article × article cosine similarity of lemma counts (stopwords removed).

    1.0 means the same lemmas in the same proportions, 0.0 no lemma in common. An article with no
    lemma at all has NaN similarity, even to itself.
    """
    counts = lemma_counts(articles, by="article_id", drop_stopwords=True)
    ids = [str(article_id) for article_id in dict.fromkeys(articles["article_id"])]
    matrix = counts.pivot_table(index="article_id", columns="lemma", values="count", aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(ids, fill_value=0)
    values = matrix.to_numpy(dtype=float) if matrix.shape[1] else np.zeros((len(ids), 1))
    frame = pd.DataFrame(_cosine(values), index=pd.Index(ids, name="article_id"),
                         columns=pd.Index(ids, name="article_id"))
    return frame


def shared_lemmas(a: str, b: str, drop_stopwords: bool = True) -> pd.DataFrame:
    """Return the lemmas two texts share: lemma, count_a, count_b, the most shared (by smaller count) first."""
    counts_a = Counter(lemmas(a, drop_stopwords=drop_stopwords))
    counts_b = Counter(lemmas(b, drop_stopwords=drop_stopwords))
    rows = sorted(
        ((lemma, counts_a[lemma], counts_b[lemma]) for lemma in counts_a.keys() & counts_b.keys()),
        key=lambda row: (-min(row[1], row[2]), -(row[1] + row[2]), row[0]),
    )
    return pd.DataFrame(rows, columns=["lemma", "count_a", "count_b"]).astype(
        {"lemma": "str", "count_a": "int64", "count_b": "int64"})


def distinctive_terms(articles: pd.DataFrame, by: str = "outlet", n: int = 10) -> pd.DataFrame:
    """Return each group's n most distinctive lemmas (log-odds vs the rest), or an empty table for one group."""
    counts = lemma_counts(articles, by=by)
    if counts[by].nunique() < 2:
        columns = ["group", "rank", "lemma", "count_group", "count_rest", "z", "delta", "low_count", "warning"]
        return pd.DataFrame(columns=columns)
    return top_terms(log_odds(counts, by), n=n)
