"""The offline preview of the site, checked in a real browser: Debian's chromium, driven by Playwright (no browser download).

    python tools/docs_preview.py && python tools/site_check.py     # prints one line per problem; exits 1 if there is any

Every page of _preview/ must load without a console error or a failed request, resolve its internal links and images,
show its equations drawn (MathML: no raw `$...$`, `\\frac` or `\\(` left in the text) and no traceback in an output.
Screenshots of three pages are saved in _preview/screenshots/, for a person to look at.
"""
import functools, html, re, shutil, sys
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ('index', 'dann', 'cli')
FONT_HOSTS = ('fonts.googleapis.com', 'fonts.gstatic.com')   # the theme's web font: offline, the browser falls back to a system font
RAW_LATEX = re.compile(r'\\(?:frac|sum|mathbb|mathcal|lambda|alpha|beta|hat|big|left|right)\b|\\[()\[\]]|\$[^$\s][^$\n]{0,80}\$')
# inside an equation: a backslash left over is a macro the MathML conversion did not know, merror an error it reported
MATH_TEXT = "() => [...document.querySelectorAll('math')].filter(m => m.textContent.includes('\\\\') || m.querySelector('merror')).map(m => m.textContent)"
# the page's prose and outputs without code (code may hold a `$` or a backslash legitimately)
VISIBLE_TEXT = """() => { const b = document.body.cloneNode(true);
  b.querySelectorAll('pre, code, script, style, math, .sourceCode, nav, #quarto-search-results').forEach(e => e.remove());
  return b.innerText; }"""


def chromium() -> str | None:
    return shutil.which('chromium') or shutil.which('chromium-browser')


@functools.lru_cache(maxsize=None)
def page_ids(page: Path) -> frozenset:
    "Every id an element of `page` carries: where a link's #fragment may land."
    return frozenset(html.unescape(m) for m in re.findall(r'\sid="([^"]*)"', page.read_text(errors='replace')))


def has_anchor(page: Path, fragment: str) -> bool:
    return fragment in page_ids(page)


def check(site: Path, shots: Path | None = None) -> list[str]:
    "Problems found on the pages of `site`, one line each."
    from playwright.sync_api import sync_playwright
    problems = []
    pages = sorted(site.glob('*.html'))
    if not pages: return [f'{site}: no pages (run tools/docs_preview.py first)']
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=['--no-sandbox'])
        context = browser.new_context(viewport={'width': 1280, 'height': 900})
        context.route(re.compile(r'^https?://'), lambda route: route.abort())     # offline: anything remote must not be needed
        for path in pages:
            page, where = context.new_page(), path.name
            errors = []
            page.on('console', lambda m: errors.append(f'console {m.type}: {m.text}')
                    if m.type == 'error' and urlparse(m.location.get('url', '')).hostname not in FONT_HOSTS else None)
            page.on('pageerror', lambda e: errors.append(f'script error: {e}'))
            page.on('requestfailed', lambda r: errors.append(f'failed to load {r.url}') if urlparse(r.url).hostname not in FONT_HOSTS else None)
            page.goto(path.as_uri(), wait_until='networkidle')
            problems += [f'{where}: {e}' for e in errors]
            if not page.title(): problems.append(f'{where}: no title')
            for href in page.eval_on_selector_all('a[href]', 'els => els.map(e => e.getAttribute("href"))'):
                url = urlparse(href)
                if url.scheme: continue
                target = path.parent / unquote(url.path) if url.path else path
                if not target.exists(): problems.append(f'{where}: broken link {href}'); continue
                if url.fragment and target.suffix == '.html' and not has_anchor(target, unquote(url.fragment)):
                    problems.append(f'{where}: broken anchor {href} (no element with that id on {target.name})')
            for src, width in page.eval_on_selector_all('img', 'els => els.map(e => [e.getAttribute("src"), e.naturalWidth])'):
                if not width: problems.append(f'{where}: image not shown {str(src)[:80]}')
            for bad in page.evaluate(MATH_TEXT)[:3]: problems.append(f'{where}: an equation not converted: {bad[:80]!r}')
            text = page.evaluate(VISIBLE_TEXT)
            for m in list(RAW_LATEX.finditer(text))[:3]: problems.append(f'{where}: raw LaTeX in the text: ...{text[max(0, m.start() - 30):m.end() + 30]!r}...')
            if 'Traceback (most recent call last)' in text: problems.append(f'{where}: a traceback in an output')
            if shots is not None and path.stem in SCREENSHOTS:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / f'{path.stem}.png'), full_page=False)
            page.close()
        browser.close()
    return problems


if __name__ == '__main__':
    if not chromium(): sys.exit('chromium is not installed: apt-get install chromium')
    site = ROOT / '_preview'
    found = check(site, site / 'screenshots')
    print('\n'.join(found) or f'{len(list(site.glob("*.html")))} pages checked: no problem; screenshots in {site / "screenshots"}')
    sys.exit(1 if found else 0)
