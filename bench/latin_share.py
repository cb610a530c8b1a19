"""How much of the Urdu site is still in Latin letters (issue #17: under 5% outside proper names).

Signs in as each demo role (and as nobody), walks the Urdu pages each one can reach by following the
site's own links from its start pages (breadth first, up to MAXPAGES a role, GET only), and counts the
visible words: a word in Arabic script is Urdu, a word of two or more Latin letters is Latin. What a
person typed or a code written left to right is left out, because the templates isolate it (an
element with <bdi>, dir="auto" or dir="ltr", <code>, <kbd>, or a run between the isolate marks
U+2066/U+2068 and U+2069): company, space and people's names, addresses, references and fiscal-year
codes are proper names, the same in both languages. Scripts, styles and SVG are not text.

Run on a copy of the demo database (the crawl signs in, which writes sessions):

    make demo            # or: manage.py migrate && manage.py load_demo
    .venv/bin/python bench/latin_share.py [path/to/demo.sqlite3]

Prints, per role, the pages read, the words and the Latin share; the overall share; the Latin words
seen most often and the pages with the largest share. Environment: MAXPAGES (40), SHOW (30), WORD (list the
pages where this Latin word is seen).
"""

import os
import re
import shutil
import sys
import tempfile
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROLES = [
    None,  # the public
    "operator@demo.sahulat.pk",
    "freelancer@demo.sahulat.pk",
    "officer@demo.sahulat.pk",
    "reviewer@demo.sahulat.pk",
    "chair@demo.sahulat.pk",
    "maker@demo.sahulat.pk",
    "checker@demo.sahulat.pk",
    "ministry@demo.sahulat.pk",
    "steward@demo.sahulat.pk",
    "integrity@demo.sahulat.pk",
    "inspector@demo.sahulat.pk",
    "desk@demo.sahulat.pk",
    "coordinator@demo.sahulat.pk",
    "liaison@demo.sahulat.pk",
]
# Not pages of the Urdu site: the admins (English tools for a few staff), signing out, downloads.
SKIP = re.compile(
    r"^/ur/(django-admin|cms-admin|admin|documents/|accounts/logout)|/download|\.(pdf|xlsx|csv|json|zip)$"
)
SKIPPED_TAGS = {"script", "style", "svg", "template", "code", "kbd"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LATIN = re.compile(r"[A-Za-z]{2,}")
URDU = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]+")
ISOLATED = re.compile(r"[\u2066\u2067\u2068][^\u2069]*\u2069")


class Visible(HTMLParser):
    """The page's visible text outside isolated runs, and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.skipping: str | None = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag in VOID:
            return
        if self.skipping:
            if tag == self.skipping:
                self.depth += 1
            return
        if tag in SKIPPED_TAGS or tag == "bdi" or attributes.get("dir") in ("auto", "ltr"):
            self.skipping, self.depth = tag, 1

    def handle_endtag(self, tag):
        if self.skipping and tag == self.skipping:
            self.depth -= 1
            if self.depth == 0:
                self.skipping = None

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def words(html: str) -> tuple[list[str], list[str], list[str]]:
    parser = Visible()
    parser.feed(html)
    text = ISOLATED.sub(" ", " ".join(parser.text))
    return LATIN.findall(text), URDU.findall(text), parser.links


def crawl(client, starts: list[str], limit: int):
    seen, queue, pages = set(starts), deque(starts), []
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        latin, urdu, links = words(response.content.decode())
        pages.append((path, latin, urdu))
        for href in links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/ur/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and not SKIP.search(parts.path) and "page=" not in parts.query:
                seen.add(target)
                queue.append(target)
    return pages


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "db.sqlite3")
    if not source.exists():
        sys.exit(f"No demo database at {source}: run `make demo` (or load_demo) first.")
    workdir = tempfile.mkdtemp(prefix="latin-")
    copy = Path(workdir) / "demo.sqlite3"
    shutil.copy(source, copy)
    os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.dev")
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the 403s and 404s a crawl meets
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    limit = int(os.environ.get("MAXPAGES", "40"))
    show = int(os.environ.get("SHOW", "30"))
    context = os.environ.get("WORD", "")  # print the pages where this Latin word is seen
    total_latin, total_urdu, common, worst = 0, 0, Counter(), []
    print(f"{'role':34} {'pages':>5} {'words':>7} {'Latin':>6}")
    try:
        for email in ROLES:
            client = Client()
            starts = ["/ur/"]
            if email:
                user = User.objects.filter(email=email).first()
                if user is None:
                    print(f"{email:34} (not in this database)")
                    continue
                client.force_login(user)
                landing = client.get("/ur/accounts/home/")
                starts = ["/ur/", *([landing["Location"]] if landing.status_code == 302 else [])]
            pages = crawl(client, starts, limit)
            latin = sum(len(p[1]) for p in pages)
            urdu = sum(len(p[2]) for p in pages)
            total_latin += latin
            total_urdu += urdu
            for path, page_latin, page_urdu in pages:
                common.update(page_latin)
                if context and context in page_latin:
                    print(f"  {context} on {path}")
                if page_latin or page_urdu:
                    worst.append((len(page_latin) / (len(page_latin) + len(page_urdu)), path, email or "public"))
            share = 100 * latin / max(latin + urdu, 1)
            print(f"{email or 'public':34} {len(pages):>5} {latin + urdu:>7} {share:>5.1f}%")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\nLatin share of the Urdu pages' words: {100 * total_latin / max(total_latin + total_urdu, 1):.1f}% "
        f"({total_latin} of {total_latin + total_urdu} words)"
    )
    print(f"\nLatin words seen most often: {', '.join(f'{w} {n}' for w, n in common.most_common(show))}")
    print("\nPages with the largest Latin share:")
    for share, path, who in sorted(worst, reverse=True)[:15]:
        print(f"  {100 * share:5.1f}%  {path}  ({who})")


if __name__ == "__main__":
    main()
