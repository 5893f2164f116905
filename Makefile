# The two commands a newcomer runs: `make run` and `make test`.
CARGO ?= cargo
BIN := target/debug/sockspec

.PHONY: build run test lint bench

build:
	$(CARGO) build --quiet

# The built-in suite against the built-in reference peers of every role, once
# per contract shape, so that every scenario (framed or not, echo or fixed)
# is exercised.
run: build
	$(BIN) run --reply echo --framing none
	$(BIN) run --reply fixed:Thanks --framing line
	$(BIN) run --reply echo --framing len32

test:
	$(CARGO) test --workspace --quiet --no-fail-fast

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

# Benchmarks, not tests: nothing fails because a machine is slow. Writes
# the figures into BENCHMARKS.md under LABEL (default "current").
bench:
	$(CARGO) build --release --quiet
	python3 scripts/bench.py target/release/sockspec --out BENCHMARKS.md --label "$${LABEL:-current}"
