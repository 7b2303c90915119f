"""NLP stage: exact offsets, sentences, label mapping, long articles in chunks."""

import pytest

from pipeline import nlp as nlp_module
from pipeline.labels import mention_type
from pipeline.models import NlpSettings, resolve_model
from pipeline.nlp import CHUNK_CHARS, annotate, chunks, config_overrides, get_nlp, join_tokens
from pipeline.normalise import sha256_text
from pipeline.records import Article

from .conftest import ARTICLE


def art(text, aid="a"):
    return Article(article_id=aid, text=text, text_sha256=sha256_text(text))


@pytest.fixture(scope="module")
def nlp_and_name(ruler_model):
    settings = NlpSettings(resolve_model(str(ruler_model)))
    return get_nlp(settings), settings.model.name


def test_label_mapping():
    assert mention_type("PER", "Jan") == mention_type("PERSON", "Jan") == "PERSON"
    assert mention_type("GPE", "Gent") == mention_type("LOC", "Schelde") == mention_type("FAC", "Schiphol") == "PLACE"
    assert mention_type("ORG", "N-VA") == "ORGANISATION"
    for label in ("NORP", "DATE", "MISC", "EVENT", "WORK_OF_ART"):
        assert mention_type(label, "Iets") is None
    # nationality adjectives are not places, even when a model says so
    for adj in ("Oekraïense", "Russische", "Belgische", "Franse", "Amerikaanse", "Chinese"):
        assert mention_type("GPE", adj) is None, adj
    for place in ("Parijs", "Toulouse", "Reims", "Oekraïne", "Texas"):
        assert mention_type("GPE", place) == "PLACE", place


def test_tokens_and_mentions_have_exact_offsets(nlp_and_name):
    nlp, name = nlp_and_name
    a = art(ARTICLE)
    tok, men, n_tok, n_sent = annotate(nlp, [a], name)
    for text, s, e in zip(tok["text"], tok["start_char"], tok["end_char"], strict=True):
        assert a.text[s:e] == text
    for text, s, e in zip(men["text"], men["start_char"], men["end_char"], strict=True):
        assert a.text[s:e] == text
    assert n_tok[0] == len(tok["text"]) and n_sent[0] == max(tok["sent_idx"]) + 1 >= 6
    assert list(tok["token_idx"]) == list(range(len(tok["text"])))
    assert "Oekraïense" not in men["text"] and "zondag" not in men["text"]
    found = dict(zip(men["text"], men["type"], strict=False))
    assert found["Andri Jermak"] == "PERSON" and found["Koersk"] == "PLACE" and found["N-VA"] == "ORGANISATION"
    # mentions carry the sentence they are in
    for s, sent in zip(men["start_char"], men["sent_idx"], strict=True):
        tok_sent = {ts for ts, st in zip(tok["sent_idx"], tok["start_char"], strict=True) if st == s}
        assert tok_sent == {sent}


def test_chunks_cover_the_text_on_boundaries():
    text = ("Eerste zin hier. Tweede zin daar.\n\n" * 50).strip()
    pieces = chunks(text, 100)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 100 for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)
    assert all(p.endswith(("\n", " ")) for _, p in pieces[:-1])


def test_long_article_in_chunks_gives_the_same_offsets(nlp_and_name):
    nlp, name = nlp_and_name
    long_text = "\n\n".join([ARTICLE] * 30)
    a = art(long_text)
    whole = annotate(nlp, [a], name)
    chunked = annotate(nlp, [a], name, chunk_chars=700)
    assert chunked[1]["start_char"] == whole[1]["start_char"]
    assert chunked[1]["text"] == whole[1]["text"]
    assert list(chunked[0]["start_char"]) == list(whole[0]["start_char"])
    assert list(chunked[0]["sent_idx"]) == list(whole[0]["sent_idx"])
    for text, s, e in zip(chunked[1]["text"], chunked[1]["start_char"], chunked[1]["end_char"], strict=True):
        assert long_text[s:e] == text
    assert chunked[3] == whole[3]


def test_several_articles_in_one_batch_keep_their_own_counts(nlp_and_name):
    nlp, name = nlp_and_name
    arts = [art(ARTICLE, "x"), art("Koersk.", "y"), art(ARTICLE, "z")]
    tok, men, n_tok, n_sent = annotate(nlp, arts, name)
    assert n_tok[1] == 2 and n_sent[1] == 1
    assert n_tok[0] == n_tok[2]
    assert [m for m, aid in zip(men["mention_idx"], men["article_id"], strict=True) if aid == "y"] == [0]


def test_the_saved_tokenizer_is_loaded_once_and_tokenizes_as_spacy_load(ruler_model, tmp_path):
    """load() skips building spaCy's default tokenizer; the saved one must come out the same."""
    import spacy

    settings = NlpSettings(resolve_model(str(ruler_model)))
    assert config_overrides(settings)["nlp"]["tokenizer"]["@tokenizers"] == "nl_entities.SavedTokenizer.v1"
    ours, theirs = get_nlp(settings), spacy.load(ruler_model)
    assert ours.tokenizer.rules == theirs.tokenizer.rules and len(ours.tokenizer.rules) > 1000
    text = ARTICLE + " Zo'n 3,5 mln. euro, d.w.z. 't is (bijv.) 20% meer: https://nos.nl/a-b?x=1 #nieuws"
    assert [(t.idx, t.text) for t in ours.make_doc(text)] == [(t.idx, t.text) for t in theirs.make_doc(text)]
    # a pipeline saved without its tokenizer keeps spaCy's default construction
    bare = tmp_path / "bare"
    theirs.to_disk(bare, exclude=["tokenizer"])
    assert config_overrides(NlpSettings(resolve_model(str(bare)))) == {}


def test_a_long_article_goes_through_the_model_in_bounded_pieces_with_exact_offsets(nlp_and_name, monkeypatch):
    """Without a chunk_chars setting an article over CHUNK_CHARS is cut, and the model holds at
    most PIPE_CHARS at a time (a 1M-character Doc took 7 GB); the tables cannot tell: offsets,
    token and sentence numbers run on over the pieces as in one Doc, and mentions are the same."""
    nlp, name = nlp_and_name
    # the defaults made small, so the test needs little text: 4,000 per Doc, 8,000 at a time
    monkeypatch.setattr(nlp_module, "CHUNK_CHARS", 4_000)
    monkeypatch.setattr(nlp_module, "PIPE_CHARS", 8_000)
    chunk, at_once = nlp_module.CHUNK_CHARS, nlp_module.PIPE_CHARS
    text = "\n\n".join(f"Deel {i}. {ARTICLE}" for i in range(int(2.5 * at_once) // len(ARTICLE)))
    assert len(text) > 2 * at_once
    a = art(text)
    one_doc = annotate(nlp, [a], name, chunk_chars=nlp.max_length)
    calls: list[list[int]] = []
    pipe = nlp.pipe

    def recording(pieces, **kwargs):
        if kwargs.get("as_tuples"):  # spaCy calls pipe again for the texts alone
            pieces = list(pieces)
            calls.append([len(p) for p, _ in pieces])
        return pipe(pieces, **kwargs)

    monkeypatch.setattr(nlp, "pipe", recording)
    parts: list[dict] = []
    none, men, n_tok, n_sent = annotate(nlp, [a], name, on_tokens=parts.append)
    assert none is None and len(parts) > 2
    assert max(n for call in calls for n in call) <= chunk
    assert max(sum(call) for call in calls) <= at_once
    tok = join_tokens({k: [p[k] for p in parts] for k in parts[0]})
    assert all(text[s:e] == t for s, e, t in zip(tok["start_char"], tok["end_char"], tok["text"], strict=True))
    assert list(tok["token_idx"]) == list(range(n_tok[0]))
    sents = list(tok["sent_idx"])
    assert sents[0] == 0 and all(b - a in (0, 1) for a, b in zip(sents, sents[1:], strict=False))
    assert sents[-1] + 1 == n_sent[0]
    for k in ("start_char", "sent_idx", "text"):
        assert list(tok[k]) == list(one_doc[0][k]), k
    assert men == one_doc[1] and men["start_char"][-1] > 2 * at_once
    assert all(text[s:e] == t for s, e, t in zip(men["start_char"], men["end_char"], men["text"], strict=True))
    assert (n_tok, n_sent) == (one_doc[2], one_doc[3])


def test_an_article_of_tens_of_thousands_of_mentions_resolves_them_all(nlp_and_name):
    """A surname joins the full name before it across the pieces of a long article, and every
    mention keeps its own offsets and number."""
    nlp, name = nlp_and_name
    unit = "Wim Kok sprak in Antwerpen. Daarna zei Kok iets over Koersk.\n\n"
    text = (unit * 5_000).strip()
    _, men, _, _ = annotate(nlp, [art(text)], name, on_tokens=lambda part: None)
    assert len(men["text"]) == 20_000 and men["start_char"][-1] > 3 * CHUNK_CHARS
    assert men["mention_idx"] == list(range(20_000))
    ids = {}
    for t, eid in zip(men["text"], men["entity_id"], strict=True):
        ids.setdefault(t, set()).add(eid)
    assert ids["Kok"] == ids["Wim Kok"] and len(ids["Wim Kok"]) == 1
    assert len(set().union(*ids.values())) == 3
    assert all(text[s:e] == t for s, e, t in zip(men["start_char"], men["end_char"], men["text"], strict=True))
