"""Do two saved indexes hold the same index? A speed change to the build must not change it.

Every array must be equal in dtype, shape and values, and the JSON metadata equal
but for when the index was built and how long that took.

    python benchmarks/same_index.py BEFORE.npz AFTER.npz
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

# Metadata that differs between two builds of the same text by design.
WHEN = ("created", "seconds")


def differences(before: Path, after: Path) -> list[str]:
    """What differs between two index files; empty when they are the same index."""
    with np.load(before, allow_pickle=False) as a, np.load(after, allow_pickle=False) as b:
        old = {name: a[name] for name in a.files}
        new = {name: b[name] for name in b.files}
    found = [f"{name}: only in one file" for name in sorted(set(old) ^ set(new))]
    meta_old, meta_new = (json.loads(bytes(m.pop("meta")).decode()) for m in (old, new))
    for key in sorted(set(meta_old) | set(meta_new)):
        if key not in WHEN and meta_old.get(key) != meta_new.get(key):
            found.append(f"meta {key} differs")
    for name in sorted(set(old) & set(new)):
        x, y = old[name], new[name]
        if x.dtype != y.dtype or x.shape != y.shape or not np.array_equal(x, y):
            found.append(f"{name}: {x.dtype}{list(x.shape)} vs {y.dtype}{list(y.shape)}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    found = differences(args.before, args.after)
    for line in found:
        print(line)
    with np.load(args.after, allow_pickle=False) as archive:
        print(
            f"{'different' if found else 'identical'}: {len(archive.files)} members, "
            f"{len(archive['term_id']):,} terms, {len(archive['passage_span']):,} passages"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
