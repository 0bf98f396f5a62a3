# Two entry points for a fresh machine (both idempotent, fast the second time):
#   make demo   set up, then run the seed "Signatures" example (Python and Java)
#   make test   set up, then run every test (pytest, then the JUnit tests through Gradle)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Gradle runs the Java example and JUnit tests through numlite-java, hosted by this Python
GRADLE := gradle --quiet --no-daemon -PnumlitePython=$(abspath $(PY))
STAMP  := $(VENV)/.installed

.PHONY: demo test setup java-deps bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,java]'
	touch $(STAMP)

# JDK, Gradle and JUnit 4 come from Debian's packages when missing (no Maven repository is reachable).
java-deps:
	@if ! command -v javac >/dev/null || ! command -v gradle >/dev/null || [ ! -f /usr/share/java/junit4.jar ]; then \
	  echo "installing JDK, Gradle and JUnit 4 from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    default-jdk-headless gradle junit4 >/dev/null; \
	fi

demo: $(STAMP) java-deps
	$(PY) examples/python/signatures.py
	$(GRADLE) runExample

test: $(STAMP) java-deps
	$(PY) -m pytest -q
	$(GRADLE) test

bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) benchmarks/invoke_latency.py
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) benchmarks/java_runsignature.py

clean:
	rm -rf $(VENV) build .gradle
