"""Scrapy settings for privwatch's crawlers. `crawlers.runner` overlays the values from
config/settings.yaml (user agent, concurrency, timeouts, size limit, retries) at run time."""

BOT_NAME = "privwatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "privwatch/0.1 (+https://github.com/privwatch/privwatch)"
ROBOTSTXT_OBEY = True

# Polite by default: a few requests per domain, adaptive delays, bounded pages.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
REDIRECT_MAX_TIMES = 5

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Backoff between retries: base * 2**attempt seconds, or the server's Retry-After, capped.
PRIVWATCH_RETRY_BACKOFF_BASE = 1.0
PRIVWATCH_RETRY_MAX_DELAY = 120.0

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control would listen on a local port in every crawl (and import aiohttp to do so)
REMOTE_CONTROL_ENABLED = False
HTTPERROR_ALLOW_ALL = False
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawlers.middlewares.OffsiteRedirectsMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.RobotsPolicyMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryWithBackoffMiddleware": 550,
    "crawlers.middlewares.SkipStoredArticlesMiddleware": 560,
    "crawlers.middlewares.ArticleLimitMiddleware": 570,
    "crawlers.middlewares.ExtractionBackpressureMiddleware": 580,
}
DOWNLOAD_HANDLERS = {
    "http": "crawlers.handlers.StoppableHTTPDownloadHandler",
    "https": "crawlers.handlers.StoppableHTTPDownloadHandler",
}
EXTENSIONS = {
    "crawlers.runs.CrawlRunRecorder": 100,
    "crawlers.progress.CrawlProgress": 200,
}
# How often a crawl prints its progress line on stderr (0: never).
PRIVWATCH_PROGRESS_SECONDS = 10
# Whether Scrapy's log keeps the traceback of each failure (`privwatch crawl -v`), or says it in one line.
PRIVWATCH_LOG_TRACEBACKS = False
ITEM_PIPELINES = {
    "crawlers.pipelines.ValidatePipeline": 100,
    "crawlers.pipelines.NormalisePipeline": 200,
    "crawlers.pipelines.BodyBudgetPipeline": 250,
    "crawlers.pipelines.DedupePipeline": 300,
    "crawlers.pipelines.SelectorMissPipeline": 400,
    "crawlers.pipelines.StorePipeline": 900,
}
# How many articles the store pipeline writes per transaction, and how often (seconds) it writes a batch
# that is not full yet (0: only full batches and the last one).
PRIVWATCH_STORE_BATCH = 50
PRIVWATCH_STORE_FLUSH_SECONDS = 5.0
# How many listing pages one run follows through "next page" links at most.
PRIVWATCH_MAX_LISTING_PAGES = 5
# Sitemap indexes: how many child sitemaps one index gives (the newest by <lastmod> first), and how many
# levels of indexes below a start sitemap are followed. Article URLs one run fetches per source (stored
# articles do not count). settings.yaml's crawl section overrides all three; what they cut is counted in a
# crawl_warnings row of kind "limits".
PRIVWATCH_MAX_CHILD_SITEMAPS = 50
PRIVWATCH_MAX_SITEMAP_DEPTH = 3
PRIVWATCH_MAX_ARTICLES_PER_RUN = 1000
# Extraction of one page (crawlers/extraction_pool.py): how many worker processes (None: min(2, cores);
# 0: in the crawl's own process, without the time and memory limits) and the budget of one page.
PRIVWATCH_EXTRACT_WORKERS = None
PRIVWATCH_EXTRACT_TIMEOUT = 10.0
PRIVWATCH_EXTRACT_MEMORY = 1024**3
PRIVWATCH_MAX_PAGE_TAGS = 200_000
# The longest body stored (BodyBudgetPipeline): a longer one is cut at a paragraph boundary and flagged.
PRIVWATCH_MAX_BODY_CHARS = 200_000
PRIVWATCH_MAX_BODY_PARAGRAPHS = 2_000

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
