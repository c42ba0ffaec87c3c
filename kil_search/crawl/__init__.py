"""The crawler: fetch a site's pages and linked PDFs into the corpus, politely and safely."""

from .crawler import CRAWLED_FOLDER, CrawlSummary, crawl_site
from .fetch import user_agent

__all__ = ["CRAWLED_FOLDER", "CrawlSummary", "crawl_site", "user_agent"]
