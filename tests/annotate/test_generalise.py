"""The detectors on wordings nobody tuned them to: phrase cues, name variants, who a quote is from.

Each case is a short inline German text of a kind the issue on out-of-sample quality names (a surname after a
misspelled full name, a quote from a document, a misspelled first name, a fact worded without its usual words,
a state the article says has ended). The study's evaluation sets are checked in test_heldout.py.
"""

import pytest
import yaml

from helpers.annotate.annotations import UNATTRIBUTED, load_codebook
from helpers.annotate.detect import detect_actors, detect_facts, detect_quotes, phrases
from helpers.annotate.detect.rules import rules_of
from helpers.text.segment import split_sentences


@pytest.fixture(scope="module")
def codebook():
    """The project's codebook, loaded once."""
    return load_codebook()


def facts_in(text: str, codebook) -> set[str]:
    """Return the facts the detectors find in one text."""
    return set(detect_facts({"t": text}, codebook)["code"])


def speakers(text: str, codebook) -> list[str]:
    """Return the speaker of each quote the detectors find in one text, in order."""
    return detect_quotes({"t": text}, codebook)["speaker"].tolist()


def variants(text: str, codebook) -> list[tuple[str, str]]:
    """Return (span, actor) of each mention the detectors flag as a variant."""
    found = detect_actors({"t": text}, codebook)
    return list(zip(found.loc[found["is_variant"], "span"], found.loc[found["is_variant"], "code"], strict=True))


# ---------------------------------------------------------------------------------------------- phrase cues

def compiled(phrase: str) -> phrases.Phrase:
    return phrases.parse(phrase, {"parler", "amazon"}, "test")


def found(phrase: str, text: str, actors: list[tuple[int, int, str]] = ()) -> list[str]:
    """Return the words of text that a phrase matches, one string per sentence."""
    parsed = compiled(phrase)
    index = phrases.index(text, split_sentences(text), sorted(actors), phrases.PhraseBook([parsed]))
    return [text[index.starts[lo]:index.ends[hi]] for lo, hi in phrases.matches(parsed, index)]


def test_a_phrase_matches_lemmas_in_any_order():
    assert found("vor Gericht ziehen|zog", "Parler zog am Montag vor Gericht.") == ["zog am Montag vor Gericht"]
    assert found("Gericht", "Das Gerichts-Verfahren.")  # a part of a hyphenated word


def test_a_star_matches_the_start_or_the_head_of_a_compound():
    assert found("*beschwerde", "Parler reichte eine Kartellbeschwerde ein.") == ["Kartellbeschwerde"]
    assert found("klag*", "Parler klagte.") == ["klagte"]
    assert found("Kapitol*", "Nach dem Angriff auf das US-Kapitol.") == ["US-Kapitol"]
    assert not found("*beschwerde", "Parler beschwerte sich.")


def test_number_slots_read_digits_and_number_words():
    assert found("{number:10-20} Million*", "Parler hat zwölf Millionen Nutzer.") == ["zwölf Millionen"]
    assert found("{number:10-20} Million*", "Parler hat 12,5 Millionen Nutzer.") == ["12,5 Millionen"]
    assert not found("{number:10-20} Million*", "Parler hat sieben Millionen Nutzer.")
    assert phrases.number_value("10.000") == 10000
    assert phrases.number_value("15.02.2021") is None  # a date, not a number


def test_an_actor_slot_matches_any_mention_of_that_actor():
    text = "Die Firma verklagte den Konzern."
    assert found("{amazon} verklag*", text, [(24, 31, "amazon")]) == ["verklagte den Konzern"]
    assert not found("{parler} verklag*", text, [(24, 31, "amazon")])


def test_a_negation_before_the_words_blocks_the_match_unless_the_phrase_holds_it():
    assert not found("vor Gericht ziehen|zog", "Parler zog nicht vor Gericht.")
    assert not found("rechtlich* Schritt*", "Keine rechtlichen Schritte.")
    assert found("nicht mehr erreichbar", "Parler ist nicht mehr erreichbar.") == ["nicht mehr erreichbar"]


def test_the_words_must_stand_in_one_sentence_and_near_each_other():
    assert not found("vor Gericht ziehen|zog", "Parler zog um. Vor Gericht ging es nicht.")
    far = "Parler zog " + " ".join(["weit"] * (phrases.WINDOW + 1)) + " vor Gericht."
    assert not found("vor Gericht ziehen|zog", far)


@pytest.mark.parametrize("bad, said", [
    ("{twitter} helfen", "{twitter} is neither an actor id of the codebook nor {number}"),
    ("a*b", "cannot read the word 'a*b'"),
    ("**", "cannot read the word '**'"),
])
def test_a_phrase_that_cannot_be_read_is_named(bad, said):
    with pytest.raises(phrases.PhraseError) as info:
        compiled(bad)
    assert str(info.value).startswith(f"test: phrase {bad!r}: ") and said in str(info.value)


def test_a_bad_phrase_in_the_codebook_names_the_codebook_and_the_fact(tmp_path):
    data = yaml.safe_load(open("corpus/codebook.yaml", encoding="utf-8"))
    data["facts"][0]["phrases"] = ["{nobody} klagt"]
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{path}: facts {data['facts'][0]['id']} phrases: phrase '{{nobody}} klagt'"):
        rules_of(load_codebook(path))


def test_phrases_find_facts_worded_without_the_usual_words(codebook):
    assert "parler_lawsuit" in facts_in("Parler zog daraufhin vor ein Bundesgericht in Seattle.", codebook)
    assert "parler_lawsuit" in facts_in("Auch rechtliche Schritte leitete die Firma ein.", codebook)
    assert "users_10m" in facts_in("Die Plattform hat mehr als zwölf Millionen Benutzer.", codebook)
    assert "public_safety_risk" in facts_in("Parler sei ein Risiko für öffentliche Sicherheit, so AWS.", codebook)


def test_a_negated_fact_is_not_stated(codebook):
    assert "parler_lawsuit" not in facts_in("Parler hat Amazon bisher nicht verklagt.", codebook)
    assert "parler_lawsuit" in facts_in("Parler hat Amazon verklagt.", codebook)


def test_a_state_the_article_says_has_ended_is_not_the_present_state(codebook):
    past = "Im Januar war Parler nicht mehr erreichbar. Seit Montag ist Parler wieder online."
    assert "parler_offline" not in facts_in(past, codebook)
    assert "parler_offline" in facts_in("Seit Montag ist Parler nicht mehr erreichbar.", codebook)
    # a return only hoped for ("bis … wieder online ist") does not end the state
    assert "parler_offline" in facts_in("Parler ist nicht mehr erreichbar, bis es wieder online ist, dauert es.",
                                        codebook)


# ---------------------------------------------------------------------------------------------- name variants

def test_a_misspelled_first_name_beside_a_right_surname_is_a_variant(codebook):
    assert variants("Parler-Chef Jon Matze sprach.", codebook) == [("Jon Matze", "john_matze")]
    assert variants("Die Investorin Rebecca Mercer schwieg.", codebook) == [("Rebecca Mercer", "rebekah_mercer")]


def test_a_misspelled_full_name_carries_to_its_surname_alone(codebook):
    text = "Firmenchef Jhon Mazte warnte. Später sagte Mazte mehr."
    assert variants(text, codebook) == [("Jhon Mazte", "john_matze"), ("Mazte", "john_matze")]


def test_a_long_name_with_its_last_word_off_is_a_variant(codebook):
    assert variants("Amazon Web Service sperrte Parler.", codebook) == [("Amazon Web Service", "amazon")]


def test_a_dictionary_word_is_an_organisation_only_where_the_article_names_its_kind(codebook):
    assert ("Amazone", "amazon") in variants("AWS sperrte Parler. Amazone schwieg.", codebook)
    assert variants("Die Amazone ritt davon.", codebook) == []
    assert variants("Trumpf ist Trumpf, sagte Trump.", codebook) == []  # persons: the word is the word


# ---------------------------------------------------------------------------------------------- speakers

def test_a_quote_from_a_document_is_its_authors(codebook):
    text = ("Amazon schickte Parler im November eine E-Mail. „Wir haben viele Beiträge gefunden, die zu Gewalt "
            "aufrufen“, heißt es in dem Schreiben.")
    assert speakers(text, codebook) == ["amazon"]
    text = ("Parler reichte in Seattle Klage gegen Amazon ein. In der Klageschrift steht: „Die Entscheidung ist "
            "politisch motiviert und unfair.“")
    assert speakers(text, codebook) == ["parler"]


def test_a_document_named_for_the_first_time_is_not_an_earlier_one(codebook):
    text = ("Parler reichte Klage ein. „Es gibt keine Rechtsgrundlage für diese Forderung hier“, heißt es in einem vor "
            "Gericht eingereichten Dokument.")
    assert speakers(text, codebook) == [UNATTRIBUTED]


def test_a_speaker_who_is_no_codebook_actor_is_unattributed(codebook):
    text = ("Parler-Chef John Matze sprach von Zensur. Die Juristin Regula Imhof sieht das anders. „Ein privater "
            "Anbieter darf seine Kunden wählen“, sagt sie. „Das ist geltendes Recht hier“, sagt Regula Imhof.")
    assert speakers(text, codebook)[1] == UNATTRIBUTED
    text = ("Parler-Chef John Matze sprach. Der Nutzer Brinkmann ist enttäuscht. „Ob Parler wiederkommt, weiß "
            "keiner“, sagt er.")
    assert speakers(text, codebook) == [UNATTRIBUTED]


def test_a_leader_noun_and_er_stand_for_the_person_named_before(codebook):
    text = "Parler-Gründer John Matze war empört. „Wir bauen alles von Grund auf neu“, sagte der Firmenchef."
    assert speakers(text, codebook) == ["john_matze"]
    text = ("Parler CEO John Matze schrieb in einem Post. „Dies war ein koordinierter Angriff der Konzerne“, er "
            "schrieb.")
    assert speakers(text, codebook) == ["john_matze"]


def test_a_name_before_a_noun_for_its_people_is_not_the_speaker(codebook):
    text = "Ein Parler Benutzer aus Texas sagte: „Ich werde zu Telegram wechseln, wie alle.“"
    assert speakers(text, codebook) == [UNATTRIBUTED]
