"""The detectors measured against the hand coding (the two coders' consensus), with floors a regression must not cross.

Why these floors: the scores are in-sample (the cue lists were written while reading these five texts), so
they overstate what the detectors do on new articles and cannot serve as quality claims. The floors sit a few
points below the scores measured when the hand coding landed (actors F1 1.00, facts 0.96 span / 0.99 article,
labels 0.87 with attribution 0.92, quotes 0.92 with speakers 1.00, frames 0.70 span / 0.95 article): they catch
a change that breaks a detector, while leaving room for honest edits of the hand coding. Frames get the lowest
floor because they are interpretive and their cue lists are broad (see notebook 01).
"""

from __future__ import annotations

import pytest

from helpers.annotate import detect, measure

F1_FLOORS = {
    ("actors", "span"): 0.95,
    ("facts", "span"): 0.85,
    ("facts", "article"): 0.90,
    ("labels", "span"): 0.80,
    ("quotes", "span"): 0.85,
    ("frames", "span"): 0.60,
    ("frames", "article"): 0.85,
}
ATTRIBUTION_FLOORS = {"labels": 0.85, "quotes": 0.90}


@pytest.fixture(scope="module")
def scores(study):
    detected = detect.detect_all(study.texts, study.codebook)
    return measure.scores(study.coding, detected).set_index(["layer", "level"])


@pytest.mark.parametrize(("layer", "level"), sorted(F1_FLOORS))
def test_f1_floor(scores, layer, level):
    f1 = scores.loc[(layer, level), "f1"]
    assert f1 >= F1_FLOORS[(layer, level)], f"{layer}/{level}: F1 {f1:.3f} fell below {F1_FLOORS[(layer, level)]}"


@pytest.mark.parametrize("layer", sorted(ATTRIBUTION_FLOORS))
def test_attribution_floor(scores, layer):
    accuracy = scores.loc[(layer, "span"), "attribution_accuracy"]
    assert accuracy >= ATTRIBUTION_FLOORS[layer]


def test_every_layer_is_measured(scores):
    assert {layer for layer, _ in scores.index} == {"actors", "facts", "labels", "frames", "quotes"}
    assert (scores["tp"] + scores["fn"] > 0).all()  # the hand coding has something in every layer
