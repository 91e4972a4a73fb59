"""Browser tests: Playwright driving Chromium against the app served in-process."""
