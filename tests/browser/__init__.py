"""Browser tests: the running app in headless Chromium (Playwright)."""
