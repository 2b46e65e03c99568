"""Stages 3-6, answering: retrieve candidates (the Retriever seam), score and fuse,
re-score (the Rescorer seam), group copies and cite; ``engine.Assistant.ask`` runs them."""
