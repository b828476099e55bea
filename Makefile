# Fjord build, generation, lint and test entry points.
# `make test` works on a fresh machine: it builds the pinned tools from
# tools/go.mod and downloads Go modules itself.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := $(CURDIR)/.bin
TOOLS := $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc $(BIN)/staticcheck $(BIN)/grpcurl
# SDK code generators: grpcio-tools in a venv (clients/python/requirements-gen.txt),
# protoc-gen-es from npm (clients/typescript/package-lock.json), protoc and
# protoc-gen-grpc-java from Maven Central, pinned by version and sha256.
PYGEN := $(BIN)/pygen/bin/python
PROTOC_VERSION := 4.33.5
GRPC_JAVA_VERSION := 1.83.0
MAVEN_CENTRAL := https://repo1.maven.org/maven2
ARCH := $(shell uname -m | sed -e 's/^aarch64$$/aarch_64/' -e 's/^arm64$$/aarch_64/')
PROTOC_SHA256_x86_64 := e8d496f7dacade5bf42a11f4fbeb61e9bdfddd494fd292f5f1881ddc169e69cf
PROTOC_SHA256_aarch_64 := f5b75fc64531cc68201a955c496ddc1079be73e9d2acf3b39f275ba01545862f
GRPC_JAVA_SHA256_x86_64 := a19ae74aa4cb03e1d01269562ac6165ec32a848a7bebd032aea9a0b9569718ba
GRPC_JAVA_SHA256_aarch_64 := 3709e4e14a60f1564255b47f6e924372dff023a1866932022be4a1ef5d595443
SDK_GEN_TOOLS := $(PYGEN) $(BIN)/protoc-$(PROTOC_VERSION) $(BIN)/protoc-gen-grpc-java-$(GRPC_JAVA_VERSION) \
	clients/typescript/node_modules/.bin/protoc-gen-es
# Generated SDK code (deleted and rewritten by `make gen`).
SDK_GEN_DIRS := clients/python/src/fjord/v1 clients/typescript/src/gen clients/java/src/generated
GO_MODULES := . ./gen ./clients/go
# Core packages run under the race detector.
RACE_PKGS := ./storage/... ./server/... ./schemaregistry/...

.PHONY: all build run test test-go lint fmt gen checkgen breaking bench tools clean

all: build

## tools: build the pinned code generators and linters into .bin/
tools: $(TOOLS)
$(TOOLS): tools/go.mod tools/go.sum
	cd tools && GOWORK=off $(GO) build -o $(BIN)/ \
		github.com/bufbuild/buf/cmd/buf \
		google.golang.org/protobuf/cmd/protoc-gen-go \
		google.golang.org/grpc/cmd/protoc-gen-go-grpc \
		honnef.co/go/tools/cmd/staticcheck \
		github.com/fullstorydev/grpcurl/cmd/grpcurl
	@touch $(TOOLS)

$(PYGEN): clients/python/requirements-gen.txt
	rm -rf $(BIN)/pygen
	python3 -m venv $(BIN)/pygen
	$(BIN)/pygen/bin/pip install --quiet --disable-pip-version-check -r clients/python/requirements-gen.txt
	@touch $@

# fetch-exe URL SHA256 OUT: download a pinned executable and check its hash.
define fetch-exe
	@mkdir -p $(BIN)
	curl -fsSL --retry 3 -o $(3).tmp $(1)
	echo "$(2)  $(3).tmp" | sha256sum -c --quiet
	chmod +x $(3).tmp && mv $(3).tmp $(3)
endef

$(BIN)/protoc-$(PROTOC_VERSION):
	$(call fetch-exe,$(MAVEN_CENTRAL)/com/google/protobuf/protoc/$(PROTOC_VERSION)/protoc-$(PROTOC_VERSION)-linux-$(ARCH).exe,$(PROTOC_SHA256_$(ARCH)),$@)
	ln -sf protoc-$(PROTOC_VERSION) $(BIN)/protoc

$(BIN)/protoc-gen-grpc-java-$(GRPC_JAVA_VERSION):
	$(call fetch-exe,$(MAVEN_CENTRAL)/io/grpc/protoc-gen-grpc-java/$(GRPC_JAVA_VERSION)/protoc-gen-grpc-java-$(GRPC_JAVA_VERSION)-linux-$(ARCH).exe,$(GRPC_JAVA_SHA256_$(ARCH)),$@)
	ln -sf protoc-gen-grpc-java-$(GRPC_JAVA_VERSION) $(BIN)/protoc-gen-grpc-java

clients/typescript/node_modules/.bin/protoc-gen-es: clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## build: the fjord binary in bin/
build:
	$(GO) build -o bin/fjord ./cmd/fjord

## run: a single-node broker with data in ./fjord-data
run:
	$(GO) run ./cmd/fjord serve

## gen: regenerate code from proto/
gen: tools $(SDK_GEN_TOOLS)
	$(BIN)/buf generate
	cd gen && GOWORK=off $(GO) mod tidy
	rm -rf $(SDK_GEN_DIRS)
	$(BIN)/buf generate --template buf.gen.sdk.yaml

## checkgen: fail if generated code is stale
checkgen: gen
	@if [ -n "$$(git status --porcelain -- gen $(SDK_GEN_DIRS))" ]; then \
		echo "generated code is stale; run 'make gen' and commit:"; git status --porcelain -- gen $(SDK_GEN_DIRS); exit 1; fi

## lint: formatting, vet, staticcheck, buf lint and format
lint: tools
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(addsuffix /...,$(GO_MODULES))
	$(BIN)/staticcheck $(addsuffix /...,$(GO_MODULES))
	$(BIN)/buf lint
	$(BIN)/buf format -d --exit-code

## breaking: buf breaking against main
breaking: tools
	$(BIN)/buf breaking --against '.git#branch=main'

## test: everything CI runs
test: checkgen lint test-go test-sdks test-interop test-ui

# SDKs with their own suites (clients/<lang>/Makefile: setup, test, bench,
# interop-ready); each suite starts real `fjord serve` processes from bin/fjord.
SDKS := python typescript java
space := $(subst ,, )
comma := ,
INTEROP_SDKS := go,$(subst $(space),$(comma),$(SDKS))

## test-sdks: every SDK's suite against the broker binary
.PHONY: test-sdks test-interop
test-sdks: build
	@for l in $(SDKS); do echo "== clients/$$l"; $(MAKE) --no-print-directory -C clients/$$l test FJORD_BIN=$(CURDIR)/bin/fjord || exit 1; done

## test-interop: records and Avro values across every SDK (internal/interop)
test-interop: build
	@for l in $(SDKS); do $(MAKE) --no-print-directory -C clients/$$l interop-ready || exit 1; done
	FJORD_INTEROP=$(INTEROP_SDKS) $(GO) test -count=1 ./internal/interop/

test-go: tools
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -e /storage -e /server$$ -e /server/ -e /schemaregistry)
	$(GO) test -race -count=1 ./clients/go/...

## bench: Go benchmarks of the hot paths (figures go to BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./storage/ ./server/

clean:
	rm -rf bin .bin

## test-ui: the web console in headless Chromium against a running broker
## (installs Debian's chromium if absent and the pinned playwright-core);
## the test's screenshot goes to $(UI_SHOT_DIR).
UI_E2E := server/console/e2e/testdata
UI_SHOT_DIR ?= $(CURDIR)/bin/ui
.PHONY: test-ui
test-ui:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	cd $(UI_E2E) && npm ci --no-audit --no-fund
	mkdir -p $(UI_SHOT_DIR)
	FJORD_UI_TEST=1 FJORD_UI_SHOT_DIR=$(UI_SHOT_DIR) $(GO) test -count=1 -v -run TestConsoleInBrowser ./server/console/e2e/
