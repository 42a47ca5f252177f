"""Run the regular expressions a researcher writes under a time limit, so that no pattern can hang the kit.

Researchers write patterns in three places: cleaning rules (``corpus/cleaning_rules.yaml``), searches (`kwic`,
the search box, ``searches`` in ``study.yaml``) and codebook cues. Python's `re` backtracks without limit:
``(a|aa)+$`` on a line of 50 a's and a b runs for hours and cannot be interrupted. So a `UserPattern` is compiled
with the third-party `regex` module, whose every match takes a ``timeout``: each call gets what is left of the
pattern's allowance, and a pattern that runs over raises `PatternTimeout`, naming the pattern, where it comes
from and what it was matching. `time_limit` bounds a whole operation (loading the corpus, one search, one
detector run): inside it each pattern may spend at most so many seconds matching in all, so that thousands
of slow-but-not-exponential calls cannot add up to a hang either.

Why `regex`: it reads the same syntax with the same Unicode semantics as `re` for everything the corpus uses
(``\\w``, ``\\b``, ``\\d``, ``\\s`` on German letters, digits, punctuation and spaces; lookbehinds, named groups,
scoped flags, IGNORECASE with umlauts and ß): the tests compare it with `re` match for match, for every cleaning
rule and codebook cue on the real texts and for sample patterns on random German strings. Where the two differ,
nothing in the corpus is affected: `regex`'s ``\\w`` also takes combining marks (a decomposed "ü") and connector
punctuation but not superscript digits or fractions ("²", "½"); its ``\\s`` leaves out the control characters
\\x1c-\\x1f; IGNORECASE does not pair the Turkish dotless "ı" with "i". It also accepts syntax `re` rejects
(``\\p{L}``, ``\\X``, ``\\K``), so a pattern that works here may fail in plain `re`. RE2 (google-re2)
was considered and rejected: it never backtracks, but its ``\\w`` and ``\\b`` are ASCII-only (no ä, ö, ü or ß
inside a word) and it has no lookarounds, which the codebook's cues are built around (``(?<![\\w-])Klage(?![\\w-])``).

The limits (constants below) are matching time, not wall time: the kit's own work between matches does not
count, and each pattern has its own account, so a slow pattern is named, not the one that happened to run
next. Each limit grows by SECONDS_PER_MILLION_CHARACTERS for every million characters the pattern is given, so
a large corpus gets proportionally more time and only a pattern that backtracks runs out of it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import perf_counter

import regex

# The limits: seconds of matching one pattern may spend in one operation, far above what an ordinary pattern needs
# and short enough that nobody waits on a runaway one. Measured on this corpus (5 articles, 18,000 characters of
# clean text; x200 for 1,000 articles): the slowest cleaning rule takes under 1 ms per load, the slowest cue about
# 1 ms per detector run (0.2 s on 1,000 articles), a search under 1 ms.
CALL_SECONDS = 1.0  # one match made outside any time_limit block
CLEANING_SECONDS = 2.0  # one cleaning rule over one load of the corpus (the rules joined in one count as one)
CUE_SECONDS = 2.0  # one codebook cue (or reporting cue of the word lists) over one detector run
SEARCH_SECONDS = 1.0  # one search over the articles: the search box answers, or says why not, within a second
# Added to each of these per million characters the pattern is given: the patterns here scan 10-60 ns per
# character (0.01-0.06 s per million), so this is over ten times the slowest; a pattern slower than that backtracks.
SECONDS_PER_MILLION_CHARACTERS = 1.0

ADVICE = ("A repeat inside a repeat, as in (a+)+, (a|aa)+ or (\\w+\\s?)*, lets a regular expression try "
          "exponentially many ways on a text it does not match: rewrite it so that each character can be "
          "matched in one way only (a+ instead of (a+)+ or (a|aa)+, [\\w\\s]* instead of (\\w+\\s?)*), and "
          "prefer bounded repeats such as [^.]{0,60} to .* between two words.")

Match = regex.Match


class PatternError(ValueError):
    """A researcher's pattern that is not a valid regular expression."""

    def __init__(self, pattern: str, source: str, reason: str) -> None:
        self.pattern, self.source, self.reason = pattern, source, reason
        super().__init__(f"{source}: {pattern!r} is not a valid regular expression ({reason})")


class PatternTimeout(ValueError):
    """A researcher's pattern stopped at its time limit; the message names it, its source and its text."""

    def __init__(self, pattern: str, source: str, seconds: float, doing: str, subject: str = "") -> None:
        self.pattern, self.source, self.seconds, self.doing, self.subject = pattern, source, seconds, doing, subject
        at = f", at {subject}" if subject else ""
        super().__init__(f"{source}: the pattern {pattern!r} was stopped after {seconds:.1f} s {doing}{at}. {ADVICE}")

    def at(self, subject: str) -> PatternTimeout:
        """Return the same error saying what text the pattern was matching (a file and line, an article)."""
        return PatternTimeout(self.pattern, self.source, self.seconds, self.doing, subject)


class _Allowance:
    """The matching time of each pattern inside one time_limit block: an account [seconds allowed, spent]."""

    __slots__ = ("accounts", "doing", "seconds")

    def __init__(self, seconds: float, doing: str) -> None:
        self.seconds, self.doing = seconds, doing
        self.accounts: dict[UserPattern, list[float]] = {}

    def account(self, pattern: UserPattern) -> list[float]:
        """Return the pattern's account, opened with `seconds` allowed and none spent."""
        account = self.accounts.get(pattern)
        if account is None:
            account = self.accounts[pattern] = [self.seconds, 0.0]
        return account

    def left(self, pattern: UserPattern) -> float:
        """Return the seconds `pattern` has left in this block."""
        allowed, spent = self.account(pattern)
        return allowed - spent


# The allowances of the time_limit blocks the code runs in, outermost first.
_ALLOWANCES: contextvars.ContextVar[tuple[_Allowance, ...]] = contextvars.ContextVar("allowances", default=())


@contextmanager
def time_limit(seconds: float, doing: str) -> Iterator[None]:
    """Let each user pattern spend at most `seconds` matching inside the block (`doing` says what for).

    `doing` completes "was stopped after 2.0 s …" in the error, e.g. "cleaning the corpus". Blocks nest: every
    enclosing limit holds, so a caller (or a test) can tighten the limit of an operation by wrapping it.
    """
    token = _ALLOWANCES.set((*_ALLOWANCES.get(), _Allowance(seconds, doing)))
    try:
        yield
    finally:
        _ALLOWANCES.reset(token)


def escape(text: str) -> str:
    """Return a pattern that matches `text` as written."""
    return regex.escape(text)


class UserPattern:
    """A researcher's regular expression, compiled with `regex`; every match runs under a time limit.

    `source` says where the pattern was written ("corpus/cleaning_rules.yaml: rule ad_marker"); an invalid
    pattern raises PatternError naming it. The methods take the arguments of `re.Pattern`'s.
    """

    __slots__ = ("compiled", "ignore_case", "pattern", "source")

    def __init__(self, pattern: str, source: str, ignore_case: bool = False) -> None:
        self.pattern, self.source, self.ignore_case = pattern, source, ignore_case
        flags = regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0)
        try:
            self.compiled = regex.compile(pattern, flags)
        except regex.error as exc:
            raise PatternError(pattern, source, str(exc)) from None

    def __repr__(self) -> str:
        return f"UserPattern({self.pattern!r}, source={self.source!r})"

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the first match in text[pos:endpos], or None."""
        return self._run(self.compiled.search, text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the match that starts at `pos`, or None."""
        return self._run(self.compiled.match, text, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """Return the match of all of text[pos:endpos], or None."""
        return self._run(self.compiled.fullmatch, text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Match]:
        """Yield every non-overlapping match in text[pos:endpos]; the time limit covers them all."""
        if endpos is None or endpos > len(text):
            endpos = len(text)
        seconds, accounts = self._grant(endpos - pos)
        matches = self.compiled.finditer(text, pos, endpos, timeout=seconds)  # it counts matching time only
        while True:
            with self._charged(seconds, accounts):
                match = next(matches, None)
            if match is None:
                return
            yield match

    def _run(self, method: Callable, text: str, pos: int, endpos: int | None) -> Match | None:
        """Call one of the compiled pattern's matching methods with the time the pattern has left."""
        if endpos is None or endpos > len(text):
            endpos = len(text)
        seconds, accounts = self._grant(endpos - pos)
        with self._charged(seconds, accounts):
            return method(text, pos, endpos, timeout=seconds)

    @contextlib.contextmanager
    def _charged(self, seconds: float, accounts: list[list[float]]) -> Iterator[None]:
        """Charge the time a match takes to every account; a timeout becomes a PatternTimeout naming the pattern."""
        start = perf_counter()
        try:
            yield
        except TimeoutError:
            raise self._timeout(seconds) from None
        finally:
            elapsed = perf_counter() - start
            for account in accounts:
                account[1] += elapsed

    def _grant(self, characters: int) -> tuple[float, list[list[float]]]:
        """Allow for `characters` more in every enclosing block; return the seconds left and the accounts to charge."""
        more = characters * SECONDS_PER_MILLION_CHARACTERS / 1e6 if characters > 0 else 0.0
        allowances = _ALLOWANCES.get()
        if not allowances:
            return CALL_SECONDS + more, []
        accounts = [allowance.accounts.get(self) or allowance.account(self) for allowance in allowances]
        for account in accounts:
            account[0] += more
        left = accounts[0][0] - accounts[0][1] if len(accounts) == 1 else min(a - s for a, s in accounts)
        return (left if left > 0.0 else 0.0), accounts

    def _timeout(self, seconds: float) -> PatternTimeout:
        """Return the error for a match stopped after `seconds`, naming the block whose limit it reached."""
        allowances = _ALLOWANCES.get()
        if not allowances:
            return PatternTimeout(self.pattern, self.source, seconds, "on one match")
        tightest = min(allowances, key=lambda allowance: allowance.left(self))
        return PatternTimeout(self.pattern, self.source, tightest.account(self)[0], tightest.doing)
