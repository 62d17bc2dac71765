"""Read the articles folder into plain `SourceRecord`s, reporting every file that cannot be used.

This package only turns bytes on disk into text plus metadata: it decodes, splits multi-record
files (.csv/.jsonl), strips HTML page chrome and a leading `SOURCE:` header, and merges metadata
from the manifest, the file itself and the header. It never edits the wording of the text; that is
`etl.normalize`'s job.

One module per step:

* `folder` lists the folder safely (links, odd names); `discover` picks the candidate files and
  reads their bytes within the size limit;
* `decode` turns bytes into text;
* `formats` holds one reader per file format (`text`: .txt/.md, `html`, `records`: .csv/.jsonl);
* `manifest` reads `manifest.csv`; `metadata` merges the metadata layers into a record;
  `dates` reads publication dates;
* `corpus` runs the steps over the folder (`read_corpus`) or one file (`read_file`).

Bad input never stops a run. Each unusable file or record becomes a `Problem` whose reason tells an
analyst what is wrong and what to do, and every other file still loads.
"""

from etl.sources.corpus import read_corpus, read_file

__all__ = ["read_corpus", "read_file"]
