"""True/false positive counting shared by the benchmark scripts."""
from __future__ import annotations


class Score:
    """TP / FP / FN counts of one detector, with precision, recall and a printed row."""

    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def add(self, tp=0, fp=0, fn=0):
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def row(self, name, ms=None, width: int = 34, digits: int = 3):
        ms_s = "" if ms is False else (f"{ms:8.1f}" if ms is not None else "       -")
        return (f"{name:{width}s} {self.tp:5d} {self.fp:5d} {self.fn:5d}   {self.precision:6.{digits}f} "
                f"{self.recall:6.{digits}f} {ms_s}").rstrip()
