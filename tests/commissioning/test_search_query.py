"""What a search box passes on: PostgreSQL refuses a NUL in any string, so control characters go."""

from commissioning.search import MAX_QUERY, clean_query


def test_a_search_drops_control_characters_and_folds_white_space():
    assert clean_query("  outreach\x00 \tservice\x07 ") == "outreach service"
    assert clean_query(None) == ""
    assert len(clean_query("a" * 500)) == MAX_QUERY
