"""The eval harness on small datasets made here: counts, not score thresholds."""

import json
from pathlib import Path

import pytest

from bot.evaluate import Question, Tally, as_json, evaluate, table
from index import DocumentError


def test_tally_counts_ranks_refusals_and_lengths() -> None:
    tally = Tally()
    tally.add(Question("q1", ("정답",)), ["정답이 있다", "없다"])
    tally.add(Question("q2", ("정답",)), ["없다", "없다", "정답"])
    tally.add(Question("q3", ("정답",)), [])
    tally.add(Question("q4", ()), [])
    tally.add(Question("q5", ()), ["아무 말"])
    report = tally.report()
    assert report["questions"] == 5 and report["answerable"] == 3
    assert report["answer_at_1"] == round(1 / 3, 4)
    assert report["answer_at_3"] == round(2 / 3, 4)
    assert report["mrr"] == round((1 + 1 / 3) / 3, 4)
    assert report["mean_first_quote_chars"] == (len("정답이 있다") + len("없다")) / 2
    assert report["false_refusal_rate"] == round(1 / 3, 4)
    assert report["refusal_rate_unanswerable"] == 0.5


SQUAD = {
    "data": [
        {
            "title": "반도체_소식",
            "paragraphs": [
                {
                    "context": "삼성전자는 평택에 새 공장을 짓는다. 공장은 2027년에 가동한다.",
                    "qas": [
                        {
                            "id": "1",
                            "question": "삼성전자는 어디에 공장을 짓나?",
                            "answers": [{"text": "평택", "answer_start": 6}],
                        },
                        {
                            "id": "2",
                            "question": "공장은 언제 가동하나?",
                            "answers": [{"text": "2027년", "answer_start": 25}],
                        },
                    ],
                }
            ],
        },
        {
            "title": "자동차_소식",
            "paragraphs": [
                {
                    "context": "현대차는 로봇 회사에 30억 달러를 투자한다.",
                    "qas": [
                        {
                            "id": "3",
                            "question": "현대차의 투자 규모는?",
                            "answers": [{"text": "30억 달러", "answer_start": 12}],
                        }
                    ],
                }
            ],
        },
    ]
}


def test_squad_per_article_and_as_one_corpus(tmp_path: Path) -> None:
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    per_article = evaluate(path).report()
    assert per_article["documents"] == 2
    assert per_article["all"]["questions"] == 3 and per_article["all"]["answer_at_1"] == 1.0
    assert per_article["even"]["questions"] == 2 and per_article["odd"]["questions"] == 1
    corpus = evaluate(path, corpus=True).report()
    assert corpus["mode"] == "one index of all articles" and corpus["all"]["answer_at_1"] == 1.0


def test_foreign_questions_are_the_next_articles_and_should_be_refused(tmp_path: Path) -> None:
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    report = evaluate(path, foreign=True).report()
    assert report["all"]["answerable"] == 3 and report["all"]["answer_at_1"] == 1.0
    assert report["kind:foreign"]["questions"] == 3  # 1 asked of the first, 2 of the second
    assert report["even"]["unanswerable"] == 1 and report["odd"]["unanswerable"] == 2
    assert report["kind:foreign"]["refusal_rate_unanswerable"] is not None


def test_jsonl_against_a_text_file(tmp_path: Path) -> None:
    text = tmp_path / "notice.txt"
    text.write_text("공지\n재택근무는 주 2회로 바뀐다.\n", encoding="utf-8")
    qa = tmp_path / "qa.jsonl"
    lines = [
        {"q": "재택근무는 주 몇 회야?", "answers": ["주 2회"], "kind": "fact"},
        {"q": "로또 번호 알려줘", "answers": [], "kind": "unanswerable"},
    ]
    qa.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = evaluate(qa, text_file=str(text))
    report = json.loads(as_json(result))
    assert report["all"]["answer_at_1"] == 1.0
    assert report["all"]["refusal_rate_unanswerable"] == 1.0
    assert report["kind:fact"]["questions"] == 1
    assert "kind:unanswerable" in table(result)


def test_missing_and_malformed_datasets(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such dataset"):
        evaluate(tmp_path / "absent.json")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no q key"}\n', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"bad\.jsonl:1: not a QA line"):
        evaluate(bad)


@pytest.mark.parametrize("name", ["a", "b"])
def test_heldout_sets_are_well_formed(name: str) -> None:
    """benchmarks/heldout: every expected answer is text its article really holds."""
    from bot.documents import read_document
    from bot.evaluate import _jsonl

    folder = Path(__file__).resolve().parents[1] / "benchmarks" / "heldout"
    text = read_document(str(folder / f"article_{name}.txt")).text
    questions = _jsonl(folder / f"qa_{name}.jsonl")
    assert len(questions) == 25
    assert sum(not q.answers for q in questions) == 4
    assert all(a in text for q in questions for a in q.answers)
