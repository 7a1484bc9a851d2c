"""The daily digest: what is new since the last digest, by story, with evidence and links.

By job: period.py (the period a run covers), model.py and build.py (what is in it, from the database),
render.py (text and HTML), mail.py (the message and SMTP), send.py (one run: build, render, send, record).

Decisions an analyst or operator may want to know:

- **The period** is half-open, [since, until), in UTC. By default it starts where the last recorded digest
  ended (`digests.period_end`), or 24 hours before `until` when there is none, and ends now.
- **An article is in the period** when it was *tagged* within it (`articles.tagged_at`): that is when its
  incidents became visible to analysts, so an article crawled late or tagged after an NLP outage is not
  lost, whatever its publication date. The digest shows the article's *published* date. A re-tag (a new
  NLP version) rewrites `tagged_at`, so to keep a bulk re-tag of the archive out of the next digest, the
  article must also have been fetched (first stored, or its body last changed) no more than
  `RETAG_GRACE` before the period starts. Syndicated copies (`duplicate_of` set) never count.
- **Grouping**: one section per story (nlp/stories.py: one controversy of one accused company or set,
  across outlets and days) with original articles in the period: "New story" when all its articles are
  in the period, else "Update: 3 more articles, Tencent now denies" (a response that first appeared in
  the period). Each shows the one evidence sentence that says most about what is new (the new response's
  in an update, else the strongest incident sentence), a link to the story's timeline and the first
  report. A story that only gained syndicated copies is not repeated. New stories come first, then
  updates; incidents that no company carries follow.
- **Watchlists** (config/watchlists.yaml) with `digest` delivery get a section each, before the stories:
  the period's articles with an incident that matches the watchlist, newest first, with the matching
  evidence. Their recipients receive the digest too (unless --to is given).
- **Spikes** compare, per company x incident type, the articles *published* in the 24 hours before the
  period's end with the daily mean of the 14 days before those; a pair is flagged at `SPIKE_RATIO` times
  that mean or more and `SPIKE_MIN_ARTICLES` articles or more (any count >= the minimum when the earlier
  days had none). Publication dates, not fetch dates, so a first crawl's backfill is not a spike.
- **Crawl trouble**: the footer names the sources whose selectors matched nothing on some pages in the
  24 hours before the period's end (their site changed; the general extractor stood in), so someone fixes
  sources.yaml before extraction quality drops unnoticed, and the sources whose latest run in that window
  was blocked (robots.txt forbids their start URLs), which would otherwise look merely quiet. Neither makes
  an empty digest non-empty.
- **The summary** comes first in both parts: "N incidents in M articles: S stories (K new)", what "new"
  means (tagged since the last digest, or in the given period), the top SUMMARY_STORIES stories, the
  companies with the most stories, the watchlists, the spikes, each a link to its section in the HTML.
- **Size**: Gmail clips an HTML part beyond about 102 KB, so STORIES_SHOWN stories, WATCHLIST_ARTICLES_SHOWN
  articles per watchlist and UNATTRIBUTED_SHOWN unattributed articles are shown in full, and the rest are
  "and N more" links to Datasette; when long titles and sentences still pass HTML_BUDGET, each limit is
  halved until the part fits. Evidence is never shortened: a sentence is shown whole (wrapped in text).
- **Late news**: an article published LATE_PUBLICATION or more before the period (a first crawl's
  backfill, a late find) is marked "(published 2018-01-05, first seen 2025-03-21)".
- **Unknown organisations**: only those accused in an incident of the period, with a plausible name
  (nlp/names.py plausible_org_name), so that surnames and cut spans ("Hu", "Tracker Fund of") stay out.
- **Links** lead to Datasette at `digest.datasette_url`: a real send refuses a local address there, which
  no recipient could open; a dry run may use it, and says so.
- **Empty** means no incidents and no spikes; such a digest says so in one line and is sent only when
  `digest.send_empty` is on.
- **Recording**: a digest is recorded in `digests` only after the SMTP server accepted it; `items` is the
  number of incidents listed. A dry run writes the .eml and records nothing. A period already covered by
  a recorded digest (one whose period contains it) is not sent again unless --force.
- **Sending**: smtplib with STARTTLS, implicit TLS or none (`smtp.tls`), certificates verified against the
  system's CAs (or SSL_CERT_FILE), login when PRIVWATCH_SMTP_USER is set, `smtp.timeout` per attempt,
  `smtp.retries` more attempts with exponential backoff for transient failures (connection trouble,
  4xx replies); permanent ones (refused login, 5xx, TLS problems) fail at once.
- **Safety**: the HTML template autoescapes, only http(s) URLs become links, and every header value is
  stripped of control characters, so a title or company name can neither inject markup nor add a header.
"""
