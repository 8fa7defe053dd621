#!/usr/bin/env python3
"""Merge JUnit XML files (ctest --output-junit, one per shard/seed run) into one.

    junit_merge.py OUT DIR [--only PREFIX]

Every DIR/*.xml (except OUT itself and earlier merged files) becomes one
<testsuite> of a <testsuites> root in OUT, named after its file; the totals
(tests, failures, errors, skipped) are summed on the root and printed. Exit
code 1 when any test failed or errored, or when no file was found.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, d = sys.argv[1], sys.argv[2]
    prefix = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--only" else ""
    files = sorted(f for f in glob.glob(os.path.join(d, prefix + "*.xml"))
                   if os.path.abspath(f) != os.path.abspath(out) and not f.endswith("merged.xml"))
    if not files:
        print(f"junit_merge: no JUnit files in {d}", file=sys.stderr)
        return 1
    root = ET.Element("testsuites", name="squish regress")
    tot = dict(tests=0, failures=0, errors=0, skipped=0)
    failed = []
    for f in files:
        tree = ET.parse(f)
        suites = [tree.getroot()] if tree.getroot().tag == "testsuite" else list(tree.getroot())
        for s in suites:
            s.set("name", os.path.splitext(os.path.basename(f))[0] + (":" + s.get("name", "") if s.get("name") else ""))
            for k in tot:
                tot[k] += int(s.get(k, "0") or 0)
            for case in s.iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(f"{s.get('name')}: {case.get('name')}")
            root.append(s)
    for k, v in tot.items():
        root.set(k, str(v))
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    print(f"junit_merge: {len(files)} files -> {out}: {tot['tests']} tests, {tot['failures']} failures, "
          f"{tot['errors']} errors, {tot['skipped']} skipped")
    for n in failed[:50]:
        print("  FAILED", n)
    return 1 if tot["failures"] or tot["errors"] or failed else 0


if __name__ == "__main__":
    sys.exit(main())
