"""The real-process Python tests' one way to record a check (tests/*_test.py, run as scripts
from this folder): prints an "ok   - " or "FAIL - " line, which the shell wrappers count, and
counts the failures for the script's exit status.

    from check_lib import check, failed
    check("what is checked", condition, "detail shown when it fails")
    sys.exit(1 if failed() else 0)
"""
_failures = 0


def check(what, ok, detail=""):
    global _failures
    print(("ok   - " if ok else "FAIL - ") + what + ("" if ok else f" ({detail})"))
    _failures += 0 if ok else 1


def failed():
    return _failures
