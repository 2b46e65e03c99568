"""Stage 1, ingest: files to Articles (decode, metadata, page furniture out, datelines),
and the splitter and tokenizer every later stage shares."""
