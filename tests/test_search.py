import pytest

from argentier.core.search import query_terms, reciprocal_rank_fusion, weighted_fusion
from argentier.errors import InputError

CORPUS = [
    ("Payment terms", "The customer shall pay each invoice within forty-five days of receipt.", None, {"kind": "contract"}),
    ("Late interest", "Late payments bear interest at two percent above the central bank base rate.", None, {"kind": "contract"}),
    ("Expense receipts", "An itemised receipt is required for every business expense above 25 euros.", None, {"kind": "policy"}),
    ("E-book VAT", "From January 2027 the reduced VAT rate of 5.5 percent applies to electronic books.", None, {"kind": "regulation"}),
    ("Covenant", "The revolving credit facility requires net debt below three times EBITDA each quarter.", ["treasury"], {"kind": "contract"}),
    ("Cash pool", "Subsidiaries sweep euro balances to the group cash pool every evening.", ["treasury", "controlling"], {"kind": "policy"}),
]
RESTRICTED = {"Covenant", "Cash pool"}


@pytest.fixture
def filled(library):
    for title, text, groups, meta in CORPUS:
        library.add_text(text, title=title, groups=groups, meta=meta, collection="c1" if title != "E-book VAT" else "c2")
    return library


def test_rrf_rewards_items_ranked_well_in_both_lists():
    fused = reciprocal_rank_fusion([[(1, 0.0), (2, 0.0), (3, 0.0)], [(2, 0.0), (4, 0.0), (1, 0.0)]], k=60)
    assert [item for item, _ in fused] == [2, 1, 4, 3]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_weighted_fusion_respects_the_weight():
    keyword, vector = [(1, 5.0), (2, 1.0)], [(2, 0.9), (1, 0.2)]
    assert weighted_fusion(keyword, vector, keyword_weight=0.9)[0][0] == 1
    assert weighted_fusion(keyword, vector, keyword_weight=0.1)[0][0] == 2


def test_query_terms_drop_stopwords_but_never_everything():
    assert query_terms("What is the VAT rate for e-books?") == ["vat", "rate", "e", "books"]
    assert query_terms("what is it") == ["what", "is", "it"]


@pytest.mark.parametrize("mode", ["keyword", "vector", "hybrid"])
def test_each_mode_finds_the_relevant_chunk(filled, mode):
    queries = {
        "keyword": "invoice forty-five days",
        "vector": "How long do we have to settle a bill?",
        "hybrid": "when must invoices be paid",
    }
    hits = filled.search(queries[mode], k=3, mode=mode)
    assert hits[0].document.title == "Payment terms"
    assert hits == sorted(hits, key=lambda hit: -hit.score)


def test_hits_cite_exact_offsets(filled):
    for hit in filled.search("interest on late payment", k=5):
        stored = filled.get_document(hit.document.id)
        assert stored.parsed.text[hit.start : hit.end] == hit.text
        assert hit.to_dict()["document"] == {"id": hit.document.id, "title": hit.document.title, "path": None}


@pytest.mark.parametrize("mode", ["keyword", "vector", "hybrid"])
@pytest.mark.parametrize("groups", [(), ("sales",), ("public",)])
def test_access_control_never_leaks_restricted_documents(filled, mode, groups):
    for query in ("net debt EBITDA covenant", "cash pool sweep", "contract"):
        for extra in ({}, {"collection": "c1"}, {"meta": {"kind": "contract"}}, {"meta": {"kind": "policy"}}):
            hits = filled.search(query, k=10, mode=mode, groups=groups, **extra)
            assert RESTRICTED.isdisjoint(hit.document.title for hit in hits)


def test_group_members_and_local_owner_see_restricted_documents(filled):
    assert filled.search("net debt EBITDA", k=1, groups=["treasury"])[0].document.title == "Covenant"
    assert filled.search("cash pool", k=1, groups=["controlling"])[0].document.title == "Cash pool"
    assert filled.search("net debt EBITDA", k=1)[0].document.title == "Covenant"
    titles = {hit.document.title for hit in filled.search("cash", k=10, groups=["controlling"])}
    assert "Covenant" not in titles


def test_collection_and_metadata_filters(filled):
    assert {hit.collection for hit in filled.search("rate", k=10, collection="c2")} == {"c2"}
    policy_titles = {hit.document.title for hit in filled.search("euro", k=10, meta={"kind": "policy"})}
    assert policy_titles and policy_titles <= {"Expense receipts", "Cash pool"}
    assert filled.search("rate", k=10, meta={"kind": "nothing"}) == []


def test_removed_documents_disappear_from_every_mode(filled):
    target = next(doc for doc in filled.list_documents() if doc.title == "E-book VAT")
    assert filled.search("electronic books VAT", k=1)[0].document.title == "E-book VAT"
    filled.remove_document(target.id)
    for mode in ("keyword", "vector", "hybrid"):
        assert all(hit.document.title != "E-book VAT" for hit in filled.search("electronic books VAT", mode=mode))


def test_weighted_fusion_option(filled):
    hits = filled.search("when must invoices be paid", k=2, fusion="weighted")
    assert hits[0].document.title == "Payment terms"
    assert 0 < hits[0].score <= 1


def test_bad_queries_are_input_errors(filled):
    with pytest.raises(InputError, match="empty"):
        filled.search("   ")
    with pytest.raises(InputError, match="k must be"):
        filled.search("x", k=0)
    with pytest.raises(InputError, match="unknown search mode"):
        filled.search("x", mode="fuzzy")


def test_search_on_an_empty_store(library):
    assert library.search("anything at all") == []


def test_keyword_scores_agree_before_and_after_analyze(filled):
    """On PostgreSQL, common-term statistics come from ANALYZE once it has run; results must not change."""
    queries = ["invoice payment days", "the customer shall pay each invoice", "euro balances cash pool"]
    before = [[hit.chunk_id for hit in filled.search(query, k=5, mode="keyword")] for query in queries]
    if filled.store.dialect == "postgresql":
        from sqlalchemy import text

        with filled.store.engine.connect() as connection:
            connection.execute(text("ANALYZE chunks"))
            connection.commit()
        filled.searcher.backend.statistics_ttl_s = 0
    after = [[hit.chunk_id for hit in filled.search(query, k=5, mode="keyword")] for query in queries]
    assert before == after
    assert before[0]


def test_filtered_vector_search_with_few_candidates_matches_an_exact_ranking(settings, embedder):
    """With a small candidate pool the PostgreSQL path answers from the over-fetched index scan alone;
    both backends must still give the exact filtered ranking and never a restricted document."""
    from argentier.config import SearchSettings
    from argentier.core.library import Library

    small = settings.model_copy(update={"search": SearchSettings(candidates=2)})
    library = Library.open(small, embedder=embedder)
    try:
        for title, text, groups, meta in CORPUS:
            library.add_text(text, title=title, groups=groups, meta=meta)
        query = "money owed and paid"
        everything = library.search(query, k=6, mode="vector")
        expected = [hit.document.title for hit in everything if hit.document.title not in RESTRICTED][:2]
        got = [hit.document.title for hit in library.search(query, k=2, mode="vector", groups=[])]
        assert got == expected
    finally:
        library.close()
