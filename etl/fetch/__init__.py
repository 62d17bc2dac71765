"""Following sources on the web: `python -m etl fetch URL...` and `--feeds feeds.toml`.

The modules, in the order a fetch runs through them:

- `safety`: which URLs may be requested at all (http(s) only; no loopback, link-local or
  private addresses unless IM_FETCH_ALLOW_PRIVATE), checked before a connection is opened and
  again on the connected socket;
- `client`: the polite HTTP client (robots.txt, per-host pacing and concurrency cap, retries
  with backoff, timeouts, size limit, redirects re-checked hop by hop);
- `robots`: robots.txt rules per site, via `urllib.robotparser`;
- `feeds`: the feeds file, and the items of RSS/Atom feeds (feedparser) and sitemaps;
- `article`: a fetched page as an article (trafilatura) and as the Markdown file saved;
- `store`: the article folder's hidden `.fetch/` area: raw responses, the fetch log, the URLs
  already seen and each feed's state;
- `run`: fetching many URLs and feeds, one outcome per URL;
- `cli`: the `fetch` sub-command.

docs/fetch.md describes the rules for operators.
"""
