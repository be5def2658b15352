# Two commands do all the set-up on a fresh Debian/Ubuntu machine with Python 3.11:
#   make demo   installs symprop (and TeX, as root) and solves every example into output/:
#               a worked solution (.txt), JSON, an answer sheet and a question sheet (PDF)
#   make test   installs symprop, its test tools and TeX, and runs the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Cyrillic (T2A: texlive-lang-cyrillic, its Type 1 fonts cm-super) and Greek (LGR and the CB
# fonts: texlive-lang-greek) for titles, notes and answers in those scripts (issue 14)
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-latex-extra \
                texlive-pictures lmodern poppler-utils \
                texlive-lang-cyrillic texlive-lang-greek cm-super
TEX_FILES    := tikz.sty booktabs.sty lastpage.sty longtable.sty lmodern.sty \
                t2aenc.def lgrenc.def lgrlmr.fd sfrm1095.pfb grmn1000.pfb

.PHONY: demo test bench install tex clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing; installing it with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

# pdflatex and the LaTeX packages the worksheets use; installed with apt-get when run as root.
tex:
	@missing=no; \
	command -v pdflatex >/dev/null && command -v pdftotext >/dev/null || missing=yes; \
	for f in $(TEX_FILES); do [ -n "$$(kpsewhich $$f 2>/dev/null)" ] || missing=yes; done; \
	if [ $$missing = yes ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing TeX (Debian packages: $(TEX_PACKAGES))"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(TEX_PACKAGES) >/dev/null; \
	  else \
	    echo "TeX is missing; PDFs need: sudo apt-get install $(TEX_PACKAGES)"; \
	  fi; \
	fi

demo: $(STAMP) tex
	@mkdir -p output
	@for f in examples/*.toml; do \
	  name=$$(basename $$f .toml); \
	  $(BIN)/symprop solve $$f --verify > output/$$name.txt || exit 1; \
	  $(BIN)/symprop solve $$f --format json > output/$$name.json || exit 1; \
	  $(BIN)/symprop solve $$f --pdf -o output/$$name.pdf > /dev/null || exit 1; \
	  $(BIN)/symprop solve $$f --pdf --questions -o output/$$name-questions.pdf > /dev/null || exit 1; \
	  echo "$$f -> output/$$name.{txt,json,pdf} and output/$$name-questions.pdf ($$(tail -n 1 output/$$name.txt))"; \
	done
	@for a in examples/answers/*.toml; do \
	  name=$$(basename $$a .toml); \
	  $(BIN)/symprop check examples/$$name.toml $$a --pdf -o output/$$name-feedback.pdf \
	    > output/$$name-check.txt 2>/dev/null; [ $$? -le 1 ] || exit 1; \
	  echo "checked $$a -> output/$$name-check.txt, output/$$name-feedback.pdf ($$(tail -n 1 output/$$name-check.txt))"; \
	done
	@for name in two_layer_relu skip_connection; do \
	  $(BIN)/symprop exam examples/$$name.toml --variants 20 --seed 2026 --out output/exam-$$name --gift --force || exit 1; \
	done
	@$(BIN)/python benchmarks/class_exam.py --demo-roster output/class-students.csv
	@$(BIN)/symprop exam examples/two_layer_relu.toml --roster output/class-students.csv --variants 4 --seed 2026 --out output/class --force
	@$(BIN)/python benchmarks/class_exam.py --responses output/class output/class-responses.csv
	@$(BIN)/symprop grade output/class output/class-responses.csv --force   # -> output/class/grading/
	$(BIN)/symprop web --out output/web --force   # the self-check page (serve it: symprop web --out output/web --serve)

test: $(STAMP) tex
	$(BIN)/python -m pytest -q

# issue 6's benchmarks (PyTorch columns need: $(BIN)/python -m pip install torch==2.13.0)
bench: $(STAMP) tex
	$(BIN)/python benchmarks/performance.py

clean:
	rm -rf $(VENV) output/*.txt output/*.json output/*.pdf output/*.tex
