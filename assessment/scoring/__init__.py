"""Marks per item and scores per region (see ``grid`` and ``scores``)."""

from assessment.scoring.grid import DIMENSIONS, Grid, Inputs, ItemMarks, item_grid
from assessment.scoring.scores import (
    Assessment,
    RegionScore,
    SchemeError,
    active_scheme,
    assess,
    rank,
)

__all__ = [
    "DIMENSIONS",
    "Assessment",
    "Grid",
    "Inputs",
    "ItemMarks",
    "RegionScore",
    "SchemeError",
    "active_scheme",
    "assess",
    "item_grid",
    "rank",
]
