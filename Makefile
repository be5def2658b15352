# Two commands do all the set-up on a fresh Debian/Ubuntu machine with Python 3.11:
#   make demo   installs symprop into .venv and solves every example into output/
#   make test   installs symprop and its test tools into .venv and runs the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing; installing it with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p output
	@for f in examples/*.toml; do \
	  name=$$(basename $$f .toml); \
	  $(BIN)/symprop solve $$f --verify > output/$$name.txt || exit 1; \
	  $(BIN)/symprop solve $$f --format json > output/$$name.json || exit 1; \
	  echo "solved $$f -> output/$$name.txt, output/$$name.json ($$(tail -n 1 output/$$name.txt))"; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) output/*.txt output/*.json
