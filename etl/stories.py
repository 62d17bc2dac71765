"""Syndicated copies: the same story republished by several outlets, grouped into one story.

Wire copy reaches the corpus many times over: the same text under another headline and byline,
with the outlet's boilerplate lines, a few words changed or a paragraph rewritten. Exact copies
are folded when loaded (`articles.duplicate_files`); near copies are found here.

Each article's cleaned text is cut into word shingles (`SHINGLE_WORDS` consecutive words) and
summarised by a MinHash signature (datasketch, `NUM_PERM` permutations), computed once when the
article is extracted and stored in `article_signatures`, so a build never hashes an unchanged
article again. Every build, full or incremental, then groups all stored signatures afresh
(`build_stories`): locality-sensitive hashing over bands of the signatures finds candidate
pairs, a pair is kept when its estimated Jaccard similarity reaches `THRESHOLD`, and the
stories are the connected groups. Grouping depends on the stored signatures alone, so an
incremental build groups exactly as a full build does.

The band layout (bands x rows) is datasketch's own optimum for `THRESHOLD` (`MinHashLSH`); the
bucketing is done over all signatures at once with numpy, which is the same banding as
`MinHashLSH.insert`/`query` without a Python call per article (about 40 times faster at
100,000 articles, so the grouping stays a small part of an incremental build).

`THRESHOLD`, `SHINGLE_WORDS` and `NUM_PERM` were chosen on constructed texts (tests/
story_texts.py). On 4-word shingles, reprints with new furniture, with light edits and a
paragraph swapped, and with one rewritten paragraph are 0.57-0.89 similar to the wire copy
(0.32-0.57 to one another: they are grouped through it); different reports of the same summit,
sharing its names, places and figures, and a wire story about another forum are at most 0.05
similar to any of them. 3-word shingles raise both sides (different reports reach 0.07),
5-word shingles lower the reprints (0.49). 0.4 lies well between the two sides, four standard
errors of a 128-permutation estimate from the closest reprint; see docs/schema.md.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa

from etl import warehouse

# Words per shingle: 4 keeps a changed word from touching more than four shingles, and is long
# enough that shared names ("Conference on Interaction and ...") weigh little against the text.
SHINGLE_WORDS = 4
# Permutations of the signature: the standard error of a similarity estimate is about
# sqrt(J(1-J)/NUM_PERM), 0.043 at J = 0.4.
NUM_PERM = 128
# Estimated Jaccard similarity of shingles from which two articles are the same story.
THRESHOLD = 0.4
# How datasketch weighs (false positives, false negatives) when it lays out the bands: every
# candidate pair is checked on its whole signature, so a false positive costs one comparison
# while a false negative splits a story. (0.1, 0.9) gives 42 bands of 3 rows: a pair 0.5
# similar is a candidate with probability 0.996 (0.87 with the default even weights).
LSH_WEIGHTS = (0.1, 0.9)
# That layout, (bands, rows per band), as datasketch's `MinHashLSH` computes it by numerical
# integration (with scipy); tests/test_stories.py checks it against datasketch's own.
BAND_LAYOUT = (42, 3)
# The MinHash permutation scheme and seed: stored signatures are only comparable with these.
SCHEME = "affine32"
SEED = 1
# A band bucket holding more articles than this (texts that are nearly empty, say) is checked
# member by member against its first article only, not pair by pair.
MAX_BUCKET_PAIRS = 200

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    """The lower-cased words of a text, in order."""
    return _WORD.findall(text.lower())


def shingle_hashes(text: str) -> np.ndarray:
    """The CRC-32 of every word shingle of a text, repeats kept, as uint32.

    A shingle is a lower-cased run of `SHINGLE_WORDS` words joined by spaces, as UTF-8; a text
    shorter than one shingle is its words joined, so it still has a signature. Repeats change
    no minimum, so they need no set; the hashing runs as chained C calls (`map`) rather than a
    Python step per shingle.
    """
    words = _words(text)
    if len(words) < SHINGLE_WORDS:
        return np.array([zlib.crc32(" ".join(words).encode())], dtype=np.uint32)
    runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)
    hashes = map(zlib.crc32, map(str.encode, map(" ".join, runs)))
    return np.fromiter(hashes, dtype=np.uint32, count=len(words) - SHINGLE_WORDS + 1)


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's (a, b) of this module's `NUM_PERM` affine permutations, as columns.

    Drawn as datasketch's `MinHash` draws them for `SCHEME` from `SEED`: odd multipliers a and
    offsets b from numpy's legacy `RandomState`, whose streams numpy keeps fixed, so the values
    are its own (tests/test_stories.py compares them with datasketch's). datasketch itself is
    not imported: it loads scipy and 40 MB with it into every worker that signs a text.
    """
    draw = np.random.RandomState(SEED)
    first = draw.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    second = draw.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return first[:, None], second[:, None]


def _premix(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer that datasketch's "affine32" scheme applies to every
    input hash before its permutations (a fixed bijection; multiplication wraps mod 2^32)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def signature(text: str) -> list[int]:
    """The MinHash signature of a text's shingles (`NUM_PERM` unsigned 32-bit values).

    Shingles are hashed with CRC-32 (C speed, the same in every process and release), then
    mapped by datasketch's "affine32" permutations: value k is the least of
    a_k * fmix(h) + b_k (mod 2^32) over the shingles' hashes h. The arithmetic is
    datasketch's `MinHash.update_batch` on one (permutations x shingles) uint32 array, without
    a set of shingle bytes or a copied MinHash per text; tests/test_stories.py holds the values
    equal to datasketch's own, so stored signatures stay comparable (`SCHEME`, `SEED`).
    """
    first, second = _permutations()
    mixed = _premix(shingle_hashes(text))
    permuted = np.multiply(first, mixed)
    permuted += second
    return permuted.min(axis=1).tolist()


def similarity(first: Sequence[int], second: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the shingles behind two signatures."""
    return float(np.mean(np.asarray(first) == np.asarray(second)))


def bands() -> tuple[int, int]:
    """(bands, rows per band): datasketch's optimal layout for `THRESHOLD` and `NUM_PERM`
    (`MinHashLSH` with `LSH_WEIGHTS`), `BAND_LAYOUT`."""
    return BAND_LAYOUT


def _band_keys(signatures: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One 64-bit key per article for its values in `band`: equal values, equal keys (two
    different value runs sharing a key only add a candidate, which the check then drops)."""
    keys = np.zeros(signatures.shape[0], dtype=np.uint64)
    for row in range(band * rows, (band + 1) * rows):
        keys = keys * np.uint64(0x100000001B3) ^ signatures[:, row].astype(np.uint64)
    return keys


def _bucket_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (first, second) of articles with equal keys, without a Python step per bucket.

    Each article is paired with the members after it in its bucket; in a bucket that would give
    more than `MAX_BUCKET_PAIRS` pairs, every member is paired with the first only.
    """
    count = keys.shape[0]
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, count])
    size_of = np.repeat(sizes, sizes)
    rank = np.arange(count) - np.repeat(starts, sizes)
    big = size_of * (size_of - 1) // 2 > MAX_BUCKET_PAIRS
    partners = np.where(big, np.where(rank == 0, size_of - 1, 0), size_of - 1 - rank)
    position = np.repeat(np.arange(count), partners)
    offset = np.arange(partners.sum()) - np.repeat(np.cumsum(partners) - partners, partners)
    return order[position], order[position + 1 + offset]


def _candidate_pairs(signatures: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, of articles sharing a band bucket, as an (n, 2) array."""
    count = signatures.shape[0]
    band_count, rows = bands()
    found = []
    for band in range(band_count):
        first, second = _bucket_pairs(_band_keys(signatures, band, rows))
        low, high = np.minimum(first, second), np.maximum(first, second)
        found.append(low.astype(np.int64) * count + high)
    keys = np.concatenate(found)
    del found  # the bands' keys, as many again as the pairs: freed before the sort
    unique = _distinct(keys)
    del keys
    # written straight into the result: millions of pairs, no temporary column of each, as
    # 32-bit article positions (half the memory of the 64-bit keys)
    pairs = np.empty((unique.size, 2), dtype=np.int32)
    np.floor_divide(unique, count, out=pairs[:, 0])
    np.remainder(unique, count, out=pairs[:, 1])
    return pairs


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, sorted; `values` is sorted in place (no copy
    of millions of pair keys).

    A sort and a neighbour comparison: NumPy 2.3 and later answer `np.unique` on integers from
    a hash table, which is about 30 times slower than this when nearly every value is distinct
    (5.9 s against 0.2 s on 3 million pair keys), as candidate pairs are.
    """
    values.sort()
    if values.size == 0:
        return values
    return values[np.r_[True, values[1:] != values[:-1]]]


def group(signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stories of the articles whose signatures are the rows of `signatures`.

    Returns (story label per article, the linked pairs, their estimated similarity); two
    articles are in one story when a chain of pairs, each at least `THRESHOLD` similar, joins
    them.
    """
    pairs = _close_enough(signatures, _candidate_pairs(signatures))
    scores = np.mean(signatures[pairs[:, 0]] == signatures[pairs[:, 1]], axis=1)
    linked = pairs[scores >= THRESHOLD]
    return components(signatures.shape[0], linked), linked, scores[scores >= THRESHOLD]


def components(count: int, pairs: np.ndarray) -> np.ndarray:
    """The connected groups of `count` articles joined by `pairs` (rows of two indices): each
    article's label is the smallest index in its group.

    Each article's label names the root of its tree, an article of the same group. Each round,
    for every pair, the root of each end is hooked under the smaller of the two ends' labels;
    then every article is given its root's root until nothing changes (shortcutting), so the
    labels are roots again. Labels only fall, and only to an index of the same group; when a
    round changes nothing, the two ends of every pair share a label, so a whole group does.
    Hooking roots rather than articles makes a long chain settle in about log n rounds,
    whatever the order of its links (a shuffled chain of 200,000 links: 13 rounds, 0.1 s).

    The same groups as `scipy.sparse.csgraph.connected_components` (tests/test_stories.py),
    done with numpy alone: importing scipy.sparse took about 0.35 s of every build process,
    far more than grouping the 100,000-article benchmark's linked pairs this way (1 ms).
    """
    labels = np.arange(count)
    if len(pairs) == 0:
        return labels
    left, right = pairs[:, 0], pairs[:, 1]
    while True:
        lower = np.minimum(labels[left], labels[right])
        hooked = labels.copy()
        np.minimum.at(hooked, labels[left], lower)
        np.minimum.at(hooked, labels[right], lower)
        while not np.array_equal(jumped := hooked[hooked], hooked):
            hooked = jumped
        if np.array_equal(hooked, labels):
            return labels
        labels = hooked


def _close_enough(signatures: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The candidate pairs that may reach `THRESHOLD`, found on the low byte of each value.

    Equal values have equal low bytes, so the share of equal low bytes is never below the
    share of equal values: a pair it leaves out cannot be linked, and the pairs it keeps (a
    handful of the millions of candidates sharing one band bucket) are compared in full.
    Comparing a quarter of the bytes halves the comparison's time at 100,000 articles.
    """
    low = signatures.astype(np.uint8)
    keep = np.empty(len(pairs), dtype=bool)
    step = 50_000  # bounded memory however many pairs: 3 arrays of 6 MB at 128 values
    for start in range(0, len(pairs), step):
        chunk = pairs[start:start + step]
        keep[start:start + step] = np.count_nonzero(
            low[chunk[:, 0]] == low[chunk[:, 1]], axis=1) / signatures.shape[1] >= THRESHOLD
    return pairs[keep]


_READ = """
SELECT s.article_id, s.minhash, a.published
FROM article_signatures AS s JOIN articles AS a USING (article_id)
ORDER BY s.article_id
"""


def build_stories(con: duckdb.DuckDBPyConnection) -> None:
    """Fill `stories` from every stored signature: one row per article, naming its story.

    A story's canonical article is its earliest published one (then the first by article id);
    a story's id is its canonical article's id. `similarity` is the article's estimated
    similarity to the canonical one (1 for the canonical).
    """
    table = con.sql(_READ).to_arrow_table()
    if table.num_rows == 0:
        con.execute("DELETE FROM stories").fetchall()
        return
    ids = table["article_id"].to_pylist()
    published = table["published"].to_pylist()
    signatures = np.asarray(table["minhash"].combine_chunks().flatten().to_numpy(
        zero_copy_only=False), dtype=np.uint32).reshape(len(ids), NUM_PERM)
    # the signatures are a copy: the table (as large again at 100,000 articles) goes before
    # the grouping, the build's peak of memory when it adds a few articles to many
    del table
    # DuckDB's limit is not lowered for the grouping: inside an incremental build's
    # transaction a limit DuckDB cannot meet fails, and a failed statement aborts it
    labels = group(signatures)[0]
    canonical: dict[int, int] = {}
    for index, label in enumerate(labels):  # ids are sorted: the first wins a tie
        best = canonical.get(label)
        if best is None or _earlier(published[index], published[best]):
            canonical[label] = index
    sizes = np.bincount(labels)
    story_of = [canonical[label] for label in labels]
    rows = pa.table({
        "article_id": ids,
        "story_id": [ids[c] for c in story_of],
        "is_canonical": [c == i for i, c in enumerate(story_of)],
        "similarity": [1.0 if c == i else float(np.mean(signatures[i] == signatures[c]))
                       for i, c in enumerate(story_of)],
        "story_size": [int(sizes[label]) for label in labels],
    })
    # only the rows that changed are written: a build adding a few articles changes a few
    # stories, and rewriting all of them cost seconds of write-ahead log at 100,000 articles
    con.register("_stories", rows)
    try:
        warehouse.replace_differing_rows(
            con, "stories", "(SELECT article_id, story_id, is_canonical, similarity, "
            "story_size FROM _stories)", "article_id")
    finally:
        con.unregister("_stories")


def _earlier(first: object, second: object) -> bool:
    """Whether publication date `first` is earlier than `second` (an unknown date is last)."""
    if first is None:
        return False
    return second is None or first < second  # type: ignore[operator]
