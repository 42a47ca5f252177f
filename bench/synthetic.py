"""Build a synthetic corpus of N articles from the five seed texts, for the scale bench (bench/scale.py).

The five originals are kept as they are, with their hand coding; every other article is a seed text varied
(body lines shuffled, about a fifth dropped, names swapped), uncoded, spread over 20 outlets and three months.
The variation is seeded, so one N always gives the same corpus.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import shutil
from pathlib import Path

SEED = 15  # the number: any fixed seed makes the corpus reproducible
OUTLETS = ["t3n", "informationsportal24.de", "Deutschlandfunk Nova", "heise online", "Netzpolitik Nord",
           "Rheinischer Kurier", "Digitalwoche", "Berliner Tagblatt", "Main-Post Online", "Alpenblick",
           "Technik heute", "Hamburger Abendzeitung", "Saar-Echo", "Der Netzbote", "Weser-Rundschau",
           "Sachsen Digital", "Elbe-Anzeiger", "Bodensee-Nachrichten", "Pfalz-Journal", "Computerwelt Süd"]
# Names in the seed texts and the names they may be swapped for (all fictional stand-ins).
NAMES = {"Matze": ["Mertens", "Matzen", "Matthes"], "Martina Schulte": ["Karin Vogt", "Jana Keller"],
         "Trump": ["Trump"], "Bezos": ["Bezos", "Jassy"]}
FIRST_DAY, DAYS = dt.date(2021, 1, 9), 90  # three months from the AWS notice


def vary(text: str, rng: random.Random) -> str:
    """Return the text with its body lines shuffled, about a fifth dropped and some names swapped."""
    lines = text.splitlines()
    head, body = lines[:1], lines[1:]
    rng.shuffle(body)
    kept = [line for line in body if rng.random() > 0.2] or body[:1]
    varied = "\n".join(head + kept) + "\n"
    for name, swaps in NAMES.items():
        if rng.random() < 0.5:
            varied = varied.replace(name, rng.choice(swaps))
    return varied


def build_corpus(source: Path, target: Path, count: int, seed: int = SEED) -> Path:
    """Copy the corpus at source to target and grow it to `count` articles; return target."""
    shutil.copytree(source, target)
    with (target / "articles.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, seeds = list(reader.fieldnames or []), list(reader)
    rows = list(seeds[:count])
    rng = random.Random(seed)
    texts = {(target / "raw" / row["raw_file"]).read_text(encoding="utf-8").strip() for row in seeds}
    number = len(seeds)
    while len(rows) < count:
        seed_row = seeds[number % len(seeds)]
        text = vary((target / "raw" / seed_row["raw_file"]).read_text(encoding="utf-8"), rng)
        if text.strip() in texts:  # the corpus refuses duplicate texts
            continue
        texts.add(text.strip())
        article_id = f"synthetic-{number:04d}"
        raw_file = f"{number:04d}-{article_id}.txt"
        (target / "raw" / raw_file).write_text(text, encoding="utf-8")
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        rows.append({**{field: "" for field in fields}, "article_id": article_id, "raw_file": raw_file,
                     "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "outlet": OUTLETS[number % 20],
                     "outlet_basis": f"synthetic: varied from {seed_row['article_id']}", "outlet_confidence": "low",
                     "published_earliest": day.isoformat(),
                     "published_latest": (day + dt.timedelta(days=rng.randrange(3))).isoformat(),
                     "date_basis": "synthetic", "date_confidence": "low", "language": "de",
                     "url_basis": "synthetic", "notes": "synthetic article for the scale bench"})
        number += 1
    for row in seeds[count:]:
        (target / "raw" / row["raw_file"]).unlink()
    with (target / "articles.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target
