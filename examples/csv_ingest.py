"""Bulk-load a CSV file into sanddb, with a progress bar on a terminal.

Each row becomes one key (the key column's value) whose value is the row as
a JSON object; rows are written in batches, so each batch is one version and
a reader sees whole batches only. Run it twice on changed data and the
history of every key shows both loads.

    python3 csv_ingest.py FILE.csv DIR [--key COLUMN] [--batch ROWS] [--sync]

Example:
    python3 csv_ingest.py cities.csv cities-db --key name
    sand --db cities-db get Lisbon
"""
import argparse
import csv
import json
import os
import sys
import time

from tqdm import tqdm

import sanddb


def counted(lines, bar):
    """Yields the lines of a text file, advancing `bar` by their bytes."""
    for line in lines:
        bar.update(len(line.encode("utf-8")))
        yield line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="the CSV file; its first line names the columns")
    parser.add_argument("db", help="the database directory (created if missing)")
    parser.add_argument("--key", help="the column whose value is the key (default: the first)")
    parser.add_argument("--batch", type=int, default=1000, help="rows per write batch")
    parser.add_argument("--sync", action="store_true", help="make each batch durable (fsync)")
    args = parser.parse_args()

    started = time.monotonic()
    rows = batches = 0
    first_version = last_version = None
    # The bar follows the bytes read (the row count is unknown until the end);
    # tqdm draws it only when stderr is a terminal.
    bar = tqdm(total=os.path.getsize(args.csv), unit="B", unit_scale=True, disable=None,
               desc="ingest")
    with open(args.csv, newline="", encoding="utf-8") as f, bar, sanddb.open(args.db) as db:
        reader = csv.DictReader(counted(f, bar))
        key_column = args.key or reader.fieldnames[0]
        if key_column not in reader.fieldnames:
            sys.exit(f"csv_ingest: no column {key_column!r} in {args.csv}")
        batch = sanddb.WriteBatch()
        for row in reader:
            batch.put(row[key_column], json.dumps(row, ensure_ascii=False))
            rows += 1
            if len(batch) == args.batch:
                last_version = db.write(batch, sync=args.sync)
                first_version = first_version or last_version
                batches += 1
                batch.clear()
        if len(batch):
            last_version = db.write(batch, sync=args.sync)
            first_version = first_version or last_version
            batches += 1
    seconds = time.monotonic() - started
    print(f"ingested {rows} rows in {batches} batches (versions {first_version}..{last_version}) "
          f"in {seconds:.2f} s: {rows / max(seconds, 1e-9):,.0f} rows/s")


if __name__ == "__main__":
    main()
