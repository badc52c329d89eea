#!/usr/bin/env python3
"""Extracts clean text from a scanned page: joins words hyphenated across line breaks,
folds runs of spaces, and keeps paragraphs (separated by blank lines).

A Sluice command step: reads $SLUICE_INPUTS, writes $SLUICE_OUTPUTS, appends metrics to
$SLUICE_METRICS. Python standard library only."""
import json
import os
import re
import sys


def extract(raw: str) -> str:
    text = raw.replace("\r\n", "\n")
    # "packag-\ning" -> "packaging": a hyphen at a line end joins the word's two halves.
    text = re.sub(r"(\w)-\n\s*(\w)", r"\1\2", text)
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        line = re.sub(r"\s+", " ", block).strip()
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def main() -> int:
    with open(os.environ["SLUICE_INPUTS"], encoding="utf-8") as handle:
        inputs = json.load(handle)
    page = inputs.get("page")
    if not isinstance(page, dict) or not isinstance(page.get("raw"), str):
        print("input 'page' must be an object with a 'raw' string", file=sys.stderr)
        return 2
    text = extract(page["raw"])
    with open(os.environ["SLUICE_OUTPUTS"], "w", encoding="utf-8") as handle:
        json.dump({"text": text}, handle, ensure_ascii=False)
    with open(os.environ["SLUICE_METRICS"], "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"key": "chars", "value": len(text)}) + "\n")
        handle.write(json.dumps({"key": "paragraphs", "value": text.count("\n\n") + 1}) + "\n")
    print(f"extracted {len(text)} characters from page {page.get('page_num')} of {page.get('document_id')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
