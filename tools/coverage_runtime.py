#!/usr/bin/env python3
"""Per-header line and branch coverage of the run-time code (tools/coverage.sh calls it).

Usage: coverage_runtime.py [--check] [--list] PROFDATA HEADER... -- OBJECT...
  --list   also print, per header, the run-time lines never run and the lines holding a
           branch outcome never taken (what is left uncovered, to name or to reach)

Reads llvm-cov's lcov export (DA and BRDA records) and leaves out the lines of functions
that never run in a binary on this machine, named below with the reason, and the lines of
arms of functions that do run which x86-64 never takes (UNREACHED_ARMS); prints one row per
header (lines, branches) and the functions left out, and exits 1 when a header is under the
bar (>= 95 % lines, >= 90 % branches) and --check was given.
"""
import json
import re
import subprocess
import sys

# Functions whose code does not run in an x86-64 binary: evaluated by the compiler
# (constexpr table builders) or portable twins of SSE2 paths, which run in constant
# evaluation and on CPUs without SSE2 (tests/ compares them with the SSE2 paths).
#
# Each pattern is searched in the demangled name, parameters and template arguments
# included. The newer ones start with `^[^<(]*` so that they name the function itself and
# never a function instantiated with it (`for_each_field<visited_fields<...>::lambda>` is
# the same code as the run-time `for_each_field<write_words<...>::lambda>`).
COMPILE_TIME = [
    (r"build_reply_table|reply_source|rendered_bytes|make_mech_slots|make_keyword_slots|make_keyword_table",
     "constexpr table builder, evaluated by the compiler"),
    (r"^[^<(]*smtpp::detail::build_transitions\b",
     "constexpr table builder (the session's dense transition table), evaluated by the compiler"),
    (r"^[^<(]*smtpp::detail::(find_keyword_multiplier|keyword_hash_perfect)\b",
     "the perfect-hash multiplier search of the EHLO keyword table, run by the compiler for `keyword_multiplier`"),
    (r"^[^<(]*smtpp::detail::(accept_with|refuse_with|policy_bit_of)\b",
     "called only in the initialisers of constexpr tables (`transition_rows`, `param_rows`)"),
    (r"^[^<(]*smtpp::detail::(param_case|verb_case)\b",
     "the value of a case label (`param_lookup`, `parse_verb`): a constant expression"),
    (r"^[^<(]*smtpp::detail::(verbs_in_order|command_errors_in_order|registry_consistent|"
     r"sasl_mech_names_in_bit_order|rows_in_order|dense|well_formed)\b",
     "compile-time check of a table's or registry's invariants (static_assert only)"),
    (r"^[^<(]*smtpp::detail::(visited_fields|field_count)\b",
     "compile-time count of a struct's fields against for_each_field (static_assert only)"),
    (r"::put_reply\(smtpp::reply_hint|::(acc|ref)\(smtpp::session_reply",
     "called only by constexpr table builders (the reply and transition tables)"),
    (r"scan_in_constant_evaluation", "constant evaluation only"),
    (r"names_in_order", "compile-time check of an enum's names table (static_assert only)"),
    (r"smtpp::detail::to<", "the phase set of a cell of the client's transition table, built by the compiler"),
    (r"\bin_constant_evaluation\b",
     "__builtin_is_constant_evaluated, folded by the compiler at every call: never called at run time"),
    (r"\b(ctz64|top_bit64)_plain\b", "portable twin of a GNU builtin (compilers without __builtin_ctzll/clzll)"),
    (r"_scalar\b|scan_newline_swar|gather_high_bits|\bload8\b",
     "portable twin of an SSE2 path (constant evaluation, CPUs without SSE2)"),
]

ARM_REASON = ("constant-evaluation arm of a run-time function (in_constant_evaluation() is false at run "
              "time; the SSE2, word-load or sealing path returns first on x86-64)")
LAYOUT_REASON = ("word_image's arm for a field that straddles two words: a field placed below its type's "
                 "alignment (i386's 64-bit fields at 4-octet offsets), never in an x86-64 layout; "
                 "tests/test_platform.cpp runs it on i386 in CI")

# Lines inside functions that do run which an x86-64 binary never reaches: the arm taken
# when in_constant_evaluation() is true, or the portable return after the
# `if (!in_constant_evaluation()) return <SSE2 / word-load / sealed path>;` that an x86-64
# binary always takes (ARM_REASON), and the arm only other layouts take (LAYOUT_REASON).
# (function pattern, pattern of a whole line of the arm, stripped, reason.)
# Only lines that hold nothing but the arm: a line with the test itself stays counted.
UNREACHED_ARMS = [
    (r"^[^<(]*smtpp::detail::sealed\(", r"#endif|return r;", ARM_REASON),
    (r"^[^<(]*smtpp::detail::text_run\(", r"#endif|return text_run_scalar\(p, n\);", ARM_REASON),
    (r"^[^<(]*smtpp::detail::load8_word\(", r"#endif|return load8\(p\);", ARM_REASON),
    (r"^[^<(]*smtpp::detail::find_special\(", r"#endif|return find_special_words\(p, window, avail, allow_8bit\);",
     ARM_REASON),
    (r"^[^<(]*smtpp::detail::clear\(smtpp::command&\)", r"c = command\{\};", ARM_REASON),
    (r"^[^<(]*smtpp::detail::reset\(smtpp::ehlo_capabilities&\)", r"caps = ehlo_capabilities\{\};", ARM_REASON),
    (r"^[^<(]*smtpp::detail::copy_bytes\(", r"for \(std::size_t i = 0; i < n; \+\+i\) dst\[i\] = src\[i\];",
     ARM_REASON),
    (r"^[^<(]*smtpp::detail::word_image<[0-9]+ul>::put_piece<[248]ul>",
     r"for \(std::size_t i = 0; i < N; \+\+i\) put_piece<1>\(off \+ i, src \+ i\);|return;", LAYOUT_REASON),
]


def demangle(names):
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True).stdout
    return out.split("\n")


def main():
    args = sys.argv[1:]
    check = listing = False
    while args and args[0] in ("--check", "--list"):
        check = check or args[0] == "--check"
        listing = listing or args[0] == "--list"
        args = args[1:]
    k = args.index("--")
    profdata, headers, objects = args[0], args[1:k], args[k + 1:]
    obj_args = [objects[0]] + [x for o in objects[1:] for x in ("-object", o)]
    base = ["llvm-cov", "export", *obj_args, "-instr-profile=" + profdata]
    lcov = subprocess.run(base + ["-format=lcov", *headers], capture_output=True, text=True).stdout
    js = json.loads(subprocess.run(base + ["-skip-expansions", *headers], capture_output=True, text=True).stdout)

    # Line ranges of the left-out functions, per file.
    funcs = [f for d in js["data"] for f in d["functions"]]
    names = demangle([f["name"] for f in funcs])
    excluded = {}  # file -> list of (first, last, name, reason)
    for f, name in zip(funcs, names):
        for pattern, reason in COMPILE_TIME:
            if re.search(pattern, name):
                regions = [r for r in f["regions"] if r[5] == 0]
                if not regions:
                    continue
                path = f["filenames"][0]
                first = min(r[0] for r in regions)
                last = max(r[2] for r in regions)
                short = name.split("(")[0]
                lst = excluded.setdefault(path, [])
                if (first, last) not in [(a, b) for a, b, _, _ in lst]:
                    lst.append((first, last, short, reason))
                break

    # Unreached arms inside the other functions, line by line.
    sources = {}
    for f, name in zip(funcs, names):
        for fpattern, lpattern, reason in UNREACHED_ARMS:
            if not re.search(fpattern, name):
                continue
            regions = [r for r in f["regions"] if r[5] == 0]
            if not regions:
                continue
            path = f["filenames"][0]
            if path not in sources:
                with open(path, encoding="utf-8") as src:
                    sources[path] = src.read().split("\n")
            lst = excluded.setdefault(path, [])
            for ln in range(min(r[0] for r in regions), max(r[2] for r in regions) + 1):
                if not re.fullmatch(lpattern, sources[path][ln - 1].strip()) or any(a <= ln <= b for a, b, _, _ in lst):
                    continue
                short = name.split("(")[0]
                prev = [e for e in lst if e[1] == ln - 1 and e[2] == short and e[3] == reason]
                if prev:  # the arm's next line: one range
                    lst[lst.index(prev[0])] = (prev[0][0], ln, short, reason)
                else:
                    lst.append((ln, ln, short, reason))

    stats = {}
    cur = None
    for line in lcov.splitlines():
        if line.startswith("SF:"):
            cur = line[3:]
            stats.setdefault(cur, {"lines": {}, "branches": {}})
        elif line.startswith("DA:") and cur:
            ln, count = line[3:].split(",")[:2]
            stats[cur]["lines"][int(ln)] = max(stats[cur]["lines"].get(int(ln), 0), int(count))
        elif line.startswith("BRDA:") and cur:
            ln, block, branch, taken = line[5:].split(",")
            key = (int(ln), block, branch)
            t = 0 if taken == "-" else int(taken)
            stats[cur]["branches"][key] = max(stats[cur]["branches"].get(key, 0), t)

    def skip(path, ln):
        return any(a <= ln <= b for a, b, _, _ in excluded.get(path, []))

    below = []
    print(f"{'header':<28}{'lines':>16}{'':>9}{'branches':>16}{'':>9}")
    tl = th = tb = tbh = 0
    for path in headers:
        s = stats.get(path, {"lines": {}, "branches": {}})
        lines = {ln: c for ln, c in s["lines"].items() if not skip(path, ln)}
        brs = {k2: c for k2, c in s["branches"].items() if not skip(path, k2[0])}
        lh = sum(1 for c in lines.values() if c > 0)
        bh = sum(1 for c in brs.values() if c > 0)
        lp = 100.0 * lh / len(lines) if lines else 100.0
        bp = 100.0 * bh / len(brs) if brs else 100.0
        tl, th, tb, tbh = tl + len(lines), th + lh, tb + len(brs), tbh + bh
        name = path.split("include/")[-1]
        flag = "" if lp >= 95 and bp >= 90 else "  < bar"
        print(f"{name:<28}{lh:>8}/{len(lines):<7}{lp:7.2f}%{bh:>8}/{len(brs):<7}{bp:7.2f}%{flag}")
        if flag:
            below.append(name)
        if listing:
            missed_lines = sorted(ln for ln, c in lines.items() if c == 0)
            missed_brs = sorted({k2[0] for k2, c in brs.items() if c == 0})
            print(f"   lines never run: {' '.join(map(str, missed_lines)) or '-'}")
            print(f"   lines with a branch outcome never taken: {' '.join(map(str, missed_brs)) or '-'}")
    print(f"{'total':<28}{th:>8}/{tl:<7}{100.0 * th / max(tl, 1):7.2f}%{tbh:>8}/{tb:<7}{100.0 * tbh / max(tb, 1):7.2f}%")
    print("left out as code that does not run in an x86-64 binary:")
    for path in headers:
        for a, b, name, reason in sorted(excluded.get(path, [])):
            print(f"   {path.split('include/')[-1]}:{a}-{b} {name}: {reason}")
    if below:
        print("below the bar (>= 95 % lines, >= 90 % branches): " + ", ".join(below))
    return 1 if (check and below) else 0


if __name__ == "__main__":
    sys.exit(main())
