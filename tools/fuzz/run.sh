#!/usr/bin/env bash
# Builds the fuzz targets of Fuzz/ (libFuzzer + address sanitizer) and runs them.
#
#   tools/fuzz/run.sh list                          the targets
#   tools/fuzz/run.sh build [TARGET]                build one target, or all
#   tools/fuzz/run.sh TARGET|all|library [--seconds N | --runs N] [-- LIBFUZZER_FLAGS...]
#                                                   fuzz (default: 60 seconds each), seeds from Fuzz/Corpus/TARGET;
#                                                   `library`: every target but `server` (no server dependencies)
#   tools/fuzz/run.sh TARGET --input FILE...        run the target once on each file (a reproducer)
#   tools/fuzz/run.sh TARGET --minimize FILE        shrink a crashing input (written next to FILE as FILE.min)
#
# New corpus entries, crashes (crash-*, oom-*, timeout-*) and logs go to Fuzz/Work/TARGET/ (git-ignored). Exits
# non-zero when a target finds a crash, an out-of-memory or a hang. FUZZ_RSS_LIMIT_MB (default 2048) and FUZZ_TIMEOUT
# (seconds per input, default 10) bound every input.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz="$root/Fuzz"
library_targets=(safetensors pytorch pickle config generation-config preprocessor-config vocab tokenizer-json
                 tokenizer-config gif png jpeg webp bmp tiff tar gzip-tar brace questions run-identity result-file)
targets=("${library_targets[@]}" server)

# Every module gets the address sanitizer, libFuzzer's coverage instrumentation (what -sanitize=fuzzer enables) and
# -enable-testing. libFuzzer itself is linked without its main (SwiftPM gives each executable its own), as the archive
# next to the toolchain's clang runtime.
swiftc_dir="$(dirname "$(readlink -f "$(command -v swiftc)")")"
libfuzzer="$(ls "$swiftc_dir"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a 2>/dev/null | head -1)"
build_flags=(-c release
    -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table
    -Xswiftc -enable-testing
    -Xlinker --whole-archive -Xlinker "$libfuzzer" -Xlinker --no-whole-archive -Xlinker -lstdc++)

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

is_target() { local name; for name in "${targets[@]}"; do [[ "$name" == "$1" ]] && return 0; done; return 1; }

build() {  # build [TARGET]
    local product=()
    [[ $# -gt 0 ]] && product=(--product "fuzz-$1")
    [[ -f "$libfuzzer" ]] || { echo "libclang_rt.fuzzer_no_main not found next to $swiftc_dir" >&2; exit 1; }
    swift build --package-path "$fuzz" "${build_flags[@]}" "${product[@]}" >&2
    bin_path="$(swift build --package-path "$fuzz" "${build_flags[@]}" --show-bin-path)"
}

binary() { echo "$bin_path/fuzz-$1"; }

dictionary() {  # the libFuzzer dictionary of a target, if it has one
    local name
    case "$1" in
        safetensors|config|generation-config|preprocessor-config|tokenizer-json|tokenizer-config) name=json ;;
        pytorch) name=pickle ;;
        *) name="$1" ;;
    esac
    [[ -f "$fuzz/Dictionaries/$name.dict" ]] && echo "-dict=$fuzz/Dictionaries/$name.dict"
    return 0
}

# Runs the target's binary with the common flags; a folder in /dev/shm holds its scratch files.
run_binary() {  # run_binary TARGET ARGS...
    local target="$1"; shift
    local work="$fuzz/Work/$target" scratch_files status=0
    mkdir -p "$work/corpus"
    scratch_files="$(mktemp -d "${TMPDIR_SHM:-/dev/shm}/image2text-fuzz-$target.XXXXXX" 2>/dev/null || mktemp -d)"
    # The Swift runtime's backtracer would wait on a crash libFuzzer already reports; leaks are not findings here.
    SWIFT_BACKTRACE=enable=no IMAGE2TEXT_FUZZ_SCRATCH="$scratch_files" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}" \
        "$(binary "$target")" -rss_limit_mb="${FUZZ_RSS_LIMIT_MB:-2048}" -timeout="${FUZZ_TIMEOUT:-10}" \
        -artifact_prefix="$work/" $(dictionary "$target") "$@" || status=$?
    rm -rf "$scratch_files"
    return $status
}

fuzz_one() {  # fuzz_one TARGET LIMIT_FLAG EXTRA...; prints a one-line summary, returns libFuzzer's status
    local target="$1" limit="$2"; shift 2
    local log="$fuzz/Work/$target/last.log" status=0 started elapsed
    mkdir -p "$fuzz/Work/$target/corpus"
    started=$(date +%s)
    run_binary "$target" "$limit" -print_final_stats=1 "$@" "$fuzz/Work/$target/corpus" "$fuzz/Corpus/$target" \
        > "$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - started ))
    local runs cov ft corpus
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
    printf '%-20s %6ss %10s execs  cov %-6s ft %-7s corpus %-10s %s\n' "$target" "$elapsed" "${runs:-?}" \
        "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$([[ $status == 0 ]] && echo ok || echo "FOUND (exit $status): see $log")"
    if [[ $status != 0 ]]; then
        grep -E '^(==[0-9]+==|SUMMARY|Fatal error|.*Fatal error:|artifact_prefix|Test unit written|ERROR)' "$log" | head -20 >&2 || true
    fi
    return $status
}

[[ $# -ge 1 ]] || usage
command="$1"; shift
case "$command" in
    list) printf '%s\n' "${targets[@]}"; exit 0 ;;
    build)
        if [[ $# -gt 0 ]]; then is_target "$1" || usage; build "$1"; else build; fi
        exit 0 ;;
    all) selected=("${targets[@]}") ;;
    library) selected=("${library_targets[@]}") ;;
    -h|--help) usage ;;
    *) is_target "$command" || { echo "unknown target '$command' (tools/fuzz/run.sh list)" >&2; exit 2; }
       selected=("$command") ;;
esac

limit="-max_total_time=60"
inputs=() minimize="" extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) limit="-max_total_time=$2"; shift 2 ;;
        --runs) limit="-runs=$2"; shift 2 ;;
        --input) shift; while [[ $# -gt 0 && "$1" != --* ]]; do inputs+=("$1"); shift; done ;;
        --minimize) minimize="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) usage ;;
    esac
done

if [[ "$command" == all ]]; then build; else for target in "${selected[@]}"; do build "$target"; done; fi

if [[ ${#inputs[@]} -gt 0 ]]; then
    run_binary "${selected[0]}" "${extra[@]}" "${inputs[@]}"
    exit $?
fi
if [[ -n "$minimize" ]]; then
    run_binary "${selected[0]}" -minimize_crash=1 -runs=100000 -exact_artifact_path="$minimize.min" "${extra[@]}" "$minimize"
    exit $?
fi

failed=0
for target in "${selected[@]}"; do
    fuzz_one "$target" "$limit" "${extra[@]}" || failed=1
done
exit $failed
