# Two commands matter: `make run` (set up, index seeds/ if needed, serve the chat)
# and `make test` (set up, run every test). Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
QA := $(VENV)/bin/qa
CORPUS ?= seeds
INDEX ?= index
HOST ?= 127.0.0.1
PORT ?= 7860
SQUAD ?= ../shared/data/squad/dev-v1.1.json
WIKIQA ?= ../shared/data/wikiqa/WikiQA-test.tsv
STAMP := $(VENV)/.installed

export GRADIO_ANALYTICS_ENABLED := False
export GRADIO_TEMP_DIR := $(CURDIR)/.cache/gradio
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export OMP_WAIT_POLICY := PASSIVE

.PHONY: install browser index run serve test test-fast bench bench-ask bench-reqa bench-wikiqa bench-scale tune train-answer-model audit clean

install: $(STAMP)

# torch first and pinned: unpinned, pip would fetch a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check torch==2.13.0
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Debian's chromium for the browser tests (never `playwright install`: no downloads here).
browser:
	@bash scripts/install-chromium.sh

index: install
	$(QA) index $(CORPUS) --index $(INDEX) --if-stale

run: index
	$(QA) serve --host $(HOST) --port $(PORT) --index $(INDEX)

serve: run

test: install browser
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

bench: bench-ask bench-reqa bench-wikiqa bench-scale

bench-ask: install
	$(PY) bench/ask_latency.py --json .cache/bench-ask.json --docs docs/benchmarks.md

bench-reqa: install
	$(PY) bench/reqa_squad.py --squad $(SQUAD) --json .cache/bench-reqa.json

bench-wikiqa: install
	$(PY) bench/wikiqa.py --wikiqa $(WIKIQA) --study --json .cache/bench-wikiqa.json

# Choose the fusion weights on the three tuning halves (docs/tuning.md).
tune: index
	$(PY) bench/tune.py --questions $(CORPUS)/questions.jsonl --index $(INDEX) --split tune \
	    --squad $(SQUAD) --wikiqa $(WIKIQA) --half even --trials 4000 --json .cache/tune-even.json \
	    --squad-index .cache/squad-pool --wikiqa-index .cache/wikiqa-pool

# Train the answer-selection model (qa/answer/answer_model.py) from the bundled MiniLM on the
# tuning halves only, ~45 min on 2 cores (docs/answer-model.md). It writes to .cache/; copy
# the folder to models/answer-minilm/ to ship it, after bench/answer_model_eval.py.
train-answer-model: install
	$(PY) bench/train_answer_model.py --squad $(SQUAD) --wikiqa $(WIKIQA) --out .cache/answer-minilm \
	    --steps 3000 --minutes 42 --seed 13 --threads 2

bench-scale: install
	$(PY) bench/scale.py --json .cache/bench-scale.json
	$(PY) bench/plot_scale.py .cache/bench-scale.json

audit: install
	@bash scripts/audit.sh

clean:
	rm -rf .cache build *.egg-info .pytest_cache
