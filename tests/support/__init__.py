"""Helpers shared by tests (tests never import other test modules): the random-clicking
monkey's inputs, its way of talking to AppTest like a browser, and its checks."""
