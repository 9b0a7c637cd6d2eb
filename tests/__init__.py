"""CNN Playground's tests (a package, so that two test files may share a basename)."""
