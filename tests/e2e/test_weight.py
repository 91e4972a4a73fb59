"""Pages stay light for old phones and slow connections: under 100 KB each, no render-blocking script."""

from __future__ import annotations

import pytest

from .support import STEPS

BUDGET = 100 * 1024
PAGES = ["/", "/quiz/1", f"/quiz/{STEPS}", "error", "/report", "/no-such-page"]


@pytest.mark.parametrize("where", PAGES)
def test_page_weighs_under_100_kb_with_no_render_blocking_script(new_context, answered, finished, open_page, where):
    # A fresh context, so the cache is empty and every file counts, with the cookie of a quiz
    # answered (quiz pages) or finished (report); the error state needs nothing answered yet.
    if where == "error":
        context = new_context()
    else:
        context = new_context(storage_state=(answered if where.startswith("/quiz/") else finished).storage_state())
    requests = []
    context.on("requestfinished", lambda request: requests.append(request))
    page = open_page(where, context)
    page.wait_for_load_state("load")
    sizes = {request.url: request.sizes() for request in requests if request.url.startswith(("http:", "https:"))}
    total = sum(size["responseBodySize"] + size["responseHeadersSize"] for size in sizes.values())
    detail = ", ".join(f"{url.split('/', 3)[-1] or '/'}: {s['responseBodySize']} B" for url, s in sizes.items())
    assert total < BUDGET, f"{where} transfers {total / 1024:.1f} KB ({detail})"

    blocking = page.evaluate("""() => [...document.scripts]
        .filter(s => !s.src || !(s.defer || s.async || s.type === 'module'))
        .map(s => s.outerHTML.slice(0, 100))""")
    assert not blocking, f"{where} has inline or render-blocking scripts: {blocking}"
