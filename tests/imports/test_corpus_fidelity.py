"""The importer keeps the facts of real public plans: milestones, leads, dates, RAG, headings.

Each corpus file (``corpus/files``, built by ``corpus/build_corpus.py`` from the councils'
own text) is imported through ``import_plan`` with the importer's best guess at the mapping,
and scored against its truth file (``corpus/truth``) by ``fidelity.py``. Run with ``-s`` to
see each file's score, or ``python tests/imports/corpus/score.py`` for the table.
"""

import zipfile

import pytest
from defusedxml import ElementTree

from tests.imports import fidelity

# The share of the corpus's facts (5 per truth milestone) that the importer keeps, in %.
# The honest floor, measured on the whole corpus including the holdout plans (imports/ at
# a44a4b7, 1 December 2026): 295 of 435 facts, 67.8 % — the eleven plans the importer was
# built against keep 176/180 (97.8 %), the eight holdout files 119/255 (46.7 %); per file in
# corpus/SOURCES.md. Raise it as the importer improves, towards 95 — on plans it was not
# tuned on, not by tuning it on the holdout.
# Branch i4 (1 December 2026) fixed the holdout's GENERIC causes (/work/notes/i3.md: header
# detection, content over heading words, numbered legends, key blocks, Word priority
# paragraphs, "In progress" gives no RAG, one-value rows are never a header, "N/A" leads,
# month-only dates): 431/435 (99.1 %; holdout 255/255, the eleven others 176/180). The
# holdout has now been seen, so it no longer measures unseen plans: only a fresh one does.
# Branch holdout2 (1 December 2026) added six unseen plans (``holdout2-*``, 30 milestones):
# measured before any change they kept 84/150 facts (56.0 %; the whole corpus 515/585,
# 88.0 %). Fixed generically: bulleted paragraphs in one Word cell are one item each; a Word
# plan with no table is read from its bulleted lists under headings; "BODY: aim" lines are a
# lead column naming the bodies; a numbered theme row above the header heads the sheet; a
# lower-case row with its own lead is a step, not text carried over a page; a recommendation
# with no sub-action but its own status is its own item. After: holdout2 143/150 (95.3 %),
# the other nineteen files still 431/435, the corpus 578/585 (98.8 %). The floor drops from
# 99.0 because the corpus grew by plans it had not seen, not because anything got worse.
CORPUS_FIDELITY_THRESHOLD = 98.5

TRUTHS = fidelity.corpus_truths()
_scores: dict[str, fidelity.FileScore] = {}


def score_of(truth_path):
    if truth_path.stem not in _scores:
        _scores[truth_path.stem] = fidelity.file_score(truth_path)
    return _scores[truth_path.stem]


def test_the_corpus_holds_ten_plans_in_every_format_the_importer_reads():
    suffixes = sorted(fidelity.truth_load(path)["file"].rsplit(".", 1)[1] for path in TRUTHS)
    assert len(TRUTHS) >= 10
    for suffix, at_least in {"docx": 3, "xls": 2, "csv": 2, "xlsx": 1, "ods": 1}.items():
        assert suffixes.count(suffix) >= at_least, suffix


@pytest.mark.django_db
@pytest.mark.parametrize("truth_path", TRUTHS, ids=[path.stem for path in TRUTHS])
def test_corpus_file_is_scored_against_its_truth(truth_path):
    score = score_of(truth_path)
    print(f"\n{fidelity.table([score])}")
    assert len(score.milestones) == len(fidelity.truth_load(truth_path)["milestones"])
    assert 0 <= score.kept <= score.possible


@pytest.mark.django_db
def test_the_importer_keeps_at_least_the_recorded_share_of_the_corpus_facts():
    scores = [score_of(path) for path in TRUTHS]
    print(f"\n{fidelity.table(scores)}")
    assert fidelity.total_percent(scores) >= CORPUS_FIDELITY_THRESHOLD


def content(path):
    """A file's content; for .docx/.xlsx/.ods, each XML member as a tree, so that how the
    XML library of the day spells it (namespace placement, self-closing tags) is no change."""
    if not zipfile.is_zipfile(path):
        return path.read_bytes()

    def tree(element):
        return (
            element.tag,
            sorted(element.attrib.items()),
            (element.text or "").strip(),
            [tree(child) for child in element],
            (element.tail or "").strip(),
        )

    with zipfile.ZipFile(path) as archive:
        return {
            name: tree(ElementTree.fromstring(data)) if data.lstrip().startswith(b"<") else data
            for name in archive.namelist()
            for data in [archive.read(name)]
        }


def test_the_committed_corpus_files_are_what_the_builder_writes(tmp_path):
    from tests.imports.corpus import build_corpus

    for built in build_corpus.corpus_write(tmp_path):
        committed = fidelity.CORPUS / "files" / built.name
        assert content(committed) == content(built), (
            f"{built.name} differs from what build_corpus.py writes: run it to rebuild the corpus"
        )
