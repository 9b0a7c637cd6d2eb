"""The random-clicking monkey: a seeded random walk over one AppTest session after another.

A walk opens its target (app.py, the router, or one page of app_pages/), then repeats: pick
an interaction at random among what is on screen (tests/support/monkey_actions.py), send it,
check the screen (tests/support/monkey_checks.py). A failure is recorded with the seed and
the trail of interactions since the session opened, then the walk goes on in a fresh session
so that one defect does not hide the next. The same target and seed replay the same
choices (up to the app's own unseeded randomness, e.g. "Load digit").
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import patch

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.support import monkey_actions as actions
from tests.support import monkey_checks as checks
from tests.support import monkey_protocol as protocol
from ui.session.lesson_links import LESSONS

ROOT = Path(__file__).resolve().parents[2]
ROUTER = "app.py"
PAGES = [f"app_pages/{path.name}" for path in sorted((ROOT / "app_pages").glob("*.py"))]
DEFAULT_RNG = np.random.default_rng
RUN_TIMEOUT = 60.0  # seconds for one rerun; longer is reported as a hang


@dataclass
class Failure:
    """What went wrong, and how to get there again."""

    target: str
    seed: int
    step: int  # the walk's interaction number (1-based) that showed it
    trail: list[str]  # this session's interactions, the failing one last
    problems: list[str]

    @property
    def signature(self) -> str:
        """The first problem without its numbers: repeats of one defect share it."""
        first = self.problems[0].splitlines()[0]
        return re.sub(r"\d+(\.\d+)?(e[+-]?\d+)?", "#", first)[:160]

    def report(self) -> str:
        lines = [f"monkey failure: target {self.target}, seed {self.seed}, interaction "
                 f"{self.step} ({len(self.trail)} since the session opened)",
                 *(f"  PROBLEM {p}" for p in self.problems), "  trail (replay by hand):",
                 *(f"    {t}" for t in self.trail)]
        return "\n".join(lines)


@dataclass
class WalkResult:
    target: str
    seed: int
    interactions: int = 0
    sessions: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # every interaction of the walk, in order

    def first_steps(self) -> dict[str, int]:
        """Each distinct failure and the interaction that first showed it."""
        found: dict[str, int] = {}
        for failure in self.failures:
            found.setdefault(failure.signature, failure.step)
        return found

    def report(self, replay: str = "") -> str:
        """Every distinct failure once, in full; repeats as a count."""
        parts, seen = [], {}
        for failure in self.failures:
            seen.setdefault(failure.signature, []).append(failure)
        for same in seen.values():
            parts.append(same[0].report() + (f"\n  (and {len(same) - 1} more times, at "
                                             f"interactions {[f.step for f in same[1:]]})"
                                             if len(same) > 1 else ""))
        head = (f"{len(seen)} distinct failure(s) in {self.interactions} interactions "
                f"({self.sessions} sessions) of the monkey on {self.target}, seed {self.seed}."
                + (f" Replay: {replay}" if replay else ""))
        return "\n\n".join([head, *parts])


class Walk:
    """``steps`` random interactions on ``target`` (a path relative to the repo, or absolute)."""

    def __init__(self, target: str, seed: int, steps: int, *, timeout: float = RUN_TIMEOUT):
        self.target, self.seed, self.steps, self.timeout = target, seed, steps, timeout
        # an absolute path (a test's temporary script) seeds by its file name: its folder
        # changes from run to run, and the same seed must replay the same walk
        name = Path(target).name if Path(target).is_absolute() else target
        self.rng = random.Random(f"{name}|{seed}")
        self.app_rng = random.Random(f"{name}|{seed}|app")  # apart: caches change its use
        self.router = target == ROUTER
        self.result = WalkResult(target, seed)
        self.at: AppTest | None = None
        self.trail: list[str] = []
        self.memory = actions.Memory()
        self.browser = protocol.Browser(timeout)

    def run(self) -> WalkResult:
        start = time.perf_counter()
        with patch.object(np.random, "default_rng", self._default_rng):
            while self.result.interactions < self.steps:
                if self.at is None:
                    self._interact(self._open(), opening=True)
                else:
                    pages = PAGES if self.router else []
                    self._interact(actions.choose(self.rng, self.at, pages, self.memory))
        self.result.seconds = time.perf_counter() - start
        return self.result

    def _default_rng(self, seed=None) -> np.random.Generator:
        """numpy's default_rng, seeded from the walk when the app asks for fresh entropy
        ("Load digit", a random kernel), so that a seed replays the same walk."""
        return DEFAULT_RNG(self.app_rng.getrandbits(64) if seed is None else seed)

    def _open(self) -> protocol.Action:
        """A fresh session on the target; through the router, sometimes from a lesson link or
        in presenter mode, as a shared link opens it."""
        self.at = AppTest.from_file(str(ROOT / self.target), default_timeout=self.timeout)
        self.result.sessions += 1
        self.trail, self.memory = [], actions.Memory()
        self.browser = protocol.Browser(self.timeout)
        params = {}
        if self.router and self.rng.random() < 0.2:
            params["lesson"] = self.rng.choice([*LESSONS, "no-such-lesson"])
        if self.router and self.rng.random() < 0.15:
            params[self.rng.choice(("present", "tables"))] = "1"
        for name, value in params.items():
            self.at.query_params[name] = value
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        return protocol.Action(f"open {self.target}{query} in a new session")

    def _interact(self, action: protocol.Action, *, opening: bool = False) -> None:
        at = self.at
        self.result.interactions += 1
        self.trail.append(f"{self.result.interactions}. {action.text}")
        self.result.log.append(self.trail[-1])
        try:
            if action.prepare is not None:
                action.prepare()
            was_valid = checks.drawing_problem(checks.current_drawing(at)) is None
            if opening:
                at.run()
            else:
                self.browser.send(at, action.changed, omit=action.omit)
        except RuntimeError as error:
            if "timed out" not in str(error):
                raise
            self._fail([f"the rerun did not finish within {self.timeout:.0f} s: {error}"])
            return
        except Exception as error:  # a bug in the monkey itself: say where it walked
            error.add_note(f"monkey on {self.target}, seed {self.seed}; trail:\n"
                           + "\n".join(self.trail))
            raise
        found = checks.problems(at, drawing_was_valid=was_valid)
        if found:
            self._fail(found)

    def _fail(self, problems: list[str]) -> None:
        self.result.failures.append(Failure(self.target, self.seed, self.result.interactions,
                                            list(self.trail), problems))
        self.at = None  # go on in a fresh session
