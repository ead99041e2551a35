"""citymap: map a county's city-quality plan — works, sites, progress, coverage, maps, exports."""

from __future__ import annotations

__version__ = "0.1.0"
