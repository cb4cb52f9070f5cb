"""Print the NLU evaluation on the held-out split, and fail when it falls below its floor.

python tests/nlu_report.py var/assistant/results/nlu/intent_report.json
"""

from __future__ import annotations

import json
import sys

FLOOR = 0.85  # the held-out intent accuracy measured when the pipeline was chosen, rounded down


def main(path: str) -> int:
    """Print the per-intent figures; 1 when the accuracy is under the floor."""
    with open(path, encoding="utf-8") as file:
        report = json.load(file)
    print("intent                 precision  recall  f1     support")
    for intent, row in sorted(report.items()):
        if isinstance(row, dict) and "support" in row and intent not in ("micro avg", "macro avg", "weighted avg"):
            scores = f"{row['precision']:.3f}      {row['recall']:.3f}   {row['f1-score']:.3f}"
            print(f"{intent:<22} {scores}  {row['support']}")
    accuracy = float(report["accuracy"])
    weighted = report["weighted avg"]["f1-score"]
    print(f"held-out intent accuracy {accuracy:.3f}, weighted F1 {weighted:.3f} (floor {FLOOR})")
    return 0 if accuracy >= FLOOR else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
