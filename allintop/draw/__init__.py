"""Pure drawing to cells: sparklines, braille charts, bars, heatmaps, tables. Data and
a size in, characters out; no Textual."""
