# Fjord build, generation, lint and test entry points.
# `make test` works on a fresh machine: it builds the pinned tools from
# tools/go.mod and downloads Go modules itself.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := $(CURDIR)/.bin
TOOLS := $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc $(BIN)/staticcheck $(BIN)/grpcurl
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

## build: the fjord binary in bin/
build:
	$(GO) build -o bin/fjord ./cmd/fjord

## run: a single-node broker with data in ./fjord-data
run:
	$(GO) run ./cmd/fjord serve

## gen: regenerate code from proto/
gen: tools
	$(BIN)/buf generate
	cd gen && GOWORK=off $(GO) mod tidy

## checkgen: fail if generated code is stale
checkgen: gen
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
		echo "generated code is stale; run 'make gen' and commit:"; git status --porcelain -- gen; exit 1; fi

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
test: checkgen lint test-go

test-go: tools
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -e /storage -e /server$$ -e /server/ -e /schemaregistry)
	$(GO) test -race -count=1 ./clients/go/...

## bench: Go benchmarks of the hot paths (figures go to BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./storage/ ./server/

clean:
	rm -rf bin .bin
