"""Articles written for the corrections tests: facts an analyst confirms, rejects, edits
and adds (the ETL's `tests/test_corrections.py` uses the first two, the dashboard's
`curated_warehouse` all of them)."""

from __future__ import annotations

# Articles whose facts an analyst corrects (`curated_warehouse`): two reports of CICA's 2022
# summit, two first years of the Astana International Forum, two founding years of the food
# security body, two membership counts, and a sentence the rules read nothing from.
CURATED_ARTICLES = {
    "summit.md": (
        "---\ntitle: Astana hosts Asian security talks\noutlet: Test Wire\n"
        "published: 2024-05-10\n---\n"
        "CICA, the Asian security forum, held its sixth summit in Astana in October 2022. "
        "The forum now has 28 member states.\n\n"
        "The Astana International Forum was first held in 2023 and gathered diplomats from "
        "many countries.\n"
    ),
    "food.md": (
        "---\ntitle: Food security body marks a decade\noutlet: Example News\n"
        "published: 2023-09-01\n---\n"
        "The Islamic Organisation for Food Security was founded in 2013. The organisation has "
        "40 member states today.\n\n"
        "Ministers met in Astana to discuss grain reserves and climate risks.\n"
    ),
    "review.md": (
        "---\ntitle: A year of summits in the steppe capital\noutlet: Steppe Daily\n"
        "published: 2024-02-20\n---\n"
        "CICA leaders held a summit in Astana in October 2022 to adopt a transformation plan.\n\n"
        "The Astana International Forum was first held in 2022, its organisers said.\n\n"
        "The Islamic Organisation for Food Security was established in 2011 in Astana.\n"
    ),
}
