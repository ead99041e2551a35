"""Intake of files other offices send: formats, field mapping, values, hints.

- :mod:`.formats` — open anything GDAL reads (zips, FileGDB, KML folders, DXF, CSV/XLSX
  point tables) through pyogrio;
- :mod:`.mapping` — the file's fields → the layer's, constants, generated and stable ids;
- :mod:`.values` — numbers, years, dates and statuses as people write them;
- :mod:`.hints` — which CRS the coordinates fit, GCJ-02 data, GDAL's messages.

:func:`citymap.io.importer.import_sites` puts them together.
"""
