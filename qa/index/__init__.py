"""Stage 2, index: passages, sentences, BM25 and vectors built, saved and loaded
(plain files and a JSON manifest, written atomically, checked on load)."""
