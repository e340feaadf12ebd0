# The two commands of the README, and a few more for developers.
#   make run    install what is missing, build (release), start Herald's main job
#   make test   install what is missing, build (ASan/UBSan), run every test suite
.PHONY: run test tsan lint format bench-redis clean

run:
	scripts/run.sh

test:
	scripts/test.sh

# ThreadSanitizer over the unit and integration suites (a full build of its own; not
# part of `make test`, whose CI time budget it would exceed).
tsan:
	scripts/install-deps.sh
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan
	ctest --preset tsan -L 'unit|integration'

# clang-tidy over our sources (slow: minutes; not part of `make test`).
lint:
	scripts/install-deps.sh
	cmake --preset dev >/dev/null
	git ls-files 'src/*.cpp' | xargs -r -P 2 -n 4 clang-tidy -p build/dev --quiet

format:
	git ls-files '*.cpp' '*.hpp' | xargs -r clang-format -i

# Pipelined GET/SET throughput vs redis-benchmark (see docs/benchmarks.md).
bench-redis:
	bench/redis_client/run.sh

clean:
	rm -rf build
