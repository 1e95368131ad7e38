# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/peerpath?sslmode=disable
export REDIS_URL ?= redis://127.0.0.1:6379/0

GO ?= go
STATICCHECK_VERSION := v0.8.2
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
NPM_STAMP := frontend/node_modules/.package-lock.json

.PHONY: run build frontend services test check go-test fuzz frontend-test e2e chromium os-packages tools bench clean

## run: start services, build everything, migrate, load the demo, serve on http://127.0.0.1:8080
run: services build
	bin/peerpath migrate
	bin/peerpath demo
	@echo
	@echo "Open http://127.0.0.1:8080 — the development mailbox is at http://127.0.0.1:8080/dev/mail"
	exec bin/peerpath serve

## test: everything, against real PostgreSQL, Redis and Chromium
test: services check go-test fuzz frontend-test e2e
	@echo "make test: all green"

services:
	@scripts/services.sh --create-db

build: frontend
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/peerpath ./cmd/peerpath

$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: $(NPM_STAMP)
	cd frontend && npm run build

tools: bin/staticcheck
bin/staticcheck:
	GOBIN=$(CURDIR)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

check: tools
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	bin/staticcheck ./...

go-test: os-packages
	$(GO) test -race -timeout 15m ./...

# fuzz: a few seconds of new inputs for every fuzz target (go-test already runs their seed corpora
# in testdata/fuzz/). -fuzz takes one target per package, so each gets its own run; a failing
# input is saved beside the target's seeds. Shrinking each new input may take a minute by default,
# which would leave a short run no time to fuzz, so it is bounded. The budget is a count of
# inputs, not a time: with Go 1.26 a -fuzztime duration can end in a spurious "context deadline
# exceeded" failure when a worker is busy at the deadline (go.dev/issue/75804, fixed in Go 1.27).
# 50,000 inputs take about 4-12 s per target here.
FUZZTIME ?= 50000x
FUZZ_TARGETS := ./courses:FuzzGradeAnswers ./courses:FuzzParsePeopleCSV ./courses/content:FuzzLoadQuiz \
	./courses/content:FuzzLoadModule ./server/rooms:FuzzDecodeAndApply ./server/rooms:FuzzDecodeStrict
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: $${t#*:} ($${t%%:*}), -fuzztime $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 500x "$${t%%:*}"; \
	done

frontend-test: $(NPM_STAMP)
	cd frontend && npm test

# Debian packages the tests use: Chromium for the browser tests, poppler-utils (pdftotext,
# pdftoppm, pdffonts, pdfinfo) to read the certificates the tests produce.
os-packages:
	@missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "installing Debian packages for the tests:$$missing"; \
	      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else echo "missing Debian packages for the tests:$$missing (sudo apt-get install -y$$missing)"; exit 1; fi; \
	  fi

chromium: os-packages

e2e: os-packages build
	scripts/e2e.sh

## bench: every benchmark beside its baseline on fresh databases (under 10 minutes); writes docs/benchmarks.md and .svg
bench: services build
	bin/peerpath bench

clean:
	rm -rf bin frontend/node_modules
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
