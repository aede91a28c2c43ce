"""Figures for docs/security.md, printed at the end of a run that included these tests."""

from dataclasses import dataclass, field

import pytest


@dataclass
class Tally:
    started: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)
    rss: float = 0.0

    def start(self, case):
        self.started.append(case.name)

    def finish(self, case, outcome, *, seconds, peak_mb, rss_mb):
        self.outcomes[case.name] = outcome
        self.seconds[case.name] = seconds
        if peak_mb is not None:
            self.peaks[case.name] = peak_mb
        self.rss = max(self.rss, rss_mb)

    def lines(self) -> list[str]:
        if not self.started:
            return []
        unfinished = [name for name in self.started if name not in self.outcomes]
        values = list(self.outcomes.values())
        lines = [
            f"hostile files tried: {len(self.started)}; refused {values.count('refused')} / "
            f"imported {values.count('imported')} / failed or crashed {len(unfinished)}"
        ]
        if self.seconds:
            slowest = max(self.seconds, key=self.seconds.get)
            lines.append(f"slowest pass: {self.seconds[slowest]:.1f} s ({slowest})")
        if self.peaks:
            largest = max(self.peaks, key=self.peaks.get)
            lines.append(
                f"largest traced dry-run peak: {self.peaks[largest]:.1f} MB ({largest}); "
                f"process peak RSS {self.rss:.0f} MB"
            )
        lines.extend(f"not finished: {name}" for name in unfinished)
        return lines


TALLY = Tally()


@pytest.fixture
def hostile_tally():
    return TALLY


def pytest_terminal_summary(terminalreporter):
    lines = TALLY.lines()
    if lines:
        terminalreporter.section("hostile files")
        for line in lines:
            terminalreporter.write_line(line)
