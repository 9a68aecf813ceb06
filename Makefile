# The README's commands. Each works as root on a fresh Debian 12 machine from a clean clone.
SHELL := /bin/bash
APT_PACKAGES := runc conmon containernetworking-plugins iptables iproute2 busybox-static attr util-linux procps tini docker-registry skopeo apache2-utils zstd curl python3-docker conntrack
# xz and bzip2 decompress xz and bzip2 archives (ADD, docker cp, load, import), as moby runs xz.
APT_PACKAGES += xz-utils bzip2
# clang and libbpf's headers compile the published-port redirect (src/services/networks/bpf) at make build; bpftool loads it.
APT_PACKAGES += clang libbpf-dev bpftool
NODE_TESTS = $(shell find dist/src -name '*.test.js' 2>/dev/null | sort)
E2E_TESTS = $(shell find dist/test -name '*.test.js' 2>/dev/null | sort)

.PHONY: setup build demo test unit e2e bench clean
# The published-port redirect's BPF program and its netns-cookie helper (sock-redirect.ts loads them from beside its .js).
BPF_SRC := src/services/networks/bpf
BPF_OUT := dist/src/services/networks/bpf

setup: .setup-stamp build

.setup-stamp: package-lock.json scripts/setup-system.sh
	scripts/setup-system.sh $(APT_PACKAGES)
	npm ci --no-audit --no-fund
	touch .setup-stamp

# The CLI is also bundled into one file: a berth call reads and compiles one script instead of resolving dozens of modules.
build: .setup-stamp
	npx tsc -p .
	npx esbuild src/cli/main.ts --bundle --platform=node --target=node20 --outfile=dist/berth-cli.js --log-level=warning
	npx esbuild src/cli/launch.ts --bundle --platform=node --target=node20 --outfile=dist/berth-launch.js --log-level=warning
	rm -f dist/berth-cli.js.cache
	BERTH_WRITE_CODE_CACHE=1 BERTH_HOST=unix:///nonexistent/berth.sock node dist/berth-launch.js version >/dev/null 2>&1 || true
	mkdir -p $(BPF_OUT)
	clang -O2 -g -Wall -target bpf -I/usr/include/$$(clang -print-multiarch) -c $(BPF_SRC)/sock-redirect.bpf.c -o $(BPF_OUT)/sock-redirect.bpf.o
	clang -O2 -Wall -o $(BPF_OUT)/netns-cookie $(BPF_SRC)/netns-cookie.c

demo: setup
	scripts/demo.sh

unit: setup
	node --test --test-concurrency=1 $(NODE_TESTS)

e2e: setup
	node --test --test-concurrency=1 $(E2E_TESTS)

test: setup
	node --test --test-concurrency=1 $(NODE_TESTS) $(E2E_TESTS)

bench: setup
	node dist/bench/run.js

# Only the docker cp figures (BENCH_CP_RUNS rounds, each with plain cp, berthd and dockerd).
.PHONY: bench-cp
bench-cp: setup
	node dist/bench/cp-main.js

# What the docker CLI itself can copy: against a raw-socket engine that drops uploads and sends a tar from memory, beside curl and plain cp.
.PHONY: bench-cp-ceiling
bench-cp-ceiling: setup
	node dist/bench/cp-ceiling.js

# Only the push/pull figures (BENCH_DIST_ROUNDS interleaved rounds of berthd, dockerd and curl's floor).
.PHONY: bench-dist
bench-dist: setup
	node dist/bench/distribution-main.js

clean:
	rm -rf dist .setup-stamp
