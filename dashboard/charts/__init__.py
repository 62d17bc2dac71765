"""Chart builders: one pure function per chart, a DataFrame in and a `go.Figure` out.

No Streamlit and no caching here, so every chart is unit-tested by asserting on `fig.data` and
`fig.layout`. One module per chart family (`timeline`, `overview`, `membership`, `topics`,
`search_hits`), on what they share: the framing of every figure and its mark sizes (`framing`) and
the labels of dates, sources and article text (`labels`), which pages use too. The template and
colour maps are the app's (`dashboard.theme`). Charts of events and figures draw aggregates (one
mark per initiative, type and year; per year and count), sized by how many they stand for, so
they stay small whatever the size of the corpus.
"""
