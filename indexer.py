"""Index the corpus: `python indexer.py [--corpus DIR] [--index DIR] [--rebuild] [--jobs N]`.

A thin shim over `kil-search index`, so both run the same code.
"""

import sys

from kil_search.cli import main

if __name__ == "__main__":
    sys.exit(main(["index", *sys.argv[1:]], prog_name="indexer.py"))
