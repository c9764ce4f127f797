"""Reading an edition, from file to records — the stages in the order they run:

1. `read/`      a file (extracted text, PDF, XLSX; told apart by content) → source rows with provenance
2. `table`      source rows → title, as-of date, header (by meaning), data rows of seven fields; cells cleaned
3. `entries`    the row and entry types the assembly works on (shared by the next two stages)
4. `assemble`   data rows → program entries (continuations, lost left cells, repeated rows)
5. `orphans`    rows printed before a page header, given to the entry the evidence says they open
6. `build`      entries → contract records (text forms, partners, start years, warnings)
7. `edition`    the entry point: `read_edition(path)` runs them all

Each stage imports only the ones before it (import-linter checks the layers).
"""
