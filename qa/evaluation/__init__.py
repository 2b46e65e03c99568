"""The evaluation harness: question files in, metrics, HTML and TREC reports out."""
