# The two commands of the README, and the checks CI runs.
.PHONY: run test check build

build:
	go build -o tandem ./cmd/tandem

# Starts tandem with its embedded default: KV on 127.0.0.1:6379, SQL on
# 127.0.0.1:3306, data under ./data.
run:
	go run ./cmd/tandem

# The whole test suite: static checks, then every package's tests with the
# race detector (end-to-end tests skip what needs a binary that is absent).
test: check
	go test -race -timeout 20m ./...

STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	go vet ./...
	go run $(STATICCHECK) ./...
